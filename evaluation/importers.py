"""Values of indicators imported from a CSV file: strict, all or nothing, every error named with its line.

Expected columns (header line, any order, case and accents ignored): indicateur (its reference such as I1.2, or
its exact label), date (JJ/MM/AAAA or AAAA-MM-JJ), valeur; optional: source, commentaire.
"""

from __future__ import annotations

import csv
import datetime
import io
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from evaluation.models import Indicator, IndicatorValue
from roadmap.models import Roadmap

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
REQUIRED = ("indicateur", "date", "valeur")
OPTIONAL = ("source", "commentaire")


@dataclass
class ParsedValues:
    values: list[IndicatorValue] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")  # Excel's « CSV » on Windows


def _date(text: str) -> datetime.date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text.strip(), pattern).date()  # noqa: DTZ007  # a date, no time
        except ValueError:
            continue
    return None


def _number(text: str) -> Decimal | None:
    cleaned = "".join(text.replace("\u202f", "").replace("\u00a0", "").split()).replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_values(roadmap: Roadmap, content: bytes) -> ParsedValues:
    """Read the file into unsaved IndicatorValue rows, or errors in French (line numbers as a spreadsheet shows)."""
    result = ParsedValues()
    if len(content) > MAX_BYTES:
        result.errors.append(_("Le fichier dépasse 2 Mo : découpez-le."))
        return result
    text = _decode(content)
    if not text.strip():
        result.errors.append(_("Le fichier est vide."))
        return result
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [_key(h) for h in next(reader)]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        for name in missing:
            result.errors.append(
                _(
                    "Ligne 1 : la colonne « %(name)s » manque "
                    "(attendu : indicateur ; date ; valeur ; source ; commentaire)."
                )
                % {"name": name}
            )
        return result
    column = {name: header.index(name) for name in REQUIRED + OPTIONAL if name in header}
    indicators = list(Indicator.objects.filter(roadmap=roadmap).select_related("effect", "roadmap"))
    by_ref = {_key(i.ref): i for i in indicators}
    by_label: dict[str, list[Indicator]] = {}
    for item in indicators:
        by_label.setdefault(_key(item.label), []).append(item)
    # Values already stored, to refuse a file imported twice (the charts would count every point double).
    seen = {
        (indicator_id, date, number, text.strip())
        for indicator_id, date, number, text in IndicatorValue.objects.filter(indicator__roadmap=roadmap).values_list(
            "indicator_id", "date", "number", "text"
        )
    }
    for line_number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if line_number - 1 > MAX_ROWS:
            result.errors.append(_("Plus de %(max)s lignes : découpez le fichier.") % {"max": MAX_ROWS})
            break

        def cell(name: str, row: list[str] = row) -> str:
            index = column.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        prefix = _("Ligne %(n)s : ") % {"n": line_number}
        wanted = cell("indicateur")
        indicator = by_ref.get(_key(wanted))
        if indicator is None:
            matches = by_label.get(_key(wanted), [])
            if len(matches) > 1:
                result.errors.append(
                    prefix
                    + _("plusieurs indicateurs s'appellent « %(name)s » : utilisez leur référence (I1.2…).")
                    % {"name": wanted}
                )
                continue
            indicator = matches[0] if matches else None
        if indicator is None:
            result.errors.append(prefix + _("indicateur « %(name)s » inconnu.") % {"name": wanted})
            continue
        if indicator.internal:
            result.errors.append(
                prefix
                + _("« %(name)s » est calculé par l'application : il ne se saisit pas.") % {"name": indicator.label}
            )
            continue
        if not cell("date"):
            result.errors.append(prefix + _("la date manque."))
            continue
        date = _date(cell("date"))
        if date is None:
            result.errors.append(
                prefix + _("date « %(value)s » illisible : écrivez JJ/MM/AAAA.") % {"value": cell("date")}
            )
            continue
        raw = cell("valeur")
        if not raw:
            result.errors.append(prefix + _("la valeur manque."))
            continue
        value = IndicatorValue(
            organization_id=roadmap.organization_id,
            indicator=indicator,
            date=date,
            source=cell("source")[:300],
            comment=cell("commentaire"),
        )
        if indicator.is_quantitative:
            number = _number(raw)
            if number is None:
                result.errors.append(
                    prefix
                    + _("« %(value)s » n'est pas un nombre, or « %(name)s » est un indicateur quantitatif.")
                    % {"value": raw, "name": indicator.label}
                )
                continue
            value.number = number
        else:
            value.text = raw
        try:
            value.full_clean(exclude=["organization", "created_by"])
        except ValidationError as error:
            for messages in error.message_dict.values():
                result.errors += [prefix + m[0].lower() + m[1:] for m in messages]
            continue
        key = (indicator.pk, date, value.number, value.text.strip())
        if key in seen:
            result.errors.append(
                prefix
                + _("cette valeur de « %(name)s » au %(date)s est déjà enregistrée (fichier importé deux fois ?).")
                % {"name": indicator.label, "date": date.strftime("%d/%m/%Y")}
            )
            continue
        seen.add(key)
        result.values.append(value)
    if not result.values and not result.errors:
        result.errors.append(_("Le fichier ne contient aucune valeur."))
    return result
