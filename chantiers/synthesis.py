"""The synthetic table of step 4: the chantiers of each enjeu with their feasibility and priority, computed in a
fixed number of queries for the page, the wall and the PDF."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch

from chantiers.models import ChantierGroup, ChantierSheet, Priority, SheetPerson
from roadmap.models import Chantier, Enjeu, Roadmap


@dataclass
class Cell:
    chantier: Chantier
    sheet: ChantierSheet | None
    # The priority is the group's choice: shown only in the row of the enjeu whose group chose it.
    priority: str = ""

    @property
    def feasibility(self) -> str:
        return self.sheet.feasibility if self.sheet else "blanc"

    @property
    def priority_label(self) -> str:
        return str(Priority(self.priority).label) if self.priority else ""


@dataclass
class Row:
    enjeu: Enjeu
    group: ChantierGroup | None
    cells: list[Cell] = field(default_factory=list)

    @property
    def priorities(self) -> list[Cell]:
        return [c for c in self.cells if c.priority]


def _priority_rank(cell: Cell) -> int:
    return {Priority.PRIORITAIRE: 0, Priority.INCONNU: 1}.get(Priority(cell.priority), 2)


def synthesis(roadmap: Roadmap) -> list[Row]:
    """Four queries: enjeux, their chantiers with the fiches, the fiches' people, the groups."""
    sheets = ChantierSheet.objects.prefetch_related(
        Prefetch("people", queryset=SheetPerson.objects.select_related("actor", "contact__actor"))
    )
    # The enjeu's chantiers through the spine's many-to-many link, which no key ties to an organisation: this
    # roadmap's only.
    chantiers = Chantier.objects.filter(roadmap=roadmap).select_related("sheet", "defi").order_by("order", "pk")
    enjeux = list(roadmap.enjeux.order_by("order", "pk").prefetch_related(Prefetch("chantiers", queryset=chantiers)))
    # The fiches' people in one query, after the chantiers are known (select_related cannot prefetch them).
    found = [c.sheet for e in enjeux for c in e.chantiers.all() if _has_sheet(c)]
    if found:
        by_pk = {s.pk: s for s in sheets.filter(pk__in=[s.pk for s in found])}
        for enjeu in enjeux:
            for chantier in enjeu.chantiers.all():
                if _has_sheet(chantier):
                    chantier.sheet = by_pk[chantier.sheet.pk]
    groups = {g.enjeu_id: g for g in ChantierGroup.objects.filter(roadmap=roadmap)}
    rows = []
    for enjeu in enjeux:
        group = groups.get(enjeu.pk)
        row = Row(enjeu, group)
        for chantier in enjeu.chantiers.all():
            sheet = chantier.sheet if _has_sheet(chantier) else None
            chosen_here = sheet is not None and group is not None and sheet.group_id == group.pk
            row.cells.append(Cell(chantier, sheet, sheet.priority if sheet and chosen_here else ""))
        row.cells.sort(key=_priority_rank)
        rows.append(row)
    return rows


def _has_sheet(chantier: Chantier) -> bool:
    try:
        return chantier.sheet is not None
    except ChantierSheet.DoesNotExist:
        return False


def wall_version(roadmap: Roadmap) -> str:
    """What the plenary wall polls: changes with any fiche, group or chantier of the roadmap (two small queries,
    no cross product of the tables)."""
    groups = ChantierGroup.objects.filter(roadmap=roadmap).aggregate(last=Max("updated_at"))
    chantiers = Chantier.objects.filter(roadmap=roadmap).aggregate(
        last=Max("updated_at"), n=Count("pk", distinct=True), links=Count("enjeux")
    )
    return "-".join(
        str(v.timestamp() if hasattr(v, "timestamp") else v) for v in [*groups.values(), *chantiers.values()]
    )


def group_version(group: ChantierGroup) -> str:
    """What a group's projector polls (one query)."""
    state = (
        ChantierGroup.objects.filter(pk=group.pk)
        .annotate(n=Count("sheets"), last=Max("sheets__updated_at"))
        .values("updated_at", "n", "last")
        .first()
    )
    if state is None:
        return ""
    return "-".join(str(v.timestamp() if hasattr(v, "timestamp") else v) for v in state.values())
