from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from roadmap.chain import build_chain
from roadmap.forms import RoadmapForm, TerritoryForm
from roadmap.models import OrderedInRoadmap, Roadmap
from roadmap.spine import SPINE_KINDS, SpineKind
from roadmap.steps import roadmap_steps
from tenancy.access import TenantRequest, editor_required, member_required, read_or_edit_required

# --- Roadmaps -------------------------------------------------------------------------------------


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
    if not 1 <= number <= len(steps):
        raise Http404
    return render(request, "roadmap/step_detail.html", {"roadmap": roadmap, "steps": steps, "step": steps[number - 1]})


@editor_required
@require_http_methods(["GET", "POST"])
def roadmap_create(request: TenantRequest) -> HttpResponse:
    form = RoadmapForm(request.POST or None, organization=request.tenant)
    if not request.tenant.territories.exists():
        messages.info(request, _("Définissez d'abord le territoire de la feuille de route."))
        return redirect("roadmap:territory_create")
    if request.method == "POST" and form.is_valid():
        roadmap = form.save()
        messages.success(request, _("Feuille de route « %(title)s » créée.") % {"title": roadmap.title})
        return redirect(roadmap)
    return render(request, "roadmap/roadmap_form.html", {"form": form})


@editor_required
@require_http_methods(["GET", "POST"])
def roadmap_edit(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    form = RoadmapForm(request.POST or None, instance=roadmap, organization=request.tenant)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Feuille de route enregistrée."))
        return redirect(roadmap)
    return render(request, "roadmap/roadmap_form.html", {"form": form, "roadmap": roadmap})


@editor_required
@require_http_methods(["GET", "POST"])
def roadmap_delete(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    if request.method == "POST":
        roadmap.delete()
        messages.success(request, _("Feuille de route « %(title)s » supprimée.") % {"title": roadmap.title})
        return redirect("tenancy:home")
    return render(request, "roadmap/confirm_delete.html", {"object": roadmap, "roadmap": roadmap})


@member_required
@require_safe
def roadmap_chain(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    return render(request, "roadmap/chain.html", {"roadmap": roadmap, "chain": build_chain(roadmap)})


# --- Territories ----------------------------------------------------------------------------------


@member_required
@require_safe
def territory_list(request: TenantRequest) -> HttpResponse:
    territories = request.tenant.territories.prefetch_related("communes")
    return render(request, "roadmap/territory_list.html", {"territories": territories})


@member_required
@require_safe
def territory_detail(request: TenantRequest, territory_pk: int) -> HttpResponse:
    territory = get_object_or_404(request.tenant.territories, pk=territory_pk)
    communes = territory.communes.order_by("name")
    return render(
        request,
        "roadmap/territory_detail.html",
        {
            "territory": territory,
            "communes": communes,
            "population": territory.population(),
            "has_geometry": territory.has_geometry(),
        },
    )


@editor_required
@require_http_methods(["GET", "POST"])
def territory_create(request: TenantRequest) -> HttpResponse:
    return _territory_form(request, None)


@editor_required
@require_http_methods(["GET", "POST"])
def territory_edit(request: TenantRequest, territory_pk: int) -> HttpResponse:
    territory = get_object_or_404(request.tenant.territories, pk=territory_pk)
    return _territory_form(request, territory)


def _territory_form(request: TenantRequest, territory: Any) -> HttpResponse:
    form = TerritoryForm(request.POST or None, instance=territory, organization=request.tenant)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            territory = form.save()
        messages.success(request, _("Territoire « %(name)s » enregistré.") % {"name": territory.name})
        return redirect(territory)
    return render(request, "roadmap/territory_form.html", {"form": form, "territory": territory})


@editor_required
@require_http_methods(["GET", "POST"])
def territory_delete(request: TenantRequest, territory_pk: int) -> HttpResponse:
    territory = get_object_or_404(request.tenant.territories, pk=territory_pk)
    if request.method == "POST":
        try:
            territory.delete()
        except ProtectedError:
            messages.error(request, _("Ce territoire porte une feuille de route : supprimez-la d'abord."))
            return redirect(territory)
        messages.success(request, _("Territoire supprimé."))
        return redirect("roadmap:territory_list")
    return render(request, "roadmap/confirm_delete.html", {"object": territory})


# --- Spine elements: enjeux, défis, chantiers, actions --------------------------------------------
# One set of views for the four kinds; `kind` comes from the URL pattern's extra arguments.


def _spine_object(request: TenantRequest, kind: SpineKind, kwargs: dict[str, Any]) -> Any:
    queryset = kind.tenant_manager(request.tenant).select_related("roadmap")
    return get_object_or_404(queryset, pk=kwargs[kind.pk_kwarg])


def _list_context(request: TenantRequest, kind: SpineKind, roadmap: Roadmap, form: Any = None) -> dict[str, Any]:
    items = list(kind.list_queryset(roadmap))
    if form is None and request.membership.can_edit:
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
            item = form.save()
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
    form = kind.form(request.POST or None, instance=item, roadmap=item.roadmap)
    if request.method == "POST" and form.is_valid():
        item = form.save()
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
        item.delete()
        if request.htmx:
            return HttpResponse("")
        messages.success(request, _("« %(label)s » supprimé.") % {"label": item.label})
        return redirect(f"roadmap:{kind.name}_list", roadmap_pk=item.roadmap_id)
    return render(request, "roadmap/confirm_delete.html", {"object": item, "roadmap": item.roadmap, "kind": kind})
