"""Internal-data indicators of the démarche, for the evaluation step (step 7 calls `participation_counts`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from projectgroup.models import Attendance, Family, Meeting
from roadmap.models import Roadmap


@dataclass(frozen=True)
class ParticipationCounts:
    meetings_held: int
    participants: int  # attendance lines of the meetings held (a person at two meetings counts twice)
    distinct_people: int  # contacts of the directory, plus people who signed in by name only
    structures: int  # distinct structures of the directory present at least once
    families: dict[str, int]  # panorama family → structures present that serve it
    meetings_by_kind: dict[str, int]


def participation_counts(roadmap: Roadmap, until: datetime.datetime | None = None) -> ParticipationCounts:
    """Counts of the meetings held up to `until` (now), in three queries whatever the number of meetings."""
    now = until or timezone.now()
    held = Meeting.objects.filter(roadmap=roadmap).held(now)
    by_kind = dict(held.order_by().values_list("kind").annotate(n=Count("pk")))  # query 1
    present = Attendance.objects.filter(meeting__in=held)
    totals = present.aggregate(  # query 2
        participants=Count("pk"),
        contacts=Count("contact", distinct=True),
        names=Count("name", filter=Q(contact__isnull=True), distinct=True),
        structures=Count("actor", distinct=True),
    )
    families: dict[str, int] = dict.fromkeys(Family.values, 0)
    for actor_families in (
        present.exclude(actor=None).order_by().values_list("actor", "actor__families").distinct()  # query 3
    ):
        for family in actor_families[1]:
            if family in families:
                families[family] += 1
    return ParticipationCounts(
        meetings_held=sum(by_kind.values()),
        participants=totals["participants"],
        distinct_people=totals["contacts"] + totals["names"],
        structures=totals["structures"],
        families=families,
        meetings_by_kind=by_kind,
    )
