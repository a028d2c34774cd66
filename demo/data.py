"""Demo data: CC Dronne et Belle and its roadmap, plus a second organisation. Idempotent."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from demo.chantiers import build_chantiers_demo
from demo.diagnostics import load_demo_data
from demo.evaluation import build_evaluation_demo
from demo.inspiration import build_inspiration_demo
from demo.projectgroup import build_projectgroup_demo
from demo.questionnaires import build_questionnaires_demo
from demo.resourcemaps import build_resourcemaps_demo
from fiches.models import ActionExpense, ActionFunding, ActionStep
from roadmap.models import Action, Chantier, Defi, Enjeu, Roadmap
from tenancy.models import Membership, Organization, Role, User
from territories.communes import COMMUNES_GEOJSON, load_communes
from territories.models import Commune, Territory

DEMO_PASSWORD = "CapPartage-2026"  # noqa: S105 - demo accounts, printed and listed in the README

DRONNE_ET_BELLE = "CC Dronne et Belle"
GRAND_PERIGUEUX = "CA Le Grand Périgueux"
DRONNE_ET_BELLE_SIREN = "200041572"
GRAND_PERIGUEUX_SIREN = "200040392"

# (email, organisation, role); the hub member belongs to both organisations.
DEMO_USERS = [
    ("referente@dronne-belle.demo", DRONNE_ET_BELLE, Role.ADMINISTRATEUR),
    ("contributeur@dronne-belle.demo", DRONNE_ET_BELLE, Role.CONTRIBUTEUR),
    ("animatrice@dronne-belle.demo", DRONNE_ET_BELLE, Role.ANIMATEUR),
    ("elu@dronne-belle.demo", DRONNE_ET_BELLE, Role.LECTEUR),
    ("referent@grand-perigueux.demo", GRAND_PERIGUEUX, Role.ADMINISTRATEUR),
    ("hub@hubikoop.demo", DRONNE_ET_BELLE, Role.CONTRIBUTEUR),
    ("hub@hubikoop.demo", GRAND_PERIGUEUX, Role.CONTRIBUTEUR),
]
FULL_NAMES = {
    "referente@dronne-belle.demo": "Claire Mercier (référente technique)",
    "contributeur@dronne-belle.demo": "Julien Faure (groupe projet)",
    "animatrice@dronne-belle.demo": "Sonia Delmas (animatrice)",
    "elu@dronne-belle.demo": "Michel Bertrand (élu)",
    "referent@grand-perigueux.demo": "Hélène Roche (référente technique)",
    "hub@hubikoop.demo": "Yanis Garnier (hub territorial)",
}

# The 16 member communes (COG 2024), so the demo works without the data folder (no contour, no statistics).
DRONNE_ET_BELLE_COMMUNES = [
    ("24042", "Biras"),
    ("24055", "Bourdeilles"),
    ("24064", "Brantôme en Périgord"),
    ("24069", "Bussac"),
    ("24096", "Champagnac-de-Belair"),
    ("24107", "La Chapelle-Faucher"),
    ("24111", "La Chapelle-Montmoreau"),
    ("24129", "Condat-sur-Trincou"),
    ("24221", "Rudeau-Ladosse"),
    ("24253", "Mareuil en Périgord"),
    ("24346", "Quinsac"),
    ("24353", "La Rochebeaucourt-et-Argentine"),
    ("24394", "Sainte-Croix-de-Mareuil"),
    ("24403", "Saint-Félix-de-Bourdeilles"),
    ("24474", "Saint-Pancrace"),
    ("24582", "Villars"),
]

ENJEUX = [
    "Comment permettre à chaque habitant, quel que soit son âge ou son lieu de vie, de faire ses démarches en "
    "ligne sans rester seul face à l'écran ?",
    "Comment rendre visibles et relier entre eux les lieux et les personnes qui accompagnent déjà au numérique ?",
    "Comment aider les jeunes et les familles à vivre le numérique de façon autonome, critique et sereine ?",
]
# (title, description, answered enjeux by index, chantiers: (title, description, enjeux, actions))
DEFIS = [
    (
        "Aller au-devant des habitants avec une offre numérique mobile et de proximité",
        "Dans un territoire rural aux bourgs dispersés, l'aide doit se déplacer là où vivent les habitants.",
        [0, 2],
        [
            (
                "Des permanences numériques itinérantes dans les bourgs",
                "Un accompagnement régulier, sur rendez-vous ou sans, au plus près des habitants isolés.",
                [0],
                [
                    "Un camping-car numérique qui fait étape chaque semaine dans une commune différente",
                    "Des permanences mensuelles en mairie avec le conseiller numérique",
                ],
            ),
            (
                "Des animations numériques ludiques pour tous les âges",
                "Donner envie par le jeu, la création et la rencontre entre générations.",
                [0, 2],
                [
                    "Des après-midis jeux vidéo et robotique intergénérationnels à la médiathèque",
                    "Un atelier « parents, écrans et enfants » dans chaque école volontaire",
                ],
            ),
        ],
    ),
    (
        "Structurer un réseau lisible des acteurs de l'accompagnement numérique",
        "Que chaque professionnel sache où orienter une personne en difficulté, et que chacun sache où aller.",
        [1],
        [
            (
                "Un annuaire partagé et une charte commune des aidants",
                "Recenser, faire connaître et coordonner l'existant avant de créer du nouveau.",
                [1],
                [
                    "Cartographier les lieux d'aide et les publier sur le site de la communauté de communes",
                    "Former les secrétaires de mairie à repérer et orienter les usagers en difficulté",
                ],
            ),
        ],
    ),
]

# Fiche action content, budget (TTC) and financing of the demo actions: (fields, expenses, fundings, steps).
# Expenses: (year, kind, amount); fundings: (year, funder, amount); steps: (label, start (year, quarter), end).
DEMO_FICHES: dict[str, tuple[dict[str, str], list[tuple[int, str, str]], list[tuple[int, str, str]], list[Any]]] = {
    "Un camping-car numérique qui fait étape chaque semaine dans une commune différente": (
        {
            "referents": "Léa Fournier, coordinatrice inclusion numérique — 05 53 00 12 34",
            "lead_structure": "Service numérique de la communauté de communes Dronne et Belle",
            "places": "Les bourgs sans lieu d'accompagnement, jours de marché en priorité",
            "objective": "Offrir un accompagnement numérique à moins de 15 minutes de chaque habitant.",
            "description": "Aménager un camping-car en espace numérique mobile (trois postes, imprimante, "
            "connexion satellite) qui s'arrête chaque semaine dans un bourg différent.",
            "key_activities": "Aménagement du véhicule\nTournée hebdomadaire selon un calendrier publié\n"
            "Aide aux démarches en ligne\nAteliers de découverte en petits groupes",
            "target_publics": "Personnes de plus de 65 ans vivant seules ; demandeurs d'emploi sans équipement.",
            "human_means": "Un conseiller numérique à temps plein, un agent d'accueil France services en renfort",
            "human_fte": "1.5",
            "material_means": "Camping-car aménagé, trois ordinateurs portables, une imprimante, une antenne",
            "vigilance": "Prévoir un remplaçant au chauffeur ; vérifier la couverture réseau de chaque étape.",
            "justification": "Les lieux d'accompagnement ouvrent en semaine, aux heures de bureau ; les habitants "
            "âgés et sans voiture des petits bourgs peinent à s'y rendre.",
            "expected_results": "600 personnes différentes accompagnées d'ici fin 2027.",
            "indicators": "Nombre d'étapes réalisées\nNombre de personnes accompagnées\n"
            "Part des démarches menées à leur terme",
            "contract_links": "CRTE Périgord vert ; schéma départemental des usages numériques",
            "governance": "Comité de pilotage de la feuille de route ; point mensuel avec les mairies d'accueil",
            "other_resources": "Les secrétaires de mairie pour faire connaître les passages",
        },
        [
            (2025, "investissement", "68000.00"),
            (2025, "fonctionnement", "12500.00"),
            (2026, "fonctionnement", "38000.00"),
            (2027, "fonctionnement", "38000.00"),
            (2028, "fonctionnement", "38000.00"),
        ],
        [
            (2025, "etat", "40000.00"),
            (2025, "departement", "20000.00"),
            (2025, "collectivite", "20500.00"),
            (2026, "collectivite", "23000.00"),
            (2026, "region", "15000.00"),
            (2027, "collectivite", "38000.00"),
            (2028, "collectivite", "30000.00"),
        ],
        [
            ("Achat et aménagement du véhicule", (2025, 2), (2025, 4)),
            ("Tournées hebdomadaires", (2026, 1), (2028, 4)),
        ],
    ),
    "Cartographier les lieux d'aide et les publier sur le site de la communauté de communes": (
        {
            "referents": "Karim Benali, chargé de communication",
            "objective": "Que chaque habitant et chaque professionnel sache où trouver une aide numérique.",
            "description": "Recenser les lieux d'accompagnement, leurs horaires et leurs services, et les "
            "publier sur une carte tenue à jour.",
        },
        [(2025, "fonctionnement", "4500.00"), (2026, "fonctionnement", "1500.00")],
        [(2025, "etat", "3000.00"), (2025, "collectivite", "1500.00"), (2026, "collectivite", "1500.00")],
        [("Recensement auprès des communes", (2025, 3), (2025, 4)), ("Mise en ligne", (2026, 1), (2026, 1))],
    ),
}


def _demo_fiches(roadmap: Roadmap) -> None:
    for action in Action.objects.filter(roadmap=roadmap, title__in=DEMO_FICHES):
        fields, expenses, fundings, steps = DEMO_FICHES[action.title]
        for name, value in fields.items():
            setattr(action, name, Decimal(value) if name == "human_fte" else value)
        action.save()
        common = {"organization": roadmap.organization, "action": action}
        for year, kind, amount in expenses:
            ActionExpense.objects.create(**common, year=year, kind=kind, amount=Decimal(amount))
        for year, funder, amount in fundings:
            ActionFunding.objects.create(**common, year=year, funder=funder, amount=Decimal(amount))
        for label, (start_year, start_quarter), (end_year, end_quarter) in steps:
            ActionStep.objects.create(
                **common,
                label=label,
                start_year=start_year,
                start_quarter=start_quarter,
                end_year=end_year,
                end_quarter=end_quarter,
            )


def _data_path() -> Path:
    return Path(settings.CAP_DATA_DIR) / COMMUNES_GEOJSON


def ensure_communes() -> str:
    """Load the full commune reference when the data folder is there; otherwise the 16 names alone."""
    path = _data_path()
    if path.exists():
        count = load_communes(path)
        return f"{count} communes chargées depuis {path} (contours et populations)."
    for code, name in DRONNE_ET_BELLE_COMMUNES:
        Commune.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "departement": "24",
                "epci_siren": DRONNE_ET_BELLE_SIREN,
                "epci_name": DRONNE_ET_BELLE,
            },
        )
    return (
        f"Données de référence absentes ({path}) : 16 communes créées sans contour ni statistique. "
        "Importez-les avec : manage.py load_communes --data-dir CHEMIN"
    )


def _territory(organization: Organization, name: str, siren: str) -> Territory:
    territory, _ = Territory.objects.get_or_create(
        organization=organization, name=name, defaults={"kind": Territory.Kind.EPCI}
    )
    communes = Commune.objects.filter(epci_siren=siren)
    if communes.exists():
        territory.communes.set(communes)
    return territory


def _users() -> None:
    organizations = {
        name: Organization.objects.get_or_create(name=name, defaults={"kind": Organization.Kind.EPCI})[0]
        for name in (DRONNE_ET_BELLE, GRAND_PERIGUEUX)
    }
    for email, organization_name, role in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=FULL_NAMES[email])
        Membership.objects.update_or_create(
            user=user, organization=organizations[organization_name], defaults={"role": role}
        )


def _dronne_roadmap(territory: Territory) -> Roadmap:
    roadmap, created = Roadmap.objects.get_or_create(
        organization=territory.organization,
        title="Feuille de route d'inclusion numérique Dronne et Belle",
        defaults={"territory": territory, "period_start": 2025, "period_end": 2028},
    )
    if not created:
        return roadmap
    enjeux = [Enjeu.objects.create(roadmap=roadmap, question=question) for question in ENJEUX]
    for defi_title, defi_description, answered, chantiers in DEFIS:
        defi = Defi.objects.create(roadmap=roadmap, title=defi_title, description=defi_description)
        defi.enjeux.set([enjeux[i] for i in answered])
        for chantier_title, chantier_description, chantier_enjeux, actions in chantiers:
            chantier = Chantier.objects.create(
                roadmap=roadmap, defi=defi, title=chantier_title, description=chantier_description
            )
            chantier.enjeux.set([enjeux[i] for i in chantier_enjeux])
            for action_title in actions:
                Action.objects.create(roadmap=roadmap, chantier=chantier, title=action_title)
    _demo_fiches(roadmap)
    return roadmap


def _perigueux_roadmap(territory: Territory) -> Roadmap:
    roadmap, created = Roadmap.objects.get_or_create(
        organization=territory.organization,
        title="Stratégie d'inclusion numérique du Grand Périgueux",
        defaults={"territory": territory, "period_start": 2026, "period_end": 2030},
    )
    if created:
        Enjeu.objects.create(
            roadmap=roadmap,
            question="Comment garantir un accompagnement numérique dans chaque quartier prioritaire ?",
        )
    return roadmap


@transaction.atomic
def build_demo() -> list[str]:
    report = [ensure_communes()]
    report += load_demo_data(Path(settings.CAP_DATA_DIR))
    _users()
    dronne = Organization.objects.get(name=DRONNE_ET_BELLE)
    perigueux = Organization.objects.get(name=GRAND_PERIGUEUX)
    dronne_territory = _territory(dronne, DRONNE_ET_BELLE, DRONNE_ET_BELLE_SIREN)
    perigueux_territory = _territory(perigueux, GRAND_PERIGUEUX, GRAND_PERIGUEUX_SIREN)
    roadmap = _dronne_roadmap(dronne_territory)
    _perigueux_roadmap(perigueux_territory)
    report.append(build_chantiers_demo(roadmap))
    report.append(build_resourcemaps_demo(roadmap))
    report.append(build_evaluation_demo(roadmap))
    report.append(build_questionnaires_demo(roadmap))
    report.append(build_projectgroup_demo(roadmap))
    report.append(build_inspiration_demo(roadmap, perigueux))
    report.append(
        f"{dronne.name} : territoire de {dronne_territory.communes.count()} communes, "
        f"feuille de route « {roadmap.title} »."
    )
    report.append(f"{perigueux.name} : territoire de {perigueux_territory.communes.count()} communes.")
    return report
