"""The workshop templates carry no inline style or script: CSS and JavaScript come from workshops/static/workshops/.

A page served with a strict Content-Security-Policy (no 'unsafe-inline') then works as it does today; values for
scripts go through `{{ value|json_script:"id" }}`, dynamic sizes through data attributes read by live.js.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import workshops

TEMPLATES = Path(workshops.__file__).parent / "templates"

STYLE_ATTRIBUTE = re.compile(r"""<[^>]*\sstyle\s*=""", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"""<[^>]*\son[a-z]+\s*=""", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""=\s*["']?\s*javascript:""", re.IGNORECASE)
SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)


def inline_code(source: str) -> list[str]:
    """What a strict Content-Security-Policy would block: style attributes, script bodies, on… handlers."""
    found = [match.group(0) for match in STYLE_ATTRIBUTE.finditer(source)]
    found += [match.group(0) for match in EVENT_HANDLER.finditer(source)]
    found += [match.group(0) for match in JAVASCRIPT_URL.finditer(source)]
    found += [match.group(0) for match in SCRIPT.finditer(source) if match.group(1).strip()]
    return found


def test_the_templates_are_found() -> None:
    names = {path.name for path in TEMPLATES.rglob("*.html")}
    assert {"projector.html", "presenter.html", "plenary.html", "workshop_detail.html", "phone.html"} <= names


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: path.name)
def test_no_inline_style_nor_script(path: Path) -> None:
    assert inline_code(path.read_text()) == [], f"{path.relative_to(TEMPLATES)}: move it to workshops/static/"


@pytest.mark.parametrize(
    "source",
    [
        '<div class="screen" style="padding:0">',
        "<span\n  style='bottom:{{ post.offset }}%'>",
        '<ol class="items" STYLE = "font-size:22px">',
        "<script>document.body.focus();</script>",
        '<script type="module" defer>\n  import "./live.js";\n</script>',
        '<button onclick="next()">',
        '<a href="javascript:void(0)">',
    ],
)
def test_inline_code_is_found(source: str) -> None:
    assert inline_code(source)


@pytest.mark.parametrize(
    "source",
    [
        "<script src=\"{% static 'workshops/live.js' %}\" defer></script>",
        '<div class="postit" data-offset="42" data-style="x">',
        '{{ items|json_script:"items-data" }}',
        "<p>Le style de l'atelier : une question, puis les points.</p>",
    ],
)
def test_static_code_is_not_mistaken_for_inline_code(source: str) -> None:
    assert inline_code(source) == []
