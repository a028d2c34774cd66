"""How each kind of spine element is listed and edited, so one set of views serves all four."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from roadmap.forms import ActionForm, ChantierForm, DefiForm, EnjeuForm, SpineForm
from roadmap.models import Action, Chantier, Defi, Enjeu, Roadmap
from tenancy.models import Organization


@dataclass(frozen=True)
class SpineKind:
    name: str  # also the URL kwarg prefix: enjeu → enjeu_pk
    model: type[Model]
    form: type[SpineForm]
    plural_label: Promise
    add_label: Promise
    help_text: Promise
    empty_text: Promise
    tenant_manager: Callable[[Organization], QuerySet[Model]]
    list_queryset: Callable[[Roadmap], QuerySet[Model]]

    @property
    def url_segment(self) -> str:
        """The plural in URLs: enjeux, defis, chantiers, actions."""
        return "enjeux" if self.name == "enjeu" else f"{self.name}s"

    @property
    def ns(self) -> str:
        """The URL name prefix, e.g. roadmap:enjeu (+ _list, _edit, _row, _move, _delete)."""
        return f"roadmap:{self.name}"

    @property
    def pk_kwarg(self) -> str:
        return f"{self.name}_pk"


SPINE_KINDS: dict[str, SpineKind] = {
    kind.name: kind
    for kind in [
        SpineKind(
            name="enjeu",
            model=Enjeu,
            form=EnjeuForm,
            plural_label=_("Enjeux"),
            add_label=_("Ajouter un enjeu"),
            help_text=_("Un enjeu est une question que le territoire se pose : « Comment … ? »."),
            empty_text=_(
                "Aucun enjeu pour l'instant. Formulez-les à partir du diagnostic et des ateliers, "
                "sous forme de questions."
            ),
            tenant_manager=lambda org: org.enjeux.all(),
            list_queryset=lambda roadmap: roadmap.enjeux.all(),
        ),
        SpineKind(
            name="defi",
            model=Defi,
            form=DefiForm,
            plural_label=_("Défis"),
            add_label=_("Ajouter un défi"),
            help_text=_("Un défi (axe stratégique) est un objectif qui regroupe des chantiers et répond à des enjeux."),
            empty_text=_("Aucun défi pour l'instant. Regroupez vos chantiers en quelques grands objectifs."),
            tenant_manager=lambda org: org.defis.all(),
            list_queryset=lambda roadmap: roadmap.defis.prefetch_related("enjeux"),
        ),
        SpineKind(
            name="chantier",
            model=Chantier,
            form=ChantierForm,
            plural_label=_("Chantiers"),
            add_label=_("Ajouter un chantier"),
            help_text=_("Un chantier combine plusieurs actions ; il peut répondre à plusieurs enjeux."),
            empty_text=_("Aucun chantier pour l'instant. Passez des enjeux aux solutions : quels chantiers clés ?"),
            tenant_manager=lambda org: org.chantiers.select_related("defi"),
            list_queryset=lambda roadmap: (
                roadmap.chantiers.select_related("defi")
                .prefetch_related("enjeux")
                .order_by(F("defi__order").asc(nulls_last=True), "order", "pk")
            ),
        ),
        SpineKind(
            name="action",
            model=Action,
            form=ActionForm,
            plural_label=_("Actions"),
            add_label=_("Ajouter une action"),
            help_text=_("Une action est l'unité opérationnelle d'un chantier : elle deviendra une fiche action."),
            empty_text=_("Aucune action pour l'instant. Décrivez ce que chaque chantier fera concrètement."),
            tenant_manager=lambda org: org.actions.select_related("chantier__defi"),
            list_queryset=lambda roadmap: roadmap.actions.select_related("chantier__defi").order_by(
                "chantier__defi__order", "chantier__order", "order", "pk"
            ),
        ),
    ]
}
