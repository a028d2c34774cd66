"""Step 4's pages with two organisations and an outsider: who sees, who writes, what a lecteur cannot do, and the
list pages in a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chantiers import actions
from chantiers.models import ChantierGroup, ChantierSheet, Feasibility, Priority
from roadmap.models import Chantier
from tests.conftest import Tenant
from tests.factories import EnjeuFactory


def _filled_roadmap(tenant: Tenant, enjeux: int, chantiers: int) -> list[ChantierGroup]:
    for n in range(enjeux):
        EnjeuFactory(roadmap=tenant.roadmap, question=f"Comment traiter l'enjeu {n} ?")
    groups = actions.ensure_groups(tenant.roadmap)
    for group in groups:
        for n in range(chantiers):
            sheet = actions.create_sheet(group, f"Chantier {group.enjeu.ref}-{n}", "Binôme")
            ChantierSheet.objects.filter(pk=sheet.pk).update(feasibility=Feasibility.ORANGE, success="Si ça marche")
        actions.validate_group(group, tenant.animateur)
        first = group.sheets.order_by("pk").first()
        assert first is not None
        actions.set_priority(first, Priority.PRIORITAIRE, "Choix du groupe", tenant.animateur)
    return groups


def test_a_scribe_fills_a_fiche_and_the_projector_shows_it(
    tenant_a: Tenant, group_a: ChantierGroup, directory_a: dict[str, Any]
) -> None:
    scribe = tenant_a.client_for(tenant_a.animateur)
    response = scribe.post(
        reverse("chantiers:group", kwargs={"chantiergroup_pk": group_a.pk}),
        {"title": "Services à domicile", "team": "Zoé, Paul"},
    )
    chantier = Chantier.objects.get(title="Services à domicile")
    assert response.status_code == 302 and response["Location"].endswith(f"/chantiers/{chantier.pk}/fiche/modifier/")
    edit = reverse("chantiers:sheet_edit", kwargs={"chantier_pk": chantier.pk})
    form = scribe.get(edit).content.decode()
    assert "Mairie de Ribérac" in form and "Anne Pradier (Centre social La Source)" in form
    assert "exécutable à court terme" in form  # the colours' meaning is shown beside the choice
    data = {
        "title": "Services numériques à domicile",
        "team": "Zoé, Paul",
        "success": "Si 50 personnes isolées sont accompagnées chez elles.",
        "free_actions": "Visites à domicile",
        "pilote": [f"actor:{directory_a['mairie'].pk}"],
        "operateur": [f"contact:{directory_a['anne'].pk}"],
        "resources_available": "",
        "feasibility": "vert",
    }
    refused = scribe.post(edit, data)
    assert refused.status_code == 422
    assert "il manque encore acteurs associés, ressources" in refused.content.decode()
    assert ChantierSheet.objects.get(chantier=chantier).feasibility == "blanc"
    data |= {"associe": [f"actor:{directory_a['france_services'].pk}"], "resources_available": "Conseillers numériques"}
    assert scribe.post(edit, data).status_code == 302
    projector = tenant_a.client_for(tenant_a.lecteur).get(
        reverse("chantiers:group_projector", kwargs={"chantiergroup_pk": group_a.pk})
    )
    html = projector.content.decode()
    assert "Services numériques à domicile" in html and 'data-feasibility="vert"' in html
    assert "Si 50 personnes isolées" in html


def test_the_projector_answers_no_content_while_nothing_changed(tenant_a: Tenant, group_a: ChantierGroup) -> None:
    client = tenant_a.client_for(tenant_a.lecteur)
    url = reverse("chantiers:group_projector", kwargs={"chantiergroup_pk": group_a.pk})
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    version = html.split("?v=")[1].split('"')[0]
    from urllib.parse import unquote

    assert client.get(f"{url}?v={unquote(version)}", headers={"HX-Request": "true"}).status_code == 204
    actions.create_sheet(group_a, "Nouveau chantier")
    changed = client.get(f"{url}?v={unquote(version)}", headers={"HX-Request": "true"})
    assert changed.status_code == 200 and "Nouveau chantier" in changed.content.decode()


def test_a_third_priority_is_refused_in_french_on_the_page(tenant_a: Tenant, group_a: ChantierGroup) -> None:
    sheets = [actions.create_sheet(group_a, f"Chantier {n}") for n in range(3)]
    client = tenant_a.client_for(tenant_a.animateur)
    client.post(reverse("chantiers:group_validate", kwargs={"chantiergroup_pk": group_a.pk}), {"reporter": "Karim"})
    for sheet in sheets[:2]:
        client.post(
            reverse("chantiers:sheet_priority", kwargs={"chantier_pk": sheet.chantier_id}),
            {"priority": "prioritaire", "reason": "Le groupe y tient"},
        )
    response = client.post(
        reverse("chantiers:sheet_priority", kwargs={"chantier_pk": sheets[2].chantier_id}),
        {"priority": "prioritaire", "reason": "Encore un"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    # The refused choice comes back as it was typed, under its refusal.
    assert 'value="Encore un"' in html
    assert f'id="priority-{sheets[2].pk}"' in html
    assert "Ce groupe a déjà ses 2 chantiers prioritaires : « Chantier 0 », « Chantier 1 »" in html
    assert "Chantiers prioritaires : 2 sur 2" in html
    assert ChantierSheet.objects.filter(priority="prioritaire").count() == 2


@pytest.mark.parametrize(
    "name,method,kwargs_of",
    [
        ("chantiers:groups_create", "post", "roadmap"),
        ("chantiers:inventory_import", "post", "roadmap"),
        ("chantiers:synthesis_pdf", "post", "roadmap"),
        ("chantiers:group", "post", "group"),
        ("chantiers:group_validate", "post", "group"),
        ("chantiers:group_timer", "post", "group"),
        ("chantiers:sheet_edit", "post", "chantier"),
        ("chantiers:sheet_priority", "post", "chantier"),
        ("chantiers:sheet_promote", "post", "chantier"),
    ],
)
def test_a_lecteur_changes_nothing(
    name: str, method: str, kwargs_of: str, tenant_a: Tenant, group_a: ChantierGroup
) -> None:
    sheet = actions.create_sheet(group_a, "Chantier lu seulement")
    kwargs = {
        "roadmap": {"roadmap_pk": tenant_a.roadmap.pk},
        "group": {"chantiergroup_pk": group_a.pk},
        "chantier": {"chantier_pk": sheet.chantier_id},
    }[kwargs_of]
    before = (Chantier.objects.count(), ChantierSheet.objects.get(pk=sheet.pk).updated_at)
    response = getattr(tenant_a.client_for(tenant_a.lecteur), method)(
        reverse(name, kwargs=kwargs),
        {"title": "Piraté", "priority": "prioritaire", "reason": "x", "feasibility": "rouge"},
    )
    assert response.status_code == 403
    assert (Chantier.objects.count(), ChantierSheet.objects.get(pk=sheet.pk).updated_at) == before


def test_a_lecteur_reads_without_controls(tenant_a: Tenant, group_a: ChantierGroup) -> None:
    sheet = actions.create_sheet(group_a, "Chantier à lire")
    client = tenant_a.client_for(tenant_a.lecteur)
    group_page = client.get(reverse("chantiers:group", kwargs={"chantiergroup_pk": group_a.pk})).content.decode()
    assert "Chantier à lire" in group_page
    assert "Créer la fiche" not in group_page and "Remplir la fiche" not in group_page
    sheet_page = client.get(reverse("chantiers:sheet", kwargs={"chantier_pk": sheet.chantier_id})).content.decode()
    assert "Chantier à lire" in sheet_page and "Remplir la fiche" not in sheet_page
    # The chantier's resource map (resourcemaps app) is one click away.
    assert reverse("resourcemaps:map", kwargs={"chantier_pk": sheet.chantier_id}) in sheet_page
    home = client.get(reverse("chantiers:home", kwargs={"roadmap_pk": tenant_a.roadmap.pk})).content.decode()
    assert "Former un groupe" not in home


def test_another_organisation_and_an_outsider_get_404(
    tenant_a: Tenant, tenant_b: Tenant, group_a: ChantierGroup, outsider_client: Client
) -> None:
    sheet = actions.create_sheet(group_a, "Chantier d'Alpha")
    urls = [
        tenant_a.url("chantiers:home", roadmap_pk=tenant_a.roadmap.pk),
        tenant_a.url("chantiers:synthesis", roadmap_pk=tenant_a.roadmap.pk),
        tenant_a.url("chantiers:group", chantiergroup_pk=group_a.pk),
        tenant_a.url("chantiers:sheet", chantier_pk=sheet.chantier_id),
    ]
    for url in urls:
        assert tenant_a.client_for(tenant_a.lecteur).get(url).status_code == 200
        assert tenant_b.client_for(tenant_b.admin).get(url).status_code == 404
        assert outsider_client.get(url).status_code == 404
    # Tenant B's own pages addressing Alpha's objects.
    for name, kwargs in [
        ("chantiers:group", {"chantiergroup_pk": group_a.pk}),
        ("chantiers:group_projector", {"chantiergroup_pk": group_a.pk}),
        ("chantiers:sheet_edit", {"chantier_pk": sheet.chantier_id}),
        ("chantiers:sheet_priority", {"chantier_pk": sheet.chantier_id}),
        ("chantiers:plenary", {"roadmap_pk": tenant_a.roadmap.pk}),
    ]:
        client = tenant_b.client_for(tenant_b.admin)
        assert client.get(tenant_b.url(name, **kwargs)).status_code in (404, 405)
        expected = 405 if name in ("chantiers:group_projector", "chantiers:plenary") else 404
        assert client.post(tenant_b.url(name, **kwargs), {"title": "x"}).status_code == expected
    synthesis_b = tenant_b.client_for(tenant_b.admin).get(
        tenant_b.url("chantiers:synthesis", roadmap_pk=tenant_b.roadmap.pk)
    )
    assert "Chantier d&#x27;Alpha" not in synthesis_b.content.decode()


LIST_PAGES = ["chantiers:home", "chantiers:synthesis", "chantiers:plenary", "chantiers:inventory"]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_use_a_fixed_number_of_queries(
    name: str, tenant_a: Tenant, django_assert_max_num_queries: Any
) -> None:
    client = tenant_a.client_for(tenant_a.lecteur)
    url = reverse(name, kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    _filled_roadmap(tenant_a, 2, 2)
    client.get(url)  # session and membership warm-up
    # session, user, organisation, membership, the roadmap, then the page's own (4 for the synthesis: enjeux,
    # chantiers with fiches, the fiches' people, the groups; 3 for the inventory; 2 for home), messages, jobs.
    with django_assert_max_num_queries(14) as small:
        assert client.get(url).status_code == 200
    _filled_roadmap(tenant_a, 4, 3)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_group_page_uses_a_fixed_number_of_queries(tenant_a: Tenant, django_assert_max_num_queries: Any) -> None:
    groups = _filled_roadmap(tenant_a, 1, 2)
    client = tenant_a.client_for(tenant_a.animateur)
    url = reverse("chantiers:group", kwargs={"chantiergroup_pk": groups[0].pk})
    client.get(url)
    with django_assert_max_num_queries(14) as small:
        client.get(url)
    for n in range(4):
        actions.create_sheet(groups[0], f"Encore {n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert "Encore 3" in client.get(url).content.decode()


def test_synthesis_shows_feasibility_and_priorities_per_enjeu(tenant_a: Tenant) -> None:
    _filled_roadmap(tenant_a, 2, 2)
    html = (
        tenant_a.client_for(tenant_a.lecteur)
        .get(reverse("chantiers:synthesis", kwargs={"roadmap_pk": tenant_a.roadmap.pk}))
        .content.decode()
    )
    assert html.count("★ Prioritaire") == 2
    assert html.count("(Orange)") == 4
    assert "Chantier E1-0" in html and "Chantier E2-1" in html


def test_free_actions_become_actions_of_the_chantier_for_editors_only(tenant_a: Tenant, group_a: ChantierGroup) -> None:
    from roadmap.models import Action
    from roadmap.steps import roadmap_steps

    sheet = actions.create_sheet(group_a, "Bus numérique")
    ChantierSheet.objects.filter(pk=sheet.pk).update(free_actions="Tournée hebdomadaire\n\nPermanences en mairie\n")
    url = reverse("chantiers:sheet_promote", kwargs={"chantier_pk": sheet.chantier_id})
    assert "1 chantier sans action" in roadmap_steps(tenant_a.roadmap)[4].missing
    assert tenant_a.client_for(tenant_a.animateur).post(url).status_code == 403  # writing the roadmap is editing
    assert not Action.objects.exists()
    response = tenant_a.client_for(tenant_a.contributeur).post(url, follow=True)
    assert "2 actions inscrites dans la feuille de route." in response.content.decode()
    assert list(Action.objects.filter(chantier_id=sheet.chantier_id).values_list("title", flat=True)) == [
        "Tournée hebdomadaire",
        "Permanences en mairie",
    ]
    assert ChantierSheet.objects.get(pk=sheet.pk).free_actions == ""
    assert "1 chantier sans action" not in roadmap_steps(tenant_a.roadmap)[4].missing
    again = tenant_a.client_for(tenant_a.contributeur).post(url, follow=True)
    assert "pas d&#x27;autre action à inscrire" in again.content.decode()
    assert Action.objects.count() == 2


def test_the_groups_timer_starts_shows_and_stops(tenant_a: Tenant, group_a: ChantierGroup) -> None:
    client = tenant_a.client_for(tenant_a.animateur)
    url = reverse("chantiers:group_timer", kwargs={"chantiergroup_pk": group_a.pk})
    client.post(url, {"minutes": "45"})
    group_a.refresh_from_db()
    assert group_a.timer_seconds_left is not None and 44 * 60 < group_a.timer_seconds_left <= 45 * 60
    projector = client.get(reverse("chantiers:group_projector", kwargs={"chantiergroup_pk": group_a.pk}))
    assert 'data-testid="timer"' in projector.content.decode()
    refused = client.post(url, {"minutes": "500"}, follow=True)
    assert "entre 1 et 120 minutes" in refused.content.decode()
    client.post(url, {"minutes": "0"})
    group_a.refresh_from_db()
    assert group_a.timer_ends_at is None


def test_a_chantier_made_in_the_spine_gets_its_fiche_in_its_enjeus_group(
    tenant_a: Tenant, group_a: ChantierGroup
) -> None:
    from tests.factories import ChantierFactory

    chantier: Chantier = ChantierFactory(roadmap=tenant_a.roadmap, title="Chantier venu de la feuille de route")
    chantier.enjeux.add(group_a.enjeu)
    client = tenant_a.client_for(tenant_a.contributeur)
    edit = reverse("chantiers:sheet_edit", kwargs={"chantier_pk": chantier.pk})
    assert 'value="Chantier venu de la feuille de route"' in client.get(edit).content.decode()
    assert not ChantierSheet.objects.exists()  # reading the form creates nothing
    response = client.post(edit, {"title": "Chantier venu de la feuille de route", "feasibility": "orange"})
    assert response.status_code == 302
    sheet = ChantierSheet.objects.get(chantier=chantier)
    assert sheet.group == group_a and sheet.feasibility == Feasibility.ORANGE


def test_another_organisations_actor_cannot_be_named_in_a_fiche(
    tenant_a: Tenant, tenant_b: Tenant, group_a: ChantierGroup
) -> None:
    from projectgroup.models import Actor

    foreign = Actor.objects.create(organization=tenant_b.organization, name="Structure de Bêta")
    sheet = actions.create_sheet(group_a, "Chantier d'Alpha")
    response = tenant_a.client_for(tenant_a.animateur).post(
        reverse("chantiers:sheet_edit", kwargs={"chantier_pk": sheet.chantier_id}),
        {"title": "Chantier d'Alpha", "feasibility": "orange", "pilote": [f"actor:{foreign.pk}"]},
    )
    assert response.status_code == 422
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert "Structure de Bêta" not in response.content.decode()
    saved = ChantierSheet.objects.get(pk=sheet.pk)
    assert saved.feasibility == "blanc" and not saved.people.exists()
