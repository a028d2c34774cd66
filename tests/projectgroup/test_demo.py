"""The demo of steps 1, 2 and 5: built once, re-runnable, and the steps read as a référent expects."""

from __future__ import annotations

from demo.data import build_demo
from inspiration.models import Experience, Inspiration, Report, SiteVisit
from projectgroup.models import BodyMember, Contact, GroupMember, Meeting
from roadmap.models import Roadmap
from roadmap.steps import roadmap_steps
from tenancy.models import Organization
from workshops.models import Answer


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Contact, GroupMember, BodyMember, Meeting, Answer, Experience, Inspiration, Report, SiteVisit)
    )


def test_the_demo_of_steps_1_2_and_5_is_built_once(db: None) -> None:
    build_demo()
    built = counts()
    build_demo()
    assert counts() == built
    roadmap = Roadmap.objects.get(organization__name="CC Dronne et Belle")
    assert roadmap.group_members.count() == 8 and roadmap.milestones.count() == 7
    assert BodyMember.objects.filter(body__roadmap=roadmap).count() == 3
    steps = roadmap_steps(roadmap)
    assert steps[2].status == "complete", steps[2].missing  # definition adopted at a meeting, tour de table answered
    assert steps[5].done, steps[5].missing  # an experience drawn on
    published = Experience.objects.published()
    assert published.count() == 4 and Experience.objects.count() == 5
    assert Organization.objects.get(name="Hubikoop").kind == Organization.Kind.HUB
    assert Report.objects.filter(outcome=Report.Outcome.OPEN).count() == 1
    visit = SiteVisit.objects.get()
    assert visit.meeting.attendances.count() == 4 and visit.feedbacks.count() == 2
