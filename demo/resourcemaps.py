"""Step 4's resource maps in `manage.py demo` (called by demo.data): a map for each chantier of Dronne et Belle's
roadmap, and a finished rotation session with its hand-over notes. Idempotent: a chantier that already has
resources is left as it is, and the session is made once."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import ngettext

from projectgroup.models import Actor
from resourcemaps.actions import advance, create_session, save_note
from resourcemaps.models import Availability, Horizon, LinkKind, Nature, Resource, RotationSession
from roadmap.models import Roadmap

# (nature, label or None for the actor's name, actor name or None, availability, link, horizon, how we know them)
RESOURCES = [
    (
        Nature.FINANCIERE,
        "Caisse d'allocations familiales",
        None,
        Availability.A_MOBILISER,
        LinkKind.SOLID,
        Horizon.COURT,
        "Convention territoriale globale signée en 2023",
    ),
    (
        Nature.FINANCIERE,
        "Conseiller numérique financé par l'État",
        None,
        Availability.ACQUISE,
        LinkKind.SOLID,
        Horizon.COURT,
        "Poste en place jusqu'en 2026",
    ),
    (
        Nature.HUMAINE,
        None,
        "France Services de Ribérac",
        Availability.ACQUISE,
        LinkKind.SOLID,
        Horizon.COURT,
        "Permanences partagées chaque semaine",
    ),
    (
        Nature.HUMAINE,
        None,
        "Centre social et culturel du Ribéracois",
        Availability.A_MOBILISER,
        LinkKind.DOTTED,
        Horizon.MOYEN,
        "Rencontré au groupe projet, pas encore de projet commun",
    ),
    (Nature.TECHNIQUE, "Fab lab du territoire", None, Availability.A_MOBILISER, LinkKind.NONE, Horizon.LONG, ""),
    (
        Nature.INTELLECTUELLE,
        "Réseau local des aidants numériques",
        None,
        Availability.A_MOBILISER,
        LinkKind.DOTTED,
        Horizon.MOYEN,
        "Invité aux rencontres départementales",
    ),
    (
        Nature.MATERIELLE,
        None,
        "Médiathèque de Brantôme",
        Availability.ACQUISE,
        LinkKind.SOLID,
        Horizon.COURT,
        "Prête sa salle et ses tablettes",
    ),
    (
        Nature.MATERIELLE,
        "Tablettes et robots pédagogiques itinérants",
        None,
        Availability.A_CREER,
        LinkKind.NONE,
        Horizon.LONG,
        "",
    ),
]
NOTES = [
    "Financements : la CAF est partante, reste à convaincre le Département. Personne ne connaît le fab lab.",
    "Ajouté le réseau des aidants ; le centre social attend une proposition écrite.",
]


def build_resourcemaps_demo(roadmap: Roadmap) -> str:
    organization = roadmap.organization
    chantiers = list(roadmap.chantiers.order_by("order", "pk"))
    made = 0
    with transaction.atomic():
        actors = {a.name: a for a in Actor.objects.filter(organization=organization)}
        for index, chantier in enumerate(chantiers):
            if Resource.objects.filter(organization=organization, chantier=chantier).exists():
                continue
            # The first chantiers get the whole map, the others a start: a map is drawn over several sessions.
            rows = RESOURCES if index < 3 else RESOURCES[index % 4 :: 3]
            for nature, label, actor_name, availability, link, horizon, connection in rows:
                actor = actors.get(actor_name) if actor_name else None
                if actor_name and actor is None:
                    actor = actors[actor_name] = Actor.objects.create(organization=organization, name=actor_name)
                Resource.objects.create(
                    organization=organization,
                    chantier=chantier,
                    nature=nature,
                    label=label or "",
                    actor=actor,
                    availability=availability,
                    link=link,
                    horizon=horizon,
                    connection=connection,
                )
                made += 1
        if chantiers and not RotationSession.objects.filter(roadmap=roadmap).exists():
            session = create_session(
                RotationSession(
                    organization=organization, roadmap=roadmap, title="Atelier cartographie des ressources", rotations=2
                ),
                chantiers[:3],
            )
            session = advance(session, "start")
            first = session.tables.order_by("position").first()
            for note in NOTES:
                if first is not None:
                    save_note(first, note, "Léa Dumas", None)
                session = advance(session, "next")
            advance(session, "finish")
    added = ngettext("%(n)d ressource ajoutée", "%(n)d ressources ajoutées", made) % {"n": made}
    return f"Cartographies des ressources : {added} ({len(chantiers)} chantiers)."
