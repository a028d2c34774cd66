"""The hub's desk: one page across every organisation a person belongs to, in a fixed number of queries whatever
the number of organisations (tests/inspiration/test_desk.py counts them at two sizes).

Each roadmap's seven steps come from the step registry (roadmap.steps), which computes one roadmap at a time: the
desk loads them beside each roadmap from `inspiration:desk_steps`, under the roadmap's own organisation, so the page
itself keeps its fixed cost and each strip the registry's."""

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
from tenancy.paths import organization_path, public_reverse

MEETINGS_AHEAD = timedelta(days=60)
MILESTONES_AHEAD = timedelta(days=90)
SHOWN = 5  # per organisation


@dataclass
class RoadmapLine:
    roadmap: Roadmap
    adopted: bool
    steps_url: str  # its seven steps, from the registry, under the roadmap's organisation
    page_url: str


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
    # 1. Each roadmap, with the addresses of its steps and its page in its own organisation.
    for roadmap in Roadmap.objects.filter(organization_id__in=ids).order_by(
        "organization__name", "-period_start", "pk"
    ):
        adopted = roadmap.status in (Roadmap.Status.ADOPTEE, Roadmap.Status.EN_MISE_EN_OEUVRE)
        slug = entries[roadmap.organization_id].organization.slug
        entries[roadmap.organization_id].roadmaps.append(
            RoadmapLine(
                roadmap,
                adopted,
                organization_path(slug, public_reverse("inspiration:desk_steps", kwargs={"roadmap_pk": roadmap.pk})),
                organization_path(slug, public_reverse("roadmap:detail", kwargs={"roadmap_pk": roadmap.pk})),
            )
        )
    # 2. Inspirations drawn by these organisations (the suggestions below).
    drawn: dict[int, set[int]] = defaultdict(set)
    for organization_id, experience_id in Inspiration.objects.filter(organization_id__in=ids).values_list(
        "organization_id", "experience_id"
    ):
        drawn[organization_id].add(experience_id)
        entries[organization_id].inspirations += 1
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
