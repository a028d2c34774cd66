"""The diagnostic as the roadmap document uses it: figures, static maps and the group's synthesis."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from diagnostics import maps
from diagnostics.analysis import Diagnostic, Figure, build_diagnostic, format_value
from diagnostics.indicators import Indicator
from diagnostics.models import TerritoryDiagnostic
from roadmap.models import Roadmap
from territories.models import Territory

DEFAULT_DISTANCE_KM = 10.0


@dataclass
class KeyFigure:
    label: str
    territory: str
    departement: str
    source: str
    vintage: str
    note: str = ""


@dataclass
class DiagnosticForDocument:
    territory_name: str
    synthesis: str  # the group's text (plain text, paragraphs separated by blank lines)
    synthesis_updated_at: datetime | None
    figures: list[KeyFigure]
    coverage: str
    publics: list[tuple[str, str, str]]  # (public, figure, limits)
    gaps: list[str]
    images: dict[str, bytes] = field(default_factory=dict)  # name → image bytes, e.g. "ifn_global", "coverage"
    image_format: str = "png"
    # name → what the map shows beyond its title: its source and vintage, what a dot is and of when.
    captions: dict[str, str] = field(default_factory=dict)


def settings_for(territory: Territory) -> TerritoryDiagnostic | None:
    return TerritoryDiagnostic.objects.filter(territory=territory, organization_id=territory.organization_id).first()


def distance_for(territory: Territory) -> float:
    found = settings_for(territory)
    return float(found.distance_km) if found else DEFAULT_DISTANCE_KM


def _range(low: float | None, high: float | None, indicator: Indicator) -> str:
    if low is None or high is None:
        return "—"
    return f"{format_value(low, indicator)} à {format_value(high, indicator)}"


def partial_coverage(figure: Figure) -> str:
    """« sur 2 des 16 communes, 54 % des habitants » when a value is computed on part of the territory only."""
    aggregate = figure.territory
    if not aggregate.communes_with_data or aggregate.communes_with_data >= aggregate.communes:
        return ""
    share = f"{aggregate.population_share:.0f}" if aggregate.population_share is not None else "?"
    return ngettext(
        "sur %(with)d commune sur %(all)d, %(share)s\u00a0%% des habitants",
        "sur %(with)d communes sur %(all)d, %(share)s\u00a0%% des habitants",
        aggregate.communes_with_data,
    ) % {"with": aggregate.communes_with_data, "all": aggregate.communes, "share": share}


def key_figures(diagnostic: Diagnostic) -> list[KeyFigure]:
    """The figures as shown and printed; a value computed on part of the territory says so in the value itself."""
    rows = []
    for figure in diagnostic.figures:
        indicator = figure.indicator
        territory = (
            format_value(figure.territory.value, indicator)
            if figure.territory.value is not None
            else _range(figure.territory.minimum, figure.territory.maximum, indicator)
        )
        notes = [figure.scale_note]
        if figure.territory_published:  # the whole area's figure: no partial coverage to declare
            notes.append(_("Territoire : %(what)s.") % {"what": figure.territory_published})
        elif coverage := partial_coverage(figure):
            if territory != "—":
                territory = f"{territory} ({coverage})"
        if figure.departement_published:
            notes.append(_("Département : %(what)s.") % {"what": figure.departement_published})
        rows.append(
            KeyFigure(
                label=str(indicator.label),
                territory=territory,
                departement=format_value(figure.departement.value, indicator),
                source=figure.source,
                vintage=figure.vintage,
                note=" ".join(n for n in (*notes, str(indicator.note)) if n),
            )
        )
    return rows


def coverage_sentence(diagnostic: Diagnostic) -> str:
    c = diagnostic.coverage
    how = (
        f"France services et lieux de médiation numérique, {c.places} lieux connus ; distance à vol d'oiseau "
        "depuis le centre de chaque commune"
    )
    if not c.places:
        return "Aucun lieu d'accompagnement n'est importé : la couverture ne peut pas être calculée."
    if not c.communes_beyond:
        return f"Toutes les communes ont un lieu d'accompagnement à moins de {c.distance_km:g} km ({how})."
    share = f"{c.share_beyond:.1f}".replace(".", ",") if c.share_beyond is not None else "?"
    people = f"{c.population_beyond:,}".replace(",", "\u202f")
    inhabitants = ngettext("%(people)s habitant", "%(people)s habitants", c.population_beyond) % {"people": people}
    communes = ngettext(
        "vivent dans %(count)d commune à plus de %(km)s km",
        "vivent dans %(count)d communes à plus de %(km)s km",
        c.communes_beyond,
    ) % {"count": c.communes_beyond, "km": f"{c.distance_km:g}"}
    return (
        f"{inhabitants}, soit {share}\u00a0% de la population, {communes} du lieu d'accompagnement le plus proche "
        f"({how})."
    )


def for_roadmap(
    roadmap: Roadmap, *, image_format: str = "png", maps_wanted: tuple[str, ...] = ("ifn_global", "coverage")
) -> DiagnosticForDocument | None:
    """The territory's diagnostic for the roadmap PDF; None when no statistic has been imported for it."""
    territory = roadmap.territory
    diagnostic = build_diagnostic(territory, distance_for(territory))
    if not diagnostic.has_data:
        return None
    found = settings_for(territory)
    # The document prints each map's caption under it: not a second time inside the image, in small print. Paper
    # may be black and white: the maps are drawn for print.
    images = {key: maps.static_map(diagnostic, key, image_format, caption=False, for_print=True) for key in maps_wanted}
    images["comparison"] = maps.comparison_chart(diagnostic, image_format)
    return DiagnosticForDocument(
        territory_name=territory.name,
        synthesis=found.synthesis if found else "",
        synthesis_updated_at=found.updated_at if found else None,
        figures=key_figures(diagnostic),
        coverage=coverage_sentence(diagnostic),
        publics=[(str(p.label), p.figure, str(p.note)) for p in diagnostic.publics],
        gaps=[str(g) for g in diagnostic.gaps],
        images=images,
        image_format=image_format,
        captions={key: maps.caption_of(diagnostic, key) for key in maps_wanted},
    )
