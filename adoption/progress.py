"""Step 6 (formaliser): adoption and its versions on the step's page (no query)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from roadmap.models import Roadmap
from roadmap.steps import Link, Step, step_contributor


@step_contributor(6)
def adopt(step: Step, roadmap: Roadmap) -> None:
    step.links.append(Link(_("Adoption et versions"), reverse("adoption:adoption", kwargs={"roadmap_pk": roadmap.pk})))
