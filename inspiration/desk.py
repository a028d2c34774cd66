"""The hub's desk: one page across every organisation a person belongs to, in a fixed number of queries whatever
the number of organisations (tests/inspiration/test_desk.py counts them at two sizes)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from inspiration.models import Experience, Inspiration
from projectgroup.models import Meeting, Milestone
from roadmap.models import Roadmap
from tenancy.models import Organization

MEETINGS_AHEAD = timedelta(days=60)
MILESTONES_AHEAD = timedelta(days=90)
SHOWN = 5  # per organisation


@dataclass
class RoadmapLine:
    roadmap: Roadmap
    steps: list[tuple[int, bool]]  # the method's steps this page can tell from the spine: (number, done)
    adopted: bool


@dataclass
class DeskEntry:
    organization: Organization
    roadmaps: list[RoadmapLine] = field(default_factory=list)
    experiences: int = 0
    published: int = 0
    inspirations: int = 0
    meetings: list[Meeting] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)


@dataclass
class Suggestion:
    experience: Experience
    to: list[Organization]


@dataclass
class Desk:
    entries: list[DeskEntry]
    suggestions: list[Suggestion]


def build_desk(organizations: list[Organization]) -> Desk:
    ids = [o.pk for o in organizations]
    entries = {o.pk: DeskEntry(o) for o in organizations}
    # 1. Each roadmap with what the spine says of steps 3, 4 and 6.
    roadmaps = (
        Roadmap.objects.filter(organization_id__in=ids)
        .annotate(
            n_enjeux=Count("enjeux", distinct=True),
            n_chantiers=Count("chantiers", distinct=True),
            n_actions=Count("actions", distinct=True),
        )
        .order_by("organization__name", "-period_start", "pk")
    )
    # 2. Inspirations drawn by these organisations (steps 5 and the suggestions below).
    drawn: dict[int, set[int]] = defaultdict(set)
    inspired_roadmaps: set[int] = set()
    for organization_id, experience_id, roadmap_id in Inspiration.objects.filter(organization_id__in=ids).values_list(
        "organization_id", "experience_id", "roadmap_id"
    ):
        drawn[organization_id].add(experience_id)
        inspired_roadmaps.add(roadmap_id)
        entries[organization_id].inspirations += 1
    for roadmap in roadmaps:
        adopted = roadmap.status in (Roadmap.Status.ADOPTEE, Roadmap.Status.EN_MISE_EN_OEUVRE)
        steps = [
            (3, roadmap.n_enjeux > 0),
            (4, roadmap.n_chantiers > 0),
            (5, roadmap.pk in inspired_roadmaps),
            (6, roadmap.n_actions > 0 and adopted),
        ]
        entries[roadmap.organization_id].roadmaps.append(RoadmapLine(roadmap, steps, adopted))
    # 3. The experiences of these organisations: counts, and the published ones to pass on.
    experiences = list(
        Experience.objects.filter(organization_id__in=ids)
        .values("organization_id")
        .annotate(total=Count("pk"), published=Count("pk", filter=Q(published_at__isnull=False)))
    )
    for row in experiences:
        entries[row["organization_id"]].experiences = row["total"]
        entries[row["organization_id"]].published = row["published"]
    # 4. and 5. The next meetings (two months ahead) and the milestones due within three months or late.
    now = timezone.now()
    upcoming = Meeting.objects.upcoming(now).filter(organization_id__in=ids, starts_at__lte=now + MEETINGS_AHEAD)
    for meeting in upcoming.order_by("starts_at"):
        if len(entries[meeting.organization_id].meetings) < SHOWN:
            entries[meeting.organization_id].meetings.append(meeting)
    due = Milestone.objects.filter(
        organization_id__in=ids, actual_date__isnull=True, planned_end__lte=now.date() + MILESTONES_AHEAD
    ).select_related("roadmap")
    for milestone in due.order_by("planned_end"):
        if len(entries[milestone.organization_id].milestones) < SHOWN:
            entries[milestone.organization_id].milestones.append(milestone)
    # 6. Published experiences of one of them that another of them has not drawn on yet.
    suggestions = []
    if len(organizations) > 1:
        published = (
            Experience.objects.published()
            .filter(organization_id__in=ids)
            .select_related("organization")
            .order_by("-published_at")[:30]
        )
        for experience in published:
            targets = [
                o for o in organizations if o.pk != experience.organization_id and experience.pk not in drawn[o.pk]
            ]
            if targets:
                suggestions.append(Suggestion(experience, targets))
    return Desk(list(entries.values()), suggestions[:10])
