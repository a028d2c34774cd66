"""Multi-row writes of step 7, atomic: the follow-up of a fiche action with its realised amounts, a CSV import."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from evaluation.forms import FollowUpForm, RealisedForm
from evaluation.models import Evaluation, FollowUp, IndicatorValue, RealisedExpense, RealisedFunding
from roadmap.models import Action, Roadmap
from tenancy.models import User


def evaluation_of(roadmap: Roadmap) -> Evaluation:
    """The roadmap's evaluation as stored, or a blank unsaved one (reading a page creates nothing)."""
    try:
        return roadmap.evaluation
    except Evaluation.DoesNotExist:
        return Evaluation(roadmap=roadmap, organization_id=roadmap.organization_id)


@transaction.atomic
def save_evaluation_section(form: Any) -> Evaluation:
    """Save one section's form; the row is created by the first section saved (locked: two first saves meet)."""
    evaluation: Evaluation = form.instance
    roadmap = Roadmap.objects.select_for_update().get(pk=evaluation.roadmap_id)
    existing = Evaluation.objects.filter(roadmap=roadmap).first()
    if existing is not None and evaluation.pk is None:
        # Created by someone else meanwhile: update theirs with this section only.
        fields = [f for f in form.Meta.fields if f not in ("covered_defis", "covered_actions")]
        for name in fields:
            setattr(existing, name, getattr(evaluation, name))
        existing.save()
        form.instance = existing
        form._save_m2m()
        return existing
    saved: Evaluation = form.save()
    return saved


@transaction.atomic
def save_follow_up(action: Action, form: FollowUpForm, realised: RealisedForm, user: User) -> FollowUp:
    """The action's status and note, and its realised amounts replaced by the grid's, under the action's lock."""
    Action.objects.select_for_update().filter(pk=action.pk).first()
    follow_up: FollowUp = form.save(commit=False)
    follow_up.action = action
    follow_up.organization_id = action.organization_id
    follow_up.updated_by = user
    follow_up.save()
    action.realised_expenses.all().delete()
    action.realised_fundings.all().delete()
    RealisedExpense.objects.bulk_create(
        RealisedExpense(organization_id=action.organization_id, action=action, year=year, kind=kind, amount=amount)
        for (kind, year), amount in realised.amounts("expense").items()
    )
    RealisedFunding.objects.bulk_create(
        RealisedFunding(organization_id=action.organization_id, action=action, year=year, funder=funder, amount=amount)
        for (funder, year), amount in realised.amounts("funding").items()
    )
    return follow_up


@transaction.atomic
def import_values(values: list[IndicatorValue], user: User) -> int:
    """Store every parsed value at once: a file with one bad line was refused before, nothing is half-saved."""
    for value in values:
        value.created_by = user
    IndicatorValue.objects.bulk_create(values)
    return len(values)
