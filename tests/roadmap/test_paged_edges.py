"""Edge cases of the PDFs rendered in parts (documents.paged): the joined PDF must read page for page like one plain
WeasyPrint run of the whole document, whatever the roadmap holds.

The reference is always `exports.html_to_pdf(exports.roadmap_html(document))` (or `fiches_html`); the parts are tiny
(one fiche each, see `in_parts`) so that every joint is exercised.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import date
from typing import Any

import pytest
from django.test import TestCase

from adoption import actions, tasks
from documents import paged
from fiches import exports
from fiches.document import roadmap_document
from fiches.models import Engagement
from roadmap.models import Roadmap
from tests.conftest import Tenant
from tests.factories import ActionFactory, ChantierFactory, DefiFactory
from tests.roadmap.factories import EngagementFactory, GovernanceBodyFactory
from tests.roadmap.richdata import rich_roadmap
from tests.roadmap.test_exports import _pages_text
from tests.roadmap.test_paged import _page_of

pytestmark = pytest.mark.django_db


def _differences(ours: str, theirs: str) -> str:
    extra, missing = Counter(ours.split()) - Counter(theirs.split()), Counter(theirs.split()) - Counter(ours.split())
    return f"joined only: {sorted(extra.elements())}; plain only: {sorted(missing.elements())}"


def _assert_reads_like(joined: bytes, whole: bytes) -> list[str]:
    """The joined PDF has the plain render's pages, each with the same words. Returns the joined PDF's pages."""
    ours, theirs = _pages_text(joined), _pages_text(whole)
    assert len(ours) == len(theirs), f"{len(ours)} pages joined, {len(theirs)} in one render"
    for number, (page, reference) in enumerate(zip(ours, theirs, strict=True), start=1):
        assert sorted(page.split()) == sorted(reference.split()), f"page {number}: {_differences(page, reference)}"
    return ours


def _contents(pages: list[str]) -> list[str]:
    """The pages of the table of contents: from the second page to the body's first (a tight entry has no leader)."""
    body = next(i for i, text in enumerate(pages) if "Territoire :" in text)
    return pages[1:body]


def _roadmap_both_ways(document: dict[str, Any], in_parts: list[int]) -> tuple[bytes, bytes]:
    joined = exports.roadmap_document_pdf(document).content
    assert in_parts, "the roadmap was not rendered in parts"
    return joined, exports.html_to_pdf(exports.roadmap_html(document)).content


def _assert_contents_and_outline_find_the_fiches(content: bytes, document: dict[str, Any]) -> None:
    """Each fiche's contents entry prints the page the fiche starts on, and its outline item opens that page."""
    from pypdf import PdfReader

    pages = _pages_text(content)
    contents = " ".join(_contents(pages))
    fiche_entries = [e for e in exports.toc_entries(document) if e["anchor"].startswith("fiche-")]
    starts = [_page_of(pages, f"Fiche action {fiche['ref']}") for fiche in document["fiches"]]
    for entry, start in zip(fiche_entries, starts, strict=True):
        words = r"\s*".join(re.escape(word) for word in entry["title"].split())
        printed = re.search(words + r"\s*\.*\s*(\d+)", contents)
        assert printed, entry["title"]
        assert int(printed[1]) == start + 1, entry["title"]

    reader = PdfReader(io.BytesIO(content))
    annex = reader.outline[-1]
    assert isinstance(annex, list)
    items = [item for item in annex if not isinstance(item, list)]
    assert [str(item.title) for item in items] == [entry["title"] for entry in fiche_entries]
    assert [reader.get_destination_page_number(item) for item in items] == starts


# --- 1. Défis, chantiers hors défi ----------------------------------------------------------------------------


def test_chantiers_hors_defi_and_a_defi_without_chantier(tenant_a: Tenant, in_parts: list[int]) -> None:
    roadmap = tenant_a.roadmap
    defi = DefiFactory(roadmap=roadmap, title="Un défi avec son chantier")
    ActionFactory(roadmap=roadmap, chantier=ChantierFactory(roadmap=roadmap, defi=defi), title="Sous un défi")
    DefiFactory(
        roadmap=roadmap, title="UN DÉFI SANS CHANTIER, AU TITRE ASSEZ LONG POUR PRENDRE DEUX LIGNES AU SOMMAIRE"
    )
    for title in ("Premier chantier hors défi", "Second chantier hors défi"):
        chantier = ChantierFactory(roadmap=roadmap, defi=None, title=title)
        ActionFactory(roadmap=roadmap, chantier=chantier, title=f"Une action du {title.lower()}")
    document = roadmap_document(roadmap)
    assert len(document["chantiers_without_defi"]) == 2 and len(document["fiches"]) == 3

    joined, whole = _roadmap_both_ways(document, in_parts)
    pages = _assert_reads_like(joined, whole)
    assert "Chantiers hors défi" in " ".join(pages)
    _assert_contents_and_outline_find_the_fiches(joined, document)


def test_a_roadmap_without_any_defi(tenant_a: Tenant, in_parts: list[int]) -> None:
    roadmap = tenant_a.roadmap
    for title in ("Un chantier orphelin", "Un autre chantier orphelin"):
        ActionFactory(roadmap=roadmap, chantier=ChantierFactory(roadmap=roadmap, defi=None, title=title))
    document = roadmap_document(roadmap)
    assert document["defis"] == []

    joined, whole = _roadmap_both_ways(document, in_parts)
    pages = _assert_reads_like(joined, whole)
    assert "Aucun défi formulé." in " ".join(pages)
    _assert_contents_and_outline_find_the_fiches(joined, document)


# --- 2. A table of contents over several pages ----------------------------------------------------------------


def test_long_titles_and_many_fiches_make_a_contents_of_several_pages(
    tenant_a: Tenant, in_parts: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "FICHES_PER_PART", (4, 4))  # fewer, larger parts: the size is the point here
    fronts: list[int] = []  # the page count of each layout of the front matter, in this process
    layout = paged.layout

    def recording(html: str) -> Any:
        document = layout(html)
        if 'data-page="' in html:  # the front of a render in parts, not the plain render
            fronts.append(len(document.pages))
        return document

    monkeypatch.setattr(paged, "layout", recording)
    roadmap = tenant_a.roadmap
    # The sections of the body are filled in (an empty one is left out), so that its length, hence the page numbers
    # the contents were tuned for below, stays put.
    roadmap.resources = "Trois espaces France services."
    roadmap.save()
    GovernanceBodyFactory(roadmap=roadmap, name="Comité de pilotage")
    chantier = ChantierFactory(roadmap=roadmap, defi=DefiFactory(roadmap=roadmap))
    words = "MISE EN PLACE D'UN ACCOMPAGNEMENT NUMÉRIQUE DE PROXIMITÉ POUR LES HABITANTS DES COMMUNES RURALES"
    for order in range(1, 46):
        # Capitals, as long as fits on one line of the contents beside a two-digit page number: beside the wider
        # placeholder they wrap, so the first layout of the front is a page longer than the real one.
        ActionFactory(roadmap=roadmap, chantier=chantier, title=words[: 83 if order >= 10 else 84])
    document = roadmap_document(roadmap)
    assert document["fiches"][9]["ref"] == "A1.1.10"

    joined, whole = _roadmap_both_ways(document, in_parts)
    pages = _assert_reads_like(joined, whole)
    assert len(_contents(pages)) >= 2
    assert fronts[0] > fronts[-1], "the real page numbers did not shorten the contents: the case is not exercised"
    _assert_contents_and_outline_find_the_fiches(joined, document)


# A front matter whose length keeps changing with its page numbers. Each contents line holds its text and a one-digit
# page number; a longer number wraps to a second line. Ten lines fill a page. The 28 entries point at pages 3 to 6
# of the part: laid out with the placeholder, the contents take 6 pages; each shorter layout moves the pages of the
# part one page up and lets more numbers drop to one digit, until the contents take 3 pages. It takes four layouts
# with real numbers to find that length.
_CASCADE_STYLE = (
    "@page { size: 100mm 105mm; margin: 0 } html { font: 10pt 'DejaVu Sans Mono' } body { margin: 0 }"
    " p { margin: 0; line-height: 10mm; width: 12.5ch } a[data-page]::after { content: ' ' attr(data-page) }"
    " a.counted::after { content: ' ' target-counter(attr(href url), page) } section { break-before: page }"
)
_CASCADE_ENTRIES = [page for page, count in ((2, 7), (3, 10), (4, 10), (5, 1)) for _ in range(count)]
_CASCADE_PART = "".join(f'<section id="p{page}">page-{page}</section>' for page in range(7))


def _cascade_html(body: str) -> str:
    return f"<html><style>{_CASCADE_STYLE}</style><body>{body}</body></html>"


def _cascade_front(pages: Any) -> str:
    return _cascade_html(
        "".join(
            f'<p><a href="#p{page}" data-page="{pages.get(f"p{page}", paged.PLACEHOLDER_PAGE)}">xxxxxxxxxx</a></p>'
            for page in _CASCADE_ENTRIES
        )
    )


def _cascade(**options: Any) -> paged.Joined:
    return paged.render_joined(
        [_cascade_html(_CASCADE_PART)],
        front=_cascade_front,
        outline=[],
        page_numbers=lambda labels: _cascade_html("<section></section>" * len(labels)),  # blank: no footers here
        numbered_from=0,
        title="T",
        author="A",
        workers=2,
        **options,
    )


def _cascade_whole() -> str:
    rows = "".join(f'<p><a class="counted" href="#p{page}">xxxxxxxxxx</a></p>' for page in _CASCADE_ENTRIES)
    return _cascade_html(rows + _CASCADE_PART)


def test_a_front_matter_that_needs_more_layouts_still_gives_the_right_pages() -> None:
    """Each layout of this front shortens it by a page, which changes its numbers again: it settles on the 4th."""
    joined = _cascade()
    whole = exports.html_to_pdf(_cascade_whole())
    pages = _assert_reads_like(joined.content, whole.content)
    assert pages[_page_of(pages, "page-2")].startswith("page-2")


def test_a_front_matter_that_never_settles_is_rendered_in_one_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stopping while the length still changes would print (and link) the wrong pages: never joined like that."""
    monkeypatch.setattr(paged, "FRONT_PASSES", 2)
    with pytest.raises(RuntimeError, match="did not settle"):
        _cascade()
    joined = _cascade(whole=_cascade_whole)
    whole = exports.html_to_pdf(_cascade_whole())
    assert joined.pages == whole.pages
    _assert_reads_like(joined.content, whole.content)


# --- 3. Long and empty fiches ---------------------------------------------------------------------------------


def test_a_fiche_over_several_pages_and_an_empty_fiche(tenant_a: Tenant, in_parts: list[int]) -> None:
    roadmap = tenant_a.roadmap
    chantier = ChantierFactory(roadmap=roadmap, defi=DefiFactory(roadmap=roadmap))
    ActionFactory(roadmap=roadmap, chantier=chantier, title="Une fiche courte")
    long = ActionFactory(
        roadmap=roadmap,
        chantier=chantier,
        title="Une fiche très longue",
        description="Une phrase qui décrit le projet en détail. " * 400,
    )
    for n in range(60):
        EngagementFactory(action=long, stakeholder=f"Acteur {n}", level=Engagement.Level.APPUI, conditions="Un local")
    ActionFactory(roadmap=roadmap, chantier=chantier, title="Une fiche vide")
    document = roadmap_document(roadmap)

    joined, whole = _roadmap_both_ways(document, in_parts)
    pages = _assert_reads_like(joined, whole)
    long_ref, empty_ref = document["fiches"][1]["ref"], document["fiches"][2]["ref"]
    assert _page_of(pages, f"Fiche action {empty_ref}") - _page_of(pages, f"Fiche action {long_ref}") >= 3
    _assert_contents_and_outline_find_the_fiches(joined, document)


def test_the_fiches_pdf_with_a_long_and_an_empty_fiche(tenant_a: Tenant, in_parts: list[int]) -> None:
    roadmap = tenant_a.roadmap
    chantier = ChantierFactory(roadmap=roadmap, defi=None)
    ActionFactory(roadmap=roadmap, chantier=chantier, description="Une phrase du descriptif. " * 500)
    ActionFactory(roadmap=roadmap, chantier=chantier)
    document = roadmap_document(roadmap)

    joined = exports.fiches_pdf(roadmap)
    assert in_parts
    whole = exports.html_to_pdf(exports.fiches_html(document))
    _assert_reads_like(joined.content, whole.content)


def test_the_fiches_pdf_in_parts_keeps_the_title_of_one_render(tenant_a: Tenant, in_parts: list[int]) -> None:
    """The title a PDF reader shows: fiches.html says « Fiches actions · <roadmap> », the joined file must too."""
    from pypdf import PdfReader

    rich_roadmap(tenant_a.roadmap)  # two fiches
    joined = exports.fiches_pdf(tenant_a.roadmap)
    assert in_parts
    whole = exports.html_to_pdf(exports.fiches_html(roadmap_document(tenant_a.roadmap)))
    ours, theirs = PdfReader(io.BytesIO(joined.content)).metadata, PdfReader(io.BytesIO(whole.content)).metadata
    assert ours is not None and theirs is not None
    assert ours.title == theirs.title == f"Fiches actions · {tenant_a.roadmap.title}"


# --- 4. An adopted version --------------------------------------------------------------------------------------


def test_an_adopted_version_is_rendered_in_parts_like_its_snapshot(tenant_a: Tenant, in_parts: list[int]) -> None:
    roadmap = tenant_a.roadmap
    rich_roadmap(roadmap)
    chantier = ChantierFactory(roadmap=roadmap, defi=None, title="Un chantier hors défi")
    ActionFactory(roadmap=roadmap, chantier=chantier, title="« Une action » d'après l'adoption & ses suites")
    actions.present(roadmap, "Bureau communautaire", date(2026, 2, 3))
    adoption = actions.Adoption("Conseil communautaire", date(2026, 3, 12), "DEL-2026-042")
    with TestCase.captureOnCommitCallbacks() as callbacks:
        version = actions.adopt(Roadmap.objects.get(pk=roadmap.pk), adoption, None)
    assert len(callbacks) == 1  # the version's PDF, sent on commit: run here as the worker would
    tasks.render_version_pdf(version.pk)
    version.refresh_from_db()
    assert in_parts, "the version's PDF was not rendered in parts"
    with version.pdf.open("rb") as pdf:
        joined = pdf.read()
    whole = exports.html_to_pdf(exports.roadmap_html(version.snapshot)).content
    pages = _assert_reads_like(joined, whole)
    assert "DEL-2026-042" in pages[0]
    _assert_contents_and_outline_find_the_fiches(joined, version.snapshot)


# --- 5. Characters to escape --------------------------------------------------------------------------------


def test_titles_with_quotes_markup_and_emojis(tenant_a: Tenant, in_parts: list[int]) -> None:
    from pypdf import PdfReader

    roadmap = tenant_a.roadmap
    roadmap.title = 'La feuille de route "Cap 2030" <d\'Alpha> & co'
    roadmap.save()
    defi = DefiFactory(roadmap=roadmap, title='Le défi « inclusion » <b>gras</b> & "guillemets" 🚀')
    chantier = ChantierFactory(roadmap=roadmap, defi=defi, title="Chantier d'l'<i>apostrophes</i>")
    for title in (
        'L\'atelier "Clic & Déclic" <script>alert(1)</script>',
        "« Numérique pour tous » 👵📱 (parenthèses) \\ barre",
        "Des </a> balises et &amp; entités",
    ):
        ActionFactory(roadmap=roadmap, chantier=chantier, title=title)
    document = roadmap_document(roadmap)

    joined, whole = _roadmap_both_ways(document, in_parts)
    pages = _assert_reads_like(joined, whole)
    for text in pages[1:]:
        assert roadmap.title in text  # the running header, from a data- attribute
    reader = PdfReader(io.BytesIO(joined))
    assert reader.metadata is not None and reader.metadata.title == roadmap.title
    defis = reader.outline[3]
    assert isinstance(defis, list)
    assert [str(item.title) for item in defis if not isinstance(item, list)] == [
        e["title"] for e in exports.toc_entries(document) if e["anchor"].startswith("defi-")
    ]
    _assert_contents_and_outline_find_the_fiches(joined, document)
