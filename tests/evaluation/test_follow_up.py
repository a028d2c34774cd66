"""Following the roadmap as it lives: statuses, realised amounts next to the plan, progress rolled up; the internal
indicators computed from what the application records, in a fixed number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from evaluation.internal import internal_indicators
from evaluation.models import FollowUp, RealisedExpense, RealisedFunding
from fiches.models import ActionExpense, ActionFunding, Engagement
from projectgroup.models import Family
from roadmap.models import Action
from roadmap.steps import roadmap_steps
from tests.conftest import Tenant
from tests.evaluation.factories import FollowUpFactory, IndicatorFactory, IndicatorValueFactory
from tests.evaluation.test_pages import NB, rm, text
from tests.factories import ActionFactory, ChantierFactory, DefiFactory
from tests.projectgroup.factories import ActorFactory, AttendanceFactory, MeetingFactory
from tests.questionnaires.factories import QuestionnaireFactory, ResponseFactory


def test_an_action_is_followed_with_its_realised_amounts(tenant_a: Tenant) -> None:
    action: Action = ActionFactory(
        roadmap=tenant_a.roadmap, title="Permanences itinérantes", expected_results="300 personnes"
    )
    ActionExpense.objects.create(
        organization=tenant_a.organization, action=action, year=2025, kind="fonctionnement", amount=Decimal("10000")
    )
    client = tenant_a.client_for(tenant_a.contributeur)
    url = reverse("evaluation:action_follow_up", kwargs={"action_pk": action.pk})
    page = client.get(url).content.decode()
    assert "prévu 10" in page  # the plan beside each realised field
    refused = client.post(
        url,
        {"status": "realisee", "progress": "80", "note": "Bien lancé", "expense_fonctionnement_2025": "abc"},
    )
    page = text(refused)
    assert "Indiquez quand l'action a commencé." in page
    assert "Une action réalisée est avancée à 100" in page
    assert "« abc » n'est pas un montant" in page.replace(NB, " ")  # the fiches' amount field and its message
    assert "Bien lancé" in refused.content.decode()  # the note typed comes back
    assert not FollowUp.objects.exists() and not RealisedExpense.objects.exists()
    response = client.post(
        url,
        {
            "status": "en_cours",
            "started_on": "2025-02-01",
            "progress": "40",
            "note": "Trois communes desservies",
            "expense_fonctionnement_2025": "4 500,50",
            "funding_etat_2025": "2000",
        },
    )
    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert follow_up.status == "en_cours" and follow_up.updated_by == tenant_a.contributeur
    assert RealisedExpense.objects.get().amount == Decimal("4500.50")
    assert RealisedFunding.objects.get().funder == "etat"
    table = text(client.get(url))
    assert f"10{NB}000{NB}€ / 4{NB}500,50{NB}€" in table.replace("\u202f", NB)


def test_progress_rolls_up_to_chantiers_and_defis(tenant_a: Tenant) -> None:
    defi = DefiFactory(roadmap=tenant_a.roadmap, title="Accompagner")
    chantier = ChantierFactory(roadmap=tenant_a.roadmap, defi=defi, title="Permanences")
    other = ChantierFactory(roadmap=tenant_a.roadmap, defi=defi, title="Aidants")
    done = ActionFactory(roadmap=tenant_a.roadmap, chantier=chantier)
    half = ActionFactory(roadmap=tenant_a.roadmap, chantier=chantier)
    dropped = ActionFactory(roadmap=tenant_a.roadmap, chantier=other)
    ActionFactory(roadmap=tenant_a.roadmap, chantier=other)  # not followed yet: à venir, 0 %
    FollowUpFactory(action=done, status="realisee", progress=100)
    FollowUpFactory(action=half, status="en_cours", progress=50)
    FollowUpFactory(action=dropped, status="abandonnee", progress=30)
    page = text(tenant_a.client_for(tenant_a.lecteur).get(reverse("evaluation:follow_up", kwargs=rm(tenant_a))))
    assert f"{chantier.ref} — Permanences 75{NB}%" in page  # (100 + 50) / 2
    assert f"{other.ref} — Aidants 0{NB}%" in page  # the abandoned action leaves the average
    assert f"{defi.ref} — Accompagner 50{NB}%" in page  # (100 + 50 + 0) / 3
    assert "Abandonnée" in page and "À venir" in page


def _populate(tenant: Tenant, n: int) -> None:
    past = timezone.now() - datetime.timedelta(days=3)
    actor = ActorFactory(organization=tenant.organization, families=[Family.SENIORS])
    for i in range(n):
        meeting = MeetingFactory(roadmap=tenant.roadmap, starts_at=past)
        AttendanceFactory(organization=tenant.organization, meeting=meeting, actor=actor)
        AttendanceFactory(organization=tenant.organization, meeting=meeting)
        action: Action = ActionFactory(roadmap=tenant.roadmap)
        ActionExpense.objects.create(
            organization=tenant.organization, action=action, year=2025, kind="fonctionnement", amount=100
        )
        ActionFunding.objects.create(
            organization=tenant.organization, action=action, year=2025, funder="etat", amount=60
        )
        Engagement.objects.create(organization=tenant.organization, action=action, stakeholder=f"S{i}", level="appui")
        if i % 2 == 0:
            FollowUpFactory(action=action, status="en_cours", progress=20, started_on=datetime.date(2025, 1, 1))
            RealisedExpense.objects.create(
                organization=tenant.organization, action=action, year=2025, kind="fonctionnement", amount=40
            )
        IndicatorValueFactory(indicator=IndicatorFactory(roadmap=tenant.roadmap))
        questionnaire = QuestionnaireFactory(organization=tenant.organization, roadmap=tenant.roadmap, title=f"Q{i}")
        ResponseFactory(organization=tenant.organization, questionnaire=questionnaire)


def test_internal_indicators_in_a_fixed_number_of_queries(
    tenant_a: Tenant, tenant_b: Tenant, django_assert_num_queries: Any
) -> None:
    _populate(tenant_b, 2)  # another organisation's figures never count
    _populate(tenant_a, 2)
    with django_assert_num_queries(12):
        small = internal_indicators(tenant_a.roadmap)
    _populate(tenant_a, 6)  # 8 of each now
    with django_assert_num_queries(12):
        large = internal_indicators(tenant_a.roadmap)
    assert small.participation.meetings_held == 2 and large.participation.meetings_held == 8
    # One structure (serving seniors) per _populate call, present at every meeting of that call.
    assert large.participation.participants == 16 and large.participation.structures == 2
    assert large.actions_total == 8 and large.status_count("en_cours") == 4 and large.status_count("a_venir") == 4
    total = large.budget_total
    assert (total.planned, total.committed, total.realised) == (800, 400, 160)
    assert (total.financing_planned, total.financing_received) == (480, 0)
    assert large.engagements == [("En appui", 8)]
    # Two questionnaires of each title (two _populate calls), each counted on its own.
    assert len(large.questionnaire_responses) == 8 and large.questionnaire_responses[:2] == [("Q0", 1), ("Q1", 1)]
    assert large.families == [("Seniors", 2)]


def test_pages_keep_a_fixed_number_of_queries(tenant_a: Tenant, django_assert_max_num_queries: Any) -> None:
    client = tenant_a.client_for(tenant_a.admin)
    _populate(tenant_a, 2)
    client.get(reverse("evaluation:overview", kwargs=rm(tenant_a)))  # the session's first request does more
    counts = {}
    for size in ("small", "large"):
        for name in ("analysis", "follow_up", "framework"):
            with django_assert_max_num_queries(60) as context:
                assert client.get(reverse(f"evaluation:{name}", kwargs=rm(tenant_a))).status_code == 200
            counts[(size, name)] = len(context.captured_queries)
        _populate(tenant_a, 6)
    for name in ("analysis", "follow_up", "framework"):
        assert counts[("small", name)] == counts[("large", name)], name


def test_step_7_reports_what_is_really_done(tenant_a: Tenant, django_assert_num_queries: Any) -> None:
    step = roadmap_steps(tenant_a.roadmap)[7]
    assert step.status == "todo" and any("Cadrez" in str(m) for m in step.missing)
    from tests.evaluation.factories import EvaluationFactory

    EvaluationFactory(
        roadmap=tenant_a.roadmap,
        objectives="Rendre compte",
        targets="Élus",
        method="prospective",
        need="a",
        vision="b",
        activities="c",
        outputs="d",
        results="e",
        impact="f",
        question_object="la démarche",
        question_verb="a-t-elle",
        question_effect="créé",
        question_public="une dynamique",
    )
    weak = IndicatorFactory(roadmap=tenant_a.roadmap, precis=False)
    step = roadmap_steps(tenant_a.roadmap)[7]
    assert step.status == "in_progress"
    assert f"Évaluation cadrée{NB}: objectifs, cibles et méthode." in step.done
    assert "1 indicateur ne remplit pas encore les quatre critères." in step.missing
    assert any("Relevez" in str(m) for m in step.missing)
    weak.precis = True
    weak.save()
    IndicatorValueFactory(indicator=weak)
    step = roadmap_steps(tenant_a.roadmap)[7]
    assert step.status == "complete", step.missing
    assert "1 valeur relevée." in step.done


def test_follow_up_dates_are_checked(tenant_a: Tenant) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap)
    client = tenant_a.client_for(tenant_a.contributeur)
    url = reverse("evaluation:action_follow_up", kwargs={"action_pk": action.pk})
    future = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    cases = [
        (
            {"status": "realisee", "progress": "100", "started_on": "2025-05-01", "finished_on": "2025-04-01"},
            "La fin précède le début.",
        ),
        (
            {"status": "en_cours", "progress": "10", "started_on": future},
            "Une action ne peut pas avoir commencé dans le futur.",
        ),
        ({"status": "reportee", "progress": "0"}, "Indiquez à quand l'action est reportée."),
        (
            {"status": "en_cours", "progress": "140", "started_on": "2025-05-01"},
            "L'avancement est un pourcentage entier, de 0 à 100.",
        ),
    ]
    for data, message in cases:
        page = text(client.post(url, data | {"note": "Note gardée"}))
        assert message in page, message
        assert "Note gardée" in page
    assert not FollowUp.objects.exists()
