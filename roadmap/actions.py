"""Workflows of the roadmap that touch several models: saving a fiche with its history, the budget grid,
adoption with its frozen version, and export jobs. Each is atomic; tasks are sent once the transaction commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.forms import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext as _

from roadmap.budget import euros
from roadmap.forms import BudgetForm, FicheForm
from roadmap.models import (
    Action,
    ActionChange,
    ActionExpense,
    ActionFunding,
    Chantier,
    Defi,
    ExportJob,
    Roadmap,
    RoadmapVersion,
)
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


@transaction.atomic
def save_fiche(
    form: FicheForm,
    user: User | None,
    partners: BaseInlineFormSet[Any, Any, Any] | None = None,
    steps: BaseInlineFormSet[Any, Any, Any] | None = None,
) -> Action:
    """Save the fiche and its partners and calendar, recording one history line per changed field."""
    action: Action = form.instance
    changes = []
    for name in form.changed_data:
        if name == "seen_version":
            continue
        before = _display(form, name, form.initial.get(name))
        if name == "chantier" and action.pk:
            before = str(Action.objects.get(pk=action.pk).chantier)
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


def _plan_text(rows: dict[tuple[str, int], Decimal], labels: dict[str, str]) -> str:
    return "\n".join(f"{labels[key]} {year} : {euros(amount)}" for (key, year), amount in sorted(rows.items()))


@transaction.atomic
def save_budget(form: BudgetForm, user: User | None) -> Action:
    """Replace the fiche's expense and financing lines by the grid's, and keep the history of both."""
    action = Action.objects.select_for_update().get(pk=form.action.pk)
    years = list(action.roadmap.years)
    specs: list[tuple[Any, str, str, str, dict[str, str]]] = [
        (ActionExpense, "kind", "expense", _("Dépenses"), {k: str(v) for k, v in ActionExpense.Kind.choices}),
        (ActionFunding, "funder", "funding", _("Financements"), {k: str(v) for k, v in ActionFunding.Funder.choices}),
    ]
    for model, key_field, prefix, label, labels in specs:
        manager = model._default_manager
        existing = manager.filter(action=action, year__in=years)
        before = {(getattr(r, key_field), r.year): r.amount for r in existing}
        after = form.amounts(prefix)
        if before == after:
            continue
        existing.delete()
        manager.bulk_create(
            model(organization_id=action.organization_id, action=action, year=year, amount=amount, **{key_field: key})
            for (key, year), amount in after.items()
        )
        record_changes(action, user, [(prefix, str(label), _plan_text(before, labels), _plan_text(after, labels))])
        Action.objects.filter(pk=action.pk).update(updated_at=timezone.now())
    return action


# --- Adoption -------------------------------------------------------------------------------------


class TransitionError(Exception):
    pass


@dataclass
class Adoption:
    adopted_by: str
    adopted_on: date
    deliberation_number: str


@transaction.atomic
def present(roadmap: Roadmap, presented_to: str, presented_on: date) -> Roadmap:
    roadmap = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
    if roadmap.status not in (Roadmap.Status.BROUILLON, Roadmap.Status.PRESENTEE):
        raise TransitionError(_("Seule une feuille de route en brouillon peut être présentée."))
    roadmap.status = Roadmap.Status.PRESENTEE
    roadmap.presented_to, roadmap.presented_on = presented_to, presented_on
    roadmap.save()
    return roadmap


@transaction.atomic
def adopt(roadmap: Roadmap, adoption: Adoption, user: User | None) -> RoadmapVersion:
    """Adopt the roadmap and freeze this version (its content as JSON; its PDF is produced by a worker)."""
    from roadmap.snapshot import snapshot

    roadmap = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
    if roadmap.status != Roadmap.Status.PRESENTEE:
        raise TransitionError(_("La feuille de route doit d'abord être présentée avant d'être adoptée."))
    roadmap.status = Roadmap.Status.ADOPTEE
    roadmap.adopted_by = adoption.adopted_by
    roadmap.adopted_on = adoption.adopted_on
    roadmap.deliberation_number = adoption.deliberation_number
    roadmap.save()
    number = (roadmap.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = RoadmapVersion.objects.create(
        organization_id=roadmap.organization_id,
        roadmap=roadmap,
        number=number,
        adopted_by=adoption.adopted_by,
        adopted_on=adoption.adopted_on,
        deliberation_number=adoption.deliberation_number,
        snapshot=snapshot(roadmap),
        created_by=user,
    )
    from roadmap.tasks import render_version_pdf

    render_version_pdf.delay_on_commit(version.pk)  # type: ignore[attr-defined]  # DjangoTask
    return version


@transaction.atomic
def start_implementation(roadmap: Roadmap) -> Roadmap:
    roadmap = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
    if roadmap.status != Roadmap.Status.ADOPTEE:
        raise TransitionError(_("Seule une feuille de route adoptée peut passer en mise en œuvre."))
    roadmap.status = Roadmap.Status.EN_MISE_EN_OEUVRE
    roadmap.save()
    return roadmap


# A revision starts from an adopted roadmap; a draft or a presented one is still being prepared.
REOPENABLE = (Roadmap.Status.ADOPTEE, Roadmap.Status.EN_MISE_EN_OEUVRE)


@transaction.atomic
def reopen_draft(roadmap: Roadmap) -> Roadmap:
    """Work on the next version: the adopted versions stay frozen and readable."""
    roadmap = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
    if roadmap.status not in REOPENABLE:
        raise TransitionError(
            _("Seule une feuille de route adoptée ou en mise en œuvre peut être rouverte pour une révision.")
        )
    roadmap.status = Roadmap.Status.BROUILLON
    roadmap.presented_to, roadmap.presented_on = "", None
    roadmap.save()
    return roadmap


# --- Exports --------------------------------------------------------------------------------------


@transaction.atomic
def start_export(roadmap: Roadmap, kind: str, user: User | None, action: Action | None = None) -> ExportJob:
    """Create the job row and send it to a worker once the row is committed."""
    from roadmap.tasks import run_export

    job = ExportJob.objects.create(
        organization_id=roadmap.organization_id, roadmap=roadmap, action=action, kind=kind, created_by=user
    )
    run_export.delay_on_commit(job.pk)  # type: ignore[attr-defined]  # DjangoTask (celery.contrib.django)
    return job


@transaction.atomic
def retry_export(job: ExportJob) -> ExportJob:
    from roadmap.tasks import run_export

    job = ExportJob.objects.select_for_update().get(pk=job.pk)
    if job.can_retry:
        job.status, job.progress, job.error = ExportJob.Status.PENDING, 0, ""
        job.save(update_fields=["status", "progress", "error", "updated_at"])
        run_export.delay_on_commit(job.pk)  # type: ignore[attr-defined]  # DjangoTask (celery.contrib.django)
    return job


# --- Défis ----------------------------------------------------------------------------------------


@transaction.atomic
def place_chantier(chantier: Chantier, defi: Defi | None, position: int | None = None) -> Chantier:
    """Put a chantier in a défi (or none) at a position (1-based; at the end when None), renumbering both lists."""
    if defi is not None and defi.roadmap_id != chantier.roadmap_id:
        raise ValueError("défi of another roadmap")
    chantier = Chantier.objects.select_for_update().get(pk=chantier.pk)
    old_defi_id = chantier.defi_id
    siblings = list(
        Chantier.objects.select_for_update()
        .filter(roadmap_id=chantier.roadmap_id, defi=defi)
        .exclude(pk=chantier.pk)
        .order_by("order", "pk")
    )
    index = len(siblings) if position is None else min(max(position - 1, 0), len(siblings))
    siblings.insert(index, chantier)
    chantier.defi = defi
    for number, sibling in enumerate(siblings, start=1):
        Chantier.objects.filter(pk=sibling.pk).update(order=number, defi=defi, updated_at=timezone.now())
    if old_defi_id != (defi.pk if defi else None):
        remaining = Chantier.objects.filter(roadmap_id=chantier.roadmap_id, defi=old_defi_id).order_by("order", "pk")
        for number, pk in enumerate(remaining.values_list("pk", flat=True), start=1):
            Chantier.objects.filter(pk=pk).update(order=number)
    chantier.refresh_from_db()
    return chantier
