"""What is still missing in a roadmap about to be adopted: shown on the adoption page, to be confirmed explicitly.

Each point is a sentence the référent can act on. The adoption is refused unless the points shown are the points
confirmed (their fingerprint): a gap that appeared after the page was opened is never adopted silently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from documents.typography import element_ref
from fiches.budget import roadmap_plan
from fiches.models import Engagement, GovernanceBody
from roadmap.gaps import roadmap_gaps
from roadmap.models import Roadmap


def _refs(items: Sequence[Any], limit: int = 8) -> str:
    refs = [element_ref(str(getattr(i, "ref", i))) for i in items[:limit]]
    return ", ".join(refs) + (" …" if len(items) > limit else "")


def adoption_gaps(roadmap: Roadmap) -> list[str]:
    """The points to complete, in the order of the document (a fixed number of queries)."""
    gaps = roadmap_gaps(roadmap)
    points: list[str] = []
    # Spelled out, one ngettext each, so that `make messages` finds the plurals.
    counted: list[tuple[Sequence[Any], str]] = [
        (
            gaps.enjeux_without_defi,
            ngettext(
                "%(n)s enjeu auquel aucun défi ne répond : %(refs)s",
                "%(n)s enjeux auxquels aucun défi ne répond : %(refs)s",
                len(gaps.enjeux_without_defi),
            ),
        ),
        (
            gaps.chantiers_without_action,
            ngettext(
                "%(n)s chantier sans action : %(refs)s",
                "%(n)s chantiers sans action : %(refs)s",
                len(gaps.chantiers_without_action),
            ),
        ),
        (
            gaps.actions_without_pilot,
            ngettext(
                "%(n)s fiche action sans pilote : %(refs)s",
                "%(n)s fiches actions sans pilote : %(refs)s",
                len(gaps.actions_without_pilot),
            ),
        ),
        (
            gaps.actions_without_budget,
            ngettext(
                "%(n)s fiche action sans budget : %(refs)s",
                "%(n)s fiches actions sans budget : %(refs)s",
                len(gaps.actions_without_budget),
            ),
        ),
    ]
    for items, text in counted:
        if items:
            points.append(text % {"n": len(items), "refs": _refs(items)})
    if not roadmap.resources.strip():
        points.append(_("Les ressources mobilisées ne sont pas décrites (la section sera absente du PDF)."))
    if not GovernanceBody.objects.filter(roadmap=roadmap).exists():
        points.append(_("Aucune instance de gouvernance (la section sera absente du PDF)."))
    if not Engagement.objects.filter(action__roadmap=roadmap).exists():
        points.append(_("Aucun engagement d'acteur recueilli (la section sera absente du PDF)."))
    if not roadmap.evaluation_arrangements.strip():
        points.append(_("Les modalités d'évaluation ne sont pas décrites."))
    plan = roadmap_plan(roadmap).plan
    if not plan.is_empty and not plan.is_balanced:
        points.append(plan.balance_statement())
    return points


def fingerprint(points: list[str]) -> str:
    return hashlib.sha256("\n".join(points).encode()).hexdigest()[:16]
