"""The diagnostic's part of `manage.py demo` (called by demo.data)."""

from __future__ import annotations

from pathlib import Path

from diagnostics.importers import DEMO_FILES, ImportFileError, Scope, import_folder


def load_demo_data(data_dir: Path | str | None) -> list[str]:
    """Import the Dordogne sample files of `data_dir` (idempotent); report lines in French."""
    folder = Path(data_dir) if data_dir else None
    if folder is None or not folder.is_dir() or not (folder / DEMO_FILES[0][1]).exists():
        return [
            f"Diagnostic : dossier de données introuvable ({folder}). Pour afficher les chiffres et les cartes, "
            "importez les fichiers officiels : manage.py import_diagnostic --data-dir CHEMIN (voir SOURCES.md)."
        ]
    try:
        results = import_folder(folder, Scope.for_departements("24"))
    except ImportFileError as error:
        return [f"Diagnostic : rien n'a été importé. {error}"]
    return [f"Diagnostic : {r.summary()}" for r in results]
