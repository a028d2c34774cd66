"""The « chaîne » of a roadmap: enjeu → défi → chantier → action, as one readable tree.

Built from five queries whatever the size of the roadmap, then assembled in Python. Only the fields the chain
shows are loaded (`*_FIELDS`): an action carries a whole fiche action of long texts that the chain never shows,
and loading them doubled the cost of the page (bench/chain.py). Reading another field of these objects costs
one query per object: add it to the tuple instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from roadmap.models import Action, Chantier, Defi, Enjeu, Roadmap

ENJEU_FIELDS = ("id", "order", "question")
DEFI_FIELDS = ("id", "order", "title")
CHANTIER_FIELDS = ("id", "order", "title", "defi")
ACTION_FIELDS = ("id", "order", "title", "chantier")


@dataclass
class ChantierNode:
    chantier: Chantier
    actions: list[Action]


@dataclass
class DefiNode:
    defi: Defi
    chantiers: list[ChantierNode]


@dataclass
class EnjeuNode:
    enjeu: Enjeu
    defis: list[DefiNode]


@dataclass
class Chain:
    enjeux: list[EnjeuNode]
    defis_without_enjeu: list[DefiNode] = field(default_factory=list)
    chantiers_without_defi: list[ChantierNode] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not any(self.counts.values())


def build_chain(roadmap: Roadmap) -> Chain:
    enjeux = list(Enjeu.objects.filter(roadmap=roadmap).only(*ENJEU_FIELDS).order_by("order", "pk"))
    defis = list(Defi.objects.filter(roadmap=roadmap).only(*DEFI_FIELDS).order_by("order", "pk"))
    answered = Defi.enjeux.through.objects.filter(defi__roadmap=roadmap).values_list("enjeu_id", "defi_id")
    chantiers = list(Chantier.objects.filter(roadmap=roadmap).only(*CHANTIER_FIELDS).order_by("order", "pk"))
    actions = list(Action.objects.filter(roadmap=roadmap).only(*ACTION_FIELDS).order_by("order", "pk"))

    actions_by_chantier: dict[int, list[Action]] = {}
    for action in actions:
        actions_by_chantier.setdefault(action.chantier_id, []).append(action)
    chantier_nodes = {c.pk: ChantierNode(c, actions_by_chantier.get(c.pk, [])) for c in chantiers}
    chantiers_by_defi: dict[int | None, list[ChantierNode]] = {}
    for chantier in chantiers:
        chantiers_by_defi.setdefault(chantier.defi_id, []).append(chantier_nodes[chantier.pk])
    defi_nodes = {d.pk: DefiNode(d, chantiers_by_defi.get(d.pk, [])) for d in defis}

    defi_ids_by_enjeu: dict[int, set[int]] = {}
    for enjeu_id, defi_id in answered:
        defi_ids_by_enjeu.setdefault(enjeu_id, set()).add(defi_id)
    with_enjeu = set().union(*defi_ids_by_enjeu.values()) if defi_ids_by_enjeu else set()

    return Chain(
        enjeux=[
            EnjeuNode(e, [defi_nodes[d.pk] for d in defis if d.pk in defi_ids_by_enjeu.get(e.pk, set())])
            for e in enjeux
        ],
        defis_without_enjeu=[defi_nodes[d.pk] for d in defis if d.pk not in with_enjeu],
        chantiers_without_defi=chantiers_by_defi.get(None, []),
        counts={
            "enjeux": len(enjeux),
            "defis": len(defis),
            "chantiers": len(chantiers),
            "actions": len(actions),
        },
    )
