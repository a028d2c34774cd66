"""Step 4's resource maps: each chantier's map (graph, table, SVG, Kumu, PDF) and the rotations of the tables."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from documents.actions import start_export
from documents.models import ExportJob
from resourcemaps import actions
from resourcemaps.forms import HandoverNoteForm, LinkForm, PositionForm, ResourceForm, RotationSessionForm
from resourcemaps.graph import NATURE_STYLE, cytoscape_elements, drawing
from resourcemaps.kumu import kumu_zip
from resourcemaps.models import (
    LINK_CYCLE,
    LINK_SHORT,
    Availability,
    LinkKind,
    Nature,
    Resource,
    RotationSession,
    RotationTable,
)
from resourcemaps.svg import drawing_svg, shape
from roadmap.models import Chantier, Roadmap
from tenancy.access import (
    P,
    TenantRequest,
    may,
    member_required,
    read_or_workshop_required,
    workshop_required,
)


def _chantier(request: TenantRequest, chantier_pk: int) -> Chantier:
    return get_object_or_404(request.tenant.chantiers.select_related("roadmap", "defi"), pk=chantier_pk)


def _resource(request: TenantRequest, resource_pk: int) -> Resource:
    return get_object_or_404(
        request.tenant.map_resources.select_related("chantier__roadmap", "actor", "contact"), pk=resource_pk
    )


def _legend() -> dict[str, Any]:
    """The legend's swatches, drawn like the map (resourcemaps.svg)."""

    def swatch(markup: str) -> str:
        return f'<svg class="swatch" viewBox="-14 -14 28 28" width="28" height="28" aria-hidden="true">{markup}</svg>'

    natures = []
    for value, label in Nature.choices:
        colour, kind = NATURE_STYLE[value]
        natures.append((label, swatch(shape(kind, 0, 0, 9, f'fill="{colour}"'))))
    availability = [
        (Availability.ACQUISE.label, swatch(shape("ellipse", 0, 0, 9, 'fill="#525a6b" stroke="#525a6b"'))),
        (
            Availability.A_MOBILISER.label,
            swatch(shape("ellipse", 0, 0, 9, 'fill="#525a6b" fill-opacity="0.35" stroke="#525a6b" stroke-width="2"')),
        ),
        (
            Availability.A_CREER.label,
            swatch(shape("ellipse", 0, 0, 9, 'fill="#fff" stroke="#525a6b" stroke-width="3"')),
        ),
    ]
    return {"natures": natures, "availability": availability, "links": [(k.value, k.label) for k in LINK_CYCLE]}


# --- The chantiers' maps ------------------------------------------------------------------------------------------


@member_required
@require_safe
def index(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = get_object_or_404(request.tenant.roadmaps, pk=roadmap_pk)
    chantiers = list(
        roadmap.chantiers.select_related("defi")
        .annotate(
            resources=Count("map_resources"),
            solid=Count("map_resources", filter=Q(map_resources__link=LinkKind.SOLID)),
            dotted=Count("map_resources", filter=Q(map_resources__link=LinkKind.DOTTED)),
            unlinked=Count("map_resources", filter=Q(map_resources__link=LinkKind.NONE)),
        )
        # Django leaves Meta.ordering out of queries with an aggregate: the order is said here.
        .order_by("order", "pk")
    )
    sessions = list(roadmap.rotation_sessions.all()[:5])
    return render(
        request, "resourcemaps/index.html", {"roadmap": roadmap, "chantiers": chantiers, "sessions": sessions}
    )


@read_or_workshop_required
def map_page(request: TenantRequest, chantier_pk: int) -> HttpResponse:
    """The map: the graph (mouse and keyboard), the legend, the table of the same links, the add form (a POST)."""
    chantier = _chantier(request, chantier_pk)
    form = ResourceForm(request.POST or None, organization=request.tenant, initial={"link": LinkKind.NONE})
    if request.method == "POST":
        if form.is_valid():
            resource = form.save(commit=False)
            resource.organization = request.tenant
            resource.chantier = chantier
            resource.save()
            messages.success(request, _("Ressource « %(name)s » ajoutée à la carte.") % {"name": resource.name})
            return redirect("resourcemaps:map", chantier_pk=chantier.pk)
        messages.error(request, _("La ressource n'a pas été ajoutée : corrigez le formulaire."))
    resources = list(Resource.objects.of_map(chantier))
    editable = may(request.membership, P.RUN_WORKSHOPS)
    d = drawing(chantier, resources)
    context = {
        "chantier": chantier,
        "roadmap": chantier.roadmap,
        "resources": resources,
        "form": form,
        "editable": editable,
        "graph": {"elements": cytoscape_elements(d, editable=editable), "editable": editable},
        "legend": _legend(),
        "jobs": list(ExportJob.objects.filter(organization=request.tenant, kind="resource_map_pdf").of(chantier)[:3]),
    }
    return render(request, "resourcemaps/map.html", context, status=400 if form.errors else 200)


@member_required
@require_safe
def map_svg(request: TenantRequest, chantier_pk: int) -> HttpResponse:
    chantier = _chantier(request, chantier_pk)
    svg = drawing_svg(drawing(chantier, list(Resource.objects.of_map(chantier))))
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ressources-{slugify(chantier.title)[:60]}.svg"'
    return response


@member_required
@require_safe
def map_kumu(request: TenantRequest, chantier_pk: int) -> HttpResponse:
    chantier = _chantier(request, chantier_pk)
    response = HttpResponse(kumu_zip(chantier, list(Resource.objects.of_map(chantier))), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="kumu-{slugify(chantier.title)[:60]}.zip"'
    return response


@workshop_required
@require_POST
def map_pdf(request: TenantRequest, chantier_pk: int) -> HttpResponse:
    chantier = _chantier(request, chantier_pk)
    start_export("resource_map_pdf", chantier, request.user)  # type: ignore[arg-type]
    messages.success(request, _("Le PDF de la cartographie est en préparation."))
    return redirect("resourcemaps:map", chantier_pk=chantier.pk)


@workshop_required
def resource_edit(request: TenantRequest, resource_pk: int) -> HttpResponse:
    """The form for everything about one resource: the fallback of the graph's mouse and keyboard edits."""
    resource = _resource(request, resource_pk)
    form = ResourceForm(request.POST or None, instance=resource, organization=request.tenant)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Ressource « %(name)s » enregistrée.") % {"name": resource.name})
        return redirect("resourcemaps:map", chantier_pk=resource.chantier_id)
    return render(
        request,
        "resourcemaps/resource_form.html",
        {"resource": resource, "chantier": resource.chantier, "form": form},
        status=400 if form.errors else 200,
    )


@workshop_required
@require_POST
def resource_delete(request: TenantRequest, resource_pk: int) -> HttpResponse:
    resource = _resource(request, resource_pk)
    name, chantier_pk = resource.name, resource.chantier_id
    resource.delete()
    messages.success(request, _("Ressource « %(name)s » retirée de la carte.") % {"name": name})
    return redirect("resourcemaps:map", chantier_pk=chantier_pk)


@workshop_required
@require_POST
def resource_place(request: TenantRequest, resource_pk: int) -> JsonResponse:
    """Where the resource was dropped or moved with the arrows (the map's plane, chantier at 0,0)."""
    resource = _resource(request, resource_pk)
    form = PositionForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": _("Position refusée : hors de la carte.")}, status=400)
    Resource.objects.filter(pk=resource.pk).update(x=form.cleaned_data["x"], y=form.cleaned_data["y"])
    return JsonResponse({"x": form.cleaned_data["x"], "y": form.cleaned_data["y"]})


@workshop_required
@require_POST
def resource_link(request: TenantRequest, resource_pk: int) -> JsonResponse:
    """The kind of line between the chantier and the resource (none / dotted / solid)."""
    resource = _resource(request, resource_pk)
    form = LinkForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": _("Type de lien inconnu.")}, status=400)
    kind = LinkKind(form.cleaned_data["link"])
    Resource.objects.filter(pk=resource.pk).update(link=kind)
    return JsonResponse({"link": kind.value, "link_label": str(LINK_SHORT[kind]), "description": str(kind.label)})


# --- Table rotations ----------------------------------------------------------------------------------------------


def _session(request: TenantRequest, rotationsession_pk: int) -> RotationSession:
    return get_object_or_404(request.tenant.rotation_sessions.select_related("roadmap"), pk=rotationsession_pk)


@read_or_workshop_required
def rotation_list(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap: Roadmap = get_object_or_404(request.tenant.roadmaps, pk=roadmap_pk)
    chantiers = roadmap.chantiers.order_by("order", "pk")
    form = RotationSessionForm(request.POST or None, chantiers=chantiers)
    if request.method == "POST":
        if form.is_valid():
            session = form.save(commit=False)
            session.organization = request.tenant
            session.roadmap = roadmap
            actions.create_session(session, form.cleaned_data["chantiers"])
            return redirect("resourcemaps:rotation", rotationsession_pk=session.pk)
        messages.error(request, _("La séance n'a pas été créée : corrigez le formulaire."))
    sessions = list(roadmap.rotation_sessions.annotate(table_count=Count("tables")).order_by("-created_at", "-pk"))
    return render(
        request,
        "resourcemaps/rotation_list.html",
        {"roadmap": roadmap, "sessions": sessions, "form": form},
        status=400 if form.errors else 200,
    )


@member_required
@require_safe
def rotation_page(request: TenantRequest, rotationsession_pk: int) -> HttpResponse:
    """The room's screen and the animator's desk: the timer, each table with the note the newcomers read and the
    note being written. Refreshed by workshops/live.js when the session's version changes."""
    session = _session(request, rotationsession_pk)
    tables = list(session.tables.select_related("chantier").prefetch_related("notes"))
    for table in tables:
        table.all_notes = list(table.notes.all())  # type: ignore[attr-defined]
        by_round = {n.round: n for n in table.all_notes}  # type: ignore[attr-defined]
        table.previous_note = by_round.get(session.round - 1)  # type: ignore[attr-defined]
        table.current_note = by_round.get(session.round)  # type: ignore[attr-defined]
        table.form = HandoverNoteForm(  # type: ignore[attr-defined]
            prefix=f"t{table.pk}",
            initial={"text": table.current_note.text if table.current_note else "", "keeper": table.keeper},  # type: ignore[attr-defined]
        )
    context = {
        "session": session,
        "roadmap": session.roadmap,
        "tables": tables,
        "seconds_left": session.seconds_left(),
        "can_run": may(request.membership, P.RUN_WORKSHOPS),
    }
    template = "resourcemaps/rotation.html#live" if request.htmx else "resourcemaps/rotation.html"
    return render(request, template, context)


@member_required
@require_safe
def rotation_version(request: TenantRequest, rotationsession_pk: int) -> JsonResponse:
    session = _session(request, rotationsession_pk)
    return JsonResponse({"version": session.version})


@workshop_required
@require_POST
def rotation_action(request: TenantRequest, rotationsession_pk: int) -> HttpResponse:
    session = _session(request, rotationsession_pk)
    try:
        actions.advance(session, request.POST.get("action", ""))
    except actions.Refused as refusal:
        messages.error(request, str(refusal))
    return redirect("resourcemaps:rotation", rotationsession_pk=session.pk)


@workshop_required
@require_POST
def rotation_note(request: TenantRequest, rotationtable_pk: int) -> HttpResponse:
    table: RotationTable = get_object_or_404(
        request.tenant.rotation_tables.select_related("session", "chantier"), pk=rotationtable_pk
    )
    form = HandoverNoteForm(request.POST, prefix=f"t{table.pk}")
    if not form.is_valid():
        messages.error(
            request, _("La note n'a pas été enregistrée : %(error)s") % {"error": next(iter(form.errors.values()))[0]}
        )
    else:
        try:
            actions.save_note(table, form.cleaned_data["text"], form.cleaned_data["keeper"], request.user)  # type: ignore[arg-type]
            messages.success(
                request, _("Note de passation de « %(table)s » enregistrée.") % {"table": table.chantier.title}
            )
        except actions.Refused as refusal:
            messages.error(request, str(refusal))
    return redirect("resourcemaps:rotation", rotationsession_pk=table.session_id)
