"""HTML to PDF with WeasyPrint, for every app's documents."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from documents import paged

Progress = Callable[[int], None]


def no_progress(_percent: int) -> None:
    """For a render nobody follows (a test, a command)."""
    return None


@dataclass
class Rendered:
    content: bytes
    pages: int | None = None
    render_seconds: float = 0.0  # the render's own time (layout and writing, joining the parts if any)


def html_to_pdf(html: str) -> Rendered:
    part = paged.render_part(html)
    return Rendered(part.content, part.pages, part.seconds)
