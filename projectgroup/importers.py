"""Reading a directory of structures (CSV, XLSX, or data·inclusion JSON), mapping its columns, checking each line
and spotting duplicates, before anything is written (projectgroup.actions.apply_import writes)."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projectgroup.models import Actor, ActorKind, Family
from tenancy.models import Organization
from territories.models import Commune

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024


class ImportRefused(Exception):
    """The file cannot be read at all; the message says why, in French."""


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str
    aliases: tuple[str, ...]  # normalised header names recognised for this field (data·inclusion's first)


FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "name", "Nom de la structure", ("nom", "name", "structure", "nom de la structure", "raison sociale", "lib_fs")
    ),
    ImportField("kind", "Type de structure", ("type", "type de structure", "typologie", "kind")),
    ImportField("siret", "SIRET", ("siret", "n siret", "numero siret", "pivot")),
    ImportField(
        "code_insee", "Code INSEE de la commune", ("code_insee", "code insee", "insee", "code commune", "insee_com")
    ),
    ImportField("commune", "Commune (nom)", ("commune", "ville", "localite", "lib_com")),
    ImportField("address", "Adresse", ("adresse", "address", "adresse postale")),
    ImportField("families", "Publics (panorama)", ("publics", "familles", "public", "publics accompagnes")),
    ImportField("tags", "Étiquettes", ("etiquettes", "tags", "mots cles", "thematiques")),
    ImportField("website", "Site internet", ("site_web", "site web", "site internet", "site", "website", "url")),
    ImportField("email", "Courriel", ("courriel", "courriels", "email", "e mail", "mail", "adresse electronique")),
    ImportField("phone", "Téléphone", ("telephone", "tel", "phone")),
    ImportField("latitude", "Latitude", ("latitude", "lat")),
    ImportField("longitude", "Longitude", ("longitude", "lon", "lng")),
)
FIELD_KEYS = tuple(f.key for f in FIELDS)


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation: how headers and names are compared."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9_]+", " ", text).strip()


def read_table(upload: IO[bytes], filename: str) -> tuple[list[str], list[list[str]]]:
    """The header and the lines of a CSV (any of , ; tab), XLSX or data·inclusion JSON file, as text."""
    headers, numbered = read_numbered_table(upload, filename)
    return headers, [row for _number, row in numbered]


def read_numbered_table(upload: IO[bytes], filename: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """As read_table, each line with its number as Excel or a text editor shows it (the header is line 1, blank
    lines counted though left out), so that an error report points at the right line."""
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportRefused(_("Le fichier dépasse 5 Mo : découpez-le en plusieurs fichiers."))
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        headers, rows = _read_xlsx(data)
    elif lower.endswith(".json"):
        headers, rows = _read_json(data)
    elif lower.endswith((".csv", ".txt")):
        headers, rows = _read_csv(data)
    else:
        raise ImportRefused(_("Format non reconnu : envoyez un fichier CSV, XLSX (Excel) ou JSON (data·inclusion)."))
    headers = [h.strip() for h in headers]
    if not any(headers):
        raise ImportRefused(_("La première ligne du fichier doit donner le nom des colonnes."))
    numbered = [(n, r) for n, r in enumerate(rows, start=2) if any(cell.strip() for cell in r)]
    if not numbered:
        raise ImportRefused(_("Le fichier ne contient aucune ligne sous les noms de colonnes."))
    if len(numbered) > MAX_ROWS:
        raise ImportRefused(_("Le fichier compte plus de 5 000 lignes : découpez-le en plusieurs fichiers."))
    width = len(headers)
    return headers, [(n, (r + [""] * width)[:width]) for n, r in numbered]


def _read_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise ImportRefused(_("Encodage du fichier non reconnu : enregistrez-le en CSV UTF-8."))
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    lines = list(csv.reader(io.StringIO(text), dialect))
    if not lines:
        raise ImportRefused(_("Le fichier est vide."))
    return lines[0], lines[1:]


def _read_xlsx(data: bytes) -> tuple[list[str], list[list[str]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds of errors on a damaged file
        raise ImportRefused(_("Ce fichier Excel ne peut pas être lu : est-ce bien un classeur .xlsx ?")) from error
    sheet = book.worksheets[0]
    lines = [["" if v is None else _cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    if not lines:
        raise ImportRefused(_("La première feuille du classeur est vide."))
    return lines[0], lines[1:]


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_json(data: bytes) -> tuple[list[str], list[list[str]]]:
    """A list of structures in the data·inclusion schema (schemas/data-inclusion_*_structure.json)."""
    try:
        items = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportRefused(_("Ce fichier JSON ne peut pas être lu.")) from error
    if isinstance(items, dict):
        items = items.get("items") or items.get("structures") or [items]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ImportRefused(_("Le fichier JSON doit contenir une liste de structures (schéma data·inclusion)."))
    headers: list[str] = []
    for item in items:
        headers.extend(k for k in item if k not in headers)
    rows = [[_json_cell(item.get(h)) for h in headers] for item in items]
    return headers, rows


def _json_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """For each field, the column whose header names it ("" when none)."""
    by_name = {normalise(h).replace("_", " "): h for h in headers}
    mapping = {}
    for f in FIELDS:
        mapping[f.key] = next((by_name[a.replace("_", " ")] for a in f.aliases if a.replace("_", " ") in by_name), "")
    # A data·inclusion file has both « commune » and « code_insee »: the code wins, the name is kept as a fallback.
    return mapping


@dataclass
class Line:
    number: int  # the line in the file (the header is line 1)
    values: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    duplicate_of: Actor | None = None
    duplicate_reason: str = ""
    same_as_line: int | None = None  # a duplicate of an earlier line of the same file

    @property
    def name(self) -> str:
        return str(self.values.get("name", ""))


KIND_WORDS = {
    ActorKind.COLLECTIVITE: ("collectivite", "commune", "mairie", "intercommunalite", "departement", "region"),
    ActorKind.SERVICE_PUBLIC: ("service public", "france services", "caf", "cpam", "france travail", "msa"),
    ActorKind.ASSOCIATION: ("association", "asso"),
    ActorKind.ENTREPRISE: ("entreprise", "societe", "sarl", "sas", "scop"),
    ActorKind.ETABLISSEMENT: ("etablissement", "ecole", "college", "lycee", "ehpad", "hopital"),
}


def _kind(text: str) -> str | None:
    word = normalise(text)
    if not word:
        return ActorKind.AUTRE
    for value, label in ActorKind.choices:
        if word in (value, normalise(str(label))):
            return value
    for kind, words in KIND_WORDS.items():
        if any(w in word for w in words):
            return kind
    return None


def _families(text: str) -> tuple[list[str], list[str]]:
    found, unknown = [], []
    by_word = {normalise(str(label)): value for value, label in Family.choices} | {v: v for v in Family.values}
    by_word |= {"jeunes": Family.JEUNES, "seniors": Family.SENIORS, "familles": Family.FAMILLES}
    for part in re.split(r"[;,|/]", text):
        word = normalise(part).replace(" ", "_") if "_" in part else normalise(part)
        if not word:
            continue
        value = by_word.get(word) or by_word.get(word.replace(" ", "_"))
        if value is None:
            unknown.append(part.strip())
        elif value not in found:
            found.append(value)
    return found, unknown


def analyse(
    organization: Organization, headers: list[str], rows: list[list[str]], mapping: dict[str, str]
) -> list[Line]:
    """Each line checked and matched against the directory and the earlier lines, in at most four queries."""
    index = {h: i for i, h in enumerate(headers)}

    def cell(row: list[str], key: str) -> str:
        column = mapping.get(key, "")
        return row[index[column]].strip() if column in index else ""

    raw = [{key: cell(row, key) for key in FIELD_KEYS} for row in rows]
    for values in raw:  # several addresses in one cell (« a@x.fr|b@x.fr »): the first one
        for key in ("email", "website", "phone"):
            values[key] = re.split(r"[|;,]", values[key])[0].strip() if values[key] else ""
    codes = {r["code_insee"] for r in raw if r["code_insee"]}
    names = {normalise(r["commune"]) for r in raw if r["commune"] and not r["code_insee"]}
    communes = {c.code: c for c in Commune.objects.filter(code__in=codes)}  # query 1
    communes_by_name: dict[str, list[Commune]] = {}
    if names:
        # Names are compared without accents or punctuation: the communes of the organisation's départements (all
        # of them when it has no territory yet) are read once, two columns only.
        departements = Commune.objects.filter(territories__organization=organization).values("departement")
        candidates = Commune.objects.only("code", "name")
        if departements.exists():  # query 2
            candidates = candidates.filter(departement__in=departements)
        for candidate in candidates:  # query 3
            if normalise(candidate.name) in names:
                communes_by_name.setdefault(normalise(candidate.name), []).append(candidate)
    existing = list(organization.actors.only("pk", "organization_id", "name", "siret", "commune_id"))  # query 4
    by_siret = {a.siret: a for a in existing if a.siret}
    by_name = {(normalise(a.name), a.commune_id): a for a in existing}

    lines: list[Line] = []
    seen_siret: dict[str, int] = {}
    seen_name: dict[tuple[str, str | None], int] = {}
    url_ok, email_ok = URLValidator(), EmailValidator()
    for offset, values in enumerate(raw):
        line = Line(number=offset + 2, values=dict(values))
        if not values["name"]:
            line.errors.append(_("le nom de la structure manque"))
        if len(values["name"]) > 250:
            line.errors.append(_("le nom dépasse 250 caractères"))
        siret = re.sub(r"\s", "", values["siret"])
        if siret and not re.fullmatch(r"\d{14}", siret):
            line.errors.append(_("le SIRET « %(value)s » ne compte pas 14 chiffres") % {"value": values["siret"]})
        line.values["siret"] = siret
        kind = _kind(values["kind"])
        if kind is None:
            line.errors.append(_("type de structure « %(value)s » inconnu") % {"value": values["kind"]})
        line.values["kind"] = kind or ActorKind.AUTRE
        commune: Commune | None = None
        if values["code_insee"]:
            commune = communes.get(values["code_insee"].zfill(5))
            if commune is None:
                line.errors.append(_("code INSEE « %(value)s » inconnu") % {"value": values["code_insee"]})
        elif values["commune"]:
            matches = communes_by_name.get(normalise(values["commune"]), [])
            if len(matches) == 1:
                commune = matches[0]
            elif matches:
                line.errors.append(
                    _("plusieurs communes s'appellent « %(value)s » : donnez le code INSEE")
                    % {"value": values["commune"]}
                )
            else:
                line.errors.append(_("commune « %(value)s » introuvable") % {"value": values["commune"]})
        line.values["commune"] = commune
        families, unknown = _families(values["families"])
        if unknown:
            line.errors.append(_("public « %(value)s » inconnu") % {"value": ", ".join(unknown)})
        line.values["families"] = families
        line.values["tags"] = [t.strip()[:60] for t in re.split(r"[;,|]", values["tags"]) if t.strip()]
        if values["website"]:
            website = values["website"] if "://" in values["website"] else f"https://{values['website']}"
            try:
                url_ok(website)
                line.values["website"] = website
            except ValidationError:
                line.errors.append(_("adresse de site « %(value)s » invalide") % {"value": values["website"]})
        if values["email"]:
            try:
                email_ok(values["email"])
            except ValidationError:
                line.errors.append(_("courriel « %(value)s » invalide") % {"value": values["email"]})
        for coordinate, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
            text = values[coordinate].replace(",", ".")
            if not text:
                line.values[coordinate] = None
                continue
            try:
                number = float(text)
                if not low <= number <= high:
                    raise ValueError
                line.values[coordinate] = number
            except ValueError:
                line.values[coordinate] = None
                line.errors.append(_("%(field)s « %(value)s » invalide") % {"field": coordinate, "value": text})
        # Duplicates: same SIRET, or same name in the same commune, in the directory or earlier in the file.
        identity = (normalise(values["name"]), commune.pk if commune else None)
        if siret and siret in by_siret:
            line.duplicate_of, line.duplicate_reason = by_siret[siret], _("même SIRET")
        elif identity in by_name:
            line.duplicate_of, line.duplicate_reason = by_name[identity], _("même nom dans la même commune")
        if siret and siret in seen_siret:
            line.same_as_line = seen_siret[siret]
        elif values["name"] and identity in seen_name:
            line.same_as_line = seen_name[identity]
        if line.same_as_line:
            line.errors.append(_("même structure que la ligne %(line)d") % {"line": line.same_as_line})
        if siret:
            seen_siret.setdefault(siret, line.number)
        seen_name.setdefault(identity, line.number)
        lines.append(line)
    return lines


def error_report(lines: list[Line]) -> list[str]:
    """One French sentence per faulty line."""
    return [
        _("Ligne %(line)d : %(errors)s.") % {"line": line.number, "errors": "\u00a0; ".join(line.errors)}
        for line in lines
        if line.errors
    ]


# --- Contacts (people) ------------------------------------------------------------------------------------------

CONTACT_FIELDS: tuple[ImportField, ...] = (
    ImportField("full_name", "Nom et prénom", ("nom et prenom", "nom prenom", "prenom nom", "nom complet", "contact")),
    ImportField("last_name", "Nom", ("nom", "nom de famille")),
    ImportField("first_name", "Prénom", ("prenom",)),
    ImportField("structure", "Structure", ("structure", "organisme", "employeur", "nom de la structure")),
    ImportField("function", "Fonction", ("fonction", "poste", "role")),
    ImportField("email", "Courriel", ("courriel", "email", "e mail", "mail", "adresse electronique")),
    ImportField("phone", "Téléphone", ("telephone", "tel", "portable", "phone")),
    ImportField("consent", "Accord", ("accord", "consentement", "accord pour etre contacte")),
    ImportField("do_not_contact", "Ne plus contacter", ("ne plus contacter", "ne pas contacter", "opposition")),
)
YES = {"oui", "o", "x", "1", "vrai", "yes"}
NO = {"non", "n", "0", "faux", "no", ""}
MAX_REPORTED = 50


@dataclass
class ContactLine:
    number: int
    full_name: str
    structure: str
    function: str
    email: str
    phone: str
    consent: bool
    do_not_contact: bool


def _columns(headers: list[str], fields: tuple[ImportField, ...]) -> dict[str, int]:
    by_name = {normalise(h).replace("_", " "): i for i, h in enumerate(headers) if h}
    found: dict[str, int] = {}
    for f in fields:
        index = next((by_name[a] for a in f.aliases if a in by_name), None)
        if index is not None and index not in found.values():
            found[f.key] = index
    return found


def analyse_contacts(
    headers: list[str], numbered: list[tuple[int, list[str]]], organization: Organization
) -> tuple[list[ContactLine], list[str]]:
    """Every line of a contacts file checked before anything is written: the lines, and one French sentence per
    faulty line (numbered as Excel shows it). Any fault: nothing is imported."""
    columns = _columns(headers, CONTACT_FIELDS)
    if "full_name" not in columns and "last_name" not in columns:
        raise ImportRefused(
            _("Aucune colonne ne donne le nom des personnes : nommez-la « Nom et prénom » (ou « Nom » et « Prénom »).")
        )
    known = {
        email.lower(): name for email, name in organization.contacts.exclude(email="").values_list("email", "full_name")
    }
    seen: dict[str, int] = {}
    lines: list[ContactLine] = []
    errors: list[str] = []
    validate_email = EmailValidator()

    def cell(row: list[str], key: str) -> str:
        return " ".join(row[columns[key]].split()) if key in columns else ""

    for number, row in numbered:
        faults = []
        name = cell(row, "full_name") or " ".join(p for p in (cell(row, "first_name"), cell(row, "last_name")) if p)
        if not name:
            faults.append(_("le nom est vide"))
        elif len(name) > 200:
            faults.append(_("le nom dépasse 200 caractères"))
        email = cell(row, "email").lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                faults.append(_("« %(email)s » n'est pas une adresse électronique valide") % {"email": email})
            else:
                if email in seen:
                    faults.append(
                        _("l'adresse « %(email)s » figure déjà ligne %(line)d") % {"email": email, "line": seen[email]}
                    )
                elif email in known:
                    faults.append(
                        _("« %(email)s » est déjà dans l'annuaire (%(name)s)") % {"email": email, "name": known[email]}
                    )
                seen.setdefault(email, number)
        flags = {}
        for key, label in (("consent", _("Accord")), ("do_not_contact", _("Ne plus contacter"))):
            value = normalise(cell(row, key))
            if value not in YES | NO:
                faults.append(
                    _("colonne « %(column)s » : écrivez « oui » ou « non » (et non « %(value)s »)")
                    % {"column": label, "value": cell(row, key)}
                )
            flags[key] = value in YES
        for key, label, size in (
            ("function", _("Fonction"), 200),
            ("structure", _("Structure"), 250),
            ("phone", _("Téléphone"), 30),
        ):
            if len(cell(row, key)) > size:
                faults.append(
                    _("colonne « %(column)s » : %(size)d caractères au plus") % {"column": label, "size": size}
                )
        if faults:
            errors.append(_("Ligne %(line)d : %(errors)s.") % {"line": number, "errors": "\u00a0; ".join(faults)})
            continue
        lines.append(
            ContactLine(
                number,
                name,
                cell(row, "structure"),
                cell(row, "function"),
                email,
                cell(row, "phone"),
                flags["consent"],
                flags["do_not_contact"],
            )
        )
    if len(errors) > MAX_REPORTED:
        more = len(errors) - MAX_REPORTED
        errors = errors[:MAX_REPORTED] + [
            ngettext("… et %(count)d autre ligne en erreur.", "… et %(count)d autres lignes en erreur.", more)
            % {"count": more}
        ]
    return lines, errors
