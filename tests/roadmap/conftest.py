"""Fixtures of the roadmap tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from documents import paged
from fiches import exports


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Files written by a test (exports, versions' PDFs) go to its own temporary folder."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def in_parts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Render PDFs in parts from two fiches on, one fiche per part, with two processes; records each joined render
    (the number of pages of each), so that a test knows the parts were used."""
    monkeypatch.setattr(exports, "PARTS_FROM_FICHES", 2)
    monkeypatch.setattr(exports, "FICHES_PER_PART", (1, 1))
    monkeypatch.setenv("PDF_RENDER_PROCESSES", "2")
    joined_pages: list[int] = []
    render_joined = paged.render_joined

    def recording(*args: Any, **kwargs: Any) -> paged.Joined:
        joined = render_joined(*args, **kwargs)
        joined_pages.append(joined.pages)
        return joined

    monkeypatch.setattr(paged, "render_joined", recording)
    return joined_pages
