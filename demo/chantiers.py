"""Step 4's part of `manage.py demo` (called by demo.data): Dronne et Belle's inventory, its chantiers clés workshop
with a fiche per chantier, the groups' colours and priorities. Idempotent: done once per roadmap."""

from __future__ import annotations

from chantiers import actions
from chantiers.models import ChantierGroup, ChantierSheet, Feasibility, InventoryEntry, Priority
from projectgroup.models import Actor
from roadmap.models import Roadmap
from tenancy.models import Membership, Role

# Per enjeu (by position): what exists, what is « dans les cartons ».
INVENTORY = [
    (
        [
            ("Permanences du conseiller numérique à Ribérac", "France Services"),
            ("Ateliers tablette du club des aînés", "Club des aînés de Tocane"),
        ],
        [("Un bus France Services itinérant", "Communauté de communes")],
    ),
    (
        [("Carte papier des lieux d'accompagnement (2022)", "Communauté de communes")],
        [
            ("Un annuaire en ligne des aidants numériques", "Département"),
            ("Rencontres trimestrielles des aidants", "Centre social"),
        ],
    ),
    (
        [("Atelier « premiers pas » au collège de Ribérac", "Collège Arnaut Daniel")],
        [("Un espace parents à la médiathèque de Brantôme", "Médiathèque")],
    ),
]
ACTORS = [
    "Communauté de communes Dronne et Belle",
    "France Services de Ribérac",
    "Centre social et culturel du Ribéracois",
    "Médiathèque de Brantôme",
]
# A chantier the groups added during the workshop, per enjeu: (title, success, feasibility, priority).
NEW_CHANTIERS = [
    (
        "Des services numériques à domicile pour les personnes isolées",
        "Si 100 personnes sont accompagnées chez elles.",
        Feasibility.BLANC,
        Priority.INCONNU,
    ),
    (
        "Un réseau des aidants numériques qui se réunit",
        "Si chaque aidant connaît les autres lieux.",
        Feasibility.ORANGE,
        Priority.AUCUNE,
    ),
    ("Un défi numérique familial chaque année", "Si 30 familles y participent.", Feasibility.ROUGE, Priority.AUCUNE),
]


def build_chantiers_demo(roadmap: Roadmap) -> str:
    if ChantierGroup.objects.filter(roadmap=roadmap).exists():
        return "Chantiers clés : déjà en place."
    organization = roadmap.organization
    animator = (
        Membership.objects.filter(organization=organization, role__in=[Role.ADMINISTRATEUR, Role.CONTRIBUTEUR])
        .select_related("user")
        .first()
    )
    user = animator.user if animator else None
    enjeux = list(roadmap.enjeux.order_by("order", "pk"))
    for enjeu, (existing, planned) in zip(enjeux, INVENTORY, strict=False):
        for kind, lines in (("existant", existing), ("cartons", planned)):
            for title, carrier in lines:
                InventoryEntry.objects.get_or_create(
                    organization=organization,
                    roadmap=roadmap,
                    enjeu=enjeu,
                    title=title,
                    defaults={"kind": kind, "carrier": carrier},
                )
    actors = [Actor.objects.get_or_create(organization=organization, name=name)[0] for name in ACTORS]
    groups = {g.enjeu_id: g for g in actions.ensure_groups(roadmap)}
    # The spine's chantiers get their fiche in the group of their first enjeu.
    for index, chantier in enumerate(roadmap.chantiers.order_by("order", "pk").prefetch_related("enjeux")):
        first = next(iter(chantier.enjeux.all()), None)
        if first is None:
            continue
        sheet = actions.sheet_for(chantier)
        green = index % 3 == 0
        content = actions.SheetContent(
            title=chantier.title,
            team="Binôme élus et agents",
            success=f"Si {20 + 10 * index} habitants en bénéficient la première année.",
            free_actions="",
            resources_available="Conseillers numériques, salles des mairies" if green or index % 3 == 1 else "",
            resources_needed="Un financement de fonctionnement sur trois ans",
            blockers="" if green else "Couverture mobile inégale, disponibilité des bénévoles",
            feasibility=Feasibility.VERT if green else Feasibility.ORANGE,
            actions=list(chantier.actions.all()),
            people=[
                ("pilote", actors[0]),
                ("operateur", actors[1 + index % 3]),
                *([("associe", actors[(2 + index) % 4])] if green else []),
            ],
        )
        actions.save_sheet(sheet, content)
    for enjeu, (title, success, colour, _priority) in zip(enjeux, NEW_CHANTIERS, strict=False):
        group = groups[enjeu.pk]
        sheet = actions.create_sheet(group, title, "Trinôme habitants")
        ChantierSheet.objects.filter(pk=sheet.pk).update(success=success, feasibility=colour)
    for group in groups.values():
        if user is None or not group.sheets.exists():
            continue
        actions.validate_group(group, user, reporter="Rapporteur du groupe")
        new_titles = {c[0]: c[3] for c in NEW_CHANTIERS}
        sheets = list(group.sheets.select_related("chantier").order_by("pk"))
        # The spine's chantiers first, then the workshop's own: a group whose enjeu no spine chantier answers first
        # prioritises its new chantier.
        sheets.sort(key=lambda sheet: sheet.chantier.title in new_titles)
        chosen = 0
        for sheet in sheets:
            wanted = new_titles.get(sheet.chantier.title, Priority.PRIORITAIRE)
            if wanted == Priority.INCONNU:
                actions.set_priority(sheet, wanted, "Ce dont le groupe rêve, sans savoir encore comment faire.", user)
            elif chosen < ChantierGroup.PRIORITY_LIMIT and (wanted == Priority.PRIORITAIRE or not chosen):
                actions.set_priority(sheet, Priority.PRIORITAIRE, "Le groupe le juge le plus attendu.", user)
                chosen += 1
    n = ChantierSheet.objects.filter(organization=organization).count()
    return f"Chantiers clés : {len(groups)} groupes enjeux, {n} fiches chantier."
