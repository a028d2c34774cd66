from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from diagnostics import actions as workflows
from diagnostics import maps, national
from diagnostics.analysis import FRAGILITY_RULE, build_diagnostic, distinct_places, format_value, place_services
from diagnostics.forms import ImportForm, SynthesisForm
from diagnostics.indicators import INDICATORS, MAP_INDICATORS
from diagnostics.models import Place, ReferenceLoad, TerritoryDiagnostic
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
            "fragility_rule": FRAGILITY_RULE
            % {"indicators": ", ".join(str(INDICATORS[k].label).lower() for k in diagnostic.fragility_indicators)},
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
            "places": distinct_places(places, place_services(diagnostic.communes.index, request.tenant.pk)),
            "conseillers": int(places.loc[places["kind"] == Place.Kind.CONSEILLER_NUMERIQUE, "staff"].dropna().sum()),
            "conseillers_vintage": " ; ".join(
                dict.fromkeys(places.loc[places["kind"] == Place.Kind.CONSEILLER_NUMERIQUE, "vintage"])
            ),
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
    """Upload one official file into the organisation's own data; the worker reads it, the page follows it."""
    territory = _territory(request, territory_pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        workflows.start_import(
            territory,
            form.cleaned_data["kind"],
            form.cleaned_data["file"],
            form.cleaned_data["vintage"],
            request.membership.user,
        )
        messages.info(
            request, _("Fichier reçu : il est lu en arrière-plan, le résultat s'affiche ci-dessous sans recharger.")
        )
        return redirect("diagnostics:import_data", territory_pk=territory.pk)
    own_rows = [
        {
            "label": INDICATORS[s["indicator"]].label if s["indicator"] in INDICATORS else s["indicator"],
            "field": "indicator",
        }
        | {"value": s["indicator"], "source": s["source"], "vintage": s["vintage"], "rows": s["rows"]}
        for s in request.tenant.own_statistics.values("indicator", "source", "vintage")
        .annotate(rows=Count("pk"))
        .order_by("indicator")
    ] + [
        {"label": Place.Kind(p["kind"]).label, "field": "kind"}
        | {"value": p["kind"], "source": p["source"], "vintage": p["vintage"], "rows": p["rows"]}
        for p in request.tenant.own_places.values("kind", "source", "vintage")
        .annotate(rows=Count("pk"))
        .order_by("kind")
    ]
    return render(
        request,
        "diagnostics/import_form.html",
        {
            "territory": territory,
            "form": form,
            "imports": request.tenant.diagnostic_imports.filter(territory=territory).select_related("created_by")[:20],
            "own_rows": own_rows,
            "reference_loads": ReferenceLoad.objects.all()[:12],
        },
    )


@member_required
@require_safe
def import_status(request: TenantRequest, importrun_pk: int) -> HttpResponse:
    """The import's row; htmx polls it until the file is imported or refused."""
    run = get_object_or_404(request.tenant.diagnostic_imports, pk=importrun_pk)
    return render(
        request, "diagnostics/import_form.html#import-row", {"run": run, "can_edit": request.membership.can_edit}
    )


@editor_required
@require_POST
def import_retry(request: TenantRequest, importrun_pk: int) -> HttpResponse:
    run = get_object_or_404(request.tenant.diagnostic_imports, pk=importrun_pk)
    run = workflows.retry_import(run)
    if request.htmx:
        return render(request, "diagnostics/import_form.html#import-row", {"run": run, "can_edit": True})
    return redirect("diagnostics:import_data", territory_pk=run.territory_id)


@editor_required
@require_POST
def own_data_delete(request: TenantRequest, territory_pk: int) -> HttpResponse:
    """Remove the organisation's own figures of one indicator, or its own places of one kind (never the reference)."""
    territory = _territory(request, territory_pk)
    removed = workflows.delete_own_data(
        request.tenant, indicator=request.POST.get("indicator", ""), place_kind=request.POST.get("kind", "")
    )
    messages.success(
        request,
        ngettext("%(count)d ligne de vos données retirée.", "%(count)d lignes de vos données retirées.", removed)
        % {"count": removed},
    )
    return redirect("diagnostics:import_data", territory_pk=territory.pk)


@member_required
@require_safe
def places_export(request: TenantRequest, territory_pk: int) -> HttpResponse:
    """The territory's places in the national « lieux de médiation numérique » schema (CSV), to feed the map back."""
    territory = _territory(request, territory_pk)
    content = national.places_csv(territory)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lieux-mediation-numerique-{territory.pk}.csv"'
    return response
