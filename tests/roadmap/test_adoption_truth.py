"""What the élus vote must be true: a working version is never taken for the adopted one, an adoption cannot
precede its presentation, and the adopted version's PDF is produced, or its failure shown, with a retry."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from adoption.models import RoadmapVersion
from documents.models import ExportJob
from fiches.models import ActionExpense
from roadmap.models import Roadmap
from tests.conftest import Tenant
from tests.roadmap.factories import ActionExpenseFactory
from tests.roadmap.richdata import rich_roadmap
from tests.roadmap.test_adoption import _step, confirmation
from tests.roadmap.test_exports import _download, _export, _pages_text

pytestmark = pytest.mark.django_db


def _adopt(client: Client, roadmap: Roadmap, adopted_on: str = "2026-03-01") -> Any:
    _step(client, roadmap, "present", presented_to="Bureau communautaire", presented_on="2026-02-03")
    return _step(
        client,
        roadmap,
        "adopt",
        adopted_by="Conseil communautaire",
        adopted_on=adopted_on,
        deliberation_number="DEL-2026-042",
    )


def _flat(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def test_an_adoption_before_the_presentation_is_refused(tenant_a: Tenant, client_a: Client) -> None:
    roadmap = tenant_a.roadmap
    _step(client_a, roadmap, "present", presented_to="Bureau communautaire", presented_on="2026-11-20")
    page = _step(
        client_a,
        roadmap,
        "adopt",
        adopted_by="Conseil communautaire",
        adopted_on="2026-11-01",
        deliberation_number="DEL-1",
    )
    text = _flat(page.content.decode().replace("&#x27;", "'"))
    assert "La date d'adoption (1er novembre 2026) précède la présentation devant Bureau communautaire" in text
    assert "(20 novembre 2026)" in text
    roadmap.refresh_from_db()
    assert roadmap.status == Roadmap.Status.PRESENTEE and not RoadmapVersion.objects.exists()


def test_a_working_export_after_adoption_says_so_on_every_page_and_lists_the_changes(
    tenant_a: Tenant, client_a: Client
) -> None:
    roadmap = tenant_a.roadmap
    action = rich_roadmap(roadmap)
    _adopt(client_a, roadmap)
    version = RoadmapVersion.objects.get(roadmap=roadmap)
    exports_url = reverse("documents:exports", args=[roadmap.pk])

    # Unchanged since the vote: the export is the adopted content, and says « Adoptée ».
    pages = _pages_text(_download(client_a, _export(client_a, exports_url, "roadmap_pdf")))
    assert "Adoptée par Conseil communautaire le 1er mars 2026" in pages[0]
    assert not any("Version de travail" in p for p in pages)

    action.title = "Des ateliers dans un bus, titre changé après le vote"
    action.save()
    ActionExpenseFactory(action=action, year=2028, kind=ActionExpense.Kind.INVESTISSEMENT, amount=Decimal("999.50"))
    job = _export(client_a, exports_url, "roadmap_pdf")
    pages = _pages_text(_download(client_a, job))
    mark = "Version de travail — modifiée depuis l'adoption du 1er mars 2026"
    assert mark in pages[0] and "Adoptée par" not in pages[0]
    assert all(mark in page for page in pages[1:]), [i for i, p in enumerate(pages) if mark not in p]
    changes = next(p for p in pages if "Modifications depuis la version adoptée" in p and "Élément" in p)
    assert "Des ateliers ludiques dans un bus numérique" in changes  # the adopted title…
    assert "Des ateliers dans un bus, titre changé après le vote" in changes  # …and the new one
    assert "coût total TTC 60 000,50 € 61 000 €" in changes
    assert "Coût total de la feuille de route 60 000,50 € 61 000 €" in changes

    # The Documents page keeps what was voted apart from the working exports.
    page = _flat(client_a.get(exports_url).content.decode())
    adopted, working = page.split("Versions adoptées", 1)[1].split("Documents de travail", 1)
    assert "Version adoptée (PDF)" in adopted and "Feuille de route (PDF)" not in adopted
    assert "Feuille de route (PDF)" in working and "Version adoptée (PDF)" not in working
    assert ExportJob.objects.get(kind="version_pdf").object_id == version.pk


def test_the_adopted_versions_pdf_failure_is_shown_with_a_retry(
    tenant_a: Tenant, client_a: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fiches import exports

    roadmap = tenant_a.roadmap
    rich_roadmap(roadmap)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(exports, "roadmap_document_pdf", broken)
    _adopt(client_a, roadmap)
    version = RoadmapVersion.objects.get(roadmap=roadmap)
    job = ExportJob.objects.get(kind="version_pdf", object_id=version.pk)
    assert job.status == ExportJob.Status.FAILED and not version.pdf
    page = client_a.get(reverse("adoption:adoption", args=[roadmap.pk])).content.decode()
    assert "La production du document a échoué (MemoryError)" in page
    assert reverse("documents:export_retry", args=[job.pk]) in page

    monkeypatch.undo()
    with TestCase.captureOnCommitCallbacks(execute=True):
        client_a.post(reverse("documents:export_retry", args=[job.pk]))
    version.refresh_from_db()
    assert version.pdf
    assert client_a.get(reverse("adoption:version_pdf", args=[version.pk])).status_code == 200


def test_editing_an_adopted_roadmap_warns_once_that_it_opens_a_revision(tenant_a: Tenant, client_a: Client) -> None:
    roadmap = tenant_a.roadmap
    action = rich_roadmap(roadmap)
    warning = "vos modifications ouvrent une version de travail"
    edit = reverse("fiches:fiche_edit", args=[action.pk])
    assert warning not in client_a.get(edit).content.decode()  # a draft: nothing to warn about
    _adopt(client_a, roadmap)
    assert warning in client_a.get(edit).content.decode()
    assert warning not in client_a.get(edit).content.decode()  # once
    assert warning not in client_a.get(reverse("fiches:fiche_budget", args=[action.pk])).content.decode()


def test_an_adoption_with_gaps_lists_them_and_needs_an_explicit_confirmation(
    tenant_a: Tenant, client_a: Client
) -> None:
    roadmap = tenant_a.roadmap
    rich_roadmap(roadmap)  # its second fiche has neither pilot nor budget
    roadmap.resources = ""
    roadmap.save()
    _step(client_a, roadmap, "present", presented_to="Bureau communautaire", presented_on="2026-02-03")
    page = _flat(client_a.get(reverse("adoption:adoption", args=[roadmap.pk])).content.decode())
    assert "1 fiche action sans pilote : A1.1.2" in page
    assert "1 fiche action sans budget : A1.1.2" in page
    assert "Les ressources mobilisées ne sont pas décrites" in page
    assert "Plan déséquilibré : il manque 12 000,50 €" in page
    adoption = {"adopted_by": "Conseil", "adopted_on": "2026-03-01", "deliberation_number": "DEL-7"}

    # Without the box ticked: refused, in French, nothing frozen.
    unticked = {**confirmation(client_a, roadmap), "confirm_gaps": ""}
    refused = _flat(_step(client_a, roadmap, "adopt", **adoption, **unticked).content.decode())
    assert "Des points restent à compléter" in refused and not RoadmapVersion.objects.exists()
    # Ticked, but a gap appeared since the page was read: refused too (the confirmation was for other points).
    seen = confirmation(client_a, roadmap)
    Roadmap.objects.filter(pk=roadmap.pk).update(evaluation_arrangements="")
    _step(client_a, roadmap, "adopt", **adoption, **seen)
    assert not RoadmapVersion.objects.exists()
    # Ticked for what the page shows: adopted; the adopted PDF leaves the empty section out.
    _step(client_a, roadmap, "adopt", **adoption, **confirmation(client_a, roadmap))
    version = RoadmapVersion.objects.get()
    with version.pdf.open("rb") as pdf:
        text = _flat(" ".join(_pages_text(pdf.read())))
    assert "non renseign" not in text
    assert "Les ressources mobilisées" not in text  # neither in the contents nor as an empty section
    assert "La gouvernance" in text


def test_the_word_roadmap_after_a_change_says_working_version_in_its_header(tenant_a: Tenant, client_a: Client) -> None:
    import io

    from docx import Document

    roadmap = tenant_a.roadmap
    action = rich_roadmap(roadmap)
    _adopt(client_a, roadmap)
    action.title = "Un titre changé après le vote"
    action.save()
    job = _export(client_a, reverse("documents:exports", args=[roadmap.pk]), "roadmap_docx")
    document = Document(io.BytesIO(_download(client_a, job)))
    mark = "Version de travail — modifiée depuis l'adoption du 1er mars 2026"
    assert document.sections[0].header.paragraphs[0].text == mark
    texts = [p.text for p in document.paragraphs]
    assert mark in texts and not any(t.startswith("Adoptée par") for t in texts)
