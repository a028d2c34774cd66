"""Animator pages, projector, exports and the roadmap's step 3, with two tenants and an outsider."""

from __future__ import annotations

import csv
import html
import io
import subprocess
from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from documents.models import ExportJob
from roadmap.models import Enjeu
from roadmap.steps import roadmap_steps
from tests.conftest import Tenant
from tests.workshops.factories import ItemFactory, ParticipantFactory, WorkshopFactory, WorkshopGroupFactory
from workshops import actions
from workshops.models import Item, Kind, Stage, Workshop, WorkshopGroup


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def running_group(tenant: Tenant, items: int = 6, **kwargs: Any) -> WorkshopGroup:
    workshop = WorkshopFactory(organization=tenant.organization, roadmap=tenant.roadmap, **kwargs)
    group = WorkshopGroupFactory(organization=tenant.organization, workshop=workshop, stage=Stage.COLLECTION)
    for n in range(items):
        ItemFactory(organization=tenant.organization, group=group, number=n + 1, label=f"Idée {n + 1}")
    return group


def g_url(name: str, group: WorkshopGroup) -> str:
    return reverse(f"workshops:{name}", kwargs={"workshopgroup_pk": group.pk})


def test_an_animator_prepares_a_workshop_with_groups(tenant_a: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.animateur)
    url = reverse("workshops:workshop_list", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    response = client.post(
        url,
        {
            "kind": Kind.DIX_ANS,
            "title": "Atelier de Sarlat",
            "date": "2026-12-03",
            "place": "Salle des fêtes",
            "question": "Comment sera le numérique à Sarlat dans 10 ans ?",
            "question_minutes": 10,
            "collection_minutes": 40,
            "vote_minutes": 20,
            "ranking_minutes": 20,
            "matrix_minutes": 30,
            "groups": 3,
        },
    )
    workshop = Workshop.objects.get(title="Atelier de Sarlat")
    assert response.status_code == 302 and workshop.organization == tenant_a.organization
    assert [g.name for g in workshop.groups.all()] == ["Groupe 1", "Groupe 2", "Groupe 3"]
    assert len({g.code for g in workshop.groups.all()}) == 3
    page = text(client.get(workshop.get_absolute_url()))
    assert "Salle des fêtes" in page and "Réutiliser comme modèle" in page


def test_the_list_page_query_count_does_not_grow(tenant_a: Tenant, django_assert_max_num_queries: Any) -> None:
    client = tenant_a.client_for(tenant_a.admin)
    url = reverse("workshops:workshop_list", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    for size in (2, 12):
        while tenant_a.roadmap.workshops.count() < size:
            running_group(tenant_a, 2)
        # session, user, memberships (×2: middleware and the menu), roadmap, workshops + their group counts
        with django_assert_max_num_queries(10):
            response = client.get(url)
        assert response.status_code == 200


def test_the_projector_shows_items_hides_points_until_revealed(tenant_a: Tenant) -> None:
    group = running_group(tenant_a, 4)
    client = tenant_a.client_for(tenant_a.animateur)
    page = text(client.get(g_url("workshopgroup_projector", group)))
    assert group.code in page and "<svg" in page and "Idée 4" in page
    actions.set_stage(group, Stage.VOTE)
    actions.set_paper_points(group, {group.items.get(number=3).pk: 7})
    live = text(client.get(g_url("workshopgroup_projector", group), headers={"HX-Request": "true"}))
    # French puts zero in the singular (the catalogue in locale/fr carries the French plural rule).
    assert 'class="pts"' not in live and "0 sur 0 participant a voté" in live
    ParticipantFactory.create_batch(2, organization=tenant_a.organization, group=group)
    actions.toggle_reveal(group)
    live = text(client.get(g_url("workshopgroup_projector", group), headers={"HX-Request": "true"}))
    assert '<span class="pts">7</span>' in live and "<html" not in live
    assert "0 sur 2 participants ont voté" in live


def test_the_version_changes_with_a_vote(tenant_a: Tenant) -> None:
    group = actions.set_stage(running_group(tenant_a, 4), Stage.VOTE)
    client = tenant_a.client_for(tenant_a.lecteur)
    participant = ParticipantFactory(organization=tenant_a.organization, group=group)
    before = client.get(g_url("workshopgroup_version", group)).json()["version"]
    actions.submit_ballot(participant, {group.items.get(number=1).pk: 2})
    assert client.get(g_url("workshopgroup_version", group)).json()["version"] != before


def test_keyboard_actions_answer_json_and_refusals_are_explained(tenant_a: Tenant) -> None:
    group = running_group(tenant_a, 1)
    client = tenant_a.client_for(tenant_a.animateur)
    post = lambda action: client.post(  # noqa: E731
        g_url("workshopgroup_action", group), {"action": action}, headers={"Accept": "application/json"}
    )
    response = post("next")  # collection → vote with a single item: refused
    assert response.status_code == 400 and "au moins 2 items" in response.json()["error"]
    ItemFactory(organization=tenant_a.organization, group=group, number=2)
    # Done, and undoable: the screen offers « Annuler » with what it puts back.
    assert post("next").json() == {"ok": True, "error": None, "notice": None, "undo": "Passage à l'étape « Points »"}
    group.refresh_from_db()
    assert group.stage == Stage.VOTE and group.voting_open and group.envelope == 1
    for action in ("vote", "reveal", "timer", "timer_reset", "previous"):
        assert post(action).status_code == 200, action
    # Points were never counted: « B » would strike every item, so it is refused and says why.
    actions.set_stage(group, Stage.VOTE)
    post("vote")  # close
    response = post("strike")
    assert response.status_code == 400 and "Aucun point n'est encore compté" in response.json()["error"]


def test_a_reader_sees_the_presenter_view_without_controls(tenant_a: Tenant) -> None:
    group = running_group(tenant_a, 3)
    page = text(tenant_a.client_for(tenant_a.lecteur).get(g_url("workshopgroup_presenter", group)))
    assert "Idée 2" in page and "Ajouter l'item" not in page and "Étape suivante" not in page
    response = tenant_a.client_for(tenant_a.lecteur).post(g_url("workshopgroup_add_item", group), {"label": "x"})
    assert response.status_code == 403


def test_the_animator_accepts_and_rewords_a_phone_proposal(tenant_a: Tenant) -> None:
    group = running_group(tenant_a, 2)
    participant = ParticipantFactory(organization=tenant_a.organization, group=group)
    proposal = actions.add_item(group, "bus numerik", participant)
    client = tenant_a.client_for(tenant_a.animateur)
    assert "bus numerik" in text(client.get(g_url("workshopgroup_presenter", group)))
    client.post(
        reverse("workshops:item_edit", kwargs={"item_pk": proposal.pk}), {"do": "accept", "label": "Bus numérique"}
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.number, proposal.label) == (Item.Status.ACCEPTED, 3, "Bus numérique")


def test_a_whole_workshop_through_the_animator_pages(tenant_a: Tenant) -> None:
    group = running_group(tenant_a, 0)
    client = tenant_a.client_for(tenant_a.animateur)
    for label in ("Fibre partout", "Aidants formés", "Bus numérique", "Tiers-lieux", "Écoles équipées"):
        client.post(g_url("workshopgroup_add_item", group), {"label": label})
    client.post(g_url("workshopgroup_action", group), {"stage": Stage.VOTE})
    items = {i.label: i for i in group.items.all()}
    client.post(
        g_url("workshopgroup_paper", group),
        {
            f"paper-{items['Fibre partout'].pk}": 6,
            f"paper-{items['Aidants formés'].pk}": 4,
            f"paper-{items['Bus numérique'].pk}": 1,
        },
    )
    client.post(g_url("workshopgroup_action", group), {"action": "vote"})  # close
    client.post(g_url("workshopgroup_action", group), {"action": "strike"})
    client.post(g_url("workshopgroup_action", group), {"action": "next"})  # ranking
    client.post(g_url("workshopgroup_action", group), {"action": "reveal"})
    client.post(
        g_url("workshopgroup_merge", group),
        {"items": [items["Aidants formés"].pk, items["Bus numérique"].pk], "label": "Médiation mobile"},
    )
    merge = group.merges.get()
    client.post(
        reverse("workshops:mergeproposal_decide", kwargs={"mergeproposal_pk": merge.pk}), {"decision": "confirm"}
    )
    assert [(i.label, i.total) for i in group.top()] == [("Fibre partout", 6), ("Médiation mobile", 5)]
    client.post(g_url("workshopgroup_action", group), {"action": "next"})  # matrix
    merged = group.items.get(label="Médiation mobile")
    client.post(
        reverse("workshops:item_place", kwargs={"item_pk": merged.pk}),
        {
            "aujourdhui-x": "faible",
            "aujourdhui-reason": "Peu de bénévoles",
            "horizon-x": "fort",
            "horizon-reason": "Un réseau",
            "horizon-what": "Un bus équipé",
        },
    )
    assert merged.placements.count() == 2
    projector = text(client.get(g_url("workshopgroup_projector", group), headers={"HX-Request": "true"}))
    assert 'class="postit horizon"' in projector and "Médiation mobile" in projector

    workshop = group.workshop
    client.post(
        reverse("workshops:workshop_synthesis", kwargs={"workshop_pk": workshop.pk}), {"synthesis": "Forte attente"}
    )
    client.post(
        reverse("workshops:workshop_enjeu", kwargs={"workshop_pk": workshop.pk}),
        {"question": "Comment rapprocher la médiation des habitants ?", "items": [merged.pk]},
    )
    enjeu = Enjeu.objects.get(question="Comment rapprocher la médiation des habitants ?")
    assert enjeu.roadmap == tenant_a.roadmap and list(enjeu.workshop_origin.items.all()) == [merged]

    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("workshops:workshop_csv", kwargs={"workshop_pk": workshop.pk})).content.decode(
                    "utf-8-sig"
                )
            ),
            delimiter=";",
        )
    )
    by_label = {r["item"]: r for r in rows}
    assert by_label["Médiation mobile"]["total"] == "5" and by_label["Médiation mobile"]["rang_top10"] == "2"
    assert by_label["Tiers-lieux"]["etat"] == "barré"
    assert by_label["Bus numérique"]["etat"] == "fusionné dans n°6"
    horizon = f"Dans 10 ans ({workshop.horizon_year})"  # ten years after the day it was prepared: it has no date
    assert by_label["Médiation mobile"][f"{horizon} — que faudrait-il"] == "Un bus équipé"
    pdf_text = _results_pdf_text(tenant_a, workshop, client)
    assert "Médiation mobile" in pdf_text and workshop.title in pdf_text

    plenary = text(client.get(reverse("workshops:workshop_plenary", kwargs={"workshop_pk": workshop.pk})))
    assert "Médiation mobile" in plenary


def test_plenary_puts_groups_side_by_side(tenant_a: Tenant) -> None:
    group = running_group(tenant_a, 3)
    other = WorkshopGroupFactory(organization=tenant_a.organization, workshop=group.workshop, name="Groupe Sud")
    ItemFactory(organization=tenant_a.organization, group=other, number=1, label="Covoiturage", paper_points=3)
    page = text(
        tenant_a.client_for(tenant_a.lecteur).get(
            reverse("workshops:workshop_plenary", kwargs={"workshop_pk": group.workshop.pk})
        )
    )
    assert group.name in page and "Groupe Sud" in page and "Covoiturage" in page


def test_outsider_and_other_tenant_get_nothing(tenant_a: Tenant, tenant_b: Tenant, outsider_client: Client) -> None:
    group = running_group(tenant_a, 2)
    for url in (g_url("workshopgroup_projector", group), group.workshop.get_absolute_url()):
        assert tenant_b.client_for(tenant_b.admin).get(url).status_code == 404
        assert outsider_client.get(url).status_code == 302


def test_the_roadmap_home_shows_the_workshops_step(tenant_a: Tenant, django_assert_max_num_queries: Any) -> None:
    group = running_group(tenant_a, 3)
    steps = roadmap_steps(tenant_a.roadmap)
    assert any("Préparez" not in str(m) and "Menez" in str(m) for m in steps[3].missing)
    actions.set_stage(group, Stage.VOTE)
    actions.set_stage(group, Stage.RANKING)
    tour = WorkshopFactory(organization=tenant_a.organization, roadmap=tenant_a.roadmap, kind=Kind.TOUR_DE_TABLE)
    tour_group = WorkshopGroupFactory(organization=tenant_a.organization, workshop=tour, stage=Stage.COLLECTION)
    actions.add_answer(tour_group, "L'accès pour tous", author="Lou")
    steps = roadmap_steps(tenant_a.roadmap)
    assert "1 atelier participatif mené jusqu'au classement" in steps[3].done
    assert "Tour de table : 1 réponse recueillie" in steps[2].done
    list_url = reverse("workshops:workshop_list", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    assert any(link.url == list_url for link in steps[3].links)
    page = text(tenant_a.client_for(tenant_a.lecteur).get(tenant_a.roadmap.get_absolute_url()))
    assert "Les ateliers participatifs" in page


@pytest.mark.parametrize("kind", [Kind.DIX_ANS, Kind.IDEES_RECUES, Kind.TOUR_DE_TABLE])
def test_every_stage_renders_for_every_kind(tenant_a: Tenant, kind: str) -> None:
    group = running_group(tenant_a, 4, kind=kind)
    client = tenant_a.client_for(tenant_a.animateur)
    for stage in group.workshop.stage_order:
        actions.set_stage(group, stage)
        for name in ("workshopgroup_projector", "workshopgroup_presenter"):
            assert client.get(g_url(name, group)).status_code == 200, (stage, name)
        assert Client().get(reverse("workshops:participant_page", kwargs={"code": group.code})).status_code == 200


def test_a_stale_action_is_merged_when_harmless_and_explained_when_not(tenant_a: Tenant) -> None:
    group = running_group(tenant_a, 4)
    first, second = (tenant_a.client_for(u) for u in (tenant_a.animateur, tenant_a.admin))
    url = g_url("workshopgroup_action", group)
    as_json = {"Accept": "application/json"}
    seen = {"seen_stage": Stage.COLLECTION, "seen_timer_running": "0"}
    assert first.post(url, {"action": "next", **seen}).status_code == 302
    # The second screen still showed the collection and asked for the same move: done already, no error.
    response = second.post(url, {"action": "next", **seen}, headers=as_json)
    assert response.status_code == 200 and "déjà à l'étape « Points »" in response.json()["notice"]
    group.refresh_from_db()
    assert group.stage == Stage.VOTE  # one stage, not two
    # The group has moved on twice since that screen's picture: going « back » from it would be a surprise.
    actions.set_stage(group, Stage.RANKING)
    response = second.post(url, {"action": "previous", **seen}, headers=as_json)
    assert response.status_code == 400
    assert "Un autre écran vient de passer l'atelier à l'étape « Classement et top 10 »" in response.json()["error"]
    # An action that doesn't depend on the stage still goes through.
    assert second.post(url, {"action": "timer", **seen}).status_code == 302
    # A reveal another screen already made is not undone by a second press.
    actions.toggle_reveal(group)
    response = second.post(url, {"action": "reveal", "seen_revealed": "0"}, headers=as_json)
    assert response.json()["notice"] == "Les résultats sont déjà révélés."
    group.refresh_from_db()
    assert group.stage == Stage.RANKING and group.timer_running and group.revealed


@pytest.mark.parametrize("stage", [Stage.VOTE, Stage.RANKING, Stage.MATRIX])
def test_live_pages_cost_the_same_queries_with_more_items_and_people(
    tenant_a: Tenant, stage: str, django_assert_max_num_queries: Any
) -> None:
    client = tenant_a.client_for(tenant_a.animateur)
    counts = []
    for size in (4, 20):
        group = running_group(tenant_a, size)
        actions.set_stage(group, Stage.VOTE)
        for _ in range(size):
            participant = ParticipantFactory(organization=tenant_a.organization, group=group)
            actions.submit_ballot(participant, {group.items.get(number=1).pk: 2})
        actions.set_stage(group, stage)
        actions.toggle_reveal(group)
        for item in group.top():
            actions.place(item, "aujourdhui", "moyen", "raison")
        urls = [g_url("workshopgroup_projector", group), g_url("workshopgroup_presenter", group)]
        phone = Client()
        phone.post(reverse("workshops:participant_join", kwargs={"code": group.code}))
        total = 0
        for url in urls:
            client.get(url)  # one-off work (session refresh) isn't what is measured
            with django_assert_max_num_queries(20) as captured:
                assert client.get(url).status_code == 200
            total += len(captured)
        phone.get(reverse("workshops:participant_page", kwargs={"code": group.code}))
        with django_assert_max_num_queries(12) as captured:
            assert phone.get(reverse("workshops:participant_page", kwargs={"code": group.code})).status_code == 200
        counts.append(total + len(captured))
    assert counts[0] == counts[1], counts


def test_a_workshop_is_reused_from_its_page_or_as_a_model(tenant_a: Tenant) -> None:
    group = running_group(tenant_a, 3, is_template=True, title="Modèle dix ans", place="Ribérac")
    client = tenant_a.client_for(tenant_a.animateur)
    response = client.post(reverse("workshops:workshop_duplicate", kwargs={"workshop_pk": group.workshop.pk}))
    copy = Workshop.objects.exclude(pk=group.workshop.pk).get()
    assert response.status_code == 302 and copy.title == "Modèle dix ans (copie)" and copy.groups.count() == 1
    url = reverse("workshops:workshop_list", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    page = text(client.get(f"{url}?modele={group.workshop.pk}"))
    assert 'value="Ribérac"' in page and group.workshop.question in page
    # Another organisation's workshop is never offered as a model.
    other = running_group(tenant_a, 0)
    other_b = WorkshopFactory(title="Secret de Bêta", place="Bêtaville")
    page = text(client.get(f"{url}?modele={other_b.pk}"))
    assert "Bêtaville" not in page and other.workshop.title in page


def _results_pdf_text(tenant: Tenant, workshop: Workshop, client: Client) -> str:
    """Produce the participants' PDF as the animator does (a worker's job), download it, read its text."""
    with TestCase.captureOnCommitCallbacks(execute=True):  # the task is sent once the job row is committed
        response = client.post(reverse("workshops:workshop_pdf", kwargs={"workshop_pk": workshop.pk}))
    assert response.status_code == 302 and response["Location"].endswith("#documents")
    job = ExportJob.objects.filter(organization=tenant.organization).of(workshop).get()
    assert (job.status, job.progress, job.roadmap_id) == (ExportJob.Status.DONE, 100, workshop.roadmap_id), job.error
    detail = text(client.get(reverse("workshops:workshop_detail", kwargs={"workshop_pk": workshop.pk})))
    assert "Résultats de l'atelier (PDF pour les participants)" in detail and "Télécharger" in detail
    download = client.get(reverse("documents:export_download", kwargs={"exportjob_pk": job.pk}))
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF")
    result = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)  # noqa: S607
    return result.stdout.decode()


def test_the_participants_pdf_goes_through_the_document_engine(
    tenant_a: Tenant, tenant_b: Tenant, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    group = running_group(tenant_a, 3)
    workshop = group.workshop
    pdf_text = _results_pdf_text(tenant_a, workshop, tenant_a.client_for(tenant_a.animateur))
    assert workshop.title in pdf_text
    job = ExportJob.objects.get(kind="workshop_pdf")
    assert str(tmp_path / "tenants" / str(tenant_a.organization.pk)) in job.file.path
    # A reader downloads it but cannot start one; another organisation sees neither.
    reader = tenant_a.client_for(tenant_a.lecteur)
    assert reader.post(reverse("workshops:workshop_pdf", kwargs={"workshop_pk": workshop.pk})).status_code == 403
    assert reader.get(reverse("documents:export_download", kwargs={"exportjob_pk": job.pk})).status_code == 200
    other = tenant_b.client_for(tenant_b.admin)
    assert other.post(reverse("workshops:workshop_pdf", kwargs={"workshop_pk": workshop.pk})).status_code == 404
    assert other.get(reverse("documents:export_download", kwargs={"exportjob_pk": job.pk})).status_code == 404
    assert ExportJob.objects.count() == 1


def test_an_empty_tour_de_table_does_not_complete_step_two(tenant_a: Tenant) -> None:
    tour = WorkshopFactory(organization=tenant_a.organization, roadmap=tenant_a.roadmap, kind=Kind.TOUR_DE_TABLE)
    group = WorkshopGroupFactory(organization=tenant_a.organization, workshop=tour, stage=Stage.COLLECTION)
    step = roadmap_steps(tenant_a.roadmap)[2]
    assert not any("Tour de table" in str(d) for d in step.done)
    assert "Recueillez les réponses du tour de table préparé." in [str(m) for m in step.missing]
    actions.add_answer(group, "Savoir faire ses démarches", author="Lou")
    assert "Tour de table : 1 réponse recueillie" in roadmap_steps(tenant_a.roadmap)[2].done
