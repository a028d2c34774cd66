"""Step 1 (organiser la démarche): what the groupe projet module will report (no query)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from roadmap.models import Roadmap
from roadmap.steps import Step, step_contributor


@step_contributor(1)
def organise(step: Step, roadmap: Roadmap) -> None:
    step.missing.append(_("Le module « groupe projet » (mandat, calendrier, gouvernance) arrive bientôt."))
