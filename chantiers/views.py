"""Step 4's pages: the inventory, the groupes enjeux (scribe's laptop and projector), the fiches chantier, the
synthetic table (page, plenary wall and PDF)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from chantiers import actions
from chantiers.forms import (
    ROLE_FIELDS,
    InventoryEntryForm,
    InventoryImportForm,
    NewSheetForm,
    PriorityForm,
    SheetForm,
    ValidateGroupForm,
)
from chantiers.inventory import check_file
from chantiers.models import (
    FEASIBILITY_MEANINGS,
    ChantierGroup,
    ChantierSheet,
    Feasibility,
    InventoryEntry,
    InventoryKind,
    Priority,
    feasibility_criteria,
)
from chantiers.synthesis import group_version, synthesis, wall_version
from documents.actions import start_export
from documents.models import ExportJob
from inspiration.models import Experience, Inspiration
from resourcemaps.graph import drawing
from resourcemaps.models import Resource
from resourcemaps.svg import drawing_svg
from roadmap.models import Chantier, Roadmap
from tenancy.access import (
    TenantRequest,
    editor_required,
    member_required,
    read_or_workshop_required,
    workshop_required,
)

PDF_KEY = "chantiers_synthesis_pdf"


def _roadmap(request: TenantRequest, roadmap_pk: int) -> Roadmap:
    return get_object_or_404(request.tenant.roadmaps, pk=roadmap_pk)


def _group(request: TenantRequest, chantiergroup_pk: int) -> ChantierGroup:
    return get_object_or_404(request.tenant.chantier_groups.select_related("enjeu", "roadmap"), pk=chantiergroup_pk)


def _chantier(request: TenantRequest, chantier_pk: int) -> Chantier:
    return get_object_or_404(request.tenant.chantiers.select_related("roadmap", "defi"), pk=chantier_pk)


def _sheet(chantier: Chantier) -> ChantierSheet | None:
    return ChantierSheet.objects.with_people().filter(chantier=chantier).first()


def legend() -> list[tuple[str, Any, Any]]:
    return [(value, label, FEASIBILITY_MEANINGS[value]) for value, label in Feasibility.choices]


# --- The step's page ------------------------------------------------------------------------------------------------


@member_required
@require_safe
def home(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    """The chantiers clés workshop at a glance: inventory, groups and their progress, the deliverables."""
    roadmap = _roadmap(request, roadmap_pk)
    enjeux = list(
        roadmap.enjeux.order_by("order", "pk").annotate(
            existing=Count(
                "inventory_entries", filter=Q(inventory_entries__kind=InventoryKind.EXISTANT), distinct=True
            ),
            planned=Count("inventory_entries", filter=Q(inventory_entries__kind=InventoryKind.CARTONS), distinct=True),
        )
    )
    groups = {
        g.enjeu_id: g
        for g in ChantierGroup.objects.filter(roadmap=roadmap)
        .annotate(
            n_sheets=Count("sheets", distinct=True),
            n_priorities=Count("sheets", filter=Q(sheets__priority=Priority.PRIORITAIRE), distinct=True),
            n_unknown=Count("sheets", filter=Q(sheets__priority=Priority.INCONNU), distinct=True),
        )
        .order_by("pk")
    }
    rows = [(enjeu, groups.get(enjeu.pk)) for enjeu in enjeux]
    return render(
        request,
        "chantiers/home.html",
        {"roadmap": roadmap, "rows": rows, "missing_groups": any(g is None for _e, g in rows), "legend": legend()},
    )


@workshop_required
@require_POST
def groups_create(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    groups = actions.ensure_groups(roadmap)
    messages.success(
        request,
        ngettext("%(count)d groupe enjeu prêt.", "%(count)d groupes enjeux prêts.", len(groups))
        % {"count": len(groups)},
    )
    return redirect("chantiers:home", roadmap_pk=roadmap.pk)


# --- Inventory ------------------------------------------------------------------------------------------------------


def _inventory_context(roadmap: Roadmap, organization: Any) -> dict[str, Any]:
    """The enjeux with their entries and inspiring experiences: four queries whatever the size."""
    enjeux = list(
        roadmap.enjeux.order_by("order", "pk").prefetch_related(
            Prefetch("inventory_entries", queryset=InventoryEntry.objects.order_by("kind", "title", "pk"))
        )
    )
    experiences: dict[int, dict[int, Experience]] = {e.pk: {} for e in enjeux}
    links = Experience.enjeux.through.objects.filter(enjeu__in=enjeux, experience__organization=organization)
    for link in links.select_related("experience"):
        experiences[link.enjeu_id][link.experience_id] = link.experience
    # Experiences drawn on (« je m'en inspire ») for a chantier that answers the enjeu, as long as this organisation
    # may still read them: another organisation's experience taken back from the commons is its private row again.
    inspirations = list(
        Inspiration.objects.filter(
            organization=organization,
            roadmap=roadmap,
            experience__in=Experience.objects.visible_to(organization),
            chantier__isnull=False,
        ).select_related("experience")
    )
    if inspirations:
        answers = Chantier.enjeux.through.objects.filter(
            enjeu__in=enjeux, chantier__in=[i.chantier_id for i in inspirations]
        ).values_list("chantier_id", "enjeu_id")
        enjeux_of: dict[int, list[int]] = {}
        for chantier_id, enjeu_id in answers:
            enjeux_of.setdefault(chantier_id, []).append(enjeu_id)
        for inspiration in inspirations:
            experience = inspiration.experience
            for enjeu_id in enjeux_of.get(inspiration.chantier_id or 0, []):
                if experience is not None:
                    experiences[enjeu_id].setdefault(experience.pk, experience)
    sections = []
    for enjeu in enjeux:
        entries = list(enjeu.inventory_entries.all())
        sections.append(
            {
                "enjeu": enjeu,
                "existing": [e for e in entries if e.kind == InventoryKind.EXISTANT],
                "planned": [e for e in entries if e.kind == InventoryKind.CARTONS],
                "experiences": sorted(experiences[enjeu.pk].values(), key=lambda x: x.title),
            }
        )
    return {"roadmap": roadmap, "sections": sections}


@read_or_workshop_required
def inventory(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    """What already exists and what is « dans les cartons », per enjeu, for the groups to read before inventing."""
    roadmap = _roadmap(request, roadmap_pk)
    form = InventoryEntryForm(roadmap=roadmap, initial={"enjeu": request.GET.get("enjeu")})
    if request.method == "POST":
        form = InventoryEntryForm(request.POST, roadmap=roadmap)
        if form.is_valid():
            entry = form.save(commit=False)
            entry.organization, entry.roadmap = request.tenant, roadmap
            entry.save()
            messages.success(request, _("« %(title)s » est ajouté à l'inventaire.") % {"title": entry.title})
            return redirect(
                f"{reverse('chantiers:inventory', kwargs={'roadmap_pk': roadmap.pk})}#enjeu-{entry.enjeu_id}"
            )
    context = _inventory_context(roadmap, request.tenant) | {
        "form": form,
        "import_form": InventoryImportForm(),
        "import_errors": request.session.pop(f"chantiers-import-{roadmap.pk}", []),
    }
    return render(request, "chantiers/inventory.html", context)


@member_required
@require_safe
def inventory_print(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    """The inventory on paper, one enjeu per page, for the groups' tables."""
    roadmap = _roadmap(request, roadmap_pk)
    return render(request, "chantiers/inventory_print.html", _inventory_context(roadmap, request.tenant))


@workshop_required
@require_POST
def inventory_import(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    form = InventoryImportForm(request.POST, request.FILES)
    target = reverse("chantiers:inventory", kwargs={"roadmap_pk": roadmap.pk})
    if not form.is_valid():
        request.session[f"chantiers-import-{roadmap.pk}"] = [_("Choisissez un fichier CSV ou XLSX à importer.")]
        return redirect(f"{target}#import")
    upload = form.cleaned_data["file"]
    checked = check_file(roadmap, upload, upload.name)
    if checked.errors:
        request.session[f"chantiers-import-{roadmap.pk}"] = [
            _("Rien n'a été importé : corrigez le fichier puis envoyez-le de nouveau."),
            *checked.errors[:50],
        ]
        return redirect(f"{target}#import")
    count = actions.import_inventory(roadmap, checked.rows)
    messages.success(
        request,
        ngettext("%(count)d ligne importée.", "%(count)d lignes importées.", count) % {"count": count},
    )
    return redirect(target)


@workshop_required
@require_POST
def inventoryentry_delete(request: TenantRequest, inventoryentry_pk: int) -> HttpResponse:
    entry = get_object_or_404(request.tenant.inventory_entries, pk=inventoryentry_pk)
    entry.delete()
    messages.success(request, _("« %(title)s » est retiré de l'inventaire.") % {"title": entry.title})
    return redirect(f"{reverse('chantiers:inventory', kwargs={'roadmap_pk': entry.roadmap_id})}#enjeu-{entry.enjeu_id}")


# --- A groupe enjeu: the scribe's laptop and the projector ---------------------------------------------------------


def _group_sheets(group: ChantierGroup) -> list[ChantierSheet]:
    return list(group.sheets.with_people().order_by("created_at", "pk"))


def _group_context(group: ChantierGroup, draft: tuple[int, str, str] | None = None) -> dict[str, Any]:
    """`draft`: (sheet pk, priority, reason) of a refused priority choice, shown again as it was typed."""
    sheets = _group_sheets(group)
    for sheet in sheets:
        typed = draft is not None and draft[0] == sheet.pk
        sheet.shown_priority = draft[1] if typed else sheet.priority  # type: ignore[attr-defined,index]
        sheet.shown_reason = draft[2] if typed else sheet.priority_reason  # type: ignore[attr-defined,index]
    return {
        "group": group,
        "roadmap": group.roadmap,
        "enjeu": group.enjeu,
        "sheets": sheets,
        "priorities": [s for s in sheets if s.priority == Priority.PRIORITAIRE],
        "unknown": [s for s in sheets if s.priority == Priority.INCONNU],
        "limits": {"priorities": ChantierGroup.PRIORITY_LIMIT, "unknown": ChantierGroup.UNKNOWN_LIMIT},
        "legend": legend(),
        "version": group_version(group),
    }


@read_or_workshop_required
def group(request: TenantRequest, chantiergroup_pk: int) -> HttpResponse:
    """The scribe's laptop: the group's fiches, a new fiche, then validation and priorities."""
    group = _group(request, chantiergroup_pk)
    if request.htmx and request.method == "GET":
        if request.GET.get("v") == group_version(group):
            return HttpResponse(status=204)
        return render(request, "chantiers/group.html#cards", _group_context(group))
    form = NewSheetForm()
    if request.method == "POST":
        form = NewSheetForm(request.POST)
        if form.is_valid():
            try:
                sheet = actions.create_sheet(group, form.cleaned_data["title"], form.cleaned_data["team"])
            except actions.Refused as refused:
                messages.error(request, str(refused))
            else:
                return redirect("chantiers:sheet_edit", chantier_pk=sheet.chantier_id)
    context = _group_context(group) | {
        "form": form,
        "validate_form": ValidateGroupForm(initial={"reporter": group.reporter}),
    }
    return render(request, "chantiers/group.html", context)


@member_required
@require_safe
def group_projector(request: TenantRequest, chantiergroup_pk: int) -> HttpResponse:
    """What the group's room sees: its fiches and their colours, refreshed while the scribe types elsewhere."""
    group = _group(request, chantiergroup_pk)
    if request.htmx:
        if request.GET.get("v") == group_version(group):
            return HttpResponse(status=204)  # nothing changed: htmx keeps the page as it is
        return render(request, "chantiers/projector.html#live", _group_context(group))
    return render(request, "chantiers/projector.html", _group_context(group))


@workshop_required
@require_POST
def group_timer(request: TenantRequest, chantiergroup_pk: int) -> HttpResponse:
    group = _group(request, chantiergroup_pk)
    try:
        minutes = int(request.POST.get("minutes", ""))
        actions.set_timer(group, minutes)
    except ValueError:
        messages.error(request, _("Choisissez une durée entre 1 et 120 minutes."))
    except actions.Refused as refused:
        messages.error(request, str(refused))
    return redirect(reverse("chantiers:group", kwargs={"chantiergroup_pk": group.pk}))


@workshop_required
@require_POST
def group_validate(request: TenantRequest, chantiergroup_pk: int) -> HttpResponse:
    group = _group(request, chantiergroup_pk)
    if request.POST.get("reopen"):
        actions.reopen_group(group)
        messages.success(request, _("Le groupe peut de nouveau modifier ses fiches."))
    else:
        form = ValidateGroupForm(request.POST)
        form.is_valid()
        try:
            actions.validate_group(group, request.user, form.cleaned_data.get("reporter", ""))  # type: ignore[arg-type]
        except actions.Refused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Fiches validées : choisissez maintenant les 2 chantiers prioritaires."))
    return redirect(f"{reverse('chantiers:group', kwargs={'chantiergroup_pk': group.pk})}#priorites")


# --- Fiches chantier -------------------------------------------------------------------------------------------------


@member_required
@require_safe
def sheet(request: TenantRequest, chantier_pk: int) -> HttpResponse:
    """One chantier's fiche with its resource map, as read in the restitution and printed in the PDF."""
    chantier = _chantier(request, chantier_pk)
    resources = Resource.objects.of_map(chantier)
    return render(
        request,
        "chantiers/sheet.html",
        {
            "chantier": chantier,
            "roadmap": chantier.roadmap,
            "sheet": _sheet(chantier),
            "enjeux": list(chantier.enjeux.all()),
            "legend": legend(),
            # Our own SVG, every text in it escaped by resourcemaps.svg; none while the map has no resource yet.
            "map_svg": mark_safe(drawing_svg(drawing(chantier, resources))) if resources else "",  # noqa: S308
        },
    )


@read_or_workshop_required
def sheet_edit(request: TenantRequest, chantier_pk: int) -> HttpResponse:
    """The fiche chantier as a pair or trio fills it, typed by the scribe."""
    chantier = _chantier(request, chantier_pk)
    sheet = _sheet(chantier)
    organization, roadmap = request.tenant, chantier.roadmap
    if request.method == "POST":
        form = SheetForm(request.POST, organization=organization, roadmap=roadmap)
        if form.is_valid():
            target = sheet or actions.sheet_for(chantier)
            try:
                actions.save_sheet(target, form.content())
            except actions.Stale as stale:
                # What was typed stays in the form; sent again, it is saved over the newer version, knowingly.
                data = cast(QueryDict, form.data).copy()
                data["seen"] = stale.seen
                form.data = data
                form.add_error(None, str(stale))
            except actions.Refused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Fiche « %(title)s » enregistrée.") % {"title": form.cleaned_data["title"]})
                if target.group_id:
                    return redirect("chantiers:group", chantiergroup_pk=target.group_id)
                return redirect("chantiers:sheet", chantier_pk=chantier.pk)
    else:
        initial = SheetForm.initial_for(sheet) if sheet else {"title": chantier.title}
        form = SheetForm(initial=initial, organization=organization, roadmap=roadmap)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "chantiers/sheet_form.html",
        {
            "chantier": chantier,
            "roadmap": chantier.roadmap,
            "sheet": sheet,
            "form": form,
            "criteria": _form_criteria(form),
            "legend": legend(),
        },
        status=status,
    )


def _form_criteria(form: SheetForm) -> list[Any]:
    """The green colour's criteria as the form stands (bound: what was typed; else the saved fiche)."""
    if form.is_bound:
        data = cast(QueryDict, form.data)
        roles = {str(role) for name, role in ROLE_FIELDS.items() if data.getlist(name)}
        resources = form.data.get("resources_available", "")
    else:
        roles = {str(role) for name, role in ROLE_FIELDS.items() if form.initial.get(name)}
        resources = form.initial.get("resources_available", "")
    return feasibility_criteria(roles, str(resources or ""))


@editor_required
@require_POST
def sheet_promote(request: TenantRequest, chantier_pk: int) -> HttpResponse:
    """The fiche's free lines become the chantier's actions in the roadmap, ready for their fiches action."""
    chantier = _chantier(request, chantier_pk)
    sheet = get_object_or_404(ChantierSheet, chantier=chantier, organization=request.tenant)
    try:
        created = actions.promote_free_actions(sheet)
    except actions.Refused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d action inscrite dans la feuille de route.",
                "%(count)d actions inscrites dans la feuille de route.",
                len(created),
            )
            % {"count": len(created)},
        )
    return redirect("chantiers:sheet", chantier_pk=chantier.pk)


@workshop_required
@require_POST
def sheet_priority(request: TenantRequest, chantier_pk: int) -> HttpResponse:
    """The group's choice: 2 priority chantiers, at most 1 « inconnu désirable », each with its reason."""
    chantier = _chantier(request, chantier_pk)
    sheet = get_object_or_404(ChantierSheet, chantier=chantier, organization=request.tenant)
    form = PriorityForm(request.POST)
    form.is_valid()
    priority, reason = form.cleaned_data.get("priority", ""), form.cleaned_data.get("reason", "")
    try:
        actions.set_priority(sheet, priority, reason, request.user)  # type: ignore[arg-type]
    except actions.Refused as refused:
        if sheet.group_id is None:
            messages.error(request, str(refused))
            return redirect("chantiers:sheet", chantier_pk=chantier.pk)
        # The group's page again, the choice and its reason as they were typed, the refusal above them.
        group = _group(request, sheet.group_id)
        context = _group_context(group, draft=(sheet.pk, priority, request.POST.get("reason", ""))) | {
            "form": NewSheetForm(),
            "validate_form": ValidateGroupForm(initial={"reporter": group.reporter}),
            "priority_error": (sheet.pk, str(refused)),
        }
        return render(request, "chantiers/group.html", context, status=422)
    else:
        messages.success(request, _("Priorité enregistrée pour « %(title)s ».") % {"title": chantier.title})
    if sheet.group_id:
        return redirect(f"{reverse('chantiers:group', kwargs={'chantiergroup_pk': sheet.group_id})}#priorites")
    return redirect("chantiers:sheet", chantier_pk=chantier.pk)


# --- The synthetic table ---------------------------------------------------------------------------------------------


@member_required
@require_safe
def synthesis_page(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    """The deliverable: the chantiers of each enjeu with feasibility and priorities, and the PDF."""
    roadmap = _roadmap(request, roadmap_pk)
    return render(
        request,
        "chantiers/synthesis.html",
        {
            "roadmap": roadmap,
            "rows": synthesis(roadmap),
            "legend": legend(),
            "jobs": list(ExportJob.objects.filter(organization=request.tenant, kind=PDF_KEY).of(roadmap)[:3]),
        },
    )


@member_required
@require_safe
def plenary(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    """The plenary restitution on the wall: one column per enjeu, its chantiers, colours and priorities."""
    roadmap = _roadmap(request, roadmap_pk)
    version = wall_version(roadmap)
    if request.htmx and request.GET.get("v") == version:
        return HttpResponse(status=204)
    rows = synthesis(roadmap)
    depth = max((len(r.cells) for r in rows), default=0)
    context = {"roadmap": roadmap, "rows": rows, "depth": max(depth, 1), "legend": legend(), "version": version}
    if request.htmx:
        return render(request, "chantiers/plenary.html#wall", context)
    return render(request, "chantiers/plenary.html", context)


@editor_required
@require_POST
def synthesis_pdf(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    start_export(PDF_KEY, roadmap, request.user)  # type: ignore[arg-type]
    messages.success(request, _("Le PDF des chantiers clés est en préparation."))
    return redirect("chantiers:synthesis", roadmap_pk=roadmap.pk)
