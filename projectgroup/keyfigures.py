"""The territory's key figures for the first meeting of the groupe projet (step 2), from the diagnostic."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from diagnostics.analysis import build_diagnostic, format_value
from diagnostics.synthesis import partial_coverage
from roadmap.models import Roadmap

# What a first meeting needs to see, in this order; at most eight fit a projector's screen without scrolling.
SHOWN = (
    "population_rp",
    "ifn_global",
    "sans_thd",
    "part_65_plus",
    "taux_pauvrete",
    "chomage",
    "peu_diplomes",
    "menages_seuls",
    "revenu_median",
)
MAX_FIGURES = 8


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: str
    comparison: str  # the département's value, for comparison ("" when none)
    source: str
    vintage: str
    worse: bool | None  # worse than the département (None: no judgement)
    coverage: str = ""  # « sur 2 communes sur 16, 53 % des habitants » when computed on part of the territory


def key_figures(roadmap: Roadmap) -> list[KeyFigure]:
    diagnostic = build_diagnostic(roadmap.territory)
    figures = []
    for key in SHOWN:
        figure = diagnostic.figure(key)
        if figure is None or figure.territory.value is None:
            continue
        comparison = ""
        if figure.departement.value is not None and figure.indicator.unit != "hab.":
            comparison = _("département : %(value)s") % {
                "value": format_value(figure.departement.value, figure.indicator)
            }
        figures.append(
            KeyFigure(
                label=str(figure.indicator.label),
                value=format_value(figure.territory.value, figure.indicator),
                comparison=comparison,
                source=figure.source,
                vintage=figure.vintage,
                worse=figure.worse_than_departement,
                coverage="" if figure.territory_published else partial_coverage(figure),
            )
        )
    coverage = diagnostic.coverage
    if coverage.places and coverage.share_beyond is not None and len(figures) < MAX_FIGURES:
        figures.append(
            KeyFigure(
                label=_("Habitants à plus de %(km)s km d'un lieu d'accompagnement")
                % {"km": f"{coverage.distance_km:g}"},
                value=f"{coverage.share_beyond:.0f}\u00a0%".replace(".", ","),
                comparison="",
                source=_("France services et lieux de médiation numérique"),
                vintage="",
                worse=None,
            )
        )
    return figures[:MAX_FIGURES]
