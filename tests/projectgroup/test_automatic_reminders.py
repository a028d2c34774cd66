"""The automatic meeting reminder (Celery beat, every hour): one e-mail to each invitee of a meeting less than 48
hours away who did not decline, once; nothing for a meeting further away, past or cancelled; each organisation's
meetings reach only its own contacts."""

from __future__ import annotations

import datetime
from typing import Any

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from projectgroup.models import MeetingInvitation, Rsvp
from projectgroup.tasks import remind_upcoming_meetings, send_meeting_reminder
from projectgroup.templatetags.projectgroup_dates import jour_heure
from tests.conftest import Tenant
from tests.projectgroup.factories import ContactFactory, MeetingFactory, MeetingInvitationFactory

HOUR = datetime.timedelta(hours=1)


def invite(tenant: Tenant, meeting: Any, email: str, **fields: Any) -> MeetingInvitation:
    organization = tenant.organization
    contact_fields = {k: fields.pop(k) for k in ("do_not_contact",) if k in fields}
    return MeetingInvitationFactory(
        organization=organization,
        meeting=meeting,
        contact=ContactFactory(organization=organization, email=email, **contact_fields),
        **fields,
    )


def test_meetings_within_48_hours_get_one_reminder_per_invitee(
    tenant_a: Tenant, tenant_b: Tenant, settings: Any
) -> None:
    settings.SITE_URL = "https://cap.example.org"
    now = timezone.now()
    soon = MeetingFactory(roadmap=tenant_a.roadmap, title="Comité technique", starts_at=now + 24 * HOUR)
    pending = invite(tenant_a, soon, "attend@exemple.fr", sent_at=now - 72 * HOUR)
    invite(tenant_a, soon, "oui@exemple.fr", answer=Rsvp.YES)
    invite(tenant_a, soon, "peut-etre@exemple.fr", answer=Rsvp.MAYBE)
    # A reminder by the button before the meeting came within 48 hours does not count.
    invite(tenant_a, soon, "relance@exemple.fr", reminded_at=now - 96 * HOUR)
    # Nothing for: a declined invitee, « ne plus contacter », someone invited within the day (just told),
    # someone reminded by the button since the meeting came within 48 hours.
    invite(tenant_a, soon, "non@exemple.fr", answer=Rsvp.NO)
    invite(tenant_a, soon, "stop@exemple.fr", do_not_contact=True)
    invite(tenant_a, soon, "invite-hier-soir@exemple.fr", sent_at=now - 2 * HOUR)
    invite(tenant_a, soon, "deja-relance@exemple.fr", reminded_at=now - 10 * HOUR)
    # Nor for meetings in 5 days, past, cancelled.
    invite(tenant_a, MeetingFactory(roadmap=tenant_a.roadmap, starts_at=now + 5 * 24 * HOUR), "loin@exemple.fr")
    invite(tenant_a, MeetingFactory(roadmap=tenant_a.roadmap, starts_at=now - HOUR), "passee@exemple.fr")
    cancelled = MeetingFactory(roadmap=tenant_a.roadmap, starts_at=now + 20 * HOUR, cancelled=True)
    invite(tenant_a, cancelled, "annulee@exemple.fr")
    # Another organisation's meeting in 30 hours: its own contact, its own meeting.
    other = MeetingFactory(roadmap=tenant_b.roadmap, title="Plénière de l'autre", starts_at=now + 30 * HOUR)
    invite(tenant_b, other, "autre@exemple.fr")
    mail.outbox.clear()

    assert remind_upcoming_meetings() == 5
    expected = ["attend@exemple.fr", "autre@exemple.fr", "oui@exemple.fr", "peut-etre@exemple.fr", "relance@exemple.fr"]
    assert sorted(m.to[0] for m in mail.outbox) == expected
    assert all(len(m.to) == 1 for m in mail.outbox)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address["autre@exemple.fr"].subject == "Rappel\u00a0: Plénière de l'autre"
    assert "Comité technique" not in by_address["autre@exemple.fr"].body

    message = by_address["attend@exemple.fr"]
    assert message.subject == "Rappel\u00a0: Comité technique"
    assert "Petit rappel" in message.body and "Dites-nous si vous serez présent" in message.body
    assert f"{jour_heure(soon.starts_at)} — Salle du conseil" in message.body
    token = pending.token
    assert (
        "https://cap.example.org" + reverse("projectgroup:invitation_answer", kwargs={"token": token}) in message.body
    )
    name, ics, mimetype = message.attachments[0]
    assert name == "reunion.ics" and mimetype.startswith("text/calendar") and "Comité technique" in ics
    assert MeetingInvitation.objects.get(pk=pending.pk).reminded_at is not None

    # Run again (the next hour), or a second run overlapping the first whose queued reminder arrives after it:
    # nothing more.
    assert remind_upcoming_meetings() == 0
    send_meeting_reminder(pending.pk, "https://cap.example.org/x/")
    assert len(mail.outbox) == 5


def test_the_beat_schedule_runs_the_reminders_every_hour() -> None:
    entries = [entry for entry in app.conf.beat_schedule.values() if entry["task"] == remind_upcoming_meetings.name]
    assert remind_upcoming_meetings.name == "projectgroup.tasks.remind_upcoming_meetings"
    assert len(entries) == 1
    assert remind_upcoming_meetings.name in app.tasks  # the worker knows it by that name
    schedule = entries[0]["schedule"]
    assert len(schedule.hour) == 24 and len(schedule.minute) == 1
