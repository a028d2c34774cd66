"""The démarche's calendar (phases, steps, late milestones, ICS), the shared definition, the key figures, and the
counts kept for the evaluation."""

from __future__ import annotations

import datetime
import html
import subprocess
from typing import Any

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from documents.models import ExportJob
from projectgroup.indicators import participation_counts
from projectgroup.models import DefinitionVersion, Family, Milestone, Phase
from roadmap.steps import roadmap_steps
from territories.models import Commune
from tests.conftest import Tenant
from tests.projectgroup.conftest import text
from tests.projectgroup.factories import (
    ActorFactory,
    AttendanceFactory,
    DefinitionVersionFactory,
    MeetingFactory,
    MilestoneFactory,
)

pytestmark = pytest.mark.django_db


def test_the_seven_steps_are_planned_in_their_phases(tenant_a: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.admin)
    pk = {"roadmap_pk": tenant_a.roadmap.pk}
    client.post(reverse("projectgroup:plan_steps", kwargs=pk), {"start": "2030-01-07", "weeks": 4})
    steps = list(Milestone.objects.order_by("step"))
    assert [m.step for m in steps] == [1, 2, 3, 4, 5, 6, 7]
    assert steps[0].planned_start == datetime.date(2030, 1, 7) and steps[0].planned_end == datetime.date(2030, 2, 3)
    assert steps[1].planned_start == datetime.date(2030, 2, 4)
    assert [m.phase for m in steps] == [Phase.CONCEPTION] * 5 + [Phase.VALIDATION, Phase.AMORCAGE]
    client.post(reverse("projectgroup:plan_steps", kwargs=pk), {"start": "2031-01-07", "weeks": 4})
    assert Milestone.objects.count() == 7  # already planned steps are kept
    # The roadmap's step cards show their dates.
    assert "Prévue du 4 février 2030 au 3 mars 2030" in roadmap_steps(tenant_a.roadmap)[2].done


def test_late_milestones_stand_out(tenant_a: Tenant) -> None:
    today = timezone.localdate()
    MilestoneFactory(
        roadmap=tenant_a.roadmap, title="Comité de validation", planned_end=today - datetime.timedelta(days=1)
    )
    MilestoneFactory(
        roadmap=tenant_a.roadmap,
        title="Atteint à temps",
        planned_end=today - datetime.timedelta(days=5),
        actual_date=today - datetime.timedelta(days=6),
    )
    MilestoneFactory(roadmap=tenant_a.roadmap, title="À venir", planned_end=today + datetime.timedelta(days=5))
    page = text(
        tenant_a.client_for(tenant_a.lecteur).get(
            reverse("projectgroup:calendar", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
        )
    )
    assert "1 jalon en retard" in page
    alert = page.split("jalon en retard")[1].split("</div>")[0]
    assert "Comité de validation" in alert and "Atteint à temps" not in alert and "À venir" not in alert
    assert "pg-bar-late" in page and "pg-bar-done" in page


def test_a_milestone_cannot_end_before_it_starts(tenant_a: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.admin)
    response = client.post(
        reverse("projectgroup:calendar", kwargs={"roadmap_pk": tenant_a.roadmap.pk}),
        {"title": "X", "phase": "conception", "planned_start": "2030-05-01", "planned_end": "2030-04-01"},
    )
    assert response.status_code == 200 and "précède le début" in text(response)
    assert not Milestone.objects.exists()


def test_the_calendar_as_ics(tenant_a: Tenant, tenant_b: Tenant) -> None:
    MilestoneFactory(
        roadmap=tenant_a.roadmap,
        step=3,
        title="Définir les enjeux",
        planned_start=datetime.date(2030, 3, 1),
        planned_end=datetime.date(2030, 3, 31),
    )
    MeetingFactory(roadmap=tenant_a.roadmap, title="Plénière, restitution; suite")
    MeetingFactory(roadmap=tenant_a.roadmap, title="Annulée", cancelled=True)
    MilestoneFactory(roadmap=tenant_b.roadmap, title="Jalon de Bêta")
    response = tenant_a.client_for(tenant_a.lecteur).get(
        reverse("projectgroup:calendar_ics", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    )
    assert response["Content-Type"].startswith("text/calendar")
    ics = response.content.decode()
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    assert "DTSTART;VALUE=DATE:20300301\r\nDTEND;VALUE=DATE:20300401" in ics  # the end day is included
    assert "SUMMARY:Étape 3 : Définir les enjeux" in ics
    assert "SUMMARY:Plénière\\, restitution\\; suite" in ics
    assert "Annulée" not in ics and "Bêta" not in ics
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))


def test_definition_versions_and_adoption_at_a_held_meeting(tenant_a: Tenant, tenant_b: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.contributeur)
    url = reverse("projectgroup:definition", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    client.post(url, {"text": "Permettre à chacun d'utiliser le numérique.", "note": "premier jet"})
    client.post(url, {"text": "Permettre à chacun d'utiliser le numérique."})  # unchanged: no new version
    client.post(url, {"text": "Permettre à chacun d'utiliser le numérique avec autonomie.", "note": "après débat"})
    versions = list(DefinitionVersion.objects.order_by("number"))
    assert [v.number for v in versions] == [1, 2] and versions[1].created_by == tenant_a.contributeur
    held = MeetingFactory(
        roadmap=tenant_a.roadmap, starts_at=timezone.now() - datetime.timedelta(days=1), title="Groupe projet n°2"
    )
    future = MeetingFactory(roadmap=tenant_a.roadmap)
    foreign = MeetingFactory(roadmap=tenant_b.roadmap, starts_at=timezone.now() - datetime.timedelta(days=1))
    adopt = reverse("projectgroup:definition_adopt", kwargs={"definitionversion_pk": versions[1].pk})
    for meeting in (future, foreign):
        client.post(adopt, {"meeting": meeting.pk})
        versions[1].refresh_from_db()
        assert versions[1].adopted_at is None
    client.post(adopt, {"meeting": held.pk})
    versions[1].refresh_from_db()
    assert versions[1].adopted_at == held
    page = text(client.get(url))
    assert "Version 2, adoptée" in page and "Groupe projet n°2" in page
    assert "Définition commune adoptée" in roadmap_steps(tenant_a.roadmap)[2].done


def test_key_figures_projector_page_and_pdf(tenant_a: Tenant, data_dir: Any) -> None:
    from diagnostics.importers import Scope, import_folder

    import_folder(data_dir, Scope.for_departements("24"))
    territory = tenant_a.roadmap.territory
    territory.communes.set(Commune.objects.filter(code__in=["24053", "24352", "24037"]))
    client = tenant_a.client_for(tenant_a.lecteur)
    page = text(client.get(reverse("projectgroup:key_figures", kwargs={"roadmap_pk": tenant_a.roadmap.pk})))
    assert page.count('class="kf-card') >= 4 and page.count('class="kf-card') <= 8
    assert "Indice de fragilité numérique" in page and "kf-source" in page
    assert "PDF à imprimer" not in page  # a reader does not produce documents
    editor = tenant_a.client_for(tenant_a.contributeur)
    with TestCase.captureOnCommitCallbacks(execute=True):
        editor.post(reverse("projectgroup:key_figures_pdf", kwargs={"roadmap_pk": tenant_a.roadmap.pk}))
    job = ExportJob.objects.get(kind="key_figures_pdf")
    assert job.status == ExportJob.Status.DONE, job.error
    content = b"".join(
        client.get(reverse("documents:export_download", kwargs={"exportjob_pk": job.pk})).streaming_content
    )
    pdf = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()  # noqa: S607
    assert "Indice de fragilité numérique" in " ".join(pdf.split())


def test_participation_counts_for_the_evaluation(
    tenant_a: Tenant, tenant_b: Tenant, django_assert_num_queries: Any
) -> None:
    roadmap = tenant_a.roadmap
    past = timezone.now() - datetime.timedelta(days=3)
    senior = ActorFactory(organization=tenant_a.organization, families=[Family.SENIORS, Family.TOUS])
    youth = ActorFactory(organization=tenant_a.organization, families=[Family.JEUNES])
    first = MeetingFactory(roadmap=roadmap, starts_at=past, kind="groupe_projet")
    second = MeetingFactory(roadmap=roadmap, starts_at=past, kind="pleniere")
    MeetingFactory(roadmap=roadmap)  # not held yet
    cancelled = MeetingFactory(roadmap=roadmap, starts_at=past, cancelled=True)
    AttendanceFactory(organization=tenant_a.organization, meeting=cancelled, name="Fantôme")
    AttendanceFactory(organization=tenant_a.organization, meeting=first, name="Ana", actor=senior)
    AttendanceFactory(organization=tenant_a.organization, meeting=first, name="Bo", actor=youth)
    AttendanceFactory(organization=tenant_a.organization, meeting=second, name="Ana", actor=senior)
    AttendanceFactory(organization=tenant_a.organization, meeting=second, name="Cy")
    AttendanceFactory(
        organization=tenant_b.organization,
        meeting=MeetingFactory(roadmap=tenant_b.roadmap, starts_at=past),
        name="Autre",
    )
    with django_assert_num_queries(3):
        counts = participation_counts(roadmap)
    assert (counts.meetings_held, counts.participants, counts.distinct_people, counts.structures) == (2, 4, 3, 2)
    assert counts.meetings_by_kind == {"groupe_projet": 1, "pleniere": 1}
    assert (
        counts.families[Family.SENIORS] == 1
        and counts.families[Family.JEUNES] == 1
        and counts.families[Family.HANDICAP] == 0
    )
    for _ in range(5):  # more meetings and people: still three queries
        AttendanceFactory(
            organization=tenant_a.organization,
            meeting=MeetingFactory(roadmap=roadmap, starts_at=past),
            actor=ActorFactory(organization=tenant_a.organization),
        )
    with django_assert_num_queries(3):
        assert participation_counts(roadmap).meetings_held == 7


def test_definitions_of_another_organisation_are_not_listed(tenant_a: Tenant, tenant_b: Tenant) -> None:
    DefinitionVersionFactory(roadmap=tenant_b.roadmap, text="Texte secret de Bêta")
    page = text(
        tenant_a.client_for(tenant_a.admin).get(
            reverse("projectgroup:definition", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
        )
    )
    assert "Texte secret" not in page


def test_step_2_summarises_the_tour_de_table(tenant_a: Tenant, tenant_b: Tenant) -> None:
    """The tour de table runs in the workshops; step 2 shows what it gathered: answers and people, the words that
    come back, the observer's synthesis, the answers themselves on request."""
    from tests.workshops.factories import WorkshopFactory, WorkshopGroupFactory
    from workshops.models import Answer, Kind, Participant, WorkshopGroup

    organization = tenant_a.organization
    tour = WorkshopFactory(
        organization=organization, roadmap=tenant_a.roadmap, kind=Kind.TOUR_DE_TABLE, title="Tour de table du COPIL"
    )
    group: WorkshopGroup = WorkshopGroupFactory(organization=organization, workshop=tour)
    awa = Participant.objects.create(organization=organization, group=group, first_name="Awa")
    texts = [
        (awa, "", "Pouvoir faire ses démarches seul, sans dépendre des enfants."),
        (awa, "", "Des démarches simples et un accompagnement proche."),
        (None, "Le maire", "Un accompagnement humain pour les démarches en ligne."),
        (None, "", "L'autonomie numérique pour tous."),
    ]
    for participant, author, said in texts:
        Answer.objects.create(organization=organization, group=group, participant=participant, author=author, text=said)
    url = reverse("projectgroup:definition", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    page = html.unescape(tenant_a.client_for(tenant_a.lecteur).get(url).content.decode())
    summary = page.split('data-testid="tour-summary"')[1]
    assert "4 réponses" in summary and "de 3 personnes" in summary  # Awa twice, the mayor, someone unnamed
    assert "démarches (3)" in summary and "accompagnement (2)" in summary
    assert "autonomie (" not in summary  # said once: not a recurring word
    assert "Pas encore de synthèse de l'observateur" in summary
    tour.synthesis = "Le groupe veut d'abord de l'accompagnement humain."
    tour.save()
    page = html.unescape(tenant_a.client_for(tenant_a.lecteur).get(url).content.decode())
    assert "Le groupe veut d'abord de l'accompagnement humain." in page
    assert "Un accompagnement humain pour les démarches en ligne. — Le maire" in page
    other = html.unescape(
        tenant_b.client_for(tenant_b.admin)
        .get(reverse("projectgroup:definition", kwargs={"roadmap_pk": tenant_b.roadmap.pk}))
        .content.decode()
    )
    assert "Tour de table du COPIL" not in other and "Pas encore de tour de table" in other
