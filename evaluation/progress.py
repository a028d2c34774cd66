"""Step 7 (évaluer): what remains to do (no query)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from roadmap.models import Roadmap
from roadmap.steps import Step, step_contributor


@step_contributor(7)
def evaluate(step: Step, roadmap: Roadmap) -> None:
    step.missing.append(_("Cadrez l'évaluation : question évaluative, indicateurs, calendrier de collecte."))
