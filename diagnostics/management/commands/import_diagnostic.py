"""`manage.py import_diagnostic --data-dir DIR [--departement 24]`: the diagnostic's reference data of a folder."""

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
            nargs=2,
            action="append",
            metavar=("TYPE", "NOM"),
            help=f"Un fichier précis à importer ; types : {', '.join(IMPORTERS)}. Répétable.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = Path(options["data_dir"] or settings.CAP_DATA_DIR)
        if not data_dir.is_dir():
            raise CommandError(f"Dossier introuvable : {data_dir}")
        files = [tuple(f) for f in options["file"]] if options["file"] else None
        for kind, _name in files or []:
            if kind not in IMPORTERS:
                raise CommandError(f"Type de fichier inconnu : {kind} (types : {', '.join(IMPORTERS)}).")
        try:
            results = import_folder(data_dir, Scope.for_departements(options["departement"]), files)
        except ImportFileError as error:
            raise CommandError(f"Rien n'a été importé. {error}") from error
        for result in results:
            self.stdout.write(result.summary())
