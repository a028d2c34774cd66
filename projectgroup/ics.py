"""iCalendar (RFC 5545) files: the démarche's milestones, and one meeting for an invitation."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

from projectgroup.models import Meeting, Milestone

PRODID = "-//Cap Partage//Demarche//FR"


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a space (RFC 5545 §3.1)."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > 74:
            out.append(current.decode())
            current = b" "
        current += encoded
    out.append(current.decode())
    return "\r\n".join(out)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _day(day: datetime.date) -> str:
    return day.strftime("%Y%m%d")


def calendar(events: Iterable[list[str]], name: str, method: str = "PUBLISH") -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", f"METHOD:{method}", "CALSCALE:GREGORIAN"]
    lines.append(f"X-WR-CALNAME:{_escape(name)}")
    for event in events:
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def milestone_event(milestone: Milestone) -> list[str]:
    """An all-day event: from the planned start (or the deadline) to the deadline, inclusive."""
    start = milestone.planned_start or milestone.planned_end
    end = milestone.planned_end + datetime.timedelta(days=1)  # DTEND of an all-day event is exclusive
    summary = milestone.title if milestone.step is None else f"Étape {milestone.step} : {milestone.title}"
    return [
        "BEGIN:VEVENT",
        f"UID:{milestone.uid}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART;VALUE=DATE:{_day(start)}",
        f"DTEND;VALUE=DATE:{_day(end)}",
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(milestone.get_phase_display())}",
        "END:VEVENT",
    ]


def meeting_event(meeting: Meeting, description: str = "") -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{meeting.uid}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(meeting.end)}",
        f"SUMMARY:{_escape(meeting.title)}",
    ]
    if meeting.place:
        lines.append(f"LOCATION:{_escape(meeting.place)}")
    if description:
        lines.append(f"DESCRIPTION:{_escape(description)}")
    lines.append("STATUS:CANCELLED" if meeting.cancelled else "STATUS:CONFIRMED")
    lines.append("END:VEVENT")
    return lines


def demarche_calendar(name: str, milestones: Iterable[Milestone], meetings: Iterable[Meeting]) -> str:
    events = [milestone_event(m) for m in milestones] + [meeting_event(m) for m in meetings]
    return calendar(events, name)


def meeting_calendar(meeting: Meeting) -> str:
    agenda = "\n".join(f"{item.title} ({item.duration} min)" for item in meeting.agenda_items.all())
    return calendar([meeting_event(meeting, agenda)], meeting.title, method="PUBLISH")
