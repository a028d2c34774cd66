from typing import Any
from django.utils.translation import gettext as _
from tests.workshops.test_query_counts import LARGE, build_workshop
from workshops.models import Item, Kind, top_items
from workshops.views import _export_rows


def old_rows(workshop) -> list[dict[str, Any]]:
    rows = []
    for group in workshop.groups.all():
        live = {i.pk: i for i in group.items_with_points()}
        ranks = {i.pk: i.rank for i in top_items(list(live.values()))}
        items = group.items.filter(status=Item.Status.ACCEPTED).prefetch_related("placements").order_by("number")
        for item in items:
            scored = live.get(item.pk)
            placements = {p.moment: p for p in item.placements.all()}
            row: dict[str, Any] = {
                "groupe": group.name,
                "numero": item.number,
                "item": item.label,
                "etat": _("barré")
                if item.struck
                else (_("fusionné dans n°%(n)s") % {"n": item.merged_into.number} if item.merged_into else ""),
                "points_main_levee": item.paper_points,
                "total": scored.total if scored else "",
                "rang_top10": ranks.get(item.pk, ""),
            }
            for moment, label in workshop.moments:
                placement = placements.get(moment)
                row[f"{label} — {workshop.x_label}"] = placement.get_x_display() if placement else ""
                row[f"{label} — pourquoi"] = placement.reason if placement else ""
                if workshop.kind == Kind.DIX_ANS:
                    row[f"{label} — que faudrait-il"] = placement.what_it_takes if placement else ""
            rows.append(row)
    return rows


def test_same(tenant_a):
    for kind in (Kind.DIX_ANS, Kind.IDEES_RECUES):
        w = build_workshop(tenant_a, LARGE, kind=kind)
        new = _export_rows(w)
        assert len(new) > 100
        assert new == old_rows(w)
