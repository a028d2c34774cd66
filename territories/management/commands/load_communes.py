from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from territories.communes import COMMUNES_GEOJSON, CommuneFileError, load_communes


class Command(BaseCommand):
    help = "Charge ou met à jour le référentiel des communes (code INSEE, nom, EPCI, population, contour)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, default=None, help="Dossier des données (CAP_DATA_DIR).")
        parser.add_argument("--file", type=Path, default=None, help="Un fichier GeoJSON de communes.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"] or Path(options["data_dir"] or settings.CAP_DATA_DIR) / COMMUNES_GEOJSON
        if not path.exists():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            count = load_communes(path)
        except CommuneFileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"{count} communes chargées depuis {path}."))
