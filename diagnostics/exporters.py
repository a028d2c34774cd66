"""What the diagnostic adds to the documents of other steps: its synthesis in the roadmap (fiches.document)."""

from __future__ import annotations

from typing import Any

from diagnostics import synthesis
from fiches.document import provides_diagnostic_synthesis
from roadmap.models import Roadmap


@provides_diagnostic_synthesis
def roadmap_synthesis(roadmap: Roadmap) -> Any:
    return synthesis.for_roadmap(roadmap)
