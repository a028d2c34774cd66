"""Step 6 (formaliser): the fiches' tools on the step's page (no query)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from roadmap.models import Roadmap
from roadmap.steps import Link, Step, step_contributor


@step_contributor(6)
def formalise(step: Step, roadmap: Roadmap) -> None:
    pk = {"roadmap_pk": roadmap.pk}
    step.links += [
        Link(_("Budget consolidé"), reverse("fiches:budget", kwargs=pk)),
        Link(_("Calendrier"), reverse("fiches:timeline", kwargs=pk)),
        Link(_("Gouvernance"), reverse("fiches:governance", kwargs=pk)),
        Link(_("Documents (PDF, Word, Excel)"), reverse("documents:exports", kwargs=pk)),
    ]
