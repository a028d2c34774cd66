"""Step 7's part of `manage.py demo` (called by demo.data): Dronne et Belle's evaluation — framing, theory of
change, question, an impact framework after the guide's « effet 3 », values over time, an interview with its
verbatims, and the follow-up of the first fiches. Idempotent: done once per roadmap."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from evaluation.models import (
    Effect,
    Evaluation,
    FollowUp,
    Indicator,
    IndicatorValue,
    Interview,
    InterviewGuide,
    RealisedExpense,
    Verbatim,
)
from roadmap.models import Action, Roadmap

FRAMING = {
    "objectives": "Rendre compte aux élus et aux financeurs, et ajuster les actions chaque année.",
    "context": "Première feuille de route de la communauté de communes, pour 2025 à 2028.",
    "team": "La référente technique, appuyée par les deux conseillers numériques et le centre social.",
    "method": Evaluation.Method.PROSPECTIVE,
    "activities_evaluated": "Les permanences itinérantes, le réseau des aidants, les ateliers parents.",
    "calendar": (
        "Bilan à chaud à chaque comité de pilotage ; bilan à froid six mois après la fin de la feuille de route."
    ),
    "targets": "Élus communautaires, Département, Préfecture (État), partenaires du groupe projet.",
    "resources": "Trois jours par trimestre de la référente ; un stagiaire pour les entretiens en 2026.",
    "periodicity": "Tous les six mois",
    "need": "Un habitant sur trois éloigné du numérique, des lieux d'aide concentrés à Ribérac et Brantôme.",
    "vision": "Le numérique comme affaire de cohésion : personne ne reste seul devant une démarche.",
    "activities": "Permanences itinérantes, réseau des aidants, ateliers pour les parents.",
    "outputs": "Un bus deux jours par semaine dans 16 communes ; quatre rencontres d'aidants par an.",
    "results": "300 habitants accompagnés par an ; un annuaire des aidants tenu à jour.",
    "impact": "Des habitants plus autonomes ; des acteurs qui travaillent ensemble.",
    "question_object": "la feuille de route",
    "question_verb": "a-t-elle renforcé",
    "question_effect": "l'autonomie numérique et la coopération",
    "question_public": "des habitants et des acteurs de Dronne et Belle",
    "synthesis": (
        "Après un an, la dynamique d'acteurs est réelle : les structures engagées viennent à chaque réunion. "
        "Les permanences ont trouvé leur public ; le réseau des aidants reste à consolider."
    ),
}

# (title, hypothesis, [(label, kind, unit, source, collection, timing, internal, target, criteria ok, values)])
EFFECTS: list[tuple[str, str, list[Any]]] = [
    (
        "Une dynamique d'acteurs sur le territoire",
        "Si les acteurs se rencontrent régulièrement, ils se connaissent mieux et montent des projets ensemble.",
        [
            (
                "Réunions tenues",
                "quantitatif",
                "réunions",
                "Agents de la collectivité",
                "internes",
                "a_chaud",
                "meetings",
                Decimal("12"),
                True,
                [],
            ),
            (
                "Structures présentes aux réunions",
                "quantitatif",
                "structures",
                "Feuilles d'émargement",
                "internes",
                "a_chaud",
                "structures",
                Decimal("20"),
                True,
                [],
            ),
            (
                "Évolution de la volonté de travailler ensemble",
                "qualitatif",
                "",
                "Participants aux séances",
                "entretiens",
                "a_froid",
                "",
                None,
                True,
                [(datetime.date(2025, 12, 10), "Les acteurs s'appellent désormais sans passer par la collectivité.")],
            ),
            (
                "Confiance entre acteurs",
                "qualitatif",
                "",
                "Participants aux séances",
                "entretiens",
                "a_froid",
                "",
                None,
                False,
                [],
            ),
        ],
    ),
    (
        "Des habitants plus autonomes dans leurs démarches",
        "Si l'aide vient au plus près, les habitants isolés osent demander puis font seuls.",
        [
            (
                "Habitants accompagnés par les permanences",
                "quantitatif",
                "personnes",
                "Registre des permanences",
                "internes",
                "a_chaud",
                "",
                Decimal("300"),
                True,
                [
                    (datetime.date(2025, 3, 31), Decimal("62")),
                    (datetime.date(2025, 6, 30), Decimal("131")),
                    (datetime.date(2025, 9, 30), Decimal("188")),
                    (datetime.date(2025, 12, 31), Decimal("246")),
                ],
            ),
            (
                "Part des personnes revenues faire seules",
                "quantitatif",
                "%",
                "Questionnaire de suivi",
                "questionnaire",
                "a_froid",
                "",
                Decimal("50"),
                True,
                [(datetime.date(2025, 6, 30), Decimal("28")), (datetime.date(2025, 12, 31), Decimal("41"))],
            ),
        ],
    ),
]


def build_evaluation_demo(roadmap: Roadmap) -> str:
    if Evaluation.objects.filter(roadmap=roadmap).exists():
        return f"Évaluation de « {roadmap.title} » déjà en place."
    evaluation = Evaluation.objects.create(roadmap=roadmap, organization=roadmap.organization, **FRAMING)
    evaluation.covered_defis.set(roadmap.defis.order_by("order")[:2])
    actions = list(Action.objects.filter(roadmap=roadmap).order_by("chantier__order", "order", "pk"))
    evaluation.covered_actions.set(actions[:3])
    effects = []
    for title, hypothesis, indicators in EFFECTS:
        effect = Effect.objects.create(
            roadmap=roadmap, organization=roadmap.organization, title=title, hypothesis=hypothesis
        )
        effects.append(effect)
        for label, kind, unit, source, collection, timing, internal, target, ok, values in indicators:
            indicator = Indicator.objects.create(
                roadmap=roadmap,
                organization=roadmap.organization,
                effect=effect,
                label=label,
                kind=kind,
                unit=unit,
                source=source,
                collection=collection,
                timing=timing,
                internal=internal,
                target_value=target,
                target_date=datetime.date(2026, 12, 31) if target is not None else None,
                pertinent=True,
                partage=True,
                precis=ok,
                possible=True,
            )
            for day, value in values:
                IndicatorValue.objects.create(
                    organization=roadmap.organization,
                    indicator=indicator,
                    date=day,
                    number=value if isinstance(value, Decimal) else None,
                    text=value if isinstance(value, str) else "",
                    source=source,
                )
    guide = InterviewGuide.objects.create(
        roadmap=roadmap,
        organization=roadmap.organization,
        title="Trame acteurs du groupe projet",
        audience="Membres du groupe projet",
        questions=(
            "Qui connaissiez-vous parmi les acteurs avant la démarche ?\n"
            "Avec qui avez-vous travaillé depuis ?\n"
            "Diriez-vous que les ateliers ont construit une ambition commune ? Dans quelle mesure ?"
        ),
    )
    interview = Interview.objects.create(
        roadmap=roadmap,
        organization=roadmap.organization,
        guide=guide,
        interviewee="Directrice du centre social",
        held_on=datetime.date(2025, 12, 10),
        transcript=(
            "Avant, je ne connaissais que la France Services. Depuis les ateliers, on s'appelle avec la "
            "médiathèque pour orienter les gens. Avant, chacun faisait dans son coin."
        ),
    )
    Verbatim.objects.create(
        organization=roadmap.organization,
        interview=interview,
        effect=effects[0],
        quote="Depuis les ateliers, on s'appelle avec la médiathèque pour orienter les gens.",
    )
    Verbatim.objects.create(
        organization=roadmap.organization,
        interview=interview,
        effect=effects[0],
        quote="Avant, chacun faisait dans son coin.",
    )
    statuses = [
        # The first fiche runs until 2028: under way, not « réalisée » after its first year.
        (FollowUp.Status.EN_COURS, 30, datetime.date(2025, 2, 1), None),
        (FollowUp.Status.EN_COURS, 60, datetime.date(2025, 4, 1), None),
        (FollowUp.Status.EN_COURS, 25, datetime.date(2025, 9, 15), None),
        (FollowUp.Status.REPORTEE, 0, None, None),
    ]
    for action, (status, progress, started, finished) in zip(actions, statuses, strict=False):
        FollowUp.objects.create(
            organization=roadmap.organization,
            action=action,
            status=status,
            progress=progress,
            started_on=started,
            finished_on=finished,
            postponed_to=datetime.date(2027, 1, 1) if status == FollowUp.Status.REPORTEE else None,
            note="Point fait au comité de pilotage de décembre 2025.",
        )
        if started:
            RealisedExpense.objects.create(
                organization=roadmap.organization,
                action=action,
                year=2025,
                kind="fonctionnement",
                amount=Decimal("3500") * progress / 100,
            )
    return f"Évaluation de « {roadmap.title} » : cadrage, théorie du changement, {len(effects)} effets, suivi."
