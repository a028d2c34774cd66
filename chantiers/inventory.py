"""Reading an inventory of existing and planned actions (CSV or XLSX) and checking every line before anything is
written: one bad line refuses the whole file, with each problem named by its line (chantiers.actions writes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO

from django.utils.translation import gettext as _

from chantiers.actions import InventoryRow
from chantiers.models import InventoryEntry, InventoryKind
from projectgroup.importers import ImportRefused, normalise, read_table
from roadmap.models import Roadmap

COLUMNS: dict[str, tuple[str, ...]] = {
    "enjeu": ("enjeu", "n enjeu", "numero enjeu", "question"),
    "kind": ("etat", "statut", "type", "existant ou prevu"),
    "title": ("intitule", "action", "titre", "nom"),
    "carrier": ("porte par", "porteur", "structure porteuse", "structure"),
    "description": ("description", "commentaire", "details"),
}
REQUIRED = ("enjeu", "kind", "title")
KINDS = {
    "existant": InventoryKind.EXISTANT,
    "existe": InventoryKind.EXISTANT,
    "existe deja": InventoryKind.EXISTANT,
    "en cours": InventoryKind.EXISTANT,
    "dans les cartons": InventoryKind.CARTONS,
    "cartons": InventoryKind.CARTONS,
    "prevu": InventoryKind.CARTONS,
    "en projet": InventoryKind.CARTONS,
}
MAX_TITLE = InventoryEntry._meta.get_field("title").max_length or 300
MAX_CARRIER = InventoryEntry._meta.get_field("carrier").max_length or 200


@dataclass
class Checked:
    rows: list[InventoryRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def check_file(roadmap: Roadmap, upload: IO[bytes], filename: str) -> Checked:
    """Every line of the file as an InventoryRow, or the list of what is wrong (then no row is kept)."""
    if not filename.lower().endswith((".csv", ".xlsx")):
        return Checked(errors=[_("Format non reconnu : envoyez un fichier CSV ou XLSX (Excel).")])
    try:
        headers, lines = read_table(upload, filename)
    except ImportRefused as refused:
        return Checked(errors=[str(refused)])
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = normalise(header)
        for key, aliases in COLUMNS.items():
            if name in aliases and key not in positions:
                positions[key] = index
    absent = [key for key in REQUIRED if key not in positions]
    if absent:
        names = {"enjeu": "enjeu", "kind": "état", "title": "intitulé"}
        return Checked(
            errors=[
                _(
                    "Colonnes manquantes : %(columns)s. La première ligne doit nommer les colonnes enjeu, état, "
                    "intitulé (porté par et description sont facultatives)."
                )
                % {"columns": ", ".join(names[a] for a in absent)}
            ]
        )
    enjeux = list(roadmap.enjeux.all())
    by_ref = {normalise(e.ref): e for e in enjeux} | {str(e.order): e for e in enjeux}
    by_question = {normalise(e.question): e for e in enjeux}
    checked = Checked()
    for number, line in enumerate(lines, start=2):

        def cell(key: str, line: list[str] = line) -> str:
            return line[positions[key]].strip() if key in positions else ""

        problems = []
        enjeu_text = cell("enjeu")
        enjeu = by_ref.get(normalise(enjeu_text)) or by_question.get(normalise(enjeu_text))
        if not enjeu_text:
            problems.append(_("l'enjeu est vide"))
        elif enjeu is None:
            problems.append(
                _("l'enjeu « %(value)s » n'existe pas dans cette feuille de route (écrivez E1, E2… ou la question)")
                % {"value": enjeu_text}
            )
        kind = KINDS.get(normalise(cell("kind")))
        if kind is None:
            problems.append(
                _("l'état « %(value)s » n'est pas reconnu (écrivez « existant » ou « dans les cartons »)")
                % {"value": cell("kind")}
            )
        title = cell("title")
        if not title:
            problems.append(_("l'intitulé est vide"))
        elif len(title) > MAX_TITLE:
            problems.append(_("l'intitulé dépasse %(max)d caractères") % {"max": MAX_TITLE})
        carrier = cell("carrier")
        if len(carrier) > MAX_CARRIER:
            problems.append(_("« porté par » dépasse %(max)d caractères") % {"max": MAX_CARRIER})
        if problems:
            checked.errors.append(
                _("Ligne %(line)d : %(problems)s.") % {"line": number, "problems": " ; ".join(problems)}
            )
        elif enjeu is not None and kind is not None:
            checked.rows.append(InventoryRow(enjeu, kind, title, carrier, cell("description")))
    if checked.errors:
        checked.rows = []
    return checked
