from datetime import datetime
from decimal import Decimal
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from documents.typography import french_date, quarter_span, unbreakable_numbers
from fiches import budget

register = template.Library()


@register.filter
def euros(value: Decimal | None) -> str:
    """« 12 345 € », or with cents when there are some."""
    return budget.euros(value)


@register.filter
def euros_cents(value: Decimal | None) -> str:
    return budget.euros(value, cents=True)


@register.filter
def pct(value: Decimal | None) -> str:
    return budget.percent_text(value)


@register.filter
def lines(value: str) -> list[str]:
    """The non-empty lines of a text, e.g. key activities written one per line."""
    return [line.strip(" -•\t") for line in (value or "").splitlines() if line.strip(" -•\t")]


@register.filter
def frdate(value: Any) -> str:
    """An ISO date or datetime (as stored in documents) or a date object, as « 23 novembre 2026 »."""
    if not value:
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return french_date(value.date() if isinstance(value, datetime) else value)


@register.filter
def etp(value: Any) -> str:
    if value in (None, ""):
        return ""
    number = Decimal(str(value)).normalize()
    return f"{number:f}".replace(".", ",") + "\u00a0" + str(_("ETP"))


@register.filter
def gantt_cells(step: dict[str, Any], years: list[int]) -> list[bool]:
    """One boolean per quarter of the roadmap's years: is the step running then?"""
    start, length = int(step["start"]), int(step["length"])
    return [start <= i < start + length for i in range(len(years) * 4)]


@register.filter
def mul4(value: int) -> int:
    return int(value) * 4


@register.filter
def thousands(value: Any) -> str:
    """« 12 345 » with a narrow no-break space, the French way."""
    if value in (None, ""):
        return "—"
    return budget.euros(Decimal(value)).removesuffix("\u00a0€")


@register.filter
def euros_cell(value: Any) -> str:
    """A cell of a money grid: a dash for nothing, so the amounts stand out."""
    if value in (None, "") or not Decimal(value):
        return "–"
    return budget.euros(value)


@register.filter
def single_gantt_row(fiche: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]], str]]:
    return [("", fiche["bars"], "")]


@register.filter
def timeline_rows(fiches: list[dict[str, Any]], link: bool = False) -> list[tuple[str, list[dict[str, Any]], str]]:
    """One group per action (its title, its bars, its fiche's address on screen)."""
    return [
        (
            f"{f['ref']} · {f['title']}",
            f["bars"],
            reverse("fiches:fiche", kwargs={"action_pk": f["pk"]}) if link else "",
        )
        for f in fiches
    ]


@register.filter
def doc_status(document: dict[str, Any]) -> dict[str, Any]:
    """The status of a roadmap document (fiches.status): its cover's line and the mark of every page."""
    from fiches.status import document_status

    return document_status(document).as_dict()


@register.simple_tag
def roadmap_status(roadmap: Any) -> dict[str, Any]:
    """The status of the live roadmap, for a document of a step (`{% roadmap_status roadmap as status %}`)."""
    from fiches.status import roadmap_status as status_of

    return status_of(roadmap).as_dict()


@register.filter
def evaluation_lines(document: dict[str, Any]) -> list[str]:
    """The section « Modalités d'évaluation »: the fiches with and without indicators, the evaluation framework."""
    from fiches.document import evaluation_lines as lines_of

    return lines_of(document)


@register.filter
def quarters(span: str) -> str:
    """A step's span on paper: « T1 2026 » for one quarter, never split across lines."""
    return quarter_span(span)


@register.filter
def numbers(text: str) -> str:
    """An élu's text with its numbers kept with their units (« 3 réunions » on one line)."""
    return unbreakable_numbers(text)


@register.filter
def referents_label(referents: str) -> str:
    """« Personne référente » or « Personnes référentes », from the lines of the fiche's referents."""
    return referents_label_text(referents)


def referents_label_text(referents: str) -> str:
    n = len([line for line in (referents or "").splitlines() if line.strip()])
    return ngettext("Personne référente et coordonnées", "Personnes référentes et coordonnées", n)
