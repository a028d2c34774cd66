"""Meeting reminders: one e-mail to each invitee who did not decline, with the answer link and the ICS; at most
one a day (a second click, a retried task send nothing more); never for a past or cancelled meeting."""

from __future__ import annotations

import datetime

from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from projectgroup.models import Meeting, MeetingInvitation, Rsvp
from projectgroup.tasks import send_meeting_reminder
from tests.conftest import Tenant
from tests.projectgroup.conftest import text
from tests.projectgroup.factories import ContactFactory, MeetingFactory, MeetingInvitationFactory


def remind(client: Client, meeting_pk: int) -> str:
    """The animator's click; the e-mails leave once the reminders are committed."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        url = reverse("projectgroup:meeting_remind", kwargs={"meeting_pk": meeting_pk})
        return text(client.post(url, follow=True))


def test_reminders_reach_who_did_not_decline_once_a_day(
    tenant_a: Tenant, tenant_b: Tenant, outsider_client: Client
) -> None:
    organization = tenant_a.organization
    meeting = MeetingFactory(roadmap=tenant_a.roadmap, title="Comité de pilotage n°2")
    people = {
        answer: MeetingInvitationFactory(
            organization=organization,
            meeting=meeting,
            answer=answer,
            contact=ContactFactory(organization=organization, email=f"{answer}@exemple.fr"),
        )
        for answer in (Rsvp.PENDING, Rsvp.YES, Rsvp.NO, Rsvp.MAYBE)
    }
    stopped = MeetingInvitationFactory(
        organization=organization,
        meeting=meeting,
        contact=ContactFactory(organization=organization, do_not_contact=True),
    )
    mail.outbox.clear()
    client = tenant_a.client_for(tenant_a.contributeur)
    page = text(client.get(meeting.get_absolute_url()))
    assert "Envoyer un rappel aux invités" in page
    assert "Rappel envoyé à 3 invités." in remind(client, meeting.pk)
    assert sorted(m.to[0] for m in mail.outbox) == ["maybe@exemple.fr", "pending@exemple.fr", "yes@exemple.fr"]
    message = next(m for m in mail.outbox if m.to == ["yes@exemple.fr"])
    assert message.subject == "Rappel\u00a0: Comité de pilotage n°2"
    token = people[Rsvp.YES].token
    assert "http://testserver" + reverse("projectgroup:invitation_answer", kwargs={"token": token}) in message.body
    assert "Vous avez dit que vous serez présent" in message.body
    assert message.attachments[0][0] == "reunion.ics"
    assert not MeetingInvitation.objects.get(pk=stopped.pk).reminded_at
    assert MeetingInvitation.objects.get(pk=people[Rsvp.PENDING].pk).reminded_at is not None
    assert "rappel le" in text(client.get(meeting.get_absolute_url()))

    # A second click, or the task run again (a retry): nothing more the same day.
    assert "Personne à relancer" in remind(client, meeting.pk)
    send_meeting_reminder(people[Rsvp.PENDING].pk, "http://testserver/x/")
    assert len(mail.outbox) == 3
    # The next day, again.
    MeetingInvitation.objects.update(reminded_at=timezone.now() - datetime.timedelta(days=1))
    assert "Rappel envoyé à 3 invités." in remind(client, meeting.pk)
    assert len(mail.outbox) == 6

    # Who may: a lecteur can't, another organisation and an outsider don't find the meeting.
    url = reverse("projectgroup:meeting_remind", kwargs={"meeting_pk": meeting.pk})
    assert tenant_a.client_for(tenant_a.lecteur).post(url).status_code == 403
    assert tenant_b.client_for(tenant_b.admin).post(url).status_code == 404
    assert outsider_client.post(tenant_a.url("projectgroup:meeting_remind", meeting_pk=meeting.pk)).status_code == 404
    assert len(mail.outbox) == 6


def test_no_reminder_for_a_past_or_cancelled_meeting(tenant_a: Tenant) -> None:
    organization = tenant_a.organization
    past = MeetingFactory(roadmap=tenant_a.roadmap, starts_at=timezone.now() - datetime.timedelta(hours=1))
    cancelled: Meeting = MeetingFactory(roadmap=tenant_a.roadmap, cancelled=True)
    for meeting in (past, cancelled):
        MeetingInvitationFactory(organization=organization, meeting=meeting)
    mail.outbox.clear()
    client = tenant_a.client_for(tenant_a.admin)
    assert "déjà commencé" in remind(client, past.pk)
    assert "a été annulée" in remind(client, cancelled.pk)
    assert "Envoyer un rappel aux invités" not in text(client.get(past.get_absolute_url()))
    # A reminder queued before the meeting was cancelled is not sent.
    invitation = MeetingInvitation.objects.get(meeting=cancelled)
    send_meeting_reminder(invitation.pk, "http://testserver/x/")
    assert mail.outbox == [] and MeetingInvitation.objects.filter(reminded_at__isnull=False).count() == 0
