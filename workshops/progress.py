"""What the workshops add to the roadmap's steps: step 3 (ateliers) and step 2 (tour de table)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from roadmap.models import Roadmap
from roadmap.steps import Link, Step, step_contributor
from workshops.models import Kind, Stage


def _counts(roadmap: Roadmap) -> dict[str, int]:
    """One query: workshops of this roadmap by type, and those whose groups reached their results."""
    reached = Q(groups__stage__in=[Stage.RANKING, Stage.MATRIX, Stage.DONE])
    counts = roadmap.workshops.aggregate(
        enquetes=Count("pk", filter=~Q(kind=Kind.TOUR_DE_TABLE), distinct=True),
        results=Count("pk", filter=~Q(kind=Kind.TOUR_DE_TABLE) & reached, distinct=True),
        tours=Count("pk", filter=Q(kind=Kind.TOUR_DE_TABLE), distinct=True),
        answers=Count("groups__answers", filter=Q(kind=Kind.TOUR_DE_TABLE)),
    )
    return counts


@step_contributor(2)
def tour_de_table(step2: Step, roadmap: Roadmap) -> None:
    """One query."""
    counts = _counts(roadmap)
    url = reverse("workshops:workshop_list", kwargs={"roadmap_pk": roadmap.pk})
    # A tour de table counts once someone answered: an empty one says nothing of the group's representations.
    if counts["answers"]:
        step2.done.append(
            ngettext(
                "Tour de table : %(count)d réponse recueillie",
                "Tour de table : %(count)d réponses recueillies",
                counts["answers"],
            )
            % {"count": counts["answers"]}
        )
    elif counts["tours"]:
        step2.missing.append(_("Recueillez les réponses du tour de table préparé."))
    else:
        step2.missing.append(_("Organisez un tour de table : qu'est-ce que l'inclusion numérique pour chacun ?"))
    step2.links.append(Link(_("Lancer un tour de table"), url, requires="workshops"))


@step_contributor(3)
def workshops_held(step3: Step, roadmap: Roadmap) -> None:
    """One query."""
    counts = _counts(roadmap)
    url = reverse("workshops:workshop_list", kwargs={"roadmap_pk": roadmap.pk})
    if counts["results"]:
        step3.done.append(
            ngettext(
                "%(count)d atelier participatif mené jusqu'au classement",
                "%(count)d ateliers participatifs menés jusqu'au classement",
                counts["results"],
            )
            % {"count": counts["results"]}
        )
    elif counts["enquetes"]:
        step3.missing.append(_("Menez les ateliers préparés jusqu'au classement des idées."))
    else:
        step3.missing.append(_("Préparez les ateliers « Mon territoire dans 10 ans » et « Idées reçues »."))
    step3.links.append(Link(_("Les ateliers participatifs"), url))
