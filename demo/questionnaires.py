"""The questionnaires' part of `manage.py demo` (called by demo.data): a before/after pair with answers."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from questionnaires import actions
from questionnaires.answering import Value
from questionnaires.models import Kind, Question, Questionnaire, Response
from roadmap.models import Roadmap

TITLE = "Premiers pas numériques : avant le cycle d'ateliers"
PARIS = ZoneInfo("Europe/Paris")
QUESTIONS: list[dict[str, object]] = [
    {"kind": Kind.LIKERT, "label": "Je sais envoyer un courriel avec une pièce jointe"},
    {"kind": Kind.LIKERT, "label": "Je fais mes démarches administratives en ligne sans aide"},
    {"kind": Kind.LIKERT, "label": "Je me sens en confiance face aux arnaques en ligne"},
    {
        "kind": Kind.SINGLE,
        "label": "Comment avez-vous connu les ateliers ?",
        "choices": ["Mairie", "France services", "Bouche-à-oreille", "Affiche"],
    },
    {
        "kind": Kind.MULTIPLE,
        "label": "Quels usages voulez-vous travailler ?",
        "choices": ["Courriel", "Impôts et CAF", "Santé (Ameli, Doctolib)", "Visio avec la famille", "Banque"],
        "required": False,
    },
    {
        "kind": Kind.NUMBER,
        "label": "Combien d'heures par semaine utilisez-vous un ordinateur ou une tablette ?",
        "min_value": Decimal(0),
        "max_value": Decimal(80),
        "required": False,
    },
    {"kind": Kind.TEXT, "label": "Qu'attendez-vous des ateliers ?", "required": False},
]
EXPECTATIONS = [
    "Pouvoir parler avec mes petits-enfants en visio.",
    "Ne plus dépendre de ma voisine pour mes papiers.",
    "Comprendre comment éviter les faux messages.",
    "Prendre mes rendez-vous médicaux seule.",
    "",
]


def _values(questions: list[Question], rng: random.Random, progress: int) -> dict[int, Value]:
    values: dict[int, Value] = {}
    for question in questions:
        if question.kind == Kind.LIKERT:
            values[question.pk] = Value(number=Decimal(min(5, max(1, rng.randint(1, 3) + progress))))
        elif question.kind == Kind.SINGLE:
            values[question.pk] = Value(text=rng.choice(question.choices))
        elif question.kind == Kind.MULTIPLE:
            values[question.pk] = Value(choices=[c for c in question.choices if rng.random() < 0.4])
        elif question.kind == Kind.NUMBER:
            values[question.pk] = Value(number=Decimal(rng.randint(0, 4) + 2 * progress))
        else:
            text = rng.choice(EXPECTATIONS)
            if text:
                values[question.pk] = Value(text=text)
    return {pk: v for pk, v in values.items() if v.number is not None or v.text or v.choices}


@transaction.atomic
def build_questionnaires_demo(roadmap: Roadmap) -> str:
    """Idempotent: the pair is made once per roadmap."""
    existing = Questionnaire.objects.filter(organization_id=roadmap.organization_id, roadmap=roadmap, title=TITLE)
    if existing.exists():
        before = existing.get()
    else:
        before = actions.create_questionnaire(
            roadmap,
            title=TITLE,
            intro="Sept questions, trois minutes. Vos réponses sont anonymes : le code remis sert seulement à "
            "comparer vos réponses d'avant et d'après le cycle.",
        )
        for fields in QUESTIONS:
            actions.add_question(before, **fields)
        after = actions.create_after(before)
        after.title = "Premiers pas numériques : après le cycle d'ateliers"
        after.save(update_fields=["title"])
        codes = actions.add_codes(before, 14)
        rng = random.Random(2026)  # noqa: S311 - demo data, the same at each run
        before_questions = list(before.questions.all())
        after_questions = list(after.questions.all())
        for index, code in enumerate(codes[:12]):
            actions.submit(before, _values(before_questions, rng, 0), code=code)
            if index < 9:  # three people left before the end of the cycle
                actions.submit(after, _values(after_questions, rng, 2), code=code)
        # The « avant » ran in March, the « après » opened in June.
        march = datetime(2026, 3, 2, 9, 0, tzinfo=PARIS)
        Response.objects.filter(questionnaire=before).update(submitted_at=march + timedelta(hours=1))
        Response.objects.filter(questionnaire=after).update(submitted_at=datetime(2026, 6, 8, 11, 0, tzinfo=PARIS))
        Questionnaire.objects.filter(pk=before.pk).update(opens_at=march, closes_at=march + timedelta(days=14))
        # The « après » stays open: the last participants still answer.
        Questionnaire.objects.filter(pk=after.pk).update(opens_at=datetime(2026, 6, 1, 9, 0, tzinfo=PARIS))
    after = Questionnaire.objects.get(before=before)
    return (
        f"Questionnaires : « {before.title} » ({before.responses.count()} réponses) et son « après » "
        f"({after.responses.count()} réponses, appariées par code)."
    )
