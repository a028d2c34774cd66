"""A large roadmap's PDF is laid out in parts, in parallel processes, and joined (documents.paged).

What the élus hold must not show it: the joined PDF reads page for page like one WeasyPrint run of the whole document,
its table of contents gives the right pages and links to them, every page but the cover has its « n / N », and the
PDF's outline follows the table of contents. The parts here are tiny (one fiche each) so that every joint is tested.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from documents import paged
from documents.models import ExportJob
from fiches import exports
from fiches.document import roadmap_document
from tests.conftest import Tenant
from tests.factories import ActionFactory, ChantierFactory, DefiFactory
from tests.roadmap.richdata import rich_roadmap
from tests.roadmap.test_exports import _download, _export, _pages_text

pytestmark = pytest.mark.django_db

FOOTER = re.compile(r"(\d+) ?/ ?(\d+)")  # pdftotext may drop the spaces around a narrow slash


def _larger_roadmap(tenant: Tenant) -> list[tuple[str, str]]:
    """The rich roadmap plus a second défi with three more fiches: five fiches in all. Returns (ref, title) of each."""
    rich_roadmap(tenant.roadmap)
    defi = DefiFactory(roadmap=tenant.roadmap, title="Former les aidants du territoire")
    chantier = ChantierFactory(roadmap=tenant.roadmap, defi=defi, title="Un réseau d'aidants formés")
    for title in ("Former les secrétaires de mairie", "Un annuaire des aidants", "Des ateliers pour les parents"):
        ActionFactory(roadmap=tenant.roadmap, chantier=chantier, title=title, description="Une action. " * 200)
    return [(f["ref"], f["title"]) for f in roadmap_document(tenant.roadmap)["fiches"]]


def _export_pdf(client: Client, roadmap_pk: int, kind: str) -> bytes:
    job = _export(client, reverse("documents:exports", args=[roadmap_pk]), kind)
    assert job.status == ExportJob.Status.DONE, job.error
    return _download(client, job)


def _is_contents(text: str) -> bool:
    return "....." in text  # the leaders of the table of contents


def _page_of(pages: list[str], needle: str) -> int:
    """The 0-based index of the first page showing `needle`, outside the table of contents."""
    return next(i for i, text in enumerate(pages) if needle in text and not _is_contents(text))


def test_a_roadmap_rendered_in_parts_reads_page_for_page_like_one_render(
    tenant_a: Tenant, client_a: Client, in_parts: list[int]
) -> None:
    _larger_roadmap(tenant_a)
    joined = _export_pdf(client_a, tenant_a.roadmap.pk, "roadmap_pdf")
    assert in_parts, "the export did not go through the parts"

    whole = exports.html_to_pdf(exports.roadmap_html(roadmap_document(tenant_a.roadmap))).content
    joined_pages, whole_pages = _pages_text(joined), _pages_text(whole)
    assert len(joined_pages) == len(whole_pages) == in_parts[0]
    for number, (ours, theirs) in enumerate(zip(joined_pages, whole_pages, strict=True), start=1):
        # Same words on every page; only their order in the text may differ (the footers are stamped last).
        assert sorted(ours.split()) == sorted(theirs.split()), f"page {number}"


def test_every_page_but_the_cover_has_its_number_and_the_contents_their_page(
    tenant_a: Tenant, client_a: Client, in_parts: list[int]
) -> None:
    titles = _larger_roadmap(tenant_a)
    content = _export_pdf(client_a, tenant_a.roadmap.pk, "roadmap_pdf")
    pages = _pages_text(content)
    total = len(pages)
    assert FOOTER.findall(pages[0]) == []  # the cover
    for index, text in enumerate(pages[1:], start=2):
        assert FOOTER.findall(text) == [(str(index), str(total))], f"page {index}"
    # Running headers come from each part: the roadmap's title on top, the organisation below.
    annex_page = pages[_page_of(pages, f"Fiche action {titles[-1][0]}")]
    assert tenant_a.roadmap.title in annex_page and tenant_a.organization.name in annex_page

    contents = " ".join(text for text in pages if _is_contents(text))
    entries = [("Budget et plan de financement", "Budget et plan de financement"), ("Calendrier", "Calendrier")]
    entries += [(f"{ref} · {title}", f"Fiche action {ref}") for ref, title in titles]
    for entry, page_shows in entries:
        printed = re.search(re.escape(entry) + r"\s*\.{3,}\s*(\d+)", contents)
        assert printed, entry
        assert _page_of(pages, page_shows) + 1 == int(printed[1]), entry


def test_the_contents_link_to_their_pages_and_the_outline_follows_them(
    tenant_a: Tenant, client_a: Client, in_parts: list[int]
) -> None:
    from pypdf import PdfReader

    titles = _larger_roadmap(tenant_a)
    content = _export_pdf(client_a, tenant_a.roadmap.pk, "roadmap_pdf")
    pages = _pages_text(content)
    reader = PdfReader(io.BytesIO(content))
    assert reader.metadata is not None and reader.metadata.title == tenant_a.roadmap.title
    assert reader.root_object["/Lang"] == "fr"

    page_index = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}  # type: ignore[union-attr]
    links = [
        annotation.get_object()
        for page in reader.pages[1:3]
        for annotation in page.get("/Annots", [])
        if annotation.get_object()["/Subtype"] == "/Link"
    ]
    targets = sorted(page_index[link["/Dest"][0].idnum] for link in links)
    fiche_pages = [_page_of(pages, f"Fiche action {ref}") for ref, _title in titles]
    assert set(fiche_pages) <= set(targets)
    assert _page_of(pages, "Annexe : les fiches actions") in targets
    assert len(links) == 10 + 2 + len(titles)  # sections, défis, fiches

    outline = reader.outline
    top = [str(item.title) for item in outline if not isinstance(item, list)]
    assert top[:3] == ["Le territoire et son diagnostic", "Les enjeux", "Les défis et leurs chantiers"]
    assert top[-1] == "Annexe : les fiches actions"
    fiches = [item for item in outline[-1] if not isinstance(item, list)] if isinstance(outline[-1], list) else []
    assert [tuple(str(item.title).split(" · ")) for item in fiches] == titles
    assert [reader.get_destination_page_number(item) for item in fiches] == [
        _page_of(pages, f"Fiche action {ref}") for ref, _title in titles
    ]


def test_all_fiches_rendered_in_parts_are_numbered_from_the_first_page(
    tenant_a: Tenant, client_a: Client, in_parts: list[int]
) -> None:
    from pypdf import PdfReader

    titles = _larger_roadmap(tenant_a)
    content = _export_pdf(client_a, tenant_a.roadmap.pk, "fiches_pdf")
    assert in_parts
    pages = _pages_text(content)
    for index, text in enumerate(pages, start=1):
        assert FOOTER.findall(text) == [(str(index), str(len(pages)))], f"page {index}: {text}"
        assert tenant_a.roadmap.title in text
    outline = PdfReader(io.BytesIO(content)).outline
    assert [tuple(str(item.title).split(" · ")) for item in outline if not isinstance(item, list)] == titles
    assert "Sommaire" not in " ".join(pages)


def test_a_small_roadmap_is_rendered_in_one_piece(
    tenant_a: Tenant, client_a: Client, in_parts: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    rich_roadmap(tenant_a.roadmap)  # two fiches
    monkeypatch.setattr(exports, "PARTS_FROM_FICHES", 3)
    content = _export_pdf(client_a, tenant_a.roadmap.pk, "roadmap_pdf")
    assert in_parts == []
    pages = _pages_text(content)
    assert FOOTER.findall(pages[1]) == [("2", str(len(pages)))]


def test_a_failure_while_joining_stops_the_render_and_is_raised() -> None:
    def broken_front(_pages: Any) -> str:
        raise ValueError("front")

    with pytest.raises(ValueError, match="front"):
        paged.render_joined(
            ["<p id='a'>A</p>"],
            front=broken_front,
            outline=[],
            page_numbers=lambda labels: "<p>1</p>",
            numbered_from=0,
            title="T",
            author="A",
            workers=2,
        )


def _render_in_a_daemon(results: Any) -> None:
    """What a Celery worker's process does: it is a daemon, yet starts the pool's processes."""
    joined = paged.render_joined(
        ["<p id='a'>Première partie</p>", "<p id='b'>Seconde partie</p>"],
        front=None,
        outline=[paged.OutlineEntry("a", "A", 1), paged.OutlineEntry("b", "B", 1)],
        page_numbers=lambda labels: "<style>p + p { break-before: page }</style>" + "<p></p>" * len(labels),
        numbered_from=0,
        title="T",
        author="A",
        workers=2,
    )
    results.put(joined.pages)


def test_a_celery_worker_process_can_render_in_parts() -> None:
    import billiard

    context = billiard.get_context("fork")  # as Celery's prefork pool starts its processes
    results = context.Queue()
    worker = context.Process(target=_render_in_a_daemon, args=(results,), daemon=True)
    worker.start()
    try:
        assert results.get(timeout=60) == 2
    finally:
        worker.join(timeout=10)
    assert worker.exitcode == 0


def test_the_fiches_are_shared_in_parts_that_end_small() -> None:
    fiches = [{"pk": i} for i in range(150)]
    parts = exports._fiche_parts(fiches, workers=2)
    assert [fiche for part in parts for fiche in part] == fiches  # every fiche once, in order
    sizes = [len(part) for part in parts]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] == 19 and sizes[-1] <= 5
    assert sum(sizes[-4:]) < sizes[0] * 2  # the last round of parts is short
    assert exports._fiche_parts(fiches[:3], workers=2) == [fiches[:2], fiches[2:3]]


def test_a_worker_process_readies_the_fork_server_as_it_starts() -> None:
    import os

    from billiard import forkserver
    from celery.signals import worker_process_init

    from documents import tasks

    worker_process_init.send(sender=None)  # what Celery sends in each new worker process
    assert tasks.start_pdf_fork_server in [receiver() for _key, receiver in worker_process_init.receivers]
    address = forkserver._forkserver._forkserver_address
    assert address is not None and os.path.exists(address)  # its socket, listening for fork requests
