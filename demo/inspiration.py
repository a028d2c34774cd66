"""Step 5's part of `manage.py demo` (called by demo.data): a few experiences in the commons (Le Grand Périgueux's,
Dronne et Belle's own, one kept private), one drawn on into Dronne et Belle's roadmap, a site visit with its report
and participants' feedback, a hub (Hubikoop) whose staff moderate the commons, and one report to handle.
Idempotent: done once."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from inspiration import actions
from inspiration.models import BudgetRange, Experience, Public, Report, TerritoryKind, Theme, VisitFeedback
from projectgroup.models import Attendance, AttendanceSource
from roadmap.models import Roadmap
from tenancy.models import Membership, Organization, Role, User

PARIS = ZoneInfo("Europe/Paris")
HUB = "Hubikoop"
HUB_STAFF = "hub@hubikoop.demo"

# (title, territory, kind, lead structure, description, results, publics, themes, budget)
COMMONS = [
    (
        "Un bus numérique qui passe chaque semaine dans les bourgs",
        "CA Le Grand Périgueux",
        TerritoryKind.PERIURBAIN,
        "Centre communal d'action sociale de Périgueux",
        "Un bus aménagé avec quatre postes et une conseillère numérique s'arrête le jour du marché dans neuf "
        "communes. On y fait ses démarches, on y apprend à se servir de son téléphone, on y prend rendez-vous.",
        "1 200 passages la première année, dont un tiers de personnes de plus de 70 ans.",
        [Public.SENIORS, Public.TOUS],
        [Theme.ITINERANCE, Theme.ACCOMPAGNEMENT],
        BudgetRange.UNDER_200K,
    ),
    (
        "Rencontres trimestrielles des aidants numériques",
        "CA Le Grand Périgueux",
        TerritoryKind.URBAIN,
        "Maison de l'emploi",
        "Travailleurs sociaux, secrétaires de mairie, bénévoles et conseillers numériques se retrouvent une "
        "demi-journée par trimestre : présentation d'un service, cas pratiques, annuaire mis à jour.",
        "60 aidants réguliers ; les orientations entre structures ont doublé.",
        [Public.ACTION_PUBLIQUE],
        [Theme.AIDANTS, Theme.GOUVERNANCE],
        BudgetRange.UNDER_10K,
    ),
    (
        "Tablettes prêtées aux résidents de l'EHPAD",
        "CA Le Grand Périgueux",
        TerritoryKind.URBAIN,
        "EHPAD Les Tilleuls",
        "Six tablettes, un animateur formé, des appels vidéo avec les familles chaque semaine.",
        "40 résidents ont appelé leurs proches au moins une fois par mois.",
        [Public.SENIORS],
        [Theme.EQUIPEMENT],
        BudgetRange.UNDER_10K,
    ),
]
OWN = (
    "Permanences numériques à la médiathèque de Brantôme",
    "CC Dronne et Belle",
    TerritoryKind.RURAL,
    "Médiathèque de Brantôme",
    "Chaque samedi matin, une conseillère numérique reçoit sans rendez-vous à la médiathèque.",
    "25 personnes par mois en moyenne.",
    [Public.TOUS],
    [Theme.ACCOMPAGNEMENT, Theme.TIERS_LIEUX],
    BudgetRange.UNDER_10K,
)


def _experience(organization: Organization, user: User | None, data: tuple, *, publish: bool) -> Experience:
    title, territory, kind, lead, description, results, publics, themes, budget = data
    experience = Experience.objects.create(
        organization=organization,
        title=title,
        territory_name=territory,
        territory_kind=kind,
        lead_structure=lead,
        description=description,
        results=results,
        publics=publics,
        themes=themes,
        budget_range=budget,
        created_by=user,
    )
    if publish and user is not None:
        experience = actions.publish(experience, user)
    return experience


def build_inspiration_demo(roadmap: Roadmap, other: Organization) -> str:
    organization = roadmap.organization
    if Experience.objects.filter(organization=other, title=COMMONS[0][0]).exists():
        return "Expériences inspirantes : déjà en place."
    ours = Membership.objects.filter(organization=organization, role=Role.ADMINISTRATEUR).select_related("user").first()
    theirs = Membership.objects.filter(organization=other, role=Role.ADMINISTRATEUR).select_related("user").first()
    user, other_user = (ours.user if ours else None), (theirs.user if theirs else None)
    commons = [_experience(other, other_user, data, publish=True) for data in COMMONS]
    _experience(organization, user, OWN, publish=True)
    private = list(OWN)
    private[0] = "Idée à creuser : des ateliers parents-enfants au collège"
    private[4] = "Des ateliers parents-enfants au collège de Brantôme, à construire avec l'équipe éducative."
    _experience(organization, user, tuple(private), publish=False)
    # « Je m'en inspire »: the bus goes into the roadmap's first chantier as a fiche action.
    chantier = roadmap.chantiers.order_by("order", "pk").first()
    if chantier is not None and user is not None:
        actions.inspire_action(commons[0].pk, organization, user, chantier)
    # A hub whose staff moderate the commons, and a report waiting in its queue.
    hub, _created = Organization.objects.get_or_create(name=HUB, defaults={"kind": Organization.Kind.HUB})
    staff = User.objects.filter(email=HUB_STAFF).first()
    if staff is not None:
        Membership.objects.get_or_create(user=staff, organization=hub, defaults={"role": Role.CONTRIBUTEUR})
        Report.objects.create(
            organization=organization,
            experience=commons[2],
            reason=Report.Reason.OUTDATED,
            comment="L'EHPAD a changé de nom en 2025.",
            reported_by=user,
        )
    # A site visit to Le Grand Périgueux, with its report and two participants' feedback.
    visit = actions.create_visit(
        organization,
        roadmap,
        "Visite du bus numérique du Grand Périgueux",
        datetime.datetime(2025, 5, 15, 9, 30, tzinfo=PARIS),
        "CA Le Grand Périgueux",
        "Place du marché, Trélissac",
    )
    actions.save_visit(
        visit,
        {
            "objectives": "Voir le bus en tournée, comprendre ce qu'il coûte et qui il touche.",
            "host_territory": "CA Le Grand Périgueux",
            "host_structure": "Centre communal d'action sociale de Périgueux",
            "programme": "Accueil au CCAS\nUne matinée dans le bus au marché\nDéjeuner avec les élus\nBilan à chaud",
            "key_points": "Venir là où les gens sont déjà : le marché. Une conseillère fixe, que les habitués "
            "reconnaissent.",
            "contacts_met": [],
            "experiences": [commons[0]],
        },
        "Une journée très concrète : le bus attire surtout des personnes âgées ; le coût de fonctionnement tient "
        "au salaire de la conseillère. Idée retenue : commencer par deux bourgs, le jour du marché.",
    )
    for contact in organization.contacts.order_by("pk")[:4]:
        Attendance.objects.create(
            organization=organization,
            meeting=visit.meeting,
            contact=contact,
            name=contact.full_name,
            actor=contact.actor,
            source=AttendanceSource.SHEET,
        )
    for name, usefulness, takeaway in (
        ("Karim Benali", 5, "Le jour du marché, tout le monde passe."),
        ("", 4, "Il faut une personne fixe que les habitants reconnaissent."),
    ):
        VisitFeedback.objects.create(
            organization=organization, visit=visit, name=name, usefulness=usefulness, takeaway=takeaway
        )
    return "Expériences inspirantes : 5 expériences (4 dans le commun), 1 reprise, 1 visite, 1 signalement à traiter."
