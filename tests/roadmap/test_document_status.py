"""What the élus' documents say of the roadmap's status, and how they read.

A document says « Adoptée » only over the adopted content; a working version says so on its cover and on every
page, in the PDF, the Word document and the workbook alike, and in the step documents made from the roadmap.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from documents import exporters
from documents.pdf import no_progress
from fiches import exports
from roadmap.models import Action, Roadmap
from tests.conftest import Tenant
from tests.factories import ActionFactory, ChantierFactory, DefiFactory, EnjeuFactory
from tests.roadmap.factories import ActionStepFactory, GovernanceBodyFactory
from tests.roadmap.richdata import rich_roadmap
from tests.roadmap.test_adoption import _step
from tests.roadmap.test_adoption_truth import _adopt, _flat
from tests.roadmap.test_exports import _pages_text

pytestmark = pytest.mark.django_db

NOT_ADOPTED = "Version de travail — feuille de route non adoptée"
ADOPTED = "Adoptée par Conseil communautaire le 1er mars 2026 — délibération n° DEL-2026-042"
REVISION_OPEN = "Version de travail — révision en cours de la version adoptée"
MODIFIED = "Version de travail — modifiée depuis l'adoption du 1er mars 2026"


def _docx(content: bytes) -> Any:
    from docx import Document

    return Document(io.BytesIO(content))


def _docx_texts(document: Any) -> list[str]:
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return [p.text for p in document.paragraphs] + cells


def _workbook_marks(content: bytes) -> tuple[str, str, str]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    summary = book["Synthèse"]
    return _flat(summary["A2"].value), _flat(summary.oddHeader.center.text or ""), book.properties.contentStatus or ""


def _documents_say(roadmap: Roadmap, cover: str, mark: str) -> None:
    """The roadmap's PDF, DOCX and XLSX: `cover` on the first page, `mark` on every page ("" for none)."""
    pages = _pages_text(exports.roadmap_pdf(roadmap).content)
    assert cover in pages[0], pages[0]
    if mark:
        assert all(mark in page for page in pages), [i for i, p in enumerate(pages) if mark not in p]
    else:
        assert not any("Version de travail" in page for page in pages)
    assert ("Adoptée par" in pages[0]) is (cover == ADOPTED)

    document = _docx(exports.roadmap_docx(roadmap).content)
    header = _flat(document.sections[0].header.paragraphs[0].text)
    texts = [_flat(text) for text in _docx_texts(document)]
    assert header == mark
    assert cover in texts
    assert any(t.startswith("Adoptée par") for t in texts) is (cover == ADOPTED)

    note, xlsx_header, status = _workbook_marks(exports.budget_xlsx(roadmap).content)
    assert xlsx_header == mark
    assert _flat(status) == (mark or "Adoptée")
    if mark:
        assert note.startswith(mark.upper())


def test_the_documents_of_a_draft_say_so_on_every_page(tenant_a: Tenant) -> None:
    rich_roadmap(tenant_a.roadmap)
    # A draft never adopted: said on the cover and on every page, not on the cover only.
    _documents_say(tenant_a.roadmap, NOT_ADOPTED, NOT_ADOPTED)


def test_the_roadmap_documents_agree_on_its_status_through_a_revision(tenant_a: Tenant, client_a: Client) -> None:
    roadmap = tenant_a.roadmap
    action = rich_roadmap(roadmap)
    _adopt(client_a, roadmap)
    roadmap.refresh_from_db()
    _documents_say(roadmap, ADOPTED, "")

    # « Ouvrir une révision », nothing edited yet: the content is the adopted one, but this is no longer the
    # adopted document, and none of the three says « Adoptée ».
    _step(client_a, roadmap, "reopen")
    roadmap.refresh_from_db()
    assert roadmap.status == Roadmap.Status.BROUILLON
    _documents_say(roadmap, REVISION_OPEN, REVISION_OPEN)
    page = _flat(client_a.get(reverse("adoption:adoption", args=[roadmap.pk])).content.decode())
    assert "Révision en cours de la version adoptée par Conseil communautaire le 1er mars 2026" in page
    assert "Adoptée par" not in page

    action.title = "Des ateliers dans un bus, titre changé pendant la révision"
    action.save()
    _documents_say(roadmap, MODIFIED, MODIFIED)


def test_the_adopted_versions_frozen_pdf_still_says_adopted_after_a_revision_opens(
    tenant_a: Tenant, client_a: Client
) -> None:
    from adoption.models import RoadmapVersion

    roadmap = tenant_a.roadmap
    rich_roadmap(roadmap)
    _adopt(client_a, roadmap)
    _step(client_a, roadmap, "reopen")
    version = RoadmapVersion.objects.get(roadmap=roadmap)
    pages = _pages_text(exports.roadmap_document_pdf(version.snapshot).content)
    assert ADOPTED in pages[0]
    assert not any("Version de travail" in page for page in pages)


def _every_page_says(content: bytes, mark: str) -> None:
    pages = _pages_text(content)
    assert pages and all(mark in page for page in pages), [i for i, p in enumerate(pages) if mark not in p]


def test_the_other_documents_of_a_draft_say_so_on_every_page(tenant_a: Tenant, client_a: Client) -> None:
    roadmap = tenant_a.roadmap
    action = rich_roadmap(roadmap)
    _every_page_says(exports.fiches_pdf(roadmap, action).content, NOT_ADOPTED)  # one fiche
    _every_page_says(exports.fiches_pdf(roadmap).content, NOT_ADOPTED)  # all the fiches
    document = _docx(exports.fiche_docx(action).content)
    assert _flat(document.sections[0].header.paragraphs[0].text) == NOT_ADOPTED
    for key in ("chantiers_synthesis_pdf", "evaluation_report_pdf"):
        exporter = exporters.get(key)
        content = exporter.render(exporter.load(tenant_a.organization.pk, roadmap.pk), no_progress).content
        _every_page_says(content, NOT_ADOPTED)

    # Adopted: no mark; a revision opened: the revision's mark.
    _adopt(client_a, roadmap)
    roadmap.refresh_from_db()
    action = Action.objects.get(pk=action.pk)
    assert "Version de travail" not in " ".join(_pages_text(exports.fiches_pdf(roadmap, action).content))
    exporter = exporters.get("evaluation_report_pdf")
    adopted = exporter.render(exporter.load(tenant_a.organization.pk, roadmap.pk), no_progress).content
    assert "Version de travail" not in " ".join(_pages_text(adopted))
    _step(client_a, roadmap, "reopen")
    roadmap.refresh_from_db()
    _every_page_says(exports.fiches_pdf(roadmap).content, REVISION_OPEN)
    exporter = exporters.get("chantiers_synthesis_pdf")
    content = exporter.render(exporter.load(tenant_a.organization.pk, roadmap.pk), no_progress).content
    _every_page_says(content, REVISION_OPEN)


def test_the_evaluation_section_says_which_fiches_have_indicators(
    tenant_a: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fiches import document

    roadmap = tenant_a.roadmap
    rich_roadmap(roadmap)  # its second fiche, A1.1.2, has no indicator
    chantier = ChantierFactory(roadmap=roadmap, defi=None, title="Un chantier à rattacher")
    ActionFactory(roadmap=roadmap, chantier=chantier, title="Une fiche sans indicateur", indicators="  ")
    text = _flat(" ".join(_pages_text(exports.roadmap_pdf(roadmap).content)))
    assert "Chacune des" not in text
    assert (
        "1 fiche action sur 3 précise ses indicateurs d'évaluation (voir l'annexe) ; sans indicateur : A1.1.2, A0.1.1."
    ) in text
    assert "cadre d'évaluation" not in text  # no framework: nothing said of one

    # The evaluation framework of step 7, when there is one, is named (through the provider it registers).
    def framework(_roadmap: Roadmap) -> dict[str, Any]:
        return {
            "question": "Dans quelle mesure le bus rapproche-t-il les habitants ?",
            "effects": ["a", "b"],
            "indicators": 1,
        }

    monkeypatch.setattr(document, "_evaluation_providers", [framework])
    text = _flat(" ".join(_pages_text(exports.roadmap_pdf(roadmap).content)))
    assert (
        "Le cadre d'évaluation de la feuille de route (étape « Évaluer ») retient 2 effets attendus, suivis par "
        "1 indicateur."
    ) in text
    assert "Question évaluative : « Dans quelle mesure le bus rapproche-t-il les habitants ? »" in text
    docx_text = _flat(" ".join(_docx_texts(_docx(exports.roadmap_docx(roadmap).content))))
    assert "retient 2 effets attendus, suivis par 1 indicateur" in docx_text
    assert "sans indicateur : A1.1.2, A0.1.1." in docx_text


def test_every_fiche_with_indicators_is_said_so_in_the_singular_too(tenant_a: Tenant) -> None:
    from fiches.document import evaluation_lines

    one = {"fiches": [{"ref": "A1.1.1", "indicators": "Nombre d'ateliers"}]}
    assert evaluation_lines(one) == ["La fiche action précise ses indicateurs d'évaluation (voir l'annexe)."]
    none = {"fiches": [{"ref": "A1.1.1", "indicators": ""}, {"ref": "A1.1.2", "indicators": ""}]}
    assert evaluation_lines(none) == ["Aucune des 2 fiches actions ne précise encore d'indicateur d'évaluation."]


def test_a_chantier_outside_any_defi_is_numbered_c0(tenant_a: Tenant, client_a: Client) -> None:
    roadmap = tenant_a.roadmap
    rich_roadmap(roadmap)
    loose = ChantierFactory(roadmap=roadmap, defi=None, title="Un chantier à rattacher")
    ActionFactory(roadmap=roadmap, chantier=loose, title="Une action d'un chantier hors défi")
    ChantierFactory(roadmap=roadmap, defi=None, title="Un chantier encore vide")
    text = _flat(" ".join(_pages_text(exports.roadmap_pdf(roadmap).content)))
    assert "C0.1 Un chantier à rattacher" in text and "A0.1.1 · Une action d'un chantier hors défi" in text
    assert "–." not in text
    docx_text = " ".join(_docx_texts(_docx(exports.roadmap_docx(roadmap).content)))
    assert "C0.1 · Un chantier à rattacher" in docx_text and "A0.1.1 · Une action" in docx_text
    assert "–." not in docx_text
    _step(client_a, roadmap, "present", presented_to="Bureau communautaire", presented_on="2026-02-03")
    page = _flat(client_a.get(reverse("adoption:adoption", args=[roadmap.pk])).content.decode())
    assert "1 chantier sans action : C0.2" in page


def test_long_titles_are_printed_whole(tenant_a: Tenant) -> None:
    roadmap = tenant_a.roadmap
    rich_roadmap(roadmap)
    question = (
        "Comment faire en sorte que chaque habitant trouve près de chez lui un lieu de médiation numérique et "
        "puisse y apprendre à faire ses démarches de façon autonome ?"
    )
    defi = DefiFactory(
        roadmap=roadmap,
        title="Un défi dont le titre est long, très long, plus long qu'une ligne de sommaire, et qui dit tout",
    )
    defi.enjeux.add(EnjeuFactory(roadmap=roadmap, question=question))
    pages = _pages_text(exports.roadmap_pdf(roadmap).content)
    assert f"E3 · {question}" in _flat(" ".join(pages))  # the défi's « Répond aux enjeux »
    contents = next(page for page in pages if "Sommaire" in page)
    assert "plus long qu'une ligne de sommaire, et qui dit tout" in contents


def test_the_fiches_read_as_french(tenant_a: Tenant, client_a: Client) -> None:
    roadmap = tenant_a.roadmap
    action = rich_roadmap(roadmap)
    ActionStepFactory(action=action, label="Bilan", start_year=2026, start_quarter=1, end_year=2026, end_quarter=1)
    GovernanceBodyFactory(roadmap=roadmap, name="Comité technique", frequency="3 réunions par an")
    two = ActionFactory(
        roadmap=roadmap,
        chantier=action.chantier,
        title="Deux référents",
        referents="Léa Fournier, coordinatrice\nKarim Benali, chargé de communication",
    )
    from fiches.document import roadmap_document, with_revision

    text = _flat(" ".join(_pages_text(exports.roadmap_pdf(roadmap).content)))
    assert "PERSONNE RÉFÉRENTE ET COORDONNÉES : Camille Martin" in text
    assert "PERSONNES RÉFÉRENTES ET COORDONNÉES : Léa Fournier" in text
    assert "(S)" not in text
    assert "Bilan T1 2026" in text and "T1 2026 – T1 2026" not in text
    # A number is never split from its unit: no-break spaces in what WeasyPrint lays out (pdftotext prints them as
    # plain spaces).
    html = exports.roadmap_html(with_revision(roadmap, roadmap_document(roadmap)))
    assert "3\u00a0réunions par an" in html
    assert "T2\u00a02025 – T4\u00a02025" in html and "T1\u00a02026</small>" in html
    assert "1,5\u00a0ETP" in html

    document = _docx(exports.fiche_docx(two).content)
    assert "Personnes référentes et coordonnées" in _docx_texts(document)
    document = _docx(exports.fiche_docx(action).content)
    texts = _docx_texts(document)
    assert "1,5\u00a0ETP" in texts and not any("1,50" in t for t in texts)
    assert "T1\u00a02026" in texts
    # Page numbers in the footer: fields Word computes.
    footer = document.sections[0].footer._element.xml
    assert " PAGE " in footer and " NUMPAGES " in footer


def test_dates_say_1er_for_the_first_of_the_month(tenant_a: Tenant, client_a: Client) -> None:
    roadmap = tenant_a.roadmap
    rich_roadmap(roadmap)
    _adopt(client_a, roadmap, adopted_on="2026-03-01")
    page = _flat(client_a.get(reverse("adoption:adoption", args=[roadmap.pk])).content.decode())
    assert "le 1er mars 2026" in page and " 1 mars 2026" not in page
