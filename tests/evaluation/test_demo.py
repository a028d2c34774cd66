"""The demo's evaluation: built once, re-runnable, and its pages read as a référent expects."""

from __future__ import annotations

from django.urls import reverse

from demo.data import build_demo
from evaluation.models import Effect, FollowUp, Indicator, IndicatorValue
from roadmap.models import Roadmap
from roadmap.steps import roadmap_steps
from tenancy.models import Membership
from tests.conftest import OrganizationClient
from tests.evaluation.test_pages import text


def test_the_demo_evaluation_is_built_once_and_shows(db: None) -> None:
    build_demo()
    counts = (Effect.objects.count(), Indicator.objects.count(), IndicatorValue.objects.count())
    build_demo()
    assert counts == (Effect.objects.count(), Indicator.objects.count(), IndicatorValue.objects.count())
    roadmap = Roadmap.objects.get(organization__name="CC Dronne et Belle")
    assert (
        Indicator.objects.filter(roadmap=roadmap).count() == 6
        and FollowUp.objects.filter(action__roadmap=roadmap).exists()
    )
    step = roadmap_steps(roadmap)[7]
    assert step.status == "in_progress"  # one indicator is not yet précis: the référent sees it to do
    assert any("quatre critères" in str(m) for m in step.missing)
    elu = Membership.objects.get(user__email="elu@dronne-belle.demo").user
    client = OrganizationClient(roadmap.organization)
    client.force_login(elu)
    page = text(client.get(reverse("evaluation:analysis", kwargs={"roadmap_pk": roadmap.pk})))
    assert "Habitants accompagnés par les permanences" in page and "Avant, chacun faisait dans son coin." in page
