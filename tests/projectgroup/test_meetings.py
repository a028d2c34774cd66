"""Meetings: agenda, invitations by e-mail with an ICS file, answers without an account, attendance from the
screen, the paper sheet (PDF) and the phones (QR code), minutes and decisions."""

from __future__ import annotations

import datetime
import subprocess
from typing import Any

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from documents.models import ExportJob
from projectgroup.models import AgendaItem, Attendance, Meeting, MeetingInvitation, Rsvp
from tests.conftest import Tenant
from tests.projectgroup.conftest import text
from tests.projectgroup.factories import AttendanceFactory, ContactFactory, MeetingFactory, MeetingInvitationFactory
from tests.roadmap.factories import GovernanceBodyFactory

pytestmark = pytest.mark.django_db


def _meeting(tenant: Tenant, **kwargs: Any) -> Meeting:
    return MeetingFactory(roadmap=tenant.roadmap, title="Groupe projet de lancement", **kwargs)


def test_creating_a_meeting_with_its_agenda(tenant_a: Tenant, tenant_b: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.contributeur)
    other_body = GovernanceBodyFactory(roadmap=tenant_b.roadmap)
    url = reverse("projectgroup:meeting_list", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    data = {
        "kind": "groupe_projet",
        "title": "Lancement",
        "starts_at": "2030-03-02T14:00",
        "ends_at": "2030-03-02T16:30",
        "place": "Mairie",
    }
    assert client.post(url, data | {"body": other_body.pk}).status_code == 200  # another organisation's body: refused
    response = client.post(url, data)
    meeting = Meeting.objects.get()
    assert response["Location"].endswith(meeting.get_absolute_url())
    agenda = reverse("projectgroup:meeting_agenda", kwargs={"meeting_pk": meeting.pk})
    client.post(agenda, {"title": "Tour de table", "duration": 30})
    client.post(agenda, {"title": "Calendrier", "duration": 45})
    assert list(AgendaItem.objects.values_list("title", "position")) == [("Tour de table", 0), ("Calendrier", 1)]
    page = text(client.get(meeting.get_absolute_url()))
    assert "Durée totale : 75 minutes" in page and "30 minutes" in page
    assert client.post(url, data | {"ends_at": "2030-03-02T13:00"}).status_code == 200  # ends before it starts
    assert Meeting.objects.count() == 1


def _invite(client: Client, meeting: Meeting, contacts: list[Any]) -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("projectgroup:meeting_invite", kwargs={"meeting_pk": meeting.pk}),
            {"contacts": [c.pk for c in contacts]},
            follow=True,
        )


def test_invitations_are_emailed_with_an_answer_link_and_an_ics(tenant_a: Tenant) -> None:
    meeting = _meeting(tenant_a, place="Salle des fêtes")
    AgendaItem.objects.create(organization=tenant_a.organization, meeting=meeting, title="Mandat", duration=20)
    yes = ContactFactory(organization=tenant_a.organization, full_name="Alix Oui", email="alix@exemple.fr")
    no_consent = ContactFactory(organization=tenant_a.organization, full_name="Bao Sansaccord", consent=False)
    blocked = ContactFactory(organization=tenant_a.organization, full_name="Cyd Stop", do_not_contact=True)
    no_email = ContactFactory(organization=tenant_a.organization, full_name="Dom Sansmail", email="")
    client = tenant_a.client_for(tenant_a.admin)
    response = _invite(client, meeting, [yes, no_consent, blocked, no_email])
    assert "Invitations envoyées : 1." in text(response)
    assert "Bao Sansaccord, Cyd Stop, Dom Sansmail" in text(response)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alix@exemple.fr"] and "Groupe projet de lancement" in message.subject
    invitation = MeetingInvitation.objects.get()
    answer_url = "http://testserver" + reverse("projectgroup:invitation_answer", kwargs={"token": invitation.token})
    assert answer_url in message.body and f"/{tenant_a.organization.slug}/" not in message.body
    assert "Mandat (20 min)" in message.body
    name, ics, mimetype = message.attachments[0]
    assert name == "reunion.ics" and mimetype.startswith("text/calendar")
    assert "BEGIN:VEVENT" in ics and "LOCATION:Salle des fêtes" in ics
    assert invitation.sent_at is not None
    # Invited twice: one invitation, one e-mail.
    _invite(client, meeting, [yes])
    assert len(mail.outbox) == 1 and MeetingInvitation.objects.count() == 1


def test_the_invitee_answers_without_an_account(tenant_a: Tenant) -> None:
    invitation = MeetingInvitationFactory(organization=tenant_a.organization, meeting=_meeting(tenant_a))
    client = Client()  # nobody logged in
    url = reverse("projectgroup:invitation_answer", kwargs={"token": invitation.token})
    page = text(client.get(url))
    assert "Groupe projet de lancement" in page and invitation.contact.full_name in page
    client.post(url, {"answer": Rsvp.YES})
    invitation.refresh_from_db()
    assert invitation.answer == Rsvp.YES and invitation.answered_at is not None
    client.post(url, {"answer": "pirate"})
    invitation.refresh_from_db()
    assert invitation.answer == Rsvp.YES
    assert (
        client.get(reverse("projectgroup:invitation_answer", kwargs={"token": "x" + invitation.token})).status_code
        == 404
    )
    page = text(tenant_a.client_for(tenant_a.lecteur).get(invitation.meeting.get_absolute_url()))
    assert "Sera présent : 1" in page


def test_check_in_on_a_phone(tenant_a: Tenant, tenant_b: Tenant) -> None:
    meeting = _meeting(tenant_a, starts_at=timezone.now() - datetime.timedelta(minutes=10))
    invitation = MeetingInvitationFactory(organization=tenant_a.organization, meeting=meeting)
    other = MeetingInvitationFactory(organization=tenant_b.organization)
    phone = Client()
    url = reverse("projectgroup:checkin", kwargs={"token": meeting.checkin_token})
    page = text(phone.get(url))
    assert invitation.contact.full_name in page and other.contact.full_name not in page
    # Someone else's invitation (another meeting) cannot be used here.
    assert phone.post(url, {"invitation": other.pk}).status_code == 404
    assert "votre présence" in text(phone.post(url, {"invitation": invitation.pk}))
    phone.post(url, {"invitation": invitation.pk})  # twice: once
    phone.post(url, {"name": "  Jo   Nouveau ", "structure": invitation.contact.actor.name})
    phone.post(url, {"name": "jo nouveau", "structure": ""})  # the same person again
    attendances = {a.name: a for a in Attendance.objects.all()}
    assert set(attendances) == {invitation.contact.full_name, "Jo Nouveau"}
    assert attendances["Jo Nouveau"].actor == invitation.contact.actor  # their structure recognised
    assert attendances["Jo Nouveau"].source == "phone"
    assert invitation.contact.full_name not in text(phone.get(url))  # already present: no longer listed
    assert "Indiquez" in text(phone.post(url, {"name": "   "})) or "obligatoire" in text(phone.post(url, {"name": ""}))


def test_check_in_is_open_on_the_day_only(tenant_a: Tenant) -> None:
    later = _meeting(tenant_a, starts_at=timezone.now() + datetime.timedelta(days=2))
    response = Client().post(reverse("projectgroup:checkin", kwargs={"token": later.checkin_token}), {"name": "Tôt"})
    assert response.status_code == 403 and "le jour de la réunion" in text(response)
    assert Client().get(reverse("projectgroup:checkin", kwargs={"token": "inconnu"})).status_code == 404
    assert not Attendance.objects.exists()


def test_attendance_from_the_screen_and_the_paper_sheet(tenant_a: Tenant, tenant_b: Tenant) -> None:
    meeting = _meeting(tenant_a)
    invitation = MeetingInvitationFactory(organization=tenant_a.organization, meeting=meeting)
    foreign = MeetingInvitationFactory(organization=tenant_b.organization)
    client = tenant_a.client_for(tenant_a.contributeur)
    url = reverse("projectgroup:meeting_attendance", kwargs={"meeting_pk": meeting.pk})
    client.post(url, {"invitation": invitation.pk})
    client.post(url, {"name": "Ana Papier", "structure": "CCAS", "feuille": "1"})
    assert client.post(url, {"invitation": foreign.pk}).status_code == 404
    assert sorted(Attendance.objects.values_list("source", flat=True)) == ["screen", "sheet"]
    page = text(client.get(meeting.get_absolute_url()))
    assert "2 présents" in page and "Ana Papier" in page
    assert tenant_a.client_for(tenant_a.lecteur).post(url, {"name": "X"}).status_code == 403


def test_the_attendance_sheet_is_a_pdf_of_the_document_engine(tenant_a: Tenant, tenant_b: Tenant) -> None:
    meeting = _meeting(tenant_a)
    invitation = MeetingInvitationFactory(organization=tenant_a.organization, meeting=meeting)
    declined = MeetingInvitationFactory(organization=tenant_a.organization, meeting=meeting, answer=Rsvp.NO)
    client = tenant_a.client_for(tenant_a.contributeur)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("projectgroup:meeting_sheet", kwargs={"meeting_pk": meeting.pk}))
    job = ExportJob.objects.get()
    assert (job.status, job.kind, job.roadmap_id) == (
        ExportJob.Status.DONE,
        "meeting_sheet_pdf",
        tenant_a.roadmap.pk,
    ), job.error
    reader = tenant_a.client_for(tenant_a.lecteur)
    assert "Feuille d'émargement" in text(reader.get(meeting.get_absolute_url())).replace("&#x27;", "'")
    download = reader.get(reverse("documents:export_download", kwargs={"exportjob_pk": job.pk}))
    content = b"".join(download.streaming_content)
    pdf = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()  # noqa: S607
    assert "Feuille d'émargement" in pdf.replace("’", "'") and "Groupe projet de lancement" in pdf
    assert invitation.contact.full_name in pdf and declined.contact.full_name not in pdf
    flat = " ".join(pdf.split())
    assert tenant_a.organization.name in flat  # whose sheet it is
    assert f"Elles sont conservées par {tenant_a.organization.name} et ne sont pas transmises" in flat
    info = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True).stdout.decode()  # noqa: S607
    assert "Pages:           1" in info  # the blank lines fill the page, no second page for two lines
    assert (
        tenant_b.client_for(tenant_b.admin)
        .get(reverse("documents:export_download", kwargs={"exportjob_pk": job.pk}))
        .status_code
        == 404
    )


def test_minutes_and_decisions(tenant_a: Tenant) -> None:
    meeting = _meeting(tenant_a)
    client = tenant_a.client_for(tenant_a.admin)
    client.post(
        reverse("projectgroup:meeting_minutes", kwargs={"meeting_pk": meeting.pk}),
        {"minutes": "Le groupe a validé le calendrier.", "decisions": "Calendrier adopté\n\nProchaine réunion en mars"},
    )
    meeting.refresh_from_db()
    assert meeting.decision_lines() == ["Calendrier adopté", "Prochaine réunion en mars"]
    page = text(client.get(meeting.get_absolute_url()))
    assert "Le groupe a validé le calendrier." in page and "<li>Prochaine réunion en mars</li>" in page


def test_the_qr_code_and_the_room_screen(tenant_a: Tenant) -> None:
    meeting = _meeting(tenant_a)
    client = tenant_a.client_for(tenant_a.lecteur)
    svg = client.get(reverse("projectgroup:meeting_qr", kwargs={"meeting_pk": meeting.pk}))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    page = text(client.get(reverse("projectgroup:meeting_checkin_screen", kwargs={"meeting_pk": meeting.pk})))
    assert f"http://testserver/reunion/emargement/{meeting.checkin_token}/" in page


@pytest.mark.parametrize("size", [2, 20])
def test_meeting_pages_take_a_fixed_number_of_queries(
    size: int, tenant_a: Tenant, django_assert_max_num_queries: Any
) -> None:
    for _ in range(size):
        meeting = _meeting(tenant_a)
        invitation = MeetingInvitationFactory(organization=tenant_a.organization, meeting=meeting)
        AttendanceFactory(organization=tenant_a.organization, meeting=meeting, contact=invitation.contact)
        AgendaItem.objects.create(organization=tenant_a.organization, meeting=meeting, title="Point", duration=10)
    for _ in range(size):  # one meeting with many invitees and people present
        invitation = MeetingInvitationFactory(organization=tenant_a.organization, meeting=meeting)
        AttendanceFactory(organization=tenant_a.organization, meeting=meeting, contact=invitation.contact)
    client = tenant_a.client_for(tenant_a.admin)
    # session, user, membership, roadmap, meetings with their counts (one query), context processors…
    with django_assert_max_num_queries(10):
        assert (
            client.get(reverse("projectgroup:meeting_list", kwargs={"roadmap_pk": tenant_a.roadmap.pk})).status_code
            == 200
        )
    # … and for one meeting: agenda, invitations with contacts and structures, attendances, the invite form's
    # contacts, export jobs.
    with django_assert_max_num_queries(16):
        assert client.get(meeting.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("projectgroup:group", kwargs={"roadmap_pk": tenant_a.roadmap.pk})).status_code == 200
    with django_assert_max_num_queries(10):
        assert (
            client.get(reverse("projectgroup:calendar", kwargs={"roadmap_pk": tenant_a.roadmap.pk})).status_code == 200
        )
