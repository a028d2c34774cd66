"""A complete small roadmap (fiches filled in, budget, financing, engagements, governance) for export tests."""

from __future__ import annotations

from decimal import Decimal

from fiches.models import ActionExpense, ActionFunding, Engagement
from roadmap.models import Action, Roadmap
from tests.factories import ActionFactory, ChantierFactory, DefiFactory, EnjeuFactory
from tests.roadmap.factories import (
    ActionExpenseFactory,
    ActionFundingFactory,
    ActionPartnerFactory,
    ActionStepFactory,
    EngagementFactory,
    GovernanceBodyFactory,
)


def rich_roadmap(roadmap: Roadmap) -> Action:
    """Fill `roadmap` (2025–2028); returns its main action. Total cost 60 000,50 €, financed 48 000 €."""
    roadmap.introduction = "Une feuille de route construite avec les habitants et les partenaires."
    roadmap.resources = "Trois espaces France services, un réseau de médiathèques."
    roadmap.evaluation_arrangements = "Un bilan annuel présenté au comité de pilotage."
    roadmap.save()
    enjeu = EnjeuFactory(roadmap=roadmap, question="Comment rapprocher la médiation numérique des habitants isolés ?")
    EnjeuFactory(roadmap=roadmap, question="Comment former les aidants numériques du territoire ?")
    defi = DefiFactory(roadmap=roadmap, title="Développer des services numériques itinérants")
    defi.enjeux.add(enjeu)
    chantier = ChantierFactory(roadmap=roadmap, defi=defi, title="Impulser des projets itinérants et ludiques")
    chantier.enjeux.add(enjeu)
    action = ActionFactory(
        roadmap=roadmap,
        chantier=chantier,
        title="Des ateliers ludiques dans un bus numérique",
        referents="Camille Martin, cheffe de projet, 05 53 00 00 00",
        lead_structure="Service numérique de la communauté de communes",
        objective="Aller vers les habitants éloignés des lieux de médiation.",
        description="Faire circuler un bus équipé dans les bourgs, deux jours par semaine.",
        key_activities="Tournée des marchés\nAteliers ludiques\nPermanences administratives",
        target_publics="Personnes âgées de plus de 65 ans, jeunes de 16 à 25 ans.",
        human_fte=Decimal("1.5"),
        indicators="Nombre d'ateliers par an\nNombre de personnes accompagnées",
        expected_results="On aura réussi si 800 personnes ont été accompagnées en 2027.",
        contract_links="CRTE du Périgord vert, SDIN de la Dordogne",
    )
    ActionPartnerFactory(action=action, name="Conseillers numériques", nature="Animent les ateliers")
    ActionStepFactory(
        action=action,
        label="Achat et aménagement du bus",
        start_year=2025,
        start_quarter=2,
        end_year=2025,
        end_quarter=4,
    )
    ActionStepFactory(action=action, label="Tournées", start_year=2026, start_quarter=1, end_year=2028, end_quarter=4)
    EngagementFactory(
        action=action,
        stakeholder="Médiathèque intercommunale",
        level=Engagement.Level.PORTERA,
        conditions="Un local pour stocker le matériel",
    )
    op, inv = ActionExpense.Kind.FONCTIONNEMENT, ActionExpense.Kind.INVESTISSEMENT
    ActionExpenseFactory(action=action, year=2025, kind=inv, amount=Decimal("30000.50"))
    for year in (2026, 2027, 2028):
        ActionExpenseFactory(action=action, year=year, kind=op, amount=Decimal("10000"))
    ActionFundingFactory(action=action, year=2025, funder=ActionFunding.Funder.ETAT, amount=Decimal("24000"))
    ActionFundingFactory(action=action, year=2026, funder=ActionFunding.Funder.DEPARTEMENT, amount=Decimal("12000"))
    ActionFundingFactory(action=action, year=2027, funder=ActionFunding.Funder.COLLECTIVITE, amount=Decimal("12000"))
    ActionFactory(roadmap=roadmap, chantier=chantier, title="Un guide des lieux de médiation")
    GovernanceBodyFactory(roadmap=roadmap, name="Comité de pilotage de la feuille de route")
    return action
