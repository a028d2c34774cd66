"""The roadmap as a document: plain, JSON-ready data built in a fixed number of queries.

The same data feeds the PDF, the web reading page, the frozen version of an adopted roadmap (stored as JSON) and
the public page, so that what the élus voted is what they can read later, whatever happens to the live roadmap.
Amounts are kept as Decimal strings (exact) and formatted by the templates.
"""

from __future__ import annotations

import base64
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from documents.typography import element_ref
from fiches.budget import Grid, Plan, empty_plan, plans_by_action, roadmap_plan
from fiches.models import FICHE_FIELDS, Engagement, GovernanceBody
from fiches.status import roadmap_state
from roadmap.models import Action, Chantier, Defi, Enjeu, Roadmap

FORMAT_VERSION = 1

logger = logging.getLogger(__name__)


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def grid_data(grid: Grid) -> dict[str, Any]:
    return {
        "years": grid.years,
        "rows": [
            {
                "key": str(r.key),
                "label": str(r.label),
                "cells": r.cells,
                "total": r.total,
                "share": r.share,
                "nonzero": bool(r.total),
            }
            for r in grid.rows
        ],
        "year_totals": grid.year_totals,
        "total": grid.total,
    }


def plan_data(plan: Plan) -> dict[str, Any]:
    return {
        "years": plan.years,
        "expenses": grid_data(plan.expenses),
        "fundings": grid_data(plan.fundings),
        # By named funder, shown when a line names one (an adopted version frozen before had none).
        "by_funder": grid_data(plan.by_funder) if plan.by_funder is not None else None,
        "named_funders": plan.has_named_funders,
        "cost": plan.cost,
        "financed": plan.financed,
        "gap": plan.gap,
        "gap_abs": abs(plan.gap),
        "gap_nonzero": bool(plan.gap),
        "over_financed": plan.gap < 0,
        "has_cost": bool(plan.cost),
        "year_gaps": plan.year_gaps,
        "year_gap_cells": plan.year_gap_cells,
        "balanced": plan.is_balanced,
        "balanced_overall": plan.is_balanced_overall,
        "balance_statement": plan.balance_statement(),
        "financed_share": plan.financed_share,
        "empty": plan.is_empty,
        "out_of_period": plan.out_of_period,
    }


FIELD_LABELS = {name: str(getattr(Action._meta.get_field(name), "verbose_name", name)) for name in FICHE_FIELDS}


def _action_data(action: Action, plan: Plan, years: list[int]) -> dict[str, Any]:
    steps = list(action.steps.all())
    first = years[0] * 4
    quarters = len(years) * 4
    return {
        "pk": action.pk,
        "ref": element_ref(action.ref),
        "title": action.title,
        "chantier_ref": element_ref(action.chantier.ref),
        "chantier": action.chantier.title,
        "defi_ref": action.chantier.defi.ref if action.chantier.defi else "",
        "defi": action.chantier.defi.title if action.chantier.defi else "",
        "created_at": action.created_at,
        "updated_at": action.updated_at,
        **{name: getattr(action, name) for name in FICHE_FIELDS},
        "has_pilot": bool(action.referents.strip() or action.lead_structure.strip()),
        "partners": [{"name": p.name, "nature": p.nature} for p in action.partners.all()],
        "steps": [
            {
                "label": s.label,
                "span": s.span_label,
                # Position on the roadmap's quarters, clipped to its period, for the Gantt bars.
                "start": max(0, s.start_index - first),
                "length": max(1, min(quarters, s.end_index - first + 1) - max(0, s.start_index - first)),
            }
            for s in steps
        ],
        "bars": [
            # The same, as percentages of the period's width, for light bars instead of a cell per quarter.
            {
                "label": s.label,
                "span": s.span_label,
                "left": round(100 * max(0, s.start_index - first) / quarters, 3),
                "width": round(
                    100 * max(1, min(quarters, s.end_index - first + 1) - max(0, s.start_index - first)) / quarters,
                    3,
                ),
            }
            for s in steps
        ],
        "engagements": [
            {"stakeholder": e.stakeholder, "level": e.get_level_display(), "conditions": e.conditions}
            for e in action.engagements.all()
        ],
        "plan": plan_data(plan),
    }


def actions_queryset(roadmap: Roadmap) -> Any:
    return (
        Action.objects.filter(roadmap=roadmap)
        .select_related("chantier__defi")
        .prefetch_related("partners", "steps", Prefetch("engagements", Engagement.objects.order_by("level", "pk")))
        .order_by("chantier__defi__order", "chantier__order", "order", "pk")
    )


def fiches_data(roadmap: Roadmap, actions: Iterable[Action] | None = None) -> list[dict[str, Any]]:
    years = list(roadmap.years)
    plans = plans_by_action(roadmap)
    empty = empty_plan(years)
    actions = actions if actions is not None else actions_queryset(roadmap)
    return [_action_data(a, plans.get(a.pk, empty), years) for a in actions]


MAP_CAPTIONS = {
    "ifn_global": _lazy("Indice de fragilité numérique par commune"),
    "coverage": _lazy("Distance au lieu d'accompagnement le plus proche"),
    "comparison": _lazy("Le territoire comparé au département"),
}


# The diagnostic's synthesis comes from the app that computes it (diagnostics/exporters.py registers it), so that
# this document names no step app.
_synthesis_providers: list[Callable[[Roadmap], Any]] = []


def provides_diagnostic_synthesis(provider: Callable[[Roadmap], Any]) -> Callable[[Roadmap], Any]:
    if provider not in _synthesis_providers:
        _synthesis_providers.append(provider)
    return provider


def diagnostic_synthesis(roadmap: Roadmap) -> dict[str, Any] | None:
    """The diagnostic's synthesis (see `provides_diagnostic_synthesis`) as plain data, when there is one.

    A diagnostic that cannot be built must not stop the roadmap's PDF: it is then reported as unavailable.
    """
    if not _synthesis_providers:
        return None
    for_roadmap = _synthesis_providers[0]
    try:
        result = for_roadmap(roadmap)
    except Exception:
        logger.exception("diagnostic synthesis failed for roadmap %s", roadmap.pk)
        return {"unavailable": True}
    if result is None:
        return None
    mime = {"png": "image/png", "svg": "image/svg+xml", "jpeg": "image/jpeg"}.get(
        getattr(result, "image_format", "png"), "image/png"
    )
    images = getattr(result, "images", {}) or {}
    notes = getattr(result, "captions", {}) or {}
    return {
        "territory": str(getattr(result, "territory_name", "")),
        "summary": str(getattr(result, "synthesis", "") or ""),
        "figures": [
            {
                "label": f.label,
                "territory": f.territory,
                "departement": f.departement,
                "source": f"{f.source} ({f.vintage})" if f.vintage else f.source,
            }
            for f in getattr(result, "figures", [])
        ],
        "coverage": str(getattr(result, "coverage", "") or ""),
        "publics": [{"public": p[0], "figure": p[1], "limits": p[2]} for p in getattr(result, "publics", [])],
        "gaps": [str(g) for g in getattr(result, "gaps", [])],
        "maps": [
            {
                "image": f"data:{mime};base64,{base64.b64encode(content).decode()}",
                "caption": str(MAP_CAPTIONS.get(name, "")),
                # Source and vintage, and what a dot is: a map is read on paper, without the diagnostic's page.
                "note": str(notes.get(name, "")),
            }
            for name, content in images.items()
            if content
        ],
    }


# Whether the live roadmap still says what was adopted comes from the app that keeps the versions
# (adoption/exporters.py registers it): a document of the live roadmap made after an adoption says « Version de
# travail » and lists what changed, so that nobody takes it for what the élus voted.
_revision_providers: list[Callable[[Roadmap, dict[str, Any], bool], dict[str, Any] | None]] = []


def provides_revision(
    provider: Callable[[Roadmap, dict[str, Any], bool], dict[str, Any] | None],
) -> Callable[[Roadmap, dict[str, Any], bool], dict[str, Any] | None]:
    if provider not in _revision_providers:
        _revision_providers.append(provider)
    return provider


def with_revision(roadmap: Roadmap, document: dict[str, Any], partial: bool = False) -> dict[str, Any]:
    """`document` (of the live roadmap) with its `revision`: None before any adoption, else the adopted version it
    departs from and the changes (`partial`: the document holds some of the fiches only)."""
    document["revision"] = _revision_providers[0](roadmap, document, partial) if _revision_providers else None
    return document


# The governance bodies' members who are people of the directory come from the app that keeps it
# (projectgroup/exporters.py registers it), so that this document names no step app. The provider gets the roadmap
# and its bodies and answers, for each body's pk, the lines to print: its linked people, then the free-text lines
# no linked person matches. Without a provider, the free-text lines.
GovernanceMembers = Callable[[Roadmap, list[GovernanceBody]], dict[int, list[str]]]
_governance_member_providers: list[GovernanceMembers] = []


def provides_governance_members(provider: GovernanceMembers) -> GovernanceMembers:
    if provider not in _governance_member_providers:
        _governance_member_providers.append(provider)
    return provider


def governance_data(roadmap: Roadmap) -> list[dict[str, Any]]:
    """The roadmap's governance bodies with their members (two queries with a provider, one without)."""
    bodies = list(GovernanceBody.objects.filter(roadmap=roadmap).order_by("kind", "pk"))
    members = _governance_member_providers[0](roadmap, bodies) if bodies and _governance_member_providers else {}
    return [
        {
            "kind": b.get_kind_display(),
            "name": b.name,
            "members": members.get(b.pk, b.member_lines()),
            "frequency": b.frequency,
            "role": b.role,
        }
        for b in bodies
    ]


# The roadmap's evaluation framework (step 7) comes from the app that keeps it (evaluation/exporters.py registers
# it), so that this document names no step app. The provider answers None when the roadmap has no framework yet,
# else {"question": the evaluative question or "", "effects": [expected effects' titles], "indicators": how many}.
EvaluationFramework = Callable[[Roadmap], dict[str, Any] | None]
_evaluation_providers: list[EvaluationFramework] = []


def provides_evaluation_framework(provider: EvaluationFramework) -> EvaluationFramework:
    if provider not in _evaluation_providers:
        _evaluation_providers.append(provider)
    return provider


def evaluation_framework(roadmap: Roadmap) -> dict[str, Any] | None:
    """The evaluation framework (see `provides_evaluation_framework`); a failure must not stop the roadmap's PDF."""
    if not _evaluation_providers:
        return None
    try:
        return _evaluation_providers[0](roadmap)
    except Exception:
        logger.exception("evaluation framework failed for roadmap %s", roadmap.pk)
        return None


def evaluation_lines(document: dict[str, Any]) -> list[str]:
    """What the section « Modalités d'évaluation » says of the fiches' indicators and of the evaluation framework:
    true of this document (which fiches have indicators, which have none), in real plurals."""
    lines: list[str] = []
    framework = document.get("evaluation_framework")
    if framework:
        effects, indicators = len(framework.get("effects") or []), int(framework.get("indicators") or 0)
        lines.append(
            _(
                "Le cadre d'évaluation de la feuille de route (étape «\u00a0Évaluer\u00a0») retient %(effects)s, "
                "suivis par %(indicators)s."
            )
            % {
                "effects": ngettext("%(n)s effet attendu", "%(n)s effets attendus", effects) % {"n": effects},
                "indicators": ngettext("%(n)s indicateur", "%(n)s indicateurs", indicators) % {"n": indicators},
            }
        )
        if framework.get("question"):
            question = _("Question évaluative\u00a0: «\u00a0%(question)s\u00a0»")
            lines.append(question % {"question": framework["question"]})
    fiches = document.get("fiches") or []
    total = len(fiches)
    if not total:
        return lines
    without = [f["ref"] for f in fiches if not str(f.get("indicators") or "").strip()]
    n = total - len(without)
    if not without:
        lines.append(
            ngettext(
                "La fiche action précise ses indicateurs d'évaluation (voir l'annexe).",
                "Chacune des %(n)s fiches actions précise ses indicateurs d'évaluation (voir l'annexe).",
                n,
            )
            % {"n": n}
        )
    elif not n:
        lines.append(
            ngettext(
                "La fiche action ne précise pas encore d'indicateur d'évaluation.",
                "Aucune des %(n)s fiches actions ne précise encore d'indicateur d'évaluation.",
                total,
            )
            % {"n": total}
        )
    else:
        lines.append(
            ngettext(
                "%(n)s fiche action sur %(total)s précise ses indicateurs d'évaluation (voir l'annexe)\u00a0;",
                "%(n)s fiches actions sur %(total)s précisent leurs indicateurs d'évaluation (voir l'annexe)\u00a0;",
                n,
            )
            % {"n": n, "total": total}
            + " "
            + _("sans indicateur\u00a0: %(refs)s.") % {"refs": ", ".join(without)}
        )
    return lines


def roadmap_document(roadmap: Roadmap, with_fiches: bool = True, with_diagnostic: bool = True) -> dict[str, Any]:
    """Everything the roadmap PDF shows, as JSON-ready data (a fixed number of queries).

    `with_diagnostic=False` leaves out the diagnostic's synthesis (its maps take seconds), for a document that is
    only compared with the adopted version (which never compares the diagnostic)."""
    years = list(roadmap.years)
    enjeux = list(Enjeu.objects.filter(roadmap=roadmap).order_by("order", "pk"))
    defis = list(Defi.objects.filter(roadmap=roadmap).prefetch_related("enjeux").order_by("order", "pk"))
    chantiers = list(
        Chantier.objects.filter(roadmap=roadmap)
        .select_related("defi")
        .prefetch_related("enjeux")
        .annotate(n_actions=Count("actions"))
        .order_by("defi__order", "order", "pk")
    )
    actions = list(actions_queryset(roadmap))
    fiches = fiches_data(roadmap, actions)
    consolidated = roadmap_plan(roadmap)
    territory = roadmap.territory
    population = territory.communes.aggregate(total=Sum("population"))["total"]
    n_communes = territory.communes.count()
    actions_by_chantier: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for action, fiche in zip(actions, fiches, strict=True):
        actions_by_chantier[action.chantier_id].append(fiche)
    defi_rows = {
        row.key: {
            "label": str(row.label),
            "cells": row.cells,
            "total": row.total,
            "share": row.share,
            "financed": financed,
            "gap": gap,
        }
        for row, financed, gap in consolidated.defi_rows()
    }

    document = {
        "format": FORMAT_VERSION,
        "generated_at": timezone.now(),
        "roadmap": {
            "pk": roadmap.pk,
            "title": roadmap.title,
            "period_start": roadmap.period_start,
            "period_end": roadmap.period_end,
            **roadmap_state(roadmap),
            "introduction": roadmap.introduction,
            "resources": roadmap.resources,
            "evaluation_arrangements": roadmap.evaluation_arrangements,
            "organization": roadmap.organization.name,
        },
        "territory": {
            "name": territory.name,
            "kind": territory.get_kind_display(),
            "communes": n_communes,
            "population": population,
        },
        "years": years,
        "diagnostic": diagnostic_synthesis(roadmap) if with_diagnostic else None,
        "enjeux": [
            {
                "ref": e.ref,
                "question": e.question,
                "description": e.description,
                "defis": [d.ref for d in defis if e in d.enjeux.all()],
            }
            for e in enjeux
        ],
        "defis": [
            {
                "ref": d.ref,
                "title": d.title,
                "description": d.description,
                "enjeux": [f"{e.ref} · {e.question}" for e in d.enjeux.all()],
                "chantiers": [
                    {
                        "ref": element_ref(c.ref),
                        "title": c.title,
                        "description": c.description,
                        "enjeux": [e.ref for e in c.enjeux.all()],
                        "actions": [
                            {"pk": a["pk"], "ref": a["ref"], "title": a["title"]} for a in actions_by_chantier[c.pk]
                        ],
                    }
                    for c in chantiers
                    if c.defi_id == d.pk
                ],
                "budget": defi_rows.get(d.pk),
            }
            for d in defis
        ],
        "chantiers_without_defi": [
            {
                "ref": element_ref(c.ref),
                "title": c.title,
                "description": c.description,
                "enjeux": [e.ref for e in c.enjeux.all()],
                "actions": [{"pk": a["pk"], "ref": a["ref"], "title": a["title"]} for a in actions_by_chantier[c.pk]],
            }
            for c in chantiers
            if c.defi_id is None
        ],
        "governance": governance_data(roadmap),
        "evaluation_framework": evaluation_framework(roadmap),
        "engagements": [{"action": f["ref"], "title": f["title"], **e} for f in fiches for e in f["engagements"]],
        "plan": plan_data(consolidated.plan),
        "by_defi": list(defi_rows.values()),
        "fiches": fiches if with_fiches else [],
        "field_labels": FIELD_LABELS,
        "counts": {
            "enjeux": len(enjeux),
            "defis": len(defis),
            "chantiers": len(chantiers),
            "actions": len(actions),
        },
        "labels": {"no_defi": _("Chantiers hors défi")},
    }
    return jsonable(document)


def fiche_document(action: Action) -> dict[str, Any]:
    """One fiche action, in the same shape as the roadmap document's annex."""
    roadmap = action.roadmap
    fiche = fiches_data(roadmap, list(actions_queryset(roadmap).filter(pk=action.pk)))[0]
    return jsonable(
        {
            "roadmap": {
                "title": roadmap.title,
                "organization": roadmap.organization.name,
                "period_start": roadmap.period_start,
                "period_end": roadmap.period_end,
                **roadmap_state(roadmap),
            },
            "years": list(roadmap.years),
            "fiches": [fiche],
            "field_labels": FIELD_LABELS,
            "generated_at": timezone.now(),
        }
    )
