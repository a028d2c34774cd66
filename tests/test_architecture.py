"""The dependency rule of docs/architecture.md, read from the code: which app may import which.

Lower layers never import higher ones, so a step app can be added or removed without touching the spine, and the
demo (which imports everything) is imported by nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STEP_APPS = {
    "projectgroup",
    "diagnostics",
    "workshops",
    "chantiers",
    "resourcemaps",
    "inspiration",
    "evaluation",
    "questionnaires",
}
# Each app with the project apps it may import (besides itself). Third-party and Django imports are free.
ALLOWED: dict[str, set[str]] = {
    "config": set(),
    "tenancy": {"config"},
    "territories": {"tenancy"},
    "roadmap": {"tenancy", "territories"},
    "documents": {"tenancy", "territories", "roadmap"},
    "fiches": {"tenancy", "territories", "roadmap", "documents"},
    "adoption": {"tenancy", "territories", "roadmap", "documents", "fiches"},
    **{
        app: {"tenancy", "territories", "roadmap", "documents", "fiches", "adoption"} | (STEP_APPS - {app})
        for app in STEP_APPS
    },
    # A territory's arrival: join requests, the back-office, the first territory and its empty roadmap.
    "onboarding": {"tenancy", "territories", "roadmap"},
    "demo": {"tenancy", "territories", "roadmap", "documents", "fiches", "adoption"} | STEP_APPS,
}


def imports_of(path: Path) -> set[str]:
    """Top-level packages imported anywhere in a file, including inside functions and via import_module("…")."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value.split(".")[0])
    return found


def app_files(app: str) -> list[Path]:
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_each_app_imports_only_the_layers_below_it(app: str) -> None:
    project_apps = set(ALLOWED)
    offences = [
        f"{path.relative_to(ROOT)} imports {imported}"
        for path in app_files(app)
        for imported in sorted(imports_of(path) & project_apps)
        if imported != app and imported not in ALLOWED[app]
    ]
    assert not offences, offences


def test_the_spine_names_no_step_app_even_indirectly() -> None:
    for path in app_files("roadmap"):
        text = path.read_text()
        assert "import_module" not in text, f"{path}: the spine finds step apps through the registry only"
        for app in STEP_APPS:
            assert f'"{app}.' not in text and f"'{app}." not in text, (path, app)


def test_nothing_imports_the_demo() -> None:
    for app in ALLOWED:
        if app == "demo":
            continue
        for path in app_files(app):
            assert "demo" not in imports_of(path), path


def test_the_rule_sees_a_forbidden_import(tmp_path: Path) -> None:
    """The walk above would notice: a spine file importing a step app is reported."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def f():\n    from workshops.models import Workshop\n    import importlib\n"
        "    importlib.import_module('diagnostics.synthesis')\n"
    )
    assert {"workshops", "diagnostics"} <= imports_of(bad)


def test_every_app_of_the_project_is_placed_in_a_layer() -> None:
    from django.conf import settings

    ours = {name for name in settings.INSTALLED_APPS if (ROOT / name).is_dir()}
    assert ours <= set(ALLOWED), ours - set(ALLOWED)
