from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_safe

from diagnostics import maps
from diagnostics.analysis import build_diagnostic, format_value
from diagnostics.forms import ImportForm, SynthesisForm
from diagnostics.importers import IMPORTERS, ImportFileError, Scope
from diagnostics.indicators import INDICATORS, MAP_INDICATORS
from diagnostics.models import ImportRun, Place, TerritoryDiagnostic
from diagnostics.synthesis import DEFAULT_DISTANCE_KM, coverage_sentence, key_figures
from tenancy.access import TenantRequest, editor_required, member_required
from territories.models import Territory

# Columns of the commune table: (key, label); sortable with ?tri=key (or -key).
TABLE_COLUMNS = [
    ("name", "Commune"),
    ("population", "Population"),
    ("ifn_global", "IFN"),
    ("sans_thd", "Sans THD (%)"),
    ("chomage", "Chômage (%)"),
    ("part_65_plus", "65 ans et + (%)"),
    ("peu_diplomes", "Peu diplômés (%)"),
    ("revenu_median", "Revenu médian (€)"),
    ("fragilities", "Fragilités"),
    ("distance_km", "Lieu le plus proche (km)"),
]
IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
COMPARISON = "comparaison"


def _territory(request: TenantRequest, territory_pk: int) -> Territory:
    return get_object_or_404(request.tenant.territories, pk=territory_pk)


def _settings(request: TenantRequest, territory: Territory) -> TerritoryDiagnostic | None:
    return request.tenant.territory_diagnostics.filter(territory=territory).first()


def _diagnostic(request: TenantRequest, territory: Territory):
    found = _settings(request, territory)
    distance = float(found.distance_km) if found else DEFAULT_DISTANCE_KM
    return build_diagnostic(territory, distance), found


def _map_key(request: TenantRequest, diagnostic, default: str = "ifn_global") -> str:
    keys = [k for k, _label in maps.map_choices(diagnostic)]
    wanted = request.GET.get("carte") or (default if default in keys else keys[0])
    if wanted not in keys and wanted != COMPARISON:
        raise Http404
    return wanted


@member_required
@require_safe
def territory_diagnostic(request: TenantRequest, territory_pk: int) -> HttpResponse:
    territory = _territory(request, territory_pk)
    diagnostic, found = _diagnostic(request, territory)
    map_key = _map_key(request, diagnostic) if diagnostic.has_data else ""
    sort = request.GET.get("tri", "name")
    column = sort.removeprefix("-")
    if column not in dict(TABLE_COLUMNS):
        column, sort = "name", "name"
    table = diagnostic.communes.sort_values(column, ascending=not sort.startswith("-"), na_position="last")
    rows = [
        {
            "code": code,
            "name": row["name"],
            "population": row["population"],
            "values": [
                _("secret") if row.get(f"{key}__secret") is True else format_value(row[key], INDICATORS[key])
                for key, _label in TABLE_COLUMNS[2:8]
            ],
            "fragilities": row["fragilities"],
            "fragility_labels": row["fragility_labels"],
            "distance_km": None if row["distance_km"] != row["distance_km"] else row["distance_km"],
            "nearest_place": row["nearest_place"],
            "beyond": bool(row["beyond"]),
        }
        for code, row in table.iterrows()
    ]
    places = diagnostic.places[diagnostic.places["commune"].isin(diagnostic.communes.index)]
    return render(
        request,
        "diagnostics/territory_diagnostic.html",
        {
            "territory": territory,
            "diagnostic": diagnostic,
            "settings": found,
            "figures": key_figures(diagnostic),
            "highlighted": [
                f for f in key_figures(diagnostic) if f.label in {str(INDICATORS[k].label) for k in MAP_INDICATORS}
            ],
            "coverage": coverage_sentence(diagnostic),
            "beyond": [r for r in rows if r["beyond"]],
            "combined": [
                {"name": c["name"], "population": c["population"], "labels": c["fragility_labels"]}
                for _code, c in diagnostic.combined.iterrows()
            ],
            "map_key": map_key,
            "map_choices": maps.map_choices(diagnostic) if diagnostic.has_data else [],
            "map_title": maps.title_of(diagnostic, map_key) if map_key else "",
            "map_caption": maps.caption_of(diagnostic, map_key) if map_key else "",
            "leaflet": maps.leaflet_available(),
            "columns": TABLE_COLUMNS,
            "sort": sort,
            "rows": rows,
            "places": [
                {"name": p.name, "kind": Place.Kind(p.kind).label, "address": p.address, "vintage": p.vintage}
                for p in places.itertuples()
            ],
        },
    )


@member_required
@require_safe
@xframe_options_sameorigin
def territory_map(request: TenantRequest, territory_pk: int) -> HttpResponse:
    """The interactive map alone (shown in an iframe of the diagnostic page)."""
    territory = _territory(request, territory_pk)
    diagnostic, _found = _diagnostic(request, territory)
    key = _map_key(request, diagnostic)
    if key == COMPARISON:
        raise Http404
    return HttpResponse(maps.interactive_map(diagnostic, key))


@member_required
@require_safe
def territory_map_image(request: TenantRequest, territory_pk: int) -> HttpResponse:
    """A static map (or the comparison chart) as PNG or SVG, for projection, download and documents."""
    territory = _territory(request, territory_pk)
    diagnostic, _found = _diagnostic(request, territory)
    fmt = request.GET.get("format", "svg")
    if fmt not in IMAGE_TYPES:
        raise Http404
    key = _map_key(request, diagnostic)
    if key == COMPARISON:
        content = maps.comparison_chart(diagnostic, fmt)
    else:
        content = maps.static_map(diagnostic, key, fmt)
    response = HttpResponse(content, content_type=IMAGE_TYPES[fmt])
    if request.GET.get("telecharger"):
        response["Content-Disposition"] = f'attachment; filename="diagnostic-{territory.pk}-{key}.{fmt}"'
    return response


@editor_required
@require_http_methods(["GET", "POST"])
def synthesis_edit(request: TenantRequest, territory_pk: int) -> HttpResponse:
    territory = _territory(request, territory_pk)
    instance = _settings(request, territory) or TerritoryDiagnostic(organization=request.tenant, territory=territory)
    form = SynthesisForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.updated_by = request.user
        saved.save()
        messages.success(request, _("Synthèse du diagnostic enregistrée."))
        return redirect("diagnostics:territory", territory_pk=territory.pk)
    return render(request, "diagnostics/synthesis_form.html", {"territory": territory, "form": form})


@editor_required
@require_http_methods(["GET", "POST"])
def import_data(request: TenantRequest, territory_pk: int) -> HttpResponse:
    """Upload one official file; only the territory's communes are kept; a bad file changes nothing."""
    territory = _territory(request, territory_pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        upload = form.cleaned_data["file"]
        name = Path(upload.name).name
        run = ImportRun(
            organization=request.tenant,
            territory=territory,
            kind=kind,
            file_name=name[:255],
            created_by=request.membership.user,
        )
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                result = IMPORTERS[kind][1](path, Scope.for_territory(territory))
            except ImportFileError as error:
                run.message = str(error)
            else:
                run.succeeded, run.rows, run.message = True, result.rows, result.summary()
        run.save()
        if run.succeeded:
            messages.success(request, run.message)
            return redirect("diagnostics:territory", territory_pk=territory.pk)
        form.add_error("file", _("Rien n'a été importé. %(error)s") % {"error": run.message})
    return render(
        request,
        "diagnostics/import_form.html",
        {
            "territory": territory,
            "form": form,
            "imports": request.tenant.diagnostic_imports.filter(territory=territory).select_related("created_by")[:20],
        },
    )
