from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from diagnostics.importers import ImportResult, Scope, import_folder


@pytest.fixture
def data_dir() -> Path:
    """The real sample files: part of the test environment, so their absence fails (never skips)."""
    folder = Path(settings.CAP_DATA_DIR)
    if not (folder / "epci_composition_24_dordogne_2024.csv").exists():
        pytest.fail(f"Données de test absentes : {folder} (CAP_DATA_DIR) doit contenir les fichiers de SOURCES.md.")
    return folder


@pytest.fixture
def dordogne(db: None, data_dir: Path) -> list[ImportResult]:
    """All of Dordogne imported from the real files."""
    return import_folder(data_dir, Scope.for_departements("24"))
