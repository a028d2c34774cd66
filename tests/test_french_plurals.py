"""Every text with a count reads French for zero: « 0 participant connecté », not « 0 participants connectés ».

gettext only applies French's plural rule (0 and 1 in the singular) to the texts in the French catalogue;
any other falls back to English's rule. So every plural text of the templates and the code must be in
locale/fr (`make messages` adds the new ones).
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
SKIPPED = {".venv", ".tools", "var", "tests", "bench", "node_modules", ".git"}
TEMPLATE_PLURAL = re.compile(r"ngettext\(u'((?:[^'\\]|\\.)*)', u'((?:[^'\\]|\\.)*)'")


def _project_files(suffix: str) -> list[Path]:
    return [p for p in ROOT.rglob(f"*{suffix}") if not SKIPPED & set(p.relative_to(ROOT).parts)]


def _plural_texts() -> set[tuple[str, str]]:
    texts: set[tuple[str, str]] = set()
    for path in _project_files(".html"):
        for singular, plural in TEMPLATE_PLURAL.findall(templatize(path.read_text(), origin=str(path))):
            texts.add((ast.literal_eval(f"'{singular}'"), ast.literal_eval(f"'{plural}'")))
    for path in _project_files(".py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) in {"ngettext", "ngettext_lazy"}
                and all(isinstance(arg, ast.Constant) for arg in node.args[:2])
            ):
                texts.add((node.args[0].value, node.args[1].value))
    return texts


def test_every_plural_text_puts_zero_in_the_singular() -> None:
    with open(ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.mo", "rb") as catalogue:
        french = gettext.GNUTranslations(catalogue)
    texts = _plural_texts()
    assert len(texts) >= 10  # the templates' counts were found
    for singular, plural in sorted(texts):
        assert french.ngettext(singular, plural, 0) == singular, f"not in locale/fr (make messages): {singular}"
        assert french.ngettext(singular, plural, 2) == plural


def test_a_fuzzy_guess_of_msgmerge_never_replaces_a_text() -> None:
    # msgmerge matches a new text with a similar old one and marks it fuzzy; in a catalogue whose msgids are the
    # French texts, that guess would show another sentence (or a plural's count) in place of the new one.
    import importlib.util

    spec = importlib.util.spec_from_file_location("french_plurals", settings.BASE_DIR / "scripts" / "french_plurals.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
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
