"""Fixtures of the questionnaire tests: a questionnaire with one question of each type."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from questionnaires import actions
from questionnaires.models import Kind, Mode, Question, Questionnaire
from tenancy.throttle import address_key
from tests.conftest import Tenant


def make_questionnaire(tenant: Tenant, mode: str = Mode.OPEN, **fields: Any) -> Questionnaire:
    """« Ateliers numériques » with five questions: Likert, single, multiple, number (0–120), free text."""
    questionnaire = actions.create_questionnaire(
        tenant.roadmap, title=fields.pop("title", "Ateliers numériques : votre avis"), mode=mode, **fields
    )
    actions.add_question(questionnaire, kind=Kind.LIKERT, label="Je me sens à l'aise pour faire mes démarches en ligne")
    actions.add_question(
        questionnaire,
        kind=Kind.SINGLE,
        label="Comment avez-vous connu l'atelier ?",
        choices=["Mairie", "CCAS", "Affiche"],
    )
    actions.add_question(
        questionnaire,
        kind=Kind.MULTIPLE,
        label="Quels usages voulez-vous travailler ?",
        choices=["Courriel", "Impôts", "Santé", "Visio"],
        required=False,
    )
    actions.add_question(
        questionnaire, kind=Kind.NUMBER, label="Votre âge", min_value=Decimal(0), max_value=Decimal(120), required=False
    )
    actions.add_question(questionnaire, kind=Kind.TEXT, label="Une remarque ?", required=False)
    return questionnaire


def questions_of(questionnaire: Questionnaire) -> list[Question]:
    return list(questionnaire.questions.order_by("position"))


def filled(questionnaire: Questionnaire, **overrides: Any) -> dict[str, Any]:
    """A complete valid answer as the browser posts it; overrides by kind name (likert=…, text=…)."""
    qs = {q.kind: q for q in questions_of(questionnaire)}
    values: dict[str, Any] = {
        Kind.LIKERT: "4",
        Kind.SINGLE: "CCAS",
        Kind.MULTIPLE: ["Courriel", "Santé"],
        Kind.NUMBER: "67",
        Kind.TEXT: "Très utile, merci à l'animatrice.",
    }
    values.update(overrides)
    return {f"q-{qs[kind].pk}": value for kind, value in values.items() if value is not None}


@pytest.fixture(autouse=True)
def clear_throttles() -> None:
    """The throttle counters live in the shared cache: each test starts with none."""
    request = RequestFactory().get("/")
    cache.delete_many([address_key(scope, request) for scope in ("questionnaires:misses", "questionnaires:open")])
