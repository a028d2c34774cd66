"""The exporter registry: each app declares the documents it produces in its `exporters.py` (found at start-up by
DocumentsConfig.ready), and one task (documents.tasks.run_export) produces any of them.

An exporter documents one kind of object (a roadmap, a fiche action, a workshop…), always loaded through the
organisation of the job, so that an id from elsewhere cannot reach another tenant's rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils.functional import Promise

from documents.pdf import Progress, Rendered


@dataclass(frozen=True)
class Exporter:
    key: str  # stored on the job: never rename one that has jobs
    label: str | Promise  # « Feuille de route (PDF) »
    model: type[Model]  # what it documents; the model has an `organization` key
    render: Callable[[Any, Progress], Rendered]
    filename: Callable[[Any], str]  # the stored file's name, without extension
    roadmap_of: Callable[[Any], Any]  # the roadmap the document belongs to (listed on its Documents page)
    subject: Callable[[Any], str] = str  # what the document is about, as listed and in the downloaded name
    extension: str = "pdf"
    related: tuple[str, ...] = ()  # select_related when loading the object
    on_documents_page: bool = False  # offered on the roadmap's Documents page (else from the object's own page)
    # The document of an adopted version (what the élus voted), listed apart from the working exports.
    adopted: bool = False
    # Called with the object and the job once the file is stored, in the job's transaction (e.g. to link the file).
    on_stored: Callable[[Any, Any], None] | None = None

    def load(self, organization_id: int, object_id: int) -> Any:
        rows = self.model._default_manager.filter(organization_id=organization_id)
        return rows.select_related(*self.related).get(pk=object_id)


_exporters: dict[str, Exporter] = {}


class UnknownExporter(LookupError):
    pass


def register(exporter: Exporter) -> Exporter:
    existing = _exporters.get(exporter.key)
    if existing is not None and existing != exporter:
        raise ValueError(f"two exporters named {exporter.key!r}")
    _exporters[exporter.key] = exporter
    return exporter


def get(key: str) -> Exporter:
    try:
        return _exporters[key]
    except KeyError:
        raise UnknownExporter(key) from None


def for_model(model: type[Model]) -> list[Exporter]:
    return [e for e in _exporters.values() if e.model is model]


def all_exporters() -> list[Exporter]:
    return list(_exporters.values())
