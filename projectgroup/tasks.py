"""Invitations to a meeting, sent by a worker once the invitations are committed."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projectgroup.ics import meeting_calendar
from projectgroup.models import MeetingInvitation, Rsvp
from tenancy.tasks import SEND_ERRORS


@shared_task(time_limit=60, soft_time_limit=50, autoretry_for=SEND_ERRORS, retry_backoff=30, max_retries=3)
def send_meeting_invitation(invitation_id: int, answer_url: str) -> None:
    """One e-mail with the answer link and the meeting as an ICS file. Safe to re-run: an invitation already sent,
    answered, or whose contact asked not to be contacted (since) is left alone."""
    invitation = (
        MeetingInvitation.objects.select_related("meeting", "contact", "organization")
        .filter(pk=invitation_id, sent_at__isnull=True, answer=Rsvp.PENDING)
        .first()
    )
    if invitation is None or not invitation.contact.can_be_invited:
        return
    meeting = invitation.meeting
    with translation.override("fr"):
        subject = _("Invitation : %(title)s") % {"title": meeting.title}
        body = render_to_string(
            "projectgroup/invitation_email.txt",
            {"invitation": invitation, "meeting": meeting, "answer_url": answer_url},
        )
    message = EmailMessage(subject, body, None, [invitation.contact.email])
    message.attach("reunion.ics", meeting_calendar(meeting), "text/calendar; charset=utf-8; method=PUBLISH")
    message.send()
    MeetingInvitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
