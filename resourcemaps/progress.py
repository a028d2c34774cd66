"""Step 4: where the resource maps and the table rotations are reached from the roadmap's steps. They add no
« Fait » criterion of their own (the chantiers app judges step 4), and cost no query."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from roadmap.models import Roadmap
from roadmap.steps import Link, Step, step_contributor


@step_contributor(4)
def resource_maps(step: Step, roadmap: Roadmap) -> None:
    step.links.append(Link(_("Cartographies des ressources"), reverse("resourcemaps:index", args=[roadmap.pk])))
    step.links.append(
        Link(
            _("Rotation des tables (atelier ressources)"),
            reverse("resourcemaps:rotations", args=[roadmap.pk]),
        )
    )
