"""Step 5 (s'inspirer): the experiences drawn on and shared, in two queries."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from inspiration.models import Experience, Inspiration
from roadmap.models import Roadmap
from roadmap.steps import Link, Step, step_contributor


@step_contributor(5)
def inspire(step: Step, roadmap: Roadmap) -> None:
    drawn = Inspiration.objects.filter(roadmap=roadmap).aggregate(n=Count("experience", distinct=True))["n"]
    own = Experience.objects.filter(organization_id=roadmap.organization_id).aggregate(
        total=Count("pk"), published=Count("pk", filter=Q(published_at__isnull=False))
    )
    if drawn:
        step.done.append(
            ngettext(
                "%(count)d expérience reprise dans la feuille de route",
                "%(count)d expériences reprises dans la feuille de route",
                drawn,
            )
            % {"count": drawn}
        )
    else:
        step.missing.append(_("Repérez des expériences d'autres territoires et reprenez-en dans vos chantiers."))
    if own["published"]:
        step.done.append(
            ngettext(
                "%(count)d expérience partagée dans le commun",
                "%(count)d expériences partagées dans le commun",
                own["published"],
            )
            % {"count": own["published"]}
        )
    step.links.append(Link(_("Les expériences inspirantes"), reverse("inspiration:experience_list")))
    step.links.append(Link(_("Les visites sur site"), reverse("inspiration:visit_list")))
    step.links.append(Link(_("Les recueils"), reverse("inspiration:recueil_list")))
