"""Site visits: a meeting of kind « visite » of step 1 with the visit's objectives, programme, report, key points,
contacts met, and participants' feedback through a link without account."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inspiration.models import SiteVisit, VisitFeedback
from projectgroup.models import Attendance, Contact, Meeting, MeetingKind
from tests.conftest import Tenant
from tests.inspiration.conftest import published
from tests.inspiration.factories import SiteVisitFactory


def test_create_and_fill_a_visit(tenant_a: Tenant, tenant_b: Tenant, outsider_client: Client) -> None:
    client = tenant_a.client_for(tenant_a.contributeur)
    client.post(
        tenant_a.url("inspiration:visit_list"),
        {
            "title": "Visite en Sud Charente",
            "roadmap": tenant_a.roadmap.pk,
            "starts_at": "2026-03-12T09:30",
            "host_territory": "CC Lavalette Tude Dronne",
            "place": "Place du marché",
        },
    )
    visit = SiteVisit.objects.get()
    meeting = visit.meeting
    assert (meeting.kind, meeting.organization, meeting.roadmap) == (
        MeetingKind.VISITE,
        tenant_a.organization,
        tenant_a.roadmap,
    )
    contact = Contact.objects.create(organization=tenant_a.organization, full_name="Bertrand Mercade")
    theirs = published(tenant_b, title="Le bus numérique du Sud Charente")
    Attendance.objects.create(organization=tenant_a.organization, meeting=meeting, name="Emmanuelle Deprez")
    url = tenant_a.url("inspiration:visit", sitevisit_pk=visit.pk)
    client.post(
        url,
        {
            "objectives": "Voir un bus numérique en vrai.",
            "host_territory": "CC Lavalette Tude Dronne",
            "host_structure": "Espace numérique Sud Charente",
            "programme": "Accueil café\nVisite du bus\nTable ronde",
            "key_points": "Travailler main dans la main avec les associations.",
            "contacts_met": [contact.pk],
            "experiences": [theirs.pk],
            "report": "Une journée riche.",
        },
    )
    meeting.refresh_from_db()
    assert meeting.minutes == "Une journée riche."
    page = tenant_a.client_for(tenant_a.lecteur).get(url).content.decode()
    for text in ("Visite du bus", "Bertrand Mercade", "Emmanuelle Deprez", "Le bus numérique du Sud Charente"):
        assert text in page
    assert (
        tenant_b.client_for(tenant_b.admin).get(tenant_b.url("inspiration:visit", sitevisit_pk=visit.pk)).status_code
        == 404
    )
    assert outsider_client.get(url).status_code == 404
    assert tenant_a.client_for(tenant_a.lecteur).post(url, {"objectives": "x"}).status_code == 403


def test_a_planned_visit_meeting_is_completed(tenant_a: Tenant, tenant_b: Tenant) -> None:
    meeting = Meeting.objects.create(
        organization=tenant_a.organization,
        roadmap=tenant_a.roadmap,
        kind=MeetingKind.VISITE,
        title="Visite prévue",
        starts_at=timezone.now(),
        place="Ribérac",
    )
    client_b = tenant_b.client_for(tenant_b.admin)
    assert client_b.post(tenant_b.url("inspiration:visit_list"), {"meeting": meeting.pk}).status_code == 404
    tenant_a.client_for(tenant_a.admin).post(tenant_a.url("inspiration:visit_list"), {"meeting": meeting.pk})
    assert SiteVisit.objects.get().meeting == meeting


def test_participants_give_feedback_without_an_account(tenant_a: Tenant, tenant_b: Tenant) -> None:
    visit = SiteVisitFactory(organization=tenant_a.organization)
    anonymous = Client()
    url = reverse("inspiration:visit_feedback", kwargs={"token": visit.feedback_token})
    assert anonymous.get(url).status_code == 200
    anonymous.post(url, {"name": "Alice", "usefulness": "5", "takeaway": "Le bus", "to_try": "Une permanence"})
    anonymous.post(url, {"usefulness": "9"})  # refused: 1 to 5
    feedback = VisitFeedback.objects.get()
    assert (feedback.organization, feedback.usefulness, feedback.name) == (tenant_a.organization, 5, "Alice")
    assert anonymous.get(reverse("inspiration:visit_feedback", kwargs={"token": "inconnu"})).status_code == 404
    page = tenant_a.client_for(tenant_a.lecteur).get(tenant_a.url("inspiration:visit", sitevisit_pk=visit.pk))
    assert "1 avis, utilité moyenne 5,0 sur 5" in page.content.decode()
