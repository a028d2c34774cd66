"""The writes of step 4's workshop: a fiche chantier lands in the spine (a roadmap.Chantier answering its group's
enjeu), its governance and colour are checked inside the sheet's lock, the priorities inside the group's lock."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chantiers.models import (
    ChantierGroup,
    ChantierSheet,
    Feasibility,
    InventoryEntry,
    Priority,
    SheetPerson,
    feasibility_criteria,
)
from projectgroup.models import Actor, Contact
from roadmap.models import Action, Chantier, Enjeu, Roadmap
from tenancy.models import User


class Refused(Exception):
    """A write the workshop's rules refuse; the message is shown as it is, in French."""


class Stale(Refused):
    """The fiche was saved from another laptop since this form was opened; `seen` is that newer save."""

    def __init__(self, message: str, seen: str) -> None:
        super().__init__(message)
        self.seen = seen


def ensure_groups(roadmap: Roadmap) -> list[ChantierGroup]:
    """One « groupe enjeu » per enjeu of the roadmap (idempotent)."""
    with transaction.atomic():
        existing = set(ChantierGroup.objects.filter(roadmap=roadmap).values_list("enjeu_id", flat=True))
        for enjeu in roadmap.enjeux.exclude(pk__in=existing):
            ChantierGroup.objects.get_or_create(
                enjeu=enjeu, defaults={"organization_id": roadmap.organization_id, "roadmap": roadmap}
            )
    return list(ChantierGroup.objects.filter(roadmap=roadmap).select_related("enjeu"))


@transaction.atomic
def create_sheet(group: ChantierGroup, title: str, team: str = "") -> ChantierSheet:
    """A new chantier of the spine, answering the group's enjeu, with its (empty) fiche."""
    title = title.strip()
    if not title:
        raise Refused(_("Donnez un titre au chantier."))
    chantier = Chantier.objects.create(
        organization_id=group.organization_id, roadmap_id=group.roadmap_id, title=title[:300]
    )
    chantier.enjeux.add(group.enjeu_id)
    return ChantierSheet.objects.create(
        organization_id=group.organization_id, chantier=chantier, group=group, team=team.strip()[:200]
    )


def sheet_for(chantier: Chantier) -> ChantierSheet:
    """The chantier's fiche, created on first write; a chantier made elsewhere in the spine joins the group of its
    first enjeu that has one (a group of its own roadmap: never another's, let alone another organisation's)."""
    with transaction.atomic():
        sheet = ChantierSheet.objects.filter(chantier=chantier).first()
        if sheet is not None:
            return sheet
        groups = ChantierGroup.objects.filter(roadmap_id=chantier.roadmap_id, enjeu__in=chantier.enjeux.all())
        group = groups.order_by("enjeu__order").first()
        sheet, _created = ChantierSheet.objects.get_or_create(
            chantier=chantier, defaults={"organization_id": chantier.organization_id, "group": group}
        )
        return sheet


@dataclass
class SheetContent:
    title: str
    team: str
    success: str
    free_actions: str
    resources_available: str
    resources_needed: str
    blockers: str
    feasibility: str
    actions: list[Action]
    # (role, actor or contact) picked from the organisation's directory
    people: list[tuple[str, Actor | Contact]]
    # The save the form was opened on (ChantierSheet.seen_token); empty: a new fiche, or no check wanted.
    seen: str = ""


def save_sheet(sheet: ChantierSheet, content: SheetContent) -> ChantierSheet:
    """Writes the fiche and its chantier's title. Green is the group's choice but must match the guide's definition:
    refused while the pilot, the operator, the associated actors or the resources are missing."""
    with transaction.atomic():
        locked = _lock_sheet(sheet)
        foreign = [who for _role, who in content.people if who.organization_id != locked.organization_id] + [
            a for a in content.actions if a.roadmap_id != locked.chantier.roadmap_id
        ]
        if foreign:
            raise Refused(
                _("Un acteur, un contact ou une action choisis n'appartiennent pas à cette feuille de route.")
            )
        if content.seen and content.seen != locked.seen_token:
            raise Stale(
                _(
                    "Cette fiche a été enregistrée depuis un autre poste pendant que vous la remplissiez. Vos saisies "
                    "sont conservées ci-dessous : relisez la fiche enregistrée, puis enregistrez de nouveau pour "
                    "garder votre version."
                ),
                locked.seen_token,
            )
        criteria = feasibility_criteria({role for role, _who in content.people}, content.resources_available)
        missing = [str(c.label) for c in criteria if not c.met]
        if content.feasibility == Feasibility.VERT and missing:
            raise Refused(
                _(
                    "Vert veut dire exécutable à court terme : il manque encore %(missing)s. "
                    "Choisissez orange ou blanc, ou complétez la fiche."
                )
                % {"missing": ", ".join(missing)}
            )
        title = content.title.strip()
        if not title:
            raise Refused(_("Donnez un titre au chantier."))
        for field in ("team", "success", "free_actions", "resources_available", "resources_needed", "blockers"):
            setattr(locked, field, getattr(content, field).strip())
        locked.feasibility = content.feasibility
        locked.save()
        if locked.chantier.title != title:
            Chantier.objects.filter(pk=locked.chantier_id).update(title=title[:300], updated_at=timezone.now())
        locked.actions.set(content.actions)
        SheetPerson.objects.filter(sheet=locked).delete()
        SheetPerson.objects.bulk_create(
            [
                SheetPerson(
                    organization_id=locked.organization_id,
                    sheet=locked,
                    role=role,
                    actor=who if isinstance(who, Actor) else None,
                    contact=who if isinstance(who, Contact) else None,
                )
                for role, who in _unique(content.people)
            ]
        )
        _touch_group(locked.group_id)
    return locked


def _lock_sheet(sheet: ChantierSheet) -> ChantierSheet:
    """The sheet's row lock, taken after its group's: set_priority locks the group then the sheet, and every write
    that also touches the group (`_touch_group`) takes the locks in the same order, so that two scribes never
    wait on each other in a circle (a deadlock PostgreSQL would break by failing one of them)."""
    group_id = ChantierSheet.objects.filter(pk=sheet.pk).values_list("group_id", flat=True).first()
    if group_id is not None:
        ChantierGroup.objects.select_for_update().filter(pk=group_id).values_list("pk", flat=True).first()
    return ChantierSheet.objects.select_for_update().select_related("chantier").get(pk=sheet.pk)


def _unique(people: Iterable[tuple[str, Actor | Contact]]) -> list[tuple[str, Actor | Contact]]:
    seen, kept = set(), []
    for role, who in people:
        key = (role, type(who).__name__, who.pk)
        if key not in seen:
            seen.add(key)
            kept.append((role, who))
    return kept


def _touch_group(group_id: int | None) -> None:
    """The projector polls the group's `updated_at`: any change of its fiches moves it."""
    if group_id:
        ChantierGroup.objects.filter(pk=group_id).update(updated_at=timezone.now())


@transaction.atomic
def validate_group(group: ChantierGroup, user: User, reporter: str = "") -> ChantierGroup:
    """The group agrees on its fiches: from then on it may pick its priorities."""
    locked = ChantierGroup.objects.select_for_update().get(pk=group.pk)
    if not locked.sheets.exists():
        raise Refused(_("Le groupe n'a encore aucune fiche chantier à valider."))
    locked.validated_at = timezone.now()
    locked.validated_by = user
    if reporter.strip():
        locked.reporter = reporter.strip()[:200]
    locked.save()
    return locked


@transaction.atomic
def reopen_group(group: ChantierGroup) -> ChantierGroup:
    """Back to filling fiches (the priorities already picked stay)."""
    locked = ChantierGroup.objects.select_for_update().get(pk=group.pk)
    locked.validated_at = None
    locked.validated_by = None
    locked.save()
    return locked


TIMER_MINUTES = range(1, 121)


@transaction.atomic
def set_timer(group: ChantierGroup, minutes: int) -> ChantierGroup:
    """Starts the group's countdown for `minutes` (0 stops it); the projector shows it."""
    if minutes and minutes not in TIMER_MINUTES:
        raise Refused(_("Choisissez une durée entre 1 et 120 minutes."))
    locked = ChantierGroup.objects.select_for_update().get(pk=group.pk)
    locked.timer_ends_at = timezone.now() + timedelta(minutes=minutes) if minutes else None
    locked.save()
    return locked


LIMITS = {Priority.PRIORITAIRE: ChantierGroup.PRIORITY_LIMIT, Priority.INCONNU: ChantierGroup.UNKNOWN_LIMIT}


def set_priority(sheet: ChantierSheet, priority: str, reason: str, user: User) -> ChantierSheet:
    """Marks a fiche as one of its group's 2 priority chantiers or its « inconnu désirable », with the reason.

    The count is made inside the group's row lock: two scribes choosing a 3rd priority at the same moment cannot
    both succeed."""
    if priority not in Priority.values:
        raise Refused(_("Choix de priorité inconnu."))
    with transaction.atomic():
        if sheet.group_id is None:
            raise Refused(_("Cette fiche n'appartient à aucun groupe enjeu : les priorités se choisissent par groupe."))
        group = ChantierGroup.objects.select_for_update().get(pk=sheet.group_id)
        locked = ChantierSheet.objects.select_for_update().select_related("chantier").get(pk=sheet.pk)
        if priority == Priority.AUCUNE:
            locked.priority, locked.priority_reason = "", ""
            locked.prioritised_by, locked.prioritised_at = user, timezone.now()
            locked.save()
            _touch_group(group.pk)
            return locked
        if group.validated_at is None:
            raise Refused(_("Le groupe valide d'abord ses fiches chantier, puis choisit ses priorités."))
        if not reason.strip():
            raise Refused(_("Notez en une phrase pourquoi le groupe retient ce chantier."))
        others = list(
            group.sheets.filter(priority=priority).exclude(pk=locked.pk).select_related("chantier").order_by("pk")
        )
        limit = LIMITS[Priority(priority)]
        if len(others) >= limit:
            titles = ", ".join(f"« {o.chantier.title} »" for o in others)
            if priority == Priority.PRIORITAIRE:
                message = _(
                    "Ce groupe a déjà ses 2 chantiers prioritaires : %(titles)s. "
                    "Retirez-en un avant d'en choisir un autre."
                )
            else:
                message = _(
                    "Ce groupe a déjà son inconnu désirable : %(titles)s. Retirez-le avant d'en choisir un autre."
                )
            raise Refused(message % {"titles": titles})
        locked.priority = priority
        locked.priority_reason = reason.strip()
        locked.prioritised_by, locked.prioritised_at = user, timezone.now()
        locked.save()
        _touch_group(group.pk)
    return locked


def promote_free_actions(sheet: ChantierSheet) -> list[Action]:
    """The fiche's free lines become actions of its chantier in the roadmap (fiches actions to write at step 6);
    the lines leave the fiche, so that nothing is listed twice."""
    with transaction.atomic():
        locked = _lock_sheet(sheet)
        lines = locked.free_action_lines
        if not lines:
            raise Refused(_("La fiche n'a pas d'autre action à inscrire dans la feuille de route."))
        created = [
            Action.objects.create(
                organization_id=locked.organization_id,
                roadmap_id=locked.chantier.roadmap_id,
                chantier=locked.chantier,
                title=line[:300],
            )
            for line in lines
        ]
        locked.free_actions = ""
        locked.save()
        _touch_group(locked.group_id)
    return created


# --- Inventory ---------------------------------------------------------------------------------------------------


@dataclass
class InventoryRow:
    enjeu: Enjeu
    kind: str
    title: str
    carrier: str
    description: str


@transaction.atomic
def import_inventory(roadmap: Roadmap, rows: list[InventoryRow]) -> int:
    """Writes every checked line, or none (the checking is chantiers.inventory's)."""
    if any(row.enjeu.roadmap_id != roadmap.pk for row in rows):
        raise Refused(_("Une ligne vise un enjeu d'une autre feuille de route : rien n'a été importé."))
    InventoryEntry.objects.bulk_create(
        [
            InventoryEntry(
                organization_id=roadmap.organization_id,
                roadmap=roadmap,
                enjeu=row.enjeu,
                kind=row.kind,
                title=row.title,
                carrier=row.carrier,
                description=row.description,
            )
            for row in rows
        ]
    )
    return len(rows)
