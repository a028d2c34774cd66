"""Steps 1 and 2's part of `manage.py demo` (called by demo.data): Dronne et Belle's directory, groupe projet,
mandate, governance, calendar, meetings with attendance, the shared definition and its tour de table. Idempotent:
done once per roadmap."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from fiches.models import GovernanceBody, Pilotage
from projectgroup import actions
from projectgroup.models import (
    Actor,
    ActorKind,
    AgendaItem,
    Attendance,
    AttendanceSource,
    BodyMember,
    Contact,
    Family,
    GroupRole,
    Mandate,
    Meeting,
    MeetingInvitation,
    MeetingKind,
    Objective,
)
from roadmap.models import Roadmap
from territories.models import Commune
from workshops.models import Answer, Kind, Stage, Workshop, WorkshopGroup

PARIS = ZoneInfo("Europe/Paris")
# (name, kind, INSEE code of its commune, panorama families)
ACTORS = [
    ("Communauté de communes Dronne et Belle", ActorKind.COLLECTIVITE, "24064", [Family.ACTION_PUBLIQUE]),
    ("France Services de Ribérac", ActorKind.SERVICE_PUBLIC, "", [Family.TOUS, Family.MINIMA_SOCIAUX]),
    ("Centre social et culturel du Ribéracois", ActorKind.ASSOCIATION, "", [Family.FAMILLES, Family.JEUNES]),
    ("Médiathèque de Brantôme", ActorKind.COLLECTIVITE, "24064", [Family.TOUS, Family.SENIORS]),
    ("Club des aînés de Tocane", ActorKind.ASSOCIATION, "", [Family.SENIORS]),
    ("Mission locale du Périgord vert", ActorKind.ASSOCIATION, "", [Family.JEUNES, Family.DEMANDEURS_EMPLOI]),
]
# (full name, function, structure (index in ACTORS), role in the groupe projet, commitment)
PEOPLE = [
    ("Anne Lafaye", "Vice-présidente au numérique", 0, GroupRole.REFERENT_POLITIQUE, "Porter la démarche en conseil."),
    (
        "Claire Mercier",
        "Chargée de mission inclusion numérique",
        0,
        GroupRole.REFERENT_TECHNIQUE,
        "Orchestrer la démarche, un jour par semaine.",
    ),
    ("Sonia Delmas", "Conseillère numérique", 1, GroupRole.ANIMATEUR, "Animer les ateliers."),
    ("Karim Benali", "Directeur", 2, GroupRole.MEMBRE, "Faire le lien avec les familles du centre social."),
    ("Odile Marchand", "Responsable", 3, GroupRole.OBSERVATEUR, "Observer et rédiger les synthèses à chaud."),
    ("Jacques Peyrat", "Président", 4, GroupRole.MEMBRE, "Relayer auprès des aînés."),
    ("Inès Roux", "Conseillère en insertion", 5, GroupRole.COMMUNICATION, "Diffuser les invitations aux jeunes."),
    ("Julien Faure", "Agent de développement", 0, GroupRole.LOGISTIQUE, "Salles, matériel, émargements."),
]
DEFINITIONS = [
    (
        "L'inclusion numérique, c'est permettre à chacun d'utiliser les outils numériques.",
        "Première proposition du groupe projet.",
    ),
    (
        "L'inclusion numérique, c'est faire en sorte que chaque habitant du territoire puisse accéder aux outils "
        "numériques, s'en servir avec assez d'autonomie et de confiance pour ses démarches, ses liens et ses projets, "
        "et trouver près de chez lui quelqu'un pour l'accompagner quand il en a besoin.",
        "Ajout de l'accompagnement de proximité et de la confiance, après le tour de table.",
    ),
]
ANSWERS = [
    ("Anne", "Que personne ne reste seul devant une démarche en ligne."),
    ("Karim", "Des familles autonomes pour suivre la scolarité des enfants, avec un accompagnement proche."),
    ("Odile", "Un lieu où l'on peut venir apprendre sans avoir honte, et de l'accompagnement."),
    ("Jacques", "Que les aînés gardent le lien avec leurs petits-enfants et fassent leurs démarches."),
    ("Inès", "Des jeunes qui savent faire autre chose que les réseaux : un CV, des démarches."),
    ("Sonia", "De la confiance : beaucoup savent faire, mais ont peur de se tromper."),
]


def build_projectgroup_demo(roadmap: Roadmap) -> str:
    if roadmap.group_members.exists():
        return "Groupe projet : déjà en place."
    organization = roadmap.organization
    now = timezone.now()
    actors = []
    for name, kind, insee, families in ACTORS:
        actor, _created = Actor.objects.get_or_create(organization=organization, name=name)
        actor.kind, actor.families, actor.source = kind, families, "démo"
        actor.commune = Commune.objects.filter(code=insee).first() if insee else None
        actor.save()
        actors.append(actor)
    contacts = []
    for full_name, function, structure, role, commitment in PEOPLE:
        email = full_name.lower().replace(" ", ".").replace("è", "e").replace("é", "e") + "@dronne-belle.demo"
        contact, _created = Contact.objects.get_or_create(
            organization=organization,
            full_name=full_name,
            defaults={
                "actor": actors[structure],
                "function": function,
                "email": email,
                "consent": True,
                "consent_at": now,
            },
        )
        actions.add_group_member(roadmap, contact, role, commitment)
        contacts.append(contact)
    Mandate.objects.update_or_create(
        roadmap=roadmap,
        defaults={
            "organization": organization,
            "text": "Construire avec les acteurs du territoire une feuille de route d'inclusion numérique pour "
            "2025-2028, la faire adopter par le conseil communautaire et lancer ses premières actions.",
            "given_by": "Conseil communautaire",
            "given_on": datetime.date(2024, 12, 12),
        },
    )
    for position, text in enumerate(
        [
            "chaque commune sait où orienter un habitant en difficulté avec le numérique ;",
            "les aidants du territoire se connaissent et se retrouvent chaque trimestre ;",
            "la feuille de route est adoptée avant l'été 2026.",
        ]
    ):
        Objective.objects.create(organization=organization, roadmap=roadmap, text=text, position=position)
    start = datetime.date(2025, 1, 6)
    for milestone in actions.plan_steps(roadmap, start, weeks_per_step=8):
        if milestone.step in (1, 2):  # the first two steps are behind us
            milestone.actual_date = milestone.planned_end
            milestone.save(update_fields=["actual_date"])
    copil, _created = GovernanceBody.objects.get_or_create(
        organization=organization,
        roadmap=roadmap,
        name="Comité de pilotage inclusion numérique",
        defaults={"kind": Pilotage.COPIL, "frequency": "Deux fois par an", "members": "Un représentant du Département"},
    )
    for contact in contacts[:2] + contacts[3:4]:
        BodyMember.objects.get_or_create(
            organization=organization, body=copil, contact=contact, defaults={"function": "membre"}
        )
    first = Meeting.objects.create(
        organization=organization,
        roadmap=roadmap,
        kind=MeetingKind.GROUPE_PROJET,
        title="Lancement du groupe projet",
        starts_at=datetime.datetime(2025, 1, 20, 14, 0, tzinfo=PARIS),
        place="Salle du conseil, Brantôme",
        minutes="Présentation de la méthode en 7 étapes et du calendrier. Tour de table : ce que l'inclusion "
        "numérique évoque pour chacun.",
        decisions="Le mandat est validé.\nUn tour de table ouvre chaque réunion.",
    )
    for position, (title, minutes) in enumerate(
        [("Accueil et tour de table", 30), ("La méthode et le calendrier", 45), ("Qui fait quoi", 30)]
    ):
        AgendaItem.objects.create(
            organization=organization, meeting=first, title=title, duration=minutes, position=position
        )
    for contact in contacts[:6]:
        Attendance.objects.create(
            organization=organization,
            meeting=first,
            contact=contact,
            name=contact.full_name,
            structure=contact.actor.name if contact.actor else "",
            actor=contact.actor,
            source=AttendanceSource.SHEET,
        )
    committee = Meeting.objects.create(
        organization=organization,
        roadmap=roadmap,
        kind=MeetingKind.COMITE,
        title="Comité de pilotage n°1",
        starts_at=datetime.datetime(2025, 3, 10, 10, 0, tzinfo=PARIS),
        place="Siège de la communauté de communes",
        body=copil,
        minutes="La définition commune est adoptée.",
    )
    upcoming = Meeting.objects.create(
        organization=organization,
        roadmap=roadmap,
        kind=MeetingKind.GROUPE_PROJET,
        title="Groupe projet : préparer les visites",
        starts_at=(now + datetime.timedelta(days=14)).replace(hour=14, minute=0, second=0, microsecond=0),
        place="Centre social de Ribérac",
    )
    for contact in contacts:
        MeetingInvitation.objects.create(organization=organization, meeting=upcoming, contact=contact)
    versions = [actions.new_definition_version(roadmap, text, note, None) for text, note in DEFINITIONS]  # type: ignore[arg-type]
    actions.adopt_definition(versions[-1], committee)
    tour = Workshop.objects.create(
        organization=organization,
        roadmap=roadmap,
        kind=Kind.TOUR_DE_TABLE,
        title="Tour de table du lancement",
        question="Pour vous, l'inclusion numérique, c'est quoi ?",
        date=datetime.date(2025, 1, 20),
        synthesis="Trois idées reviennent : l'autonomie dans les démarches, la confiance, et un accompagnement "
        "proche de chez soi.",
    )
    group = WorkshopGroup.objects.create(
        organization=organization, workshop=tour, name="Groupe projet", stage=Stage.DONE
    )
    for author, text in ANSWERS:
        Answer.objects.create(organization=organization, group=group, author=author, text=text)
    return (
        f"Groupe projet : {len(contacts)} membres, {len(actors)} structures, 3 réunions, "
        "une définition adoptée, un tour de table."
    )
