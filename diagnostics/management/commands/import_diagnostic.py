"""`manage.py import_diagnostic --data-dir DIR [--departement 24]`: the diagnostic's national reference data.

The operator's tool (schedulable, e.g. by cron): only this command writes the shared reference; each file loaded
is recorded (`ReferenceLoad`: source, vintage, rows, SHA-256). Organisations upload their own data in the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from diagnostics.importers import IMPORTERS, ImportFileError, Scope, import_folder


class Command(BaseCommand):
    help = "Importe les données du diagnostic territorial (communes, EPCI, INSEE, IFN, ARCEP, lieux) d'un dossier."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, default=None, help="Dossier des fichiers (CAP_DATA_DIR).")
        parser.add_argument("--departement", default="24", help="Code du département à garder (24 par défaut).")
        parser.add_argument(
            "--file",
            nargs="+",
            action="append",
            metavar="TYPE NOM [MILLÉSIME]",
            help=(
                f"Un fichier précis à importer ; types : {', '.join(IMPORTERS)}. Le millésime est demandé pour un "
                "fichier qui ne porte pas sa date (France services). Répétable."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = Path(options["data_dir"] or settings.CAP_DATA_DIR)
        if not data_dir.is_dir():
            raise CommandError(f"Dossier introuvable : {data_dir}")
        files: list[tuple[str, str, str]] | None = None
        if options["file"]:
            files = []
            for given in options["file"]:
                if len(given) not in (2, 3):
                    raise CommandError("--file attend un type, un nom de fichier et, au besoin, un millésime.")
                files.append((given[0], given[1], given[2] if len(given) == 3 else ""))
        for kind, _name, _vintage in files or []:
            if kind not in IMPORTERS:
                raise CommandError(f"Type de fichier inconnu : {kind} (types : {', '.join(IMPORTERS)}).")
        try:
            results = import_folder(data_dir, Scope.for_departements(options["departement"]), files)
        except ImportFileError as error:
            raise CommandError(f"Rien n'a été importé. {error}") from error
        for result in results:
            self.stdout.write(f"{result.summary()} — {result.source} — {result.vintage}")
