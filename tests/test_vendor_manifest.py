"""static/vendor/MANIFEST.json names every piece of third-party code we serve: its version, licence and source.

A file dropped into static/vendor/ without an entry, an entry whose file is gone, or a library upgraded without its
version updated in the manifest, fails here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings

VENDOR = Path(settings.BASE_DIR) / "static" / "vendor"
MANIFEST_NAME = "MANIFEST.json"
REQUIRED = ("name", "version", "version_in", "licence", "source", "files")


def manifest_problems(vendor: Path, manifest: dict[str, Any]) -> list[str]:
    """What the manifest and the folder disagree on, in words; empty when they agree."""
    problems: list[str] = []
    listed: dict[str, str] = {}
    for library in manifest["libraries"]:
        name = library.get("name", "?")
        problems += [f"{name} : champ « {key} » manquant" for key in REQUIRED if not library.get(key)]
        if not str(library.get("source", "")).startswith("https://"):
            problems.append(f"{name} : la source doit être une adresse https")
        for entry in library.get("files", []):
            if entry in listed:
                problems.append(f"{entry} : listé par {listed[entry]} et par {name}")
            listed[entry] = name
            path = vendor / entry.rstrip("/")
            if entry.endswith("/") and not path.is_dir():
                problems.append(f"{name} : le dossier {entry} n'existe pas")
            elif not entry.endswith("/") and not path.is_file():
                problems.append(f"{name} : le fichier {entry} n'existe pas")
        for key in ("version_in", "licence_file"):
            if library.get(key) and not (vendor / library[key]).is_file():
                problems.append(f"{name} : {key} {library[key]} n'existe pas")
        version_file = vendor / library.get("version_in", "")
        if library.get("version") and version_file.is_file():
            if library["version"] not in version_file.read_text(encoding="utf-8", errors="replace"):
                problems.append(f"{name} : la version {library['version']} n'apparaît pas dans {library['version_in']}")
    shipped = {p.name + ("/" if p.is_dir() else "") for p in vendor.iterdir() if p.name != MANIFEST_NAME}
    problems += [
        f"{entry} : présent dans static/vendor/ mais absent du manifeste" for entry in sorted(shipped - set(listed))
    ]
    return problems


def test_the_manifest_lists_exactly_what_static_vendor_holds() -> None:
    manifest = json.loads((VENDOR / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert {library["name"] for library in manifest["libraries"]} >= {"htmx", "Sortable", "Leaflet"}
    assert manifest_problems(VENDOR, manifest) == []


def test_the_check_reports_an_unlisted_file_a_missing_one_and_a_stale_version(tmp_path: Path) -> None:
    (tmp_path / "lib.min.js").write_text("/*! lib 2.0.0 */")
    (tmp_path / "stray.js").write_text("")
    (tmp_path / "map").mkdir()
    manifest = {
        "libraries": [
            {
                "name": "lib",
                "version": "1.0.0",
                "version_in": "lib.min.js",
                "licence": "MIT",
                "source": "https://example.org/lib",
                "files": ["lib.min.js", "lib.LICENSE", "map/"],
            }
        ]
    }

    assert manifest_problems(tmp_path, manifest) == [
        "lib : le fichier lib.LICENSE n'existe pas",
        "lib : la version 1.0.0 n'apparaît pas dans lib.min.js",
        "stray.js : présent dans static/vendor/ mais absent du manifeste",
    ]
