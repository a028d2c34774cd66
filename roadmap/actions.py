"""Spine workflows: saving an element under its row lock (optimistic locking), placing a chantier in a défi,
deleting a roadmap. Each is atomic."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from roadmap.models import Chantier, Defi, OrderedInRoadmap, Roadmap

if TYPE_CHECKING:
    from roadmap.forms import SpineForm

M = TypeVar("M", bound=Model)


class StaleEdit(Exception):
    """The row was saved (or deleted: `saved_at` is None) after the editor loaded it; nothing was saved.

    Views turn it into an error on the form (`SeenVersionForm.refuse_stale_edit`), which shows the typed input again.
    """

    def __init__(self, saved_at: datetime | None) -> None:
        super().__init__(saved_at.isoformat() if saved_at else "deleted")
        self.saved_at = saved_at


def lock_unchanged(model: type[M], pk: int, seen: str | None) -> M:
    """Lock the row until the transaction ends, and raise StaleEdit if it was saved after `seen`.

    `seen` is the `updated_at` (ISO) the editor started from, carried by the form's hidden `seen_version`. The check
    runs under the lock, so of two saves started from the same version the second waits for the first and is
    refused. Without `seen` (a form that does not carry it) the row is locked and nothing is compared."""
    row = model._default_manager.select_for_update().filter(pk=pk).first()
    if row is None:
        raise StaleEdit(None)
    saved_at: datetime = row.updated_at  # type: ignore[attr-defined]
    if seen:
        try:
            unchanged = datetime.fromisoformat(seen) == saved_at
        except ValueError:
            unchanged = False
        if not unchanged:
            raise StaleEdit(saved_at)
    return row


@transaction.atomic
def save_spine_item(form: SpineForm) -> Any:
    """Save an enjeu, a défi, a chantier or an action from its valid form; an edit is refused (StaleEdit) when
    someone saved the element since the editor loaded it."""
    item: OrderedInRoadmap = form.instance
    if item.pk:
        locked = lock_unchanged(type(item), item.pk, form.cleaned_data.get("seen_version"))
        # A move up or down changes the order without touching `updated_at`: keep the order saved meanwhile.
        item.order = locked.order
    return form.save()


@transaction.atomic
def place_chantier(chantier: Chantier, defi: Defi | None, position: int | None = None) -> Chantier:
    """Put a chantier in a défi (or none) at a position (1-based; at the end when None), renumbering both lists."""
    if defi is not None and defi.roadmap_id != chantier.roadmap_id:
        raise ValueError("défi of another roadmap")
    chantier = Chantier.objects.select_for_update().get(pk=chantier.pk)
    old_defi_id = chantier.defi_id
    siblings = list(
        Chantier.objects.select_for_update()
        .filter(roadmap_id=chantier.roadmap_id, defi=defi)
        .exclude(pk=chantier.pk)
        .order_by("order", "pk")
    )
    index = len(siblings) if position is None else min(max(position - 1, 0), len(siblings))
    siblings.insert(index, chantier)
    chantier.defi = defi
    for number, sibling in enumerate(siblings, start=1):
        Chantier.objects.filter(pk=sibling.pk).update(order=number, defi=defi, updated_at=timezone.now())
    if old_defi_id != (defi.pk if defi else None):
        remaining = Chantier.objects.filter(roadmap_id=chantier.roadmap_id, defi=old_defi_id).order_by("order", "pk")
        for number, pk in enumerate(remaining.values_list("pk", flat=True), start=1):
            Chantier.objects.filter(pk=pk).update(order=number)
    chantier.refresh_from_db()
    return chantier


@transaction.atomic
def delete_roadmap(roadmap: Roadmap) -> None:
    """Delete the roadmap and everything that hangs from it (spine, fiches, workshops, versions, exports), all or
    nothing. Stored files (versions' and exports' PDFs) stay in storage."""
    roadmap.delete()
