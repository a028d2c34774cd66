"""Deleting a spine element: what goes with it and what stays (said before, with counts), and the bin that keeps
it, with everything its deletion took, for BinEntry.BIN_DAYS days so that it can be restored."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from django.core import serializers
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from roadmap.models import BinEntry


@dataclass
class Effects:
    """What deleting an element does: the rows that go (by kind, counted) and those that stay, detached."""

    goes: list[str] = field(default_factory=list)
    stays: list[str] = field(default_factory=list)
    rows: list[Model] = field(default_factory=list)  # every row that goes, parents first


def _name(model: type[Model], count: int) -> str:
    meta = model._meta
    return f"{count} {meta.verbose_name if count < 2 else meta.verbose_name_plural}"


def deletion_effects(obj: Model) -> Effects:
    """What `obj.delete()` would do, from Django's own deletion collector (so nothing is forgotten)."""
    collector = Collector(using="default", origin=obj)
    collector.collect([obj])
    effects = Effects()
    counts: Counter[type[Model]] = Counter()
    for model, instances in collector.data.items():
        counts[model] += len(instances)
        effects.rows += list(instances)
    # collector.data lists parents before what hangs from them; the rows deleted in bulk (budget lines, links
    # between elements) point at those, so they come after: a restore in this order re-creates parents first.
    for queryset in collector.fast_deletes:
        rows = list(queryset)
        if rows:
            counts[type(rows[0])] += len(rows)
            effects.rows += rows
    for model, count in counts.items():
        if model is type(obj):
            count -= 1
        if count and not model._meta.auto_created:  # links between elements (M2M rows) go silently, as links
            effects.goes.append(_name(model, count))
    for (fk, _value), batches in collector.field_updates.items():
        kept: int = sum(len(batch) for batch in cast(list[Any], batches))
        if kept:
            effects.stays.append(
                ngettext("%(items)s, conservé sans « %(field)s »", "%(items)s, conservés sans « %(field)s »", kept)
                % {"items": _name(fk.model, kept), "field": fk.verbose_name}
            )
    return effects


@transaction.atomic
def delete_to_bin(obj: Any, kind: str, user: Any) -> BinEntry:
    """Delete `obj` and what depends on it, keeping all of it in the bin."""
    effects = deletion_effects(obj)
    entry = BinEntry.objects.create(
        organization_id=obj.organization_id,
        roadmap_id=obj.roadmap_id,
        kind=kind,
        label=str(getattr(obj, "label", obj))[:400],
        summary="\n".join(effects.goes),
        rows=json.loads(serializers.serialize("json", effects.rows)),
        deleted_by=user if getattr(user, "pk", None) else None,
    )
    obj.delete()
    return entry


class RestoreError(Exception):
    pass


@transaction.atomic
def restore(entry: BinEntry) -> None:
    """Put the rows back, with their ids; refused (nothing restored) if what they point at is gone meanwhile."""
    entry = BinEntry.objects.select_for_update().get(pk=entry.pk)
    try:
        with transaction.atomic():
            for deserialized in serializers.deserialize("json", json.dumps(entry.rows)):
                # Links between elements come back as their own rows (kept with the rest), not twice.
                deserialized.save(save_m2m=False)
    except IntegrityError as error:
        raise RestoreError(
            _("« %(label)s » ne peut pas être restauré : un élément auquel il était rattaché a été supprimé depuis.")
            % {"label": entry.label}
        ) from error
    entry.delete()


def purge_expired(organization_id: int) -> int:
    """Forget what has been in the bin for more than BIN_DAYS days."""
    limit = timezone.now() - timedelta(days=BinEntry.BIN_DAYS)
    return BinEntry.objects.filter(organization_id=organization_id, deleted_at__lt=limit).delete()[0]


def effects_text(effects: Effects) -> tuple[str, str]:
    """The two sentences of the confirmation: what goes, what stays."""
    goes = (
        _("Sont aussi supprimés : %(items)s.") % {"items": ", ".join(effects.goes)}
        if effects.goes
        else _("Rien d'autre n'est supprimé.")
    )
    stays = _("Restent : %(items)s.") % {"items": ", ".join(effects.stays)} if effects.stays else ""
    return goes, stays


def days_left(entry: BinEntry) -> int:
    left = BinEntry.BIN_DAYS - (timezone.now() - entry.deleted_at).days
    return max(0, left)


def days_text(entry: BinEntry) -> str:
    n = days_left(entry)
    return ngettext("restaurable encore %(n)s jour", "restaurable encore %(n)s jours", n) % {"n": n}
