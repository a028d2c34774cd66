"""Reading a respondent's submitted form: each question's value, checked against its type, scale and options.

Refusals are French sentences per question; the raw values typed are kept so the page comes back filled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from questionnaires.models import TEXT_MAX_LENGTH, Kind, Question, format_number

# Beyond this, a number is a typo (and would not fit the column).
NUMBER_LIMIT = Decimal("9999999999")


def field_name(question: Question) -> str:
    return f"q-{question.pk}"


@dataclass
class Value:
    number: Decimal | None = None
    text: str = ""
    choices: list[str] = field(default_factory=list)


@dataclass
class Reading:
    values: dict[int, Value]  # question pk → value, for the questions answered
    errors: dict[int, str]  # question pk → why its value is refused
    typed: dict[int, list[str]]  # question pk → what was typed, to fill the form again

    @property
    def valid(self) -> bool:
        return not self.errors


def parse_number(raw: str) -> Decimal:
    """« 12 », « 12,5 », « 1 200 »: raises ValueError with the French reason."""
    cleaned = raw.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("Saisissez un nombre (par exemple 12 ou 12,5).")) from None
    if not value.is_finite():
        raise ValueError(_("Saisissez un nombre (par exemple 12 ou 12,5)."))
    if abs(value) > NUMBER_LIMIT:
        raise ValueError(_("Ce nombre est trop grand."))
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def read_one(question: Question, raw: list[str]) -> Value | None:
    """The value of one question (None: left blank); raises ValueError with the French reason."""
    raw = [r.strip() for r in raw if r.strip()]
    if not raw:
        if question.required:
            raise ValueError(_("Cette question est obligatoire : répondez-y pour envoyer le questionnaire."))
        return None
    if question.kind != Kind.MULTIPLE and len(raw) > 1:
        raise ValueError(_("Une seule réponse est attendue à cette question."))
    if question.kind == Kind.LIKERT:
        if raw[0] not in {"1", "2", "3", "4", "5"}:
            raise ValueError(_("Choisissez une valeur de l'échelle, de 1 à 5."))
        return Value(number=Decimal(raw[0]))
    if question.kind == Kind.NUMBER:
        number = parse_number(raw[0])
        low, high = question.min_value, question.max_value
        if (low is not None and number < low) or (high is not None and number > high):
            if low is not None and high is not None:
                message = _("Saisissez un nombre entre %(min)s et %(max)s.")
            elif low is not None:
                message = _("Saisissez un nombre supérieur ou égal à %(min)s.")
            else:
                message = _("Saisissez un nombre inférieur ou égal à %(max)s.")
            bounds = {
                "min": format_number(low) if low is not None else "",
                "max": format_number(high) if high is not None else "",
            }
            raise ValueError(message % bounds)
        return Value(number=number)
    if question.kind == Kind.SINGLE:
        if raw[0] not in question.choices:
            raise ValueError(_("Choisissez une des réponses proposées."))
        return Value(text=raw[0])
    if question.kind == Kind.MULTIPLE:
        if any(r not in question.choices for r in raw) or len(set(raw)) != len(raw):
            raise ValueError(_("Choisissez parmi les réponses proposées."))
        # Stored in the order of the options, whatever order the browser sent them in.
        return Value(choices=[c for c in question.choices if c in raw])
    if len(raw[0]) > TEXT_MAX_LENGTH:
        raise ValueError(
            _("Votre réponse dépasse %(max)s caractères : raccourcissez-la.")
            % {"max": f"{TEXT_MAX_LENGTH:,}".replace(",", "\u202f")}
        )
    return Value(text=raw[0])


def read_answers(questions: list[Question], data: QueryDict | dict[str, Any]) -> Reading:
    reading = Reading(values={}, errors={}, typed={})
    for question in questions:
        name = field_name(question)
        raw = data.getlist(name) if isinstance(data, QueryDict) else list(data.get(name, []))
        reading.typed[question.pk] = raw
        try:
            value = read_one(question, raw)
        except ValueError as error:
            reading.errors[question.pk] = str(error)
            continue
        if value is not None:
            reading.values[question.pk] = value
    return reading
