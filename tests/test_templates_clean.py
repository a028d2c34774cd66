"""No inline JavaScript or inline styles in the templates: scripts live in static files, looks in CSS classes.

Inline code breaks in ways a reader does not see: French text pasted into `onclick="return confirm('…')"` ends the
string at the first apostrophe (the « Retirer » member button removed people without asking), and a strict
Content-Security-Policy refuses inline scripts, handlers and style attributes. So a template may not contain:

- a `style="…"` attribute (a class in static/css/, or a data attribute read by static JS, instead);
- an `on…=` event handler attribute, an `hx-on` attribute or a `javascript:` URL (a listener in static/js/);
- a `<script>` with a body, except JSON data (`type="application/json"`, which `|json_script` writes).

`<style>` elements stay allowed: the PDFs' print style sheet is included into WeasyPrint's HTML on purpose.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
# Template folders not yet converted, relative to the project's root (none left: keep it empty).
STILL_EXCLUDED: set[str] = set()

COMMENTS = re.compile(r"\{#.*?#\}|\{%\s*comment\b.*?%\}.*?\{%\s*endcomment\s*%\}", re.DOTALL)
# Django's own tags ({% include … with onboarding=True %}) are no HTML attributes; blank them out, keeping lines.
DJANGO_TAGS = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
RULES = {
    "attribut style": re.compile(r"(?<![\w-])style\s*=", re.IGNORECASE),
    "gestionnaire on…=": re.compile(r"(?<![\w-])on[a-z]+\s*=", re.IGNORECASE),
    "attribut hx-on": re.compile(r"(?<![\w-])(?:data-)?hx-on[:-]", re.IGNORECASE),
    "URL javascript:": re.compile(r"javascript\s*:", re.IGNORECASE),
}
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
JSON_TYPE = re.compile(r"""\btype\s*=\s*["']?application/json\b""", re.IGNORECASE)


def inline_code(source: str) -> list[tuple[int, str, str]]:
    """(line, rule, excerpt) for every piece of inline JavaScript or inline style in a template's source."""

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group())

    text = DJANGO_TAGS.sub(blank, COMMENTS.sub(blank, source))
    found = []
    for rule, pattern in RULES.items():
        found += [(match.start(), rule) for match in pattern.finditer(text)]
    for match in SCRIPT.finditer(text):
        attributes, body = match.groups()
        if body.strip() and not JSON_TYPE.search(attributes):
            found.append((match.start(), "<script> avec du code"))
    return sorted(
        (text.count("\n", 0, start) + 1, rule, source[start : start + 70].split("\n")[0]) for start, rule in found
    )


def template_folders() -> list[Path]:
    """The project's template folders: settings' DIRS and those of our own apps (not of installed packages)."""
    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
    folders += [Path(app.path) / "templates" for app in apps.get_app_configs() if Path(app.path).parent == BASE_DIR]
    return sorted({folder for folder in folders if folder.is_dir()})


def scanned_templates() -> list[Path]:
    excluded = [BASE_DIR / folder for folder in STILL_EXCLUDED]
    return [path for folder in template_folders() if folder not in excluded for path in sorted(folder.rglob("*.html"))]


def test_no_template_holds_inline_javascript_or_inline_styles() -> None:
    templates = scanned_templates()
    relative = {str(path.relative_to(BASE_DIR)) for path in templates}
    # The scan really covers the project: the base layout, an app's pages, the PDFs' templates.
    assert {
        "templates/base.html",
        "tenancy/templates/tenancy/members.html",
        "workshops/templates/workshops/projector.html",
    } <= relative
    assert any(name.startswith("fiches/templates/fiches/pdf/") for name in relative)

    problems = [
        f"{path.relative_to(BASE_DIR)}:{line}: {rule} — {excerpt}"
        for path in templates
        for line, rule, excerpt in inline_code(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "Code ou style en ligne dans les gabarits :\n" + "\n".join(problems)


def test_the_folders_still_excluded_exist() -> None:
    """A folder renamed or emptied leaves a stale exclusion behind: remove it from STILL_EXCLUDED."""
    folders = set(template_folders())
    assert all(BASE_DIR / folder in folders for folder in STILL_EXCLUDED), STILL_EXCLUDED


@pytest.mark.parametrize(
    ("source", "rule"),
    [
        (
            """<button onclick="return confirm('{% translate "Retirer cette personne de l'organisation ?" %}')">""",
            "gestionnaire on…=",
        ),
        ("<select\n  ONCHANGE='this.form.submit()'>", "gestionnaire on…="),
        ('<span class="gantt-year" style="width: 25%">', "attribut style"),
        ("<div {% if wide %}style='width: 100%'{% endif %}>", "attribut style"),
        ('<a href="javascript:history.back()">', "URL javascript:"),
        ('<form hx-on::after-request="this.reset()">', "attribut hx-on"),
        ("<script>\n  htmx.config.defaultSwapStyle = 'outerHTML';\n</script>", "<script> avec du code"),
        ('<script type="module">import "./x.js";</script>', "<script> avec du code"),
    ],
)
def test_inline_code_is_found(source: str, rule: str) -> None:
    assert [found_rule for _line, found_rule, _excerpt in inline_code(source)] == [rule]


@pytest.mark.parametrize(
    "source",
    [
        "<script src=\"{% static 'js/app.js' %}\" defer></script>",
        '<script id="map-data" type="application/json">{"height": 420}</script>',
        "{{ points|json_script:'points' }}",
        '<form data-confirm="{% translate "Retirer cette personne de l\'organisation ?" %}">',
        "<style>{% include 'fiches/pdf/_print.css' %}</style>{% block extra_style %}{% endblock %}",
        '<link rel="stylesheet" href="app.css"><p class="lead">Selon la saison = hiver</p>',
        "{% include 'x.html' with onboarding=True %}{# an old onclick= note #}",
        '<select data-autosubmit data-style="compact">',
    ],
)
def test_static_code_and_data_are_allowed(source: str) -> None:
    assert inline_code(source) == []
