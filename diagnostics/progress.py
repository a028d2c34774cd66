"""Step 3's status on the roadmap home: is the diagnostic imported, is the synthesis written (2 queries)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from diagnostics.models import CommuneStatistic, TerritoryDiagnostic
from roadmap.models import Roadmap
from roadmap.steps import Link, Step, step_contributor

IMPORT_REMINDER = gettext_lazy(
    "Importez les données du diagnostic (INSEE, indice de fragilité numérique, lieux de médiation)."
)


@step_contributor(3)
def diagnostic(step: Step, roadmap: Roadmap) -> None:
    territory_id = roadmap.territory_id
    has_statistics = CommuneStatistic.objects.filter(commune__territories=territory_id).exists()
    written = TerritoryDiagnostic.objects.filter(
        organization_id=roadmap.organization_id, territory_id=territory_id
    ).exclude(synthesis="")
    if has_statistics:
        step.done.append(_("Diagnostic chiffré disponible (INSEE, IFN, lieux d'accompagnement)"))
    else:
        step.missing.append(IMPORT_REMINDER)
    if written.exists():
        step.done.append(_("Synthèse du diagnostic rédigée"))
    else:
        step.missing.append(gettext_lazy("Rédigez la synthèse du diagnostic avec le groupe projet."))
    step.links.append(
        Link(
            gettext_lazy("Le diagnostic chiffré"),
            reverse("diagnostics:territory", kwargs={"territory_pk": territory_id}),
        )
    )
