"""What the diagnostic adds to the documents of other steps: its synthesis in the roadmap (fiches.document)."""

from __future__ import annotations

from diagnostics.synthesis import for_roadmap
from fiches.document import provides_diagnostic_synthesis

provides_diagnostic_synthesis(for_roadmap)
