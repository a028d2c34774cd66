"""What is missing in a roadmap's chain: an enjeu no défi answers, a chantier without action or without défi,
an action without pilot or without budget. A fixed number of queries whatever the roadmap's size."""

from __future__ import annotations

from dataclasses import dataclass, field

from roadmap.models import Action, Chantier, Enjeu, Roadmap


@dataclass
class Gaps:
    enjeux_without_defi: list[Enjeu] = field(default_factory=list)
    chantiers_without_action: list[Chantier] = field(default_factory=list)
    chantiers_without_defi: list[Chantier] = field(default_factory=list)
    actions_without_pilot: list[Action] = field(default_factory=list)
    actions_without_budget: list[Action] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(
            len(items)
            for items in (
                self.enjeux_without_defi,
                self.chantiers_without_action,
                self.chantiers_without_defi,
                self.actions_without_pilot,
                self.actions_without_budget,
            )
        )


def roadmap_gaps(roadmap: Roadmap) -> Gaps:
    actions = (
        Action.objects.filter(roadmap=roadmap)
        .select_related("chantier__defi")
        .order_by("chantier__defi__order", "chantier__order", "order", "pk")
    )
    return Gaps(
        enjeux_without_defi=list(Enjeu.objects.filter(roadmap=roadmap, defis__isnull=True).order_by("order")),
        chantiers_without_action=list(
            Chantier.objects.filter(roadmap=roadmap, actions__isnull=True).select_related("defi").order_by("order")
        ),
        chantiers_without_defi=list(
            Chantier.objects.filter(roadmap=roadmap, defi__isnull=True).select_related("defi").order_by("order")
        ),
        actions_without_pilot=list(actions.without_pilot()),
        actions_without_budget=list(actions.without_budget().distinct()),
    )
