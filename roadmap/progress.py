"""Step 6 (formaliser) on the roadmap home: links to the fiches' tools and the adoption status (no query)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from roadmap.models import Roadmap
from roadmap.steps import Link, Step


def contribute(steps: list[Step], roadmap: Roadmap) -> None:
    step = next((s for s in steps if s.number == 6), None)
    if step is None:
        return
    pk = {"roadmap_pk": roadmap.pk}
    step.links += [
        Link(_("Organiser les défis"), reverse("roadmap:defi_board", kwargs=pk)),
        Link(_("Budget consolidé"), reverse("roadmap:budget", kwargs=pk)),
        Link(_("Calendrier"), reverse("roadmap:timeline", kwargs=pk)),
        Link(_("Gouvernance"), reverse("roadmap:governance", kwargs=pk)),
        Link(_("Adoption et versions"), reverse("roadmap:adoption", kwargs=pk)),
        Link(_("Documents (PDF, Word, Excel)"), reverse("roadmap:exports", kwargs=pk)),
    ]
