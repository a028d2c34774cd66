"""The catalogue of indicators of the diagnostic: label, unit, how a territory's value is computed, direction."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Aggregation(StrEnum):
    # sum of numerators / sum of denominators (rates, weighted means: numerator = value × weight)
    RATIO = "ratio"
    # a sum of counts (numerator only)
    SUM = "sum"
    # not aggregable (a median): the territory shows the communes' range, never a mean of medians
    NONE = "none"


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str | Promise
    unit: str  # "%" (stored as 0–100), "€", "score", "hab."
    aggregation: Aggregation
    fragile_when_high: bool | None  # None: not a fragility indicator
    family: str | Promise
    note: str | Promise = ""

    @property
    def is_fragility(self) -> bool:
        return self.fragile_when_high is not None


INDICATORS: dict[str, Indicator] = {
    i.key: i
    for i in [
        Indicator(
            "ifn_global",
            _("Indice de fragilité numérique (global)"),
            "score",
            Aggregation.RATIO,
            True,
            _("Fragilité numérique"),
            _("100 ≈ moyenne nationale ; plus l'indice est élevé, plus la fragilité est forte."),
        ),
        Indicator("ifn_acces", _("IFN — accès"), "score", Aggregation.RATIO, True, _("Fragilité numérique")),
        Indicator(
            "ifn_competences", _("IFN — compétences"), "score", Aggregation.RATIO, True, _("Fragilité numérique")
        ),
        Indicator(
            "sans_thd",
            _("Locaux sans très haut débit (< 30 Mbit/s)"),
            "%",
            Aggregation.RATIO,
            True,
            _("Accès"),
            _("Données ARCEP de 2019 (version bêta) : le déploiement de la fibre a beaucoup progressé depuis."),
        ),
        Indicator(
            "chomage", _("Taux de chômage des 15-64 ans (recensement)"), "%", Aggregation.RATIO, True, _("Publics")
        ),
        Indicator(
            "taux_pauvrete",
            _("Taux de pauvreté (seuil à 60 %)"),
            "%",
            Aggregation.RATIO,
            True,
            _("Publics"),
            _(
                "Publié seulement pour les communes de plus de 1\u202f000 ménages fiscaux "
                "(secret statistique ailleurs)."
            ),
        ),
        Indicator(
            "revenu_median",
            _("Revenu disponible médian par unité de consommation"),
            "€",
            Aggregation.NONE,
            False,
            _("Publics"),
            _(
                "Une médiane ne s'additionne pas : pour un territoire, seul l'éventail des communes est montré, sauf "
                "pour un EPCI ou un département entier, dont l'INSEE publie la médiane."
            ),
        ),
        Indicator(
            "part_65_plus",
            _("Part des 65 ans et plus (parmi les 15 ans et plus)"),
            "%",
            Aggregation.RATIO,
            True,
            _("Publics"),
            _("Recensement 2017 retraité par Data For Good ; dénominateur : population de 15 ans et plus."),
        ),
        Indicator(
            "peu_diplomes",
            _("Part des pas ou peu diplômés (15 ans et plus)"),
            "%",
            Aggregation.RATIO,
            True,
            _("Publics"),
            _("Recensement 2017 retraité par Data For Good ; pondéré par la population municipale 2024."),
        ),
        Indicator(
            "menages_seuls",
            _("Part des ménages d'une personne"),
            "%",
            Aggregation.RATIO,
            True,
            _("Publics"),
            _("Recensement 2017 retraité par Data For Good ; pondéré par le nombre de ménages (recensement 2021)."),
        ),
        Indicator("menages", _("Ménages (recensement)"), "ménages", Aggregation.SUM, None, _("Population")),
        Indicator("chomeurs", _("Chômeurs de 15 à 64 ans"), "hab.", Aggregation.SUM, None, _("Publics")),
        Indicator("population_rp", _("Population (recensement)"), "hab.", Aggregation.SUM, None, _("Population")),
    ]
}

# Shown in the key figures and maps, in this order.
MAP_INDICATORS = ["ifn_global", "sans_thd", "chomage", "part_65_plus", "peu_diplomes", "taux_pauvrete", "revenu_median"]

# What the data at hand cannot tell, shown as such in the diagnostic (honest gaps).
KNOWN_GAPS: list[str | Promise] = [
    _(
        "Part des 75 ans et plus : la série de l'INSEE « Évolution et structure de la population » n'est pas "
        "importée (la part des 65 ans et plus de 2017 sert de repère)."
    ),
    _("Allocataires CAF dépendant des prestations, part des étrangers : pas de fichier communal disponible."),
    _("Couverture 4G et déploiement récent de la fibre : le fichier ARCEP disponible date de 2019."),
    _("Taux de pauvreté : secret statistique pour les communes de moins de 1\u202f000 ménages fiscaux."),
    _(
        "Lieux de médiation : seuls les France services et les lieux des conseillers numériques sont connus ; "
        "bibliothèques, associations et autres lieux de la cartographie nationale sont à ajouter."
    ),
]
