"""Fixtures of the steps 1–2 tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Files written by a test (uploads, exports) go to its own temporary folder."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def text(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def data_dir() -> Path:
    """The real sample files of Dordogne (CAP_DATA_DIR): part of the test environment, their absence fails."""
    folder = Path(settings.CAP_DATA_DIR)
    if not (folder / "epci_composition_24_dordogne_2024.csv").exists():
        pytest.fail(f"Données de test absentes : {folder} (CAP_DATA_DIR) doit contenir les fichiers de SOURCES.md.")
    return folder
