"""The spine's pages: roadmaps, their steps, enjeux → défis → chantiers → actions, the chain, the défis board."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from roadmap import actions as workflows
from roadmap import bin as spine_bin
from roadmap.chain import build_chain
from roadmap.forms import RoadmapForm
from roadmap.gaps import roadmap_gaps
from roadmap.models import BinEntry, Defi, OrderedInRoadmap, Roadmap
from roadmap.revision_notice import warn_once_if_adopted
from roadmap.spine import SPINE_KINDS, SpineKind
from roadmap.steps import roadmap_steps
from tenancy.access import (
    Permission,
    TenantRequest,
    delete_roadmap_required,
    editor_required,
    may,
    member_required,
    read_or_edit_required,
)


def _roadmap(request: TenantRequest, roadmap_pk: int) -> Roadmap:
    return get_object_or_404(request.tenant.roadmaps.select_related("territory"), pk=roadmap_pk)


@member_required
@require_safe
def roadmap_detail(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    return render(request, "roadmap/roadmap_detail.html", {"roadmap": roadmap, "steps": roadmap_steps(roadmap)})


@member_required
@require_safe
def roadmap_step(request: TenantRequest, roadmap_pk: int, number: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    steps = roadmap_steps(roadmap)
    step = steps.get(number)
    if step is None:
        raise Http404
    return render(request, "roadmap/step_detail.html", {"roadmap": roadmap, "steps": steps, "step": step})


@editor_required
@require_http_methods(["GET", "POST"])
def roadmap_create(request: TenantRequest) -> HttpResponse:
    form = RoadmapForm(request.POST or None, organization=request.tenant)
    if not request.tenant.territories.exists():
        messages.info(request, _("Définissez d'abord le territoire de la feuille de route."))
        return redirect("territories:territory_create")
    if request.method == "POST" and form.is_valid():
        roadmap = form.save()
        messages.success(request, _("Feuille de route « %(title)s » créée.") % {"title": roadmap.title})
        return redirect(roadmap)
    return render(request, "roadmap/roadmap_form.html", {"form": form})


@editor_required
@require_http_methods(["GET", "POST"])
def roadmap_edit(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    warn_once_if_adopted(request, roadmap)
    form = RoadmapForm(request.POST or None, instance=roadmap, organization=request.tenant)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Feuille de route enregistrée."))
        return redirect(roadmap)
    return render(request, "roadmap/roadmap_form.html", {"form": form, "roadmap": roadmap})


@delete_roadmap_required
@require_http_methods(["GET", "POST"])
def roadmap_delete(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    if request.method == "POST":
        workflows.delete_roadmap(roadmap)
        messages.success(request, _("Feuille de route « %(title)s » supprimée.") % {"title": roadmap.title})
        return redirect("tenancy:home")
    return render(request, "roadmap/confirm_delete.html", {"object": roadmap, "roadmap": roadmap})


@member_required
@require_safe
def roadmap_chain(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    return render(request, "roadmap/chain.html", {"roadmap": roadmap, "chain": build_chain(roadmap)})


def _spine_object(request: TenantRequest, kind: SpineKind, kwargs: dict[str, Any]) -> Any:
    queryset = kind.tenant_manager(request.tenant).select_related("roadmap")
    return get_object_or_404(queryset, pk=kwargs[kind.pk_kwarg])


def _list_context(request: TenantRequest, kind: SpineKind, roadmap: Roadmap, form: Any = None) -> dict[str, Any]:
    items = list(kind.list_queryset(roadmap))
    if form is None and may(request.membership, Permission.EDIT_CONTENT):
        form = kind.form(roadmap=roadmap, prefix="new")
    return {"kind": kind, "roadmap": roadmap, "items": items, "form": form, "kinds": SPINE_KINDS}


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def spine_list(request: TenantRequest, roadmap_pk: int, kind_name: str) -> HttpResponse:
    kind = SPINE_KINDS[kind_name]
    roadmap = _roadmap(request, roadmap_pk)
    form = None
    if request.method == "POST":
        form = kind.form(request.POST, roadmap=roadmap, prefix="new")
        if form.is_valid():
            item = workflows.save_spine_item(form)
            if not request.htmx:
                messages.success(request, _("« %(label)s » ajouté.") % {"label": item.label})
                return redirect(request.path)
            form = None
    context = _list_context(request, kind, roadmap, form)
    if request.htmx:
        return render(request, "roadmap/spine_list.html#spine-panel", context)
    return render(request, "roadmap/spine_list.html", context)


@member_required
@require_safe
def spine_row(request: TenantRequest, kind_name: str, **kwargs: Any) -> HttpResponse:
    """The read-only row of one element (htmx: cancels an inline edit)."""
    kind = SPINE_KINDS[kind_name]
    item = _spine_object(request, kind, kwargs)
    return render(request, "roadmap/spine_list.html#item-row", {"kind": kind, "item": item, "roadmap": item.roadmap})


@editor_required
@require_http_methods(["GET", "POST"])
def spine_edit(request: TenantRequest, kind_name: str, **kwargs: Any) -> HttpResponse:
    kind = SPINE_KINDS[kind_name]
    item = _spine_object(request, kind, kwargs)
    warn_once_if_adopted(request, item.roadmap)
    form = kind.form(request.POST or None, instance=item, roadmap=item.roadmap)
    if request.method == "POST" and form.is_valid():
        try:
            item = workflows.save_spine_item(form)
        except workflows.StaleEdit as stale:
            form.refuse_stale_edit(stale)  # nothing saved; the form comes back with what was typed
        else:
            if request.htmx:
                return render(
                    request,
                    "roadmap/spine_list.html#item-row",
                    {"kind": kind, "item": item, "roadmap": item.roadmap},
                )
            messages.success(request, _("« %(label)s » enregistré.") % {"label": item.label})
            return redirect(f"roadmap:{kind.name}_list", roadmap_pk=item.roadmap_id)
    context = {"kind": kind, "item": item, "form": form, "roadmap": item.roadmap}
    if request.htmx:
        return render(request, "roadmap/spine_list.html#item-form", context)
    return render(request, "roadmap/spine_edit.html", context)


@editor_required
@require_POST
def spine_move(request: TenantRequest, kind_name: str, **kwargs: Any) -> HttpResponse:
    kind = SPINE_KINDS[kind_name]
    item: OrderedInRoadmap = _spine_object(request, kind, kwargs)
    direction = -1 if request.POST.get("direction") == "up" else 1
    item.move(direction)
    if request.htmx:
        return render(request, "roadmap/spine_list.html#spine-items", _list_context(request, kind, item.roadmap))
    return redirect(f"roadmap:{kind.name}_list", roadmap_pk=item.roadmap_id)


@editor_required
@require_http_methods(["GET", "POST"])
def spine_delete(request: TenantRequest, kind_name: str, **kwargs: Any) -> HttpResponse:
    kind = SPINE_KINDS[kind_name]
    item = _spine_object(request, kind, kwargs)
    if request.method == "POST":
        spine_bin.delete_to_bin(item, kind.name, request.user)
        if request.htmx:
            return HttpResponse("")
        messages.success(
            request,
            _("« %(label)s » est dans la corbeille, d'où il peut être restauré pendant %(days)s jours.")
            % {"label": item.label, "days": BinEntry.BIN_DAYS},
        )
        return redirect(f"roadmap:{kind.name}_list", roadmap_pk=item.roadmap_id)
    goes, stays = spine_bin.effects_text(spine_bin.deletion_effects(item))
    return render(
        request,
        "roadmap/confirm_delete.html",
        {"object": item, "roadmap": item.roadmap, "kind": kind, "goes": goes, "stays": stays},
    )


@read_or_edit_required
@require_safe
def roadmap_bin(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    """What was deleted from the roadmap in the last BIN_DAYS days, each restorable."""
    roadmap = _roadmap(request, roadmap_pk)
    spine_bin.purge_expired(request.tenant.pk)
    entries = list(roadmap.bin_entries.select_related("deleted_by"))
    for entry in entries:
        entry.days_text = spine_bin.days_text(entry)  # type: ignore[attr-defined]
    return render(request, "roadmap/bin.html", {"roadmap": roadmap, "entries": entries})


@editor_required
@require_POST
def bin_restore(request: TenantRequest, binentry_pk: int) -> HttpResponse:
    entry = get_object_or_404(request.tenant.bin_entries, pk=binentry_pk)
    try:
        spine_bin.restore(entry)
    except spine_bin.RestoreError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("« %(label)s » est restauré, avec ce qui en dépendait.") % {"label": entry.label})
    return redirect("roadmap:bin", roadmap_pk=entry.roadmap_id)


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def defi_board(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    """The défis as columns of chantiers; a chantier moves by drag-and-drop or with its « Placer dans » menu.

    An htmx move gets the board back, and out of band the gaps list, which a move can open or close."""
    roadmap = _roadmap(request, roadmap_pk)
    if request.method == "POST":
        chantier = get_object_or_404(request.tenant.chantiers.filter(roadmap=roadmap), pk=request.POST.get("chantier"))
        target = request.POST.get("defi") or None
        defi = get_object_or_404(request.tenant.defis.filter(roadmap=roadmap), pk=target) if target else None
        try:
            position = max(1, int(request.POST.get("position") or 0))
        except ValueError:
            position = 0
        workflows.place_chantier(chantier, defi, position or None)
        if not request.htmx:
            messages.success(request, _("Chantier « %(title)s » placé.") % {"title": chantier.title})
            return redirect("roadmap:defi_board", roadmap_pk=roadmap.pk)
    defis = list(Defi.objects.filter(roadmap=roadmap).prefetch_related("enjeux").order_by("order", "pk"))
    chantiers = list(roadmap.chantiers.select_related("defi").prefetch_related("actions").order_by("order", "pk"))
    columns: list[tuple[Defi | None, list[Any]]] = [(d, [c for c in chantiers if c.defi_id == d.pk]) for d in defis]
    columns.append((None, [c for c in chantiers if c.defi_id is None]))
    context = {"roadmap": roadmap, "columns": columns, "defis": defis, "gaps": roadmap_gaps(roadmap)}
    if request.htmx:
        return render(request, "roadmap/defi_board.html#board_update", context)
    return render(request, "roadmap/defi_board.html", context)
