"""Every text with a count reads French for zero: « 0 participant connecté », not « 0 participants connectés ».

gettext only applies French's plural rule (0 and 1 in the singular) to the texts in the French catalogue;
any other falls back to English's rule. So every plural text of the templates and the code must be in
locale/fr (`make messages` adds the new ones).
"""

from __future__ import annotations

import ast
import gettext
import importlib.util
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
SKIPPED = {".venv", ".tools", "var", "tests", "bench", "node_modules", ".git"}
TEMPLATE_PLURAL = re.compile(r"ngettext\(u'((?:[^'\\]|\\.)*)', u'((?:[^'\\]|\\.)*)'")


def _project_files(suffix: str) -> list[Path]:
    return [p for p in ROOT.rglob(f"*{suffix}") if not SKIPPED & set(p.relative_to(ROOT).parts)]


TEMPLATE_TEXT = re.compile(r"(?<![n_])gettext\(u'((?:[^'\\]|\\.)*)'\)")


def _python_calls(names: set[str], arity: int) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for path in _project_files(".py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) in names
                and len(node.args) >= arity
                and all(isinstance(arg, ast.Constant) for arg in node.args[:arity])
            ):
                found.add(tuple(arg.value for arg in node.args[:arity]))
    return found


def _templates() -> list[str]:
    return [templatize(path.read_text(), origin=str(path)) for path in _project_files(".html")]


def _plural_texts() -> dict[tuple[str, str], bool]:
    """Every plural text: (singular, plural) → whether it is written in templates only (then typeset)."""
    in_templates: set[tuple[str, str]] = set()
    for source in _templates():
        for singular, plural in TEMPLATE_PLURAL.findall(source):
            in_templates.add((ast.literal_eval(f"'{singular}'"), ast.literal_eval(f"'{plural}'")))
    in_code = {(a, b) for a, b in _python_calls({"ngettext", "ngettext_lazy"}, 2)}
    return {text: text not in in_code for text in in_templates | in_code}


def _script() -> Any:
    """scripts/french_plurals.py, which `make messages` runs on the catalogue."""
    spec = importlib.util.spec_from_file_location("french_plurals", ROOT / "scripts" / "french_plurals.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_plural_text_puts_zero_in_the_singular() -> None:
    with open(ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.mo", "rb") as catalogue:
        french = gettext.GNUTranslations(catalogue)
    texts = _plural_texts()
    assert len(texts) >= 10  # the templates' counts were found
    typography = _script().typography
    for (singular, plural), typeset in sorted(texts.items()):
        expected = (typography(singular), typography(plural)) if typeset else (singular, plural)
        assert french.ngettext(singular, plural, 0) == expected[0], f"not in locale/fr (make messages): {singular}"
        assert french.ngettext(singular, plural, 2) == expected[1]


def test_a_fuzzy_guess_of_msgmerge_never_replaces_a_text() -> None:
    # msgmerge matches a new text with a similar old one and marks it fuzzy; in a catalogue whose msgids are the
    # French texts, that guess would show another sentence (or a plural's count) in place of the new one.
    module = _script()
    catalogue = (
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
        '#, fuzzy\n#| msgid "%(count)d expérience reprise"\n#| msgid_plural "%(count)d expériences reprises"\n'
        'msgid "pas encore dans la feuille de route"\nmsgstr "%(count)d expérience reprise"\n"suite"\n\n'
        '#, fuzzy, python-format\n#| msgid "%(counter)s minute"\n#| msgid_plural "%(counter)s minutes"\n'
        'msgid "%(counter)s fiche chantier"\nmsgid_plural "%(counter)s fiches chantier"\n'
        'msgstr[0] "%(counter)s minute"\nmsgstr[1] "%(counter)s minutes"\n'
    )
    filled = module.fill(catalogue)
    assert "fuzzy" not in filled and "#|" not in filled and "minute" not in filled
    assert 'msgid "pas encore dans la feuille de route"\nmsgstr ""\n' in filled
    assert '#, python-format\nmsgid "%(counter)s fiche chantier"' in filled
    assert 'msgstr[0] "%(counter)s fiche chantier"\nmsgstr[1] "%(counter)s fiches chantier"\n' in filled


def test_the_catalogue_serves_french_typography() -> None:
    """A template's text typed with an ordinary space before « : ; ? ! » or inside « » is served with a
    non-breaking one (make messages)."""
    with open(ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.mo", "rb") as catalogue:
        french = gettext.GNUTranslations(catalogue)
    breaking = re.compile(r" [:;?!»]|« ")
    in_code = {text for (text,) in _python_calls({"gettext", "gettext_lazy", "_"}, 1)}
    texts = {
        ast.literal_eval(f"'{text}'") for source in _templates() for text in TEMPLATE_TEXT.findall(source)
    } - in_code
    typeset = [text for text in texts if breaking.search(text)]
    assert len(typeset) > 100  # the app's labels « Budget : », « Quand est-ce « Fait » ? »…
    for text in typeset:
        assert not breaking.search(french.gettext(text)), f"make messages: {text}"
    assert french.gettext("Accessibilité : non conforme") == "Accessibilité\u00a0: non conforme"
    module = _script()
    assert module.typography("Quand est-ce « Fait » ?") == "Quand est-ce «\u00a0Fait\u00a0»\u00a0?"
    assert module.typography("https://exemple.fr/a?b=1 : ok") == "https://exemple.fr/a?b=1\u00a0: ok"
