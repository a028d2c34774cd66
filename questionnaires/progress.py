"""Step 7 (évaluer): the questionnaires of the roadmap and their responses, in one query."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from roadmap.models import Roadmap
from roadmap.steps import Link, Step, step_contributor


@step_contributor(7)
def questionnaires(step: Step, roadmap: Roadmap) -> None:
    counts = (
        roadmap.questionnaires.filter(organization_id=roadmap.organization_id)
        .order_by()
        .aggregate(n=Count("pk", distinct=True), responses=Count("responses"))
    )
    n, responses = counts["n"], counts["responses"]
    if n:
        questionnaires_text = ngettext("%(count)d questionnaire", "%(count)d questionnaires", n) % {"count": n}
        responses_text = ngettext("%(count)d réponse", "%(count)d réponses", responses) % {"count": responses}
        step.done.append(f"{questionnaires_text}, {responses_text}")
        if not responses:
            step.missing.append(_("Diffusez vos questionnaires : aucune réponse pour l'instant."))
    step.links.append(
        Link(_("Les questionnaires"), reverse("questionnaires:questionnaire_list", kwargs={"roadmap_pk": roadmap.pk}))
    )
