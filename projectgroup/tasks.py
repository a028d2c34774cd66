"""Invitations to a meeting and reminders, sent by a worker once committed."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projectgroup.ics import meeting_calendar
from projectgroup.models import MeetingInvitation, Rsvp
from tenancy.paths import public_reverse
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


@shared_task(time_limit=60, soft_time_limit=50, autoretry_for=SEND_ERRORS, retry_backoff=30, max_retries=3)
def send_meeting_reminder(invitation_id: int, answer_url: str) -> None:
    """A reminder of a meeting to come, with the answer link (to confirm or change one's answer) and the ICS.

    Idempotent: the invitation is locked while it is sent and stamped; a second run (a retry, a second click) finds
    it reminded within the day and sends nothing. A failed send rolls the stamp back, so the retry sends it."""
    from projectgroup.actions import REMINDER_GAP

    with transaction.atomic():
        invitation = (
            MeetingInvitation.objects.select_for_update(of=("self",))
            .select_related("meeting", "contact", "organization")
            .filter(pk=invitation_id)
            .exclude(answer=Rsvp.NO)
            .first()
        )
        if invitation is None or not invitation.contact.can_be_invited:
            return
        meeting, now = invitation.meeting, timezone.now()
        if meeting.cancelled or meeting.starts_at <= now:
            return
        if invitation.reminded_at and invitation.reminded_at > now - REMINDER_GAP:
            return
        with translation.override("fr"):
            subject = _("Rappel : %(title)s") % {"title": meeting.title}
            body = render_to_string(
                "projectgroup/reminder_email.txt",
                {"invitation": invitation, "meeting": meeting, "answer_url": answer_url},
            )
        message = EmailMessage(subject, body, None, [invitation.contact.email])
        message.attach("reunion.ics", meeting_calendar(meeting), "text/calendar; charset=utf-8; method=PUBLISH")
        message.send()
        MeetingInvitation.objects.filter(pk=invitation.pk).update(reminded_at=now)


# The automatic reminder goes out once a meeting is less than this far away (Celery beat runs it every hour).
AUTOMATIC_REMINDER_WINDOW = datetime.timedelta(hours=48)


@shared_task(time_limit=300, soft_time_limit=280)
def remind_upcoming_meetings() -> int:
    """Remind, once, the invitees of the meetings starting within 48 hours: not cancelled, not begun; invitees who
    did not decline and may be written to, not reminded since the meeting came within 48 hours (a reminder by the
    button in that time counts), not invited within the day (the invitation has just told them). Returns how many
    reminders were queued.

    Run twice, it queues nothing more once the first run's e-mails have left; if two runs overlap, the lock on the
    invitation in send_meeting_reminder lets one e-mail through and the other finds it reminded. Each invitation
    is matched to its meeting and contact within the same organisation, so no meeting mails another's contacts."""
    from projectgroup.actions import REMINDER_GAP

    now = timezone.now()
    due = (
        MeetingInvitation.objects.filter(
            meeting__organization_id=F("organization_id"),
            contact__organization_id=F("organization_id"),
            meeting__cancelled=False,
            meeting__starts_at__gt=now,
            meeting__starts_at__lte=now + AUTOMATIC_REMINDER_WINDOW,
            contact__consent=True,
            contact__do_not_contact=False,
        )
        .exclude(answer=Rsvp.NO)
        .exclude(contact__email="")
        .exclude(sent_at__gt=now - REMINDER_GAP)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=F("meeting__starts_at") - AUTOMATIC_REMINDER_WINDOW))
        .order_by("organization_id", "meeting__starts_at", "pk")
        .values_list("pk", "token")
    )
    queued = 0
    for pk, token in due:
        answer_url = settings.SITE_URL + public_reverse("projectgroup:invitation_answer", kwargs={"token": token})
        send_meeting_reminder.delay(pk, answer_url)
        queued += 1
    return queued
