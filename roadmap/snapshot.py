"""The frozen content of an adopted version: the roadmap document as JSON, fiches included."""

from __future__ import annotations

from typing import Any

from roadmap.document import roadmap_document
from roadmap.models import Roadmap


def snapshot(roadmap: Roadmap) -> dict[str, Any]:
    return roadmap_document(roadmap)
