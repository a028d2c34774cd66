"""The step registry: apps declare their steps and contribute to them; the statuses cost a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from roadmap.steps import contributions, roadmap_steps, step_apps, step_contributor
from tests.conftest import Tenant
from tests.factories import ActionFactory, ChantierFactory, CommuneFactory, DefiFactory, EnjeuFactory
from tests.workshops.factories import WorkshopFactory, WorkshopGroupFactory

pytestmark = pytest.mark.django_db


def _grow(tenant: Tenant, n: int) -> None:
    """n of everything the steps count: communes, enjeux, défis, chantiers, actions, workshops."""
    roadmap = tenant.roadmap
    roadmap.territory.communes.add(*CommuneFactory.create_batch(n))
    enjeux = EnjeuFactory.create_batch(n, roadmap=roadmap)
    for i in range(n):
        defi = DefiFactory(roadmap=roadmap)
        defi.enjeux.add(enjeux[i])
        chantier = ChantierFactory(roadmap=roadmap, defi=defi)
        ActionFactory.create_batch(2, roadmap=roadmap, chantier=chantier)
        workshop = WorkshopFactory(organization=tenant.organization, roadmap=roadmap)
        WorkshopGroupFactory(organization=tenant.organization, workshop=workshop)


def test_the_steps_cost_the_same_queries_at_two_sizes(tenant_a: Tenant, tenant_b: Tenant) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _grow(tenant_a, 1)
    _grow(tenant_b, 12)
    counts = []
    for tenant in (tenant_a, tenant_b):
        with CaptureQueriesContext(connection) as queries:
            steps = roadmap_steps(tenant.roadmap)
        counts.append(len(queries))
        assert [step.number for step in steps] == [1, 2, 3, 4, 5, 6, 7]
    # 1 spine counts (subqueries) + communes + members, projectgroup 1 (steps 1 and 2), diagnostics 2, workshops 2
    # (steps 2 and 3), chantiers 1 (step 4), inspiration 2 (step 5), evaluation 1 and questionnaires 1 (step 7),
    # resourcemaps none.
    assert counts[0] == counts[1] <= 13, counts
    assert f"{2 * 12} actions" in roadmap_steps(tenant_b.roadmap)[6].done


def test_steps_are_found_by_number_and_apps_declare_theirs(tenant_a: Tenant) -> None:
    steps = roadmap_steps(tenant_a.roadmap)
    assert steps[3].title == "Définir les enjeux" and steps.get(8) is None
    assert step_apps(3) == ["roadmap", "diagnostics", "workshops"]
    assert steps[3].app == "roadmap" or steps[3].app in step_apps(3)
    for contribution in contributions():
        declared = getattr(apps.get_app_config(contribution.app_label), "method_steps", ())
        assert contribution.step in declared, contribution
    # Every app of a step of the method reports on it (its progress.py was found at start-up).
    labels = {(c.app_label, c.step) for c in contributions()}
    assert {("diagnostics", 3), ("workshops", 2), ("workshops", 3), ("fiches", 6), ("adoption", 6)} <= labels
    assert {("projectgroup", 1), ("inspiration", 5), ("evaluation", 7)} <= labels


def test_an_app_cannot_contribute_to_a_step_it_does_not_declare() -> None:
    def contribute(step: Any, roadmap: Any) -> None:  # pragma: no cover - never registered
        pass

    contribute.__module__ = "inspiration.progress"
    with pytest.raises(ImproperlyConfigured, match="declares method_steps"):
        step_contributor(3)(contribute)
