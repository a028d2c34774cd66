"""Fiche workflows that touch several models: saving a fiche with its history, saving its budget grid.
Each is atomic, and refuses (`roadmap.actions.StaleEdit`) an edit started before someone else's save."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.forms import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext as _

from fiches.budget import euros, funder_label
from fiches.forms import BudgetForm, FicheForm
from fiches.models import (
    ActionChange,
    ActionExpense,
    ActionFunding,
)
from roadmap.actions import StaleEdit, lock_unchanged
from roadmap.models import Action
from tenancy.models import User


def _display(form: Any, name: str, value: Any) -> str:
    field = form.fields[name]
    if value is None or value == "":
        return ""
    if hasattr(field, "queryset"):
        return str(value)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}".replace(".", ",")
    return str(value)


def _formset_text(formset: BaseInlineFormSet[Any, Any, Any], describe: Any) -> str:
    """The formset's rows as saved in the database now (not the formset's cached queryset)."""
    model: Any = formset.model
    queryset = model._default_manager.filter(action=formset.instance).order_by("pk")
    return "\n".join(describe(obj) for obj in queryset)


def _partner_text(partner: Any) -> str:
    return f"{partner.name} — {partner.nature}" if partner.nature else partner.name


def _step_text(step: Any) -> str:
    return f"{step.label} ({step.span_label})"


@dataclass
class Conflict:
    """A field (or a budget grid) the editor changed that someone else changed too since the form was loaded."""

    field: str
    label: str
    by: str
    at: datetime
    current: str  # the value saved meanwhile, shown beside the typed input


class SectionConflict(StaleEdit):
    """Someone saved the same fields meanwhile: nothing saved; `conflicts` name who changed what and when, and
    `version` is the fiche's version now, so that the form shown again (typed input kept) can be sent again."""

    def __init__(self, saved_at: datetime, conflicts: list[Conflict]) -> None:
        super().__init__(saved_at)
        self.conflicts = conflicts
        self.version = saved_at.isoformat()


def _changed_since(action: Action, seen: str | None) -> dict[str, list[ActionChange]]:
    """The history lines recorded since the version `seen`, by field (oldest first)."""
    try:
        since = datetime.fromisoformat(seen or "")
    except ValueError:
        return {}
    by_field: dict[str, list[ActionChange]] = {}
    for change in action.changes.filter(changed_at__gte=since).select_related("user").order_by("changed_at", "pk"):
        by_field.setdefault(change.field, []).append(change)
    return by_field


def _conflict(field: str, label: str, changes: list[ActionChange], current: str) -> Conflict:
    last = changes[-1]
    by = str(last.user) if last.user else str(_("quelqu'un"))
    return Conflict(field, label, by, last.changed_at, current)


@transaction.atomic
def save_fiche(
    form: FicheForm,
    user: User | None,
    partners: BaseInlineFormSet[Any, Any, Any] | None = None,
    steps: BaseInlineFormSet[Any, Any, Any] | None = None,
) -> Action:
    """Save the fiche and its partners and calendar, recording one history line per changed field.

    An edit locks the fiche first and raises StaleEdit, saving nothing, if it was saved since the form was loaded."""
    action: Action = form.instance
    saved = None
    if action.pk:
        try:
            saved = lock_unchanged(Action, action.pk, form.cleaned_data.get("seen_version"))
        except StaleEdit as stale:
            if stale.saved_at is None:
                raise
            saved = Action.objects.get(pk=action.pk)  # locked by lock_unchanged, in this transaction
            _merge_text(form, saved, [partners, steps], _changed_since(saved, form.cleaned_data.get("seen_version")))
        # A move up or down changes the order without touching `updated_at`: keep the order saved meanwhile.
        action.order = saved.order
    changes = []
    for name in form.changed_data:
        if name == "seen_version":
            continue
        before = _display(form, name, form.initial.get(name))
        if name == "chantier" and saved is not None:
            before = str(saved.chantier)
        after = _display(form, name, form.cleaned_data.get(name))
        if before != after:
            changes.append((name, str(form.fields[name].label), before, after))
    before_sets = {}
    if action.pk:
        for key, formset, describe in (("partners", partners, _partner_text), ("steps", steps, _step_text)):
            if formset is not None:
                before_sets[key] = _formset_text(formset, describe)
    action = form.save()
    for key, formset, describe, label in (
        ("partners", partners, _partner_text, _("Partenaires")),
        ("steps", steps, _step_text, _("Calendrier")),
    ):
        if formset is None:
            continue
        formset.instance = action
        for subform in formset.forms:
            subform.instance.organization_id = action.organization_id
        formset.save()
        after = _formset_text(formset, describe)
        if after != before_sets.get(key, ""):
            changes.append((key, str(label), before_sets.get(key, ""), after))
    record_changes(action, user, changes)
    return action


def _merge_text(form: FicheForm, saved: Action, formsets: list[Any], others: dict[str, list[ActionChange]]) -> None:
    """The fiche was saved since the form was loaded: keep the editor's changes to the fields nobody else changed,
    keep the others' changes to the fields the editor did not touch, and refuse (SectionConflict) if both changed
    the same field. A budget saved meanwhile (another section) is no conflict for the text."""
    if not others:
        raise StaleEdit(saved.updated_at)  # saved without a history line: what changed is unknown, so refuse
    conflicts = []
    for name in form.fields:
        changes = others.get(name)
        if name == "seen_version" or not changes:
            continue
        mine = _display(form, name, form.cleaned_data.get(name))
        at_load, current = changes[0].old_value, changes[-1].new_value
        if mine == at_load:
            # Untouched by the editor: what was saved meanwhile stays.
            form.cleaned_data[name] = getattr(saved, name)
            setattr(form.instance, name, getattr(saved, name))
        elif mine != current:
            conflicts.append(_conflict(name, str(form.fields[name].label), changes, current))
    for key, label, formset in (("partners", _("Partenaires"), formsets[0]), ("steps", _("Calendrier"), formsets[1])):
        changes = others.get(key)
        if changes and formset is not None and formset.has_changed():
            conflicts.append(_conflict(key, str(label), changes, changes[-1].new_value))
    if conflicts:
        raise SectionConflict(saved.updated_at, conflicts)


def record_changes(action: Action, user: User | None, changes: list[tuple[str, str, str, str]]) -> None:
    ActionChange.objects.bulk_create(
        ActionChange(
            organization_id=action.organization_id,
            action=action,
            user=user,
            field=name,
            label=label[:200],
            old_value=old,
            new_value=new,
        )
        for name, label, old, new in changes
    )


def _plan_text(rows: dict[tuple[Any, int], Decimal], labels: Callable[[Any], str]) -> str:
    return "\n".join(f"{labels(key)} {year} : {euros(amount)}" for (key, year), amount in sorted(rows.items()))


@transaction.atomic
def save_budget(form: BudgetForm, user: User | None) -> Action:
    """Replace the fiche's expense and financing lines by the grid's, and keep the history of both.

    Locks the fiche first and raises StaleEdit, saving nothing, if it was saved since the grid was loaded."""
    seen = form.cleaned_data.get("seen_version")
    others: dict[str, list[ActionChange]] = {}
    try:
        action = lock_unchanged(Action, form.action.pk, seen)
    except StaleEdit as stale:
        if stale.saved_at is None:
            raise
        # Saved meanwhile: only the grids someone else changed matter (a text edit is another section).
        action = Action.objects.get(pk=form.action.pk)
        others = _changed_since(action, seen)
        if not others:
            raise
    years = list(action.roadmap.years)
    conflicts = []
    expense_labels = {k: str(v) for k, v in ActionExpense.Kind.choices}
    specs: list[tuple[Any, tuple[str, ...], str, str, Callable[[Any], str]]] = [
        (ActionExpense, ("kind",), "expense", _("Dépenses"), lambda key: expense_labels[key[0]]),
        # A financing line's key is its category and its funder's name.
        (ActionFunding, ("funder", "funder_name"), "funding", _("Financements"), funder_label),
    ]
    for model, key_fields, prefix, label, labels in specs:
        manager = model._default_manager
        existing = manager.filter(action=action, year__in=years)
        before = {(tuple(getattr(r, f) for f in key_fields), r.year): r.amount for r in existing}
        after: dict[tuple[Any, int], Decimal] = (
            dict(form.funding_amounts())
            if prefix == "funding"
            else {((key,), year): amount for (key, year), amount in form.amounts(prefix).items()}
        )
        if before == after:
            continue
        changes = others.get(prefix)
        if changes:
            if _plan_text(after, labels) == changes[0].old_value:
                continue  # this grid was left as loaded: what was saved meanwhile stays
            conflicts.append(_conflict(prefix, str(label), changes, changes[-1].new_value))
            continue
        existing.delete()
        manager.bulk_create(
            model(
                organization_id=action.organization_id,
                action=action,
                year=year,
                amount=amount,
                **dict(zip(key_fields, key, strict=True)),
            )
            for (key, year), amount in after.items()
        )
        record_changes(action, user, [(prefix, str(label), _plan_text(before, labels), _plan_text(after, labels))])
        Action.objects.filter(pk=action.pk).update(updated_at=timezone.now())
    if conflicts:
        # Raised inside the transaction: nothing is saved, the other grid neither.
        raise SectionConflict(action.updated_at, conflicts)
    return action
