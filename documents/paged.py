"""Long PDFs rendered in parts, side by side in worker processes, then joined.

WeasyPrint lays a document out on one core: the roadmap of a large territory (cover, body, 150 fiches actions, some
350 pages) takes about 20 s that way. Its parts hardly depend on one another — every fiche starts on a new page —
except through page numbers: the table of contents and the « n / N » footers. So the parts are laid out in a pool of
processes, the front matter (cover and table of contents) is laid out last, once the page of every entry is known,
and the whole is joined with pypdf: footers stamped on every page, outline and links rebuilt from the parts' anchors.

This module does not touch Django: the pool's processes import only WeasyPrint and this file.
"""

from __future__ import annotations

import gc
import io
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from weasyprint import Document

logger = logging.getLogger(__name__)

# WeasyPrint draws 1 CSS px as 0.75 pt, from the top-left corner; PDF coordinates start at the bottom-left.
PT_PER_PX = 0.75
# A placeholder page number as wide as any real one (DejaVu Sans has tabular digits).
PLACEHOLDER_PAGE = 888
# Layouts of the front matter with real numbers before giving up on it settling (see render_joined).
FRONT_PASSES = 5


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector around a render.

    WeasyPrint builds millions of small objects for a 300-page document; the collector then keeps re-scanning the
    whole young-to-old heap and costs about a fifth of the render. Reference counting still frees almost everything;
    the few cycles left are collected once, at the end.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()


@dataclass(frozen=True)
class Anchor:
    page: int  # 0-based, in its own part (or document)
    left: float  # PDF points from the left edge
    top: float  # PDF points from the bottom edge, as PDF destinations count


@dataclass
class RenderedPart:
    """A part's PDF and where its anchors landed: small and picklable, it crosses the process boundary."""

    content: bytes
    pages: int
    anchors: dict[str, Anchor] = field(default_factory=dict)
    seconds: float = 0.0


def _anchors(document: Document) -> dict[str, Anchor]:
    found: dict[str, Anchor] = {}
    for index, page in enumerate(document.pages):
        for name, (x, y, _x2, _y2) in page.anchors.items():
            found.setdefault(name, Anchor(index, x * PT_PER_PX, (page.height - y) * PT_PER_PX))
    return found


def layout(html: str) -> Document:
    from weasyprint import HTML

    return HTML(string=html, base_url=None).render()


def render_part(html: str) -> RenderedPart:
    """Lay out and write one HTML document (in a pool process, or in this one for a small document)."""
    started = time.perf_counter()
    with without_cyclic_gc():
        document = layout(html)
        part = RenderedPart(document.write_pdf(), len(document.pages), _anchors(document))
        del document
    part.seconds = time.perf_counter() - started
    return part


@dataclass(frozen=True)
class OutlineEntry:
    anchor: str
    title: str
    level: int  # 1 or 2: a level-2 entry goes under the level-1 entry before it


@dataclass
class Joined:
    content: bytes
    pages: int
    seconds: float  # wall time from the first part sent to the joined file written


def processes() -> int:
    """How many processes lay out parts: PDF_RENDER_PROCESSES, or the machine's cores (at most 4)."""
    configured = os.environ.get("PDF_RENDER_PROCESSES", "")
    if configured.strip().isdigit():
        return max(1, int(configured))
    return max(1, min(os.cpu_count() or 1, 4))


def _context() -> Any:
    import billiard

    context = billiard.get_context("forkserver")
    context.set_forkserver_preload(["__main__", "weasyprint", "documents.paged"])
    return context


def start_fork_server() -> None:
    """Start this process's fork server now (it imports WeasyPrint, about a second) rather than at the first big PDF."""
    from billiard import forkserver

    _context()
    forkserver.ensure_running()


def _pool(workers: int) -> Any:
    """A pool of `workers` processes, forked from a fork server that has WeasyPrint imported already.

    billiard (Celery's own multiprocessing) rather than the standard library's: a Celery worker's process is a daemon,
    and only billiard lets a daemon have children. A fork server, started once per process, rather than a plain fork:
    the caller (a Celery worker, a test run) may hold threads, sockets and database connections that a forked child
    must not inherit. The caller's main module is preloaded too, else each child would import it again.
    """
    return _context().Pool(processes=workers)


def render_joined(
    parts: Iterable[str],
    *,
    front: Callable[[Mapping[str, int]], str] | None,
    outline: Sequence[OutlineEntry],
    page_numbers: Callable[[Sequence[str]], str],
    numbered_from: int,
    title: str,
    author: str,
    whole: Callable[[], str] | None = None,
    workers: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> Joined:
    """Render `parts` in parallel, then `front(page_of_anchor)` before them, and join the whole.

    `parts` may be a generator: each part is sent as soon as it is produced, the first (largest) one first.
    `page_numbers(labels)` is the HTML of blank pages carrying the footers `labels` (« 12 / 348 »), one per page;
    pages from index `numbered_from` on get theirs. `outline` entries point at anchors of the parts; the front's
    internal links to them become PDF links.

    The front's length may depend on its own numbers (one digit less, a line that no longer wraps, a page less, so
    other numbers change...). It is laid out again until it settles; if it never does, `whole()` — the document in
    one piece, where WeasyPrint resolves the numbers itself — is rendered instead.
    """
    started = time.perf_counter()
    workers = workers or processes()
    pool = _pool(workers)
    try:
        pending = [pool.apply_async(render_part, (html,)) for html in parts]
        # Meanwhile, this process lays the front matter out once with placeholder numbers, to learn its length.
        front_pages = 0
        if front is not None:
            with without_cyclic_gc():
                front_pages = len(layout(front({})).pages)
        results: list[RenderedPart] = []
        for job in pending:
            results.append(job.get())
            if progress is not None:
                progress(len(results) / len(pending))
        laid_out = time.perf_counter()
        total = front_pages + sum(part.pages for part in results)
        # The footers are laid out in the pool, in as many pieces as processes, while this process lays out the
        # front matter with its real numbers.
        footer_jobs = [
            pool.apply_async(render_part, (page_numbers(labels),))
            for labels in _footer_labels(numbered_from, total, workers)
        ]

        front_document: Document | None = None
        anchors = _absolute_anchors(results, front_pages)
        settled = front is None
        for _pass in range(FRONT_PASSES):
            if settled or front is None:
                break
            page_of = {name: anchor.page + 1 for name, anchor in anchors.items()}
            with without_cyclic_gc():
                front_document = layout(front(page_of))
            settled = len(front_document.pages) == front_pages
            if not settled:  # the real numbers changed the front's length: again, with the new length
                front_pages = len(front_document.pages)
                anchors = _absolute_anchors(results, front_pages)
        footers: list[RenderedPart] = [job.get() for job in footer_jobs]
    except BaseException:
        pool.terminate()  # a failure, or Celery's time limit: no process goes on laying out for nothing
        raise
    finally:
        # The processes leave once told to; billiard's pool takes up to a second to notice, so it is waited for
        # (its processes reaped) off the export's path, by a thread that the interpreter waits for at exit.
        pool.close()
        threading.Thread(target=pool.join, name="pdf-pool-join").start()

    if not settled:
        if whole is None:
            raise RuntimeError(f"the front matter did not settle in {FRONT_PASSES} layouts")
        logger.warning("the front matter did not settle in %d layouts: rendered in one piece", FRONT_PASSES)
        part = render_part(whole())
        return Joined(part.content, part.pages, time.perf_counter() - started)

    front_done = time.perf_counter()
    if front_pages + sum(part.pages for part in results) != total:  # the front grew or shrank: footers again
        total = front_pages + sum(part.pages for part in results)
        footers = [render_part(page_numbers(labels)) for labels in _footer_labels(numbered_from, total, 1)]
    content = _join(front_document, results, footers, anchors, outline, numbered_from, title=title, author=author)
    finished = time.perf_counter()
    logger.info(
        "PDF in %d parts, %d pages: parts laid out in %.2f s (%.2f s of work), front %.2f s, join %.2f s",
        len(results),
        total,
        laid_out - started,
        sum(part.seconds for part in results),
        front_done - laid_out,
        finished - front_done,
    )
    return Joined(content, total, finished - started)


def _footer_labels(first: int, total: int, pieces: int) -> list[list[str]]:
    labels = [f"{number} / {total}" for number in range(first + 1, total + 1)]
    size = -(-len(labels) // max(1, pieces))
    return [labels[i : i + size] for i in range(0, len(labels), size)]


def _absolute_anchors(parts: Sequence[RenderedPart], first_page: int) -> dict[str, Anchor]:
    anchors: dict[str, Anchor] = {}
    offset = first_page
    for part in parts:
        for name, anchor in part.anchors.items():
            anchors.setdefault(name, Anchor(offset + anchor.page, anchor.left, anchor.top))
        offset += part.pages
    return anchors


def _front_links(document: Document) -> tuple[bytes, list[tuple[int, tuple[float, float, float, float], str]]]:
    """Write the front matter, keeping its links to other parts aside (WeasyPrint would drop them as unknown).

    A link comes as several boxes (its text, the leader, the page number): one area per page and target covers them.
    """
    areas: dict[tuple[int, str], tuple[float, float, float, float]] = {}
    for index, page in enumerate(document.pages):
        kept = []
        for link in page.links:
            kind, target, (x1, y1, x2, y2), _box = link
            if kind == "internal" and target not in page.anchors:
                height = page.height
                rect = (x1 * PT_PER_PX, (height - y2) * PT_PER_PX, x2 * PT_PER_PX, (height - y1) * PT_PER_PX)
                known = areas.get((index, target), rect)
                areas[(index, target)] = (
                    min(known[0], rect[0]),
                    min(known[1], rect[1]),
                    max(known[2], rect[2]),
                    max(known[3], rect[3]),
                )
            else:
                kept.append(link)
        page.links = kept
    with without_cyclic_gc():
        content = document.write_pdf()
    return content, [(index, rect, target) for (index, target), rect in areas.items()]


def _join(
    front: Document | None,
    parts: Sequence[RenderedPart],
    footers: Sequence[RenderedPart],
    anchors: Mapping[str, Anchor],
    outline: Sequence[OutlineEntry],
    numbered_from: int,
    *,
    title: str,
    author: str,
) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Link
    from pypdf.generic import Fit, NameObject, TextStringObject

    writer = PdfWriter()
    links: list[tuple[int, tuple[float, float, float, float], str]] = []
    if front is not None:
        front_content, links = _front_links(front)
        writer.append(PdfReader(io.BytesIO(front_content)), import_outline=False)
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part.content)), import_outline=False)
    total = len(writer.pages)

    # The footers: blank pages with the same page rules, one per numbered page (laid out in pieces), each stamped on
    # its page.
    stamps = [page for footer in footers for page in PdfReader(io.BytesIO(footer.content)).pages]
    if len(stamps) != total - numbered_from:
        raise RuntimeError(f"{len(stamps)} footers for {total - numbered_from} pages")
    for index, stamp in enumerate(stamps, start=numbered_from):
        page = writer.pages[index]
        page.merge_page(stamp)
        page.compress_content_streams()  # merging leaves the page's content inflated

    def destination(anchor: Anchor) -> Fit:
        return Fit.xyz(left=anchor.left, top=anchor.top, zoom=0)

    for page_index, rect, target in links:
        anchor = anchors.get(target)
        if anchor is not None:
            link = Link(rect=rect, border=[0, 0, 0], target_page_index=anchor.page, fit=destination(anchor))
            writer.add_annotation(page_index, link)

    parent: Any = None
    for entry in outline:
        anchor = anchors.get(entry.anchor)
        if anchor is None:
            continue
        item = writer.add_outline_item(
            title=entry.title,
            page_number=anchor.page,
            parent=parent if entry.level > 1 else None,
            fit=destination(anchor),
            is_open=False,
        )
        if entry.level == 1:
            parent = item

    writer.add_metadata({"/Title": title, "/Author": author, "/Creator": "Cap Partagé"})
    writer.root_object[NameObject("/Lang")] = TextStringObject("fr")
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
