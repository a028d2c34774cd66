"""Step 5 (s'inspirer): what remains to do (no query)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from roadmap.models import Roadmap
from roadmap.steps import Step, step_contributor


@step_contributor(5)
def inspire(step: Step, roadmap: Roadmap) -> None:
    step.missing.append(_("Repérez des expériences inspirantes d'autres territoires."))
