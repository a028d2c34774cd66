"""What the chantiers clés workshop adds to step 4: « Fait » only when each enjeu has its priority chantiers and
their fiches are filled (the spine reports the chantiers themselves)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from chantiers.models import ChantierSheet, Feasibility, GovernanceRole, Priority, SheetPerson
from roadmap.models import Roadmap
from roadmap.steps import Link, Step, step_contributor


def _per_enjeu(sheets: QuerySet[ChantierSheet]) -> Coalesce:
    """How many of `sheets` belong to the outer enjeu's group, as a scalar subquery."""
    counted = sheets.filter(group__enjeu=OuterRef("pk")).order_by().values("group__enjeu").annotate(c=Count("pk"))
    return Coalesce(Subquery(counted.values("c")), 0)


@step_contributor(4)
def chantiers_cles(step4: Step, roadmap: Roadmap) -> None:
    """One query: per enjeu, its group's priority chantiers and those whose fiche is not filled."""
    priorities = ChantierSheet.objects.filter(priority=Priority.PRIORITAIRE)
    has_pilot = Exists(SheetPerson.objects.filter(sheet=OuterRef("pk"), role=GovernanceRole.PILOTE))
    # The same test as ChantierSheet.is_filled: « on aura réussi si… », a pilot, a colour chosen by the group.
    unfilled = priorities.filter(Q(success="") | Q(feasibility=Feasibility.BLANC) | ~has_pilot)
    rows = list(
        roadmap.enjeux.annotate(n_priorities=_per_enjeu(priorities), n_unfilled=_per_enjeu(unfilled)).values_list(
            "n_priorities", "n_unfilled"
        )
    )
    pk = {"roadmap_pk": roadmap.pk}
    step4.links.append(Link(_("L'atelier chantiers clés"), reverse("chantiers:home", kwargs=pk)))
    step4.links.append(Link(_("Tableau des chantiers par enjeu"), reverse("chantiers:synthesis", kwargs=pk)))
    if not rows:
        step4.missing.append(_("Formulez d'abord les enjeux (étape 3) : les chantiers clés y répondent."))
        return
    without = sum(1 for n_priorities, _n in rows if not n_priorities)
    unfilled_count = sum(n for _p, n in rows)
    if without:
        step4.missing.append(
            ngettext(
                "%(count)d enjeu n'a pas encore de chantier prioritaire choisi par son groupe",
                "%(count)d enjeux n'ont pas encore de chantier prioritaire choisi par leur groupe",
                without,
            )
            % {"count": without}
        )
    else:
        step4.done.append(str(_("Chaque enjeu a ses chantiers prioritaires")))
    if unfilled_count:
        step4.missing.append(
            ngettext(
                "%(count)d fiche de chantier prioritaire à compléter (on aura réussi si…, pilote, faisabilité)",
                "%(count)d fiches de chantiers prioritaires à compléter (on aura réussi si…, pilote, faisabilité)",
                unfilled_count,
            )
            % {"count": unfilled_count}
        )
