"""Step 5's rows stay in their organisation: a moderator acts on the commons only, never on an experience its owner
took back; a row never names a parent (roadmap, chantier, fiche, meeting, experience) of another organisation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from inspiration import actions
from inspiration.models import Experience, ExperienceDocument, Inspiration, Recueil, Report, SiteVisit, VisitFeedback
from projectgroup.models import Contact, Meeting, MeetingKind
from roadmap.models import Action, Chantier
from tests.conftest import Tenant
from tests.factories import ActionFactory, ChantierFactory, EnjeuFactory
from tests.inspiration.conftest import published
from tests.inspiration.factories import ExperienceFactory, ReportFactory, SiteVisitFactory
from tests.inspiration.test_moderation import hub_moderator


def test_a_moderator_cannot_touch_an_experience_its_owner_took_back(
    tenant_a: Tenant, tenant_b: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    """A's experience is reported by B, then A withdraws it: it is A's private row again, out of the queue. The
    hub's moderator posting the old report's address gets a 404 and changes nothing of A's (no reason written into
    A's private experience, no e-mail to A's administrators)."""
    experience = published(tenant_a, title="Caravane numérique")
    report = ReportFactory(organization=tenant_b.organization, experience=experience)
    actions.withdraw(experience)
    before = Experience.objects.values().get(pk=experience.pk)
    hub, moderator = hub_moderator()
    assert "Caravane" not in moderator.get(f"/{hub.slug}/inspiration/moderation/").content.decode()
    handle = f"/{hub.slug}/inspiration/signalements/{report.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator.post(handle, {"decision": "unpublish", "reason": "Retirée par la modération"})
    assert response.status_code == 404
    assert Experience.objects.values().get(pk=experience.pk) == before
    assert mail.outbox == []
    assert moderator.post(handle, {"decision": "dismiss"}).status_code == 404
    report.refresh_from_db()
    assert report.outcome == Report.Outcome.OPEN and report.handled_by is None


def test_a_report_already_handled_is_not_handled_again(tenant_a: Tenant, tenant_b: Tenant) -> None:
    """A report dismissed yesterday cannot be used today to withdraw the experience or overwrite who handled it."""
    experience = published(tenant_a)
    report = ReportFactory(organization=tenant_b.organization, experience=experience)
    hub, moderator = hub_moderator()
    handle = f"/{hub.slug}/inspiration/signalements/{report.pk}/"
    moderator.post(handle, {"decision": "dismiss"})
    report.refresh_from_db()
    handled_at = report.handled_at
    assert report.outcome == Report.Outcome.DISMISSED
    again = moderator.post(handle, {"decision": "unpublish", "reason": "Après coup"}, follow=True)
    assert "Ce signalement a déjà été traité" in again.content.decode()
    experience.refresh_from_db()
    report.refresh_from_db()
    assert experience.is_published and report.outcome == Report.Outcome.DISMISSED and report.handled_at == handled_at


def _their_meeting(tenant: Tenant) -> Meeting:
    return Meeting.objects.create(
        organization=tenant.organization,
        roadmap=tenant.roadmap,
        kind=MeetingKind.VISITE,
        title="Visite de Bêta",
        starts_at=timezone.now(),
    )


def _writes(a: Tenant, b: Tenant) -> dict[str, Any]:
    """Rows of A, each naming one parent of B (the experience drawn on may be B's: it is the commons)."""
    org = a.organization
    their_experience: Experience = ExperienceFactory(organization=b.organization)
    their_chantier: Chantier = ChantierFactory(roadmap=b.roadmap, organization=b.organization)
    their_action: Action = ActionFactory(roadmap=b.roadmap, organization=b.organization, chantier=their_chantier)
    our_chantier: Chantier = ChantierFactory(roadmap=a.roadmap, organization=org)
    their_visit: SiteVisit = SiteVisitFactory(organization=b.organization)
    return {
        "document of their experience": ExperienceDocument(
            organization=org, experience=their_experience, title="x", content_type="application/pdf"
        ),
        "inspiration into their roadmap": Inspiration(
            organization=org, experience=published(a), roadmap=b.roadmap, chantier=our_chantier
        ),
        "inspiration into their chantier": Inspiration(
            organization=org, experience=published(b), roadmap=a.roadmap, chantier=their_chantier
        ),
        "inspiration into their fiche": Inspiration(
            organization=org, experience=published(b), roadmap=a.roadmap, chantier=our_chantier, action=their_action
        ),
        "recueil of their roadmap": Recueil(organization=org, roadmap=b.roadmap, title="x"),
        "visit of their meeting": SiteVisit(organization=org, meeting=_their_meeting(b), host_territory="x"),
        "feedback on their visit": VisitFeedback(organization=org, visit=their_visit, usefulness=4),
    }


WRITES = [
    "document of their experience",
    "inspiration into their roadmap",
    "inspiration into their chantier",
    "inspiration into their fiche",
    "recueil of their roadmap",
    "visit of their meeting",
    "feedback on their visit",
]


@pytest.mark.parametrize("write", WRITES)
def test_no_row_names_a_parent_of_another_organisation(write: str, tenant_a: Tenant, tenant_b: Tenant) -> None:
    row = _writes(tenant_a, tenant_b)[write]
    model = type(row)
    before = model.objects.count()
    with pytest.raises(ValidationError):
        row.save()
    assert model.objects.count() == before
    assert not model.objects.filter(organization=tenant_a.organization).exists()


def test_the_list_of_recueils_counts_only_what_we_may_still_read(tenant_a: Tenant, tenant_b: Tenant) -> None:
    """An experience B took back is B's private row again: A's recueil no longer counts it."""
    recueil = Recueil.objects.create(organization=tenant_a.organization, roadmap=tenant_a.roadmap, title="Atelier")
    theirs = published(tenant_b, title="Leur bus itinérant")
    ours: Experience = ExperienceFactory(organization=tenant_a.organization)
    recueil.experiences.set([ours, theirs])
    page = tenant_a.client_for(tenant_a.lecteur).get(tenant_a.url("inspiration:recueil_list"))
    assert "2 expériences" in " ".join(page.content.decode().split())
    actions.withdraw(theirs)
    page = tenant_a.client_for(tenant_a.lecteur).get(tenant_a.url("inspiration:recueil_list"))
    assert "1 expérience" in " ".join(page.content.decode().split())


def test_ids_of_another_organisation_posted_into_our_forms_are_refused(tenant_a: Tenant, tenant_b: Tenant) -> None:
    """B's roadmap, contact, private experience or enjeu posted into A's forms: « not a valid choice », nothing of B
    is linked or written."""
    client = tenant_a.client_for(tenant_a.contributeur)
    their_contact = Contact.objects.create(organization=tenant_b.organization, full_name="Contact de Bêta")
    their_private: Experience = ExperienceFactory(organization=tenant_b.organization, title="Projet privé de Bêta")
    their_enjeu = EnjeuFactory(roadmap=tenant_b.roadmap, organization=tenant_b.organization)
    visit_fields = {
        "title": "Visite",
        "starts_at": "2026-03-12T09:30",
        "host_territory": "Ribérac",
        "place": "Mairie",
    }
    client.post(tenant_a.url("inspiration:visit_list"), visit_fields | {"roadmap": tenant_b.roadmap.pk})
    assert not SiteVisit.objects.exists() and not Meeting.objects.filter(organization=tenant_a.organization).exists()
    client.post(tenant_a.url("inspiration:recueil_list"), {"title": "Recueil", "roadmap": tenant_b.roadmap.pk})
    assert not Recueil.objects.exists()
    client.post(
        tenant_a.url("inspiration:experience_create"),
        {"title": "Bus", "territory_name": "Ribérac", "description": "Un bus.", "enjeux": [their_enjeu.pk]},
    )
    assert not Experience.objects.filter(organization=tenant_a.organization).exists()
    client.post(tenant_a.url("inspiration:visit_list"), visit_fields | {"roadmap": tenant_a.roadmap.pk})
    visit = SiteVisit.objects.get()
    url = tenant_a.url("inspiration:visit", sitevisit_pk=visit.pk)
    filled = {"host_territory": "Ribérac", "objectives": "Voir"}
    for wrong in ({"contacts_met": [their_contact.pk]}, {"experiences": [their_private.pk]}):
        response = client.post(url, filled | wrong)
        assert response.status_code == 200 and "Sélectionnez un choix valide" in response.content.decode()
    visit.refresh_from_db()
    assert visit.objectives == "" and not visit.contacts_met.exists() and not visit.experiences.exists()
    page = client.get(url).content.decode()
    assert "Contact de Bêta" not in page and "Projet privé de Bêta" not in page
