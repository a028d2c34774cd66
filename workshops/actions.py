"""The workshop's workflows, each atomic: what the animator and the participants do, with the method's rules.

Every function raises `Refused` with a French message when the rule says no; nothing is then recorded.
Concurrency: a participant's ballot locks the participant's row and reads the group's state under a shared
lock, so the envelope can't be overrun by two submissions at once and no vote slips in after the vote closes
(closing takes the group's row for update, which waits for ballots in flight).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from roadmap.models import Enjeu
from workshops.models import (
    MAX_ITEMS_PER_PARTICIPANT,
    MAX_POINTS_PER_ITEM,
    UNDO_DEPTH,
    Answer,
    EnjeuOrigin,
    Item,
    Kind,
    Maitrise,
    MergeProposal,
    Participant,
    Placement,
    Stage,
    Vote,
    Workshop,
    WorkshopGroup,
    allowed_actions,
    envelope_for,
)

MAX_ITEM_WORDS = 4
MAX_ITEM_LENGTH = Item._meta.get_field("label").max_length or 80
MAX_ANSWERS_PER_PARTICIPANT = 3
# A group is 10–15 people (a plenary 30–50): far above that, joins are a script, not a room.
MAX_PARTICIPANTS_PER_GROUP = 100
MAX_PAPER_POINTS = 10_000

# The animator's stage actions as the screens name them (messages, the « Annuler » toast).
ACTION_LABELS: dict[str, Any] = {
    "next": gettext_lazy("Étape suivante"),
    "previous": gettext_lazy("Étape précédente"),
    "vote": gettext_lazy("Ouvrir ou fermer le vote"),
    "reveal": gettext_lazy("Révéler ou masquer les résultats"),
    "timer": gettext_lazy("Minuteur"),
    "timer_reset": gettext_lazy("Remettre le minuteur"),
    "strike": gettext_lazy("Barrer les items à 0 point"),
}


def clean_text(text: str | None) -> str:
    """Text typed on a phone, without NUL characters (PostgreSQL refuses them: a 500 instead of a message)."""
    return (text or "").replace("\x00", "")


class Refused(Exception):
    """A participant's or animator's request the rules refuse; `message` is shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AlreadyDone(Refused):
    """A stale action whose effect is already there (two screens pressing « suivant » at once): nothing to do,
    and nothing went wrong; `message` tells the animator."""


def live_state(group: WorkshopGroup) -> dict[str, str]:
    """What an animator's screen shows of the group; sent back with each stage action as `seen`."""
    return {
        "stage": group.stage,
        "voting_open": str(int(group.voting_open)),
        "revealed": str(int(group.revealed)),
        "timer_running": str(int(group.timer_ends_at is not None)),
    }


def _locked_group(group: WorkshopGroup, seen: Mapping[str, str] | None = None) -> WorkshopGroup:
    """The group's row, locked until the transaction ends: animators' actions on one group run one at a time.

    With `seen` (the state the animator's screen showed), an action based on a state another animator has
    just changed is refused instead of applied twice (two people pressing « étape suivante » at once).
    """
    locked = WorkshopGroup.objects.select_for_update().select_related("workshop").get(pk=group.pk)
    if seen:
        state = live_state(locked)
        if any(state.get(key) != value for key, value in seen.items() if key in state):
            raise Refused(
                _("Un autre animateur vient d'agir sur ce groupe : l'écran se met à jour, recommencez si besoin.")
            )
    return locked


def _stage_label(stage: str) -> str:
    return str(Stage(stage).label)


def check_allowed(group: WorkshopGroup, action: str) -> None:
    """The stage table (STAGE_ALLOWED_ACTIONS) says which of the animator's actions make sense now."""
    if action not in allowed_actions(group.stage):
        raise Refused(
            _("« %(action)s » ne sert pas à l'étape « %(stage)s » : rien n'a été changé.")
            % {"action": ACTION_LABELS.get(action, action), "stage": _stage_label(group.stage)}
        )


# --- Undo ------------------------------------------------------------------------------------------

_STATE_FIELDS = ("stage", "voting_open", "envelope", "revealed")


def _snapshot(group: WorkshopGroup) -> dict[str, Any]:
    state: dict[str, Any] = {field: getattr(group, field) for field in _STATE_FIELDS}
    state["timer_ends_at"] = group.timer_ends_at.isoformat() if group.timer_ends_at else None
    state["timer_remaining"] = group.timer_remaining.total_seconds() if group.timer_remaining is not None else None
    return state


def _remember(group: WorkshopGroup, action: str, label: str, **extra: Any) -> None:
    """Record, before a destructive action changes anything, what « Annuler » needs to put back (locked group)."""
    entry = {"action": action, "label": label, "at": timezone.now().isoformat(), "state": _snapshot(group), **extra}
    group.undo_log = [*(group.undo_log or []), entry][-UNDO_DEPTH:]
    WorkshopGroup.objects.filter(pk=group.pk).update(undo_log=group.undo_log)


@dataclass(frozen=True)
class Undone:
    """What « Annuler » put back (`label`), and whether it closed a vote that already holds ballots."""

    label: str
    ballots_kept: bool = False

    @property
    def message(self) -> str:
        text = _("Annulé : %(label)s.") % {"label": self.label}
        if self.ballots_kept:
            text += " " + _(
                "Le vote est fermé, mais les points déjà donnés sur les téléphones sont gardés : "
                "ils compteront quand le vote rouvrira."
            )
        return text


@transaction.atomic
def undo(group: WorkshopGroup) -> Undone:
    """Put back what the newest destructive action changed (within UNDO_SECONDS).

    Ballots cast meanwhile are never touched: a room's phones must not lose their points to the animator's
    Ctrl+Z. Undoing the vote's opening closes it and keeps them, and the envelope they were cast under stays.
    """
    group = _locked_group(group)
    entry = group.last_undo()
    if entry is None:
        raise Refused(_("Il n'y a rien à annuler."))
    has_ballots = Vote.objects.filter(item__group=group).exists()
    closes_vote = group.voting_open and not entry["state"]["voting_open"]
    kind = entry["action"]
    if kind == "strike":
        Item.objects.filter(group=group, pk__in=entry["items"]).update(struck=False)
    elif kind == "paper":
        for pk, value in entry["paper"].items():
            Item.objects.filter(group=group, pk=int(pk)).update(paper_points=value)
    elif kind == "delete_item":
        data = entry["item"]
        number = data["number"]
        if number is not None and group.items.filter(number=number).exists():
            number = _next_number(group)
        Item.objects.create(
            organization_id=group.organization_id,
            group=group,
            label=data["label"],
            number=number,
            status=data["status"],
            author_id=data["author"] if Participant.objects.filter(pk=data["author"], group=group).exists() else None,
        )
    elif kind == "merge":
        merged = group.items.filter(pk=entry["merged"]).first()
        if merged is not None:
            Item.objects.filter(group=group, merged_into=merged).update(merged_into=None)
            MergeProposal.objects.filter(group=group, pk=entry["proposal"]).update(
                status=MergeProposal.Status.OPEN, result=None
            )
            merged.delete()
    state = entry["state"]
    for field in _STATE_FIELDS:
        if field == "envelope" and has_ballots:
            continue  # the ballots were cast under today's envelope: a smaller one would put them over it
        setattr(group, field, state[field])
    group.timer_ends_at = datetime.fromisoformat(state["timer_ends_at"]) if state["timer_ends_at"] else None
    group.timer_remaining = (
        timedelta(seconds=state["timer_remaining"]) if state["timer_remaining"] is not None else None
    )
    group.undo_log = group.undo_log[:-1]
    group.save()
    _bump(group)
    return Undone(str(entry["label"]), ballots_kept=closes_vote and has_ballots)


def _bump(group: WorkshopGroup) -> None:
    WorkshopGroup.objects.filter(pk=group.pk).update(version=F("version") + 1, updated_at=timezone.now())


def _next_number(group: WorkshopGroup) -> int:
    return (group.items.aggregate(m=Max("number"))["m"] or 0) + 1


def clean_label(label: str) -> str:
    label = " ".join(clean_text(label).split())
    if not label:
        raise Refused(_("Écrivez votre idée en quelques mots."))
    if len(label.split()) > MAX_ITEM_WORDS:
        raise Refused(
            ngettext(
                "Un item tient en %(count)d mot au plus : résumez votre idée.",
                "Un item tient en %(count)d mots au plus : résumez votre idée.",
                MAX_ITEM_WORDS,
            )
            % {"count": MAX_ITEM_WORDS}
        )
    if len(label) > MAX_ITEM_LENGTH:
        raise Refused(
            ngettext(
                "Un item tient en %(count)d caractère au plus : résumez votre idée.",
                "Un item tient en %(count)d caractères au plus : résumez votre idée.",
                MAX_ITEM_LENGTH,
            )
            % {"count": MAX_ITEM_LENGTH}
        )
    return label


# --- Items --------------------------------------------------------------------------------------


@transaction.atomic
def add_item(group: WorkshopGroup, label: str, participant: Participant | None = None) -> Item:
    """An item typed by the animator (accepted at once) or proposed from a phone (waits for the animator)."""
    group = _locked_group(group)
    label = clean_label(label)
    if group.voting_open or group.stage not in (Stage.QUESTION, Stage.COLLECTION):
        raise Refused(_("La collecte des items est terminée."))
    if participant is not None:
        if group.stage != Stage.COLLECTION:
            raise Refused(_("La collecte des items n'a pas encore commencé."))
        if participant.items.count() >= MAX_ITEMS_PER_PARTICIPANT:
            raise Refused(_("Vous avez déjà donné vos 3 items pour ce tour."))
        item = Item.objects.create(
            organization_id=group.organization_id,
            group=group,
            label=label,
            author=participant,
            status=Item.Status.PROPOSED,
        )
    else:
        item = Item.objects.create(
            organization_id=group.organization_id, group=group, label=label, number=_next_number(group)
        )
    _bump(group)
    return item


@transaction.atomic
def accept_item(item: Item, label: str | None = None) -> Item:
    """The animator accepts a phone's proposal, possibly reworded; it then gets the next number."""
    group = _locked_group(item.group)
    item = Item.objects.select_for_update().get(pk=item.pk)
    if group.voting_open or group.stage not in (Stage.QUESTION, Stage.COLLECTION):
        raise Refused(_("La collecte des items est terminée."))
    if label is not None:
        item.label = clean_label(label)
    if item.status == Item.Status.PROPOSED:
        item.status = Item.Status.ACCEPTED
        item.number = _next_number(group)
    item.save()
    _bump(group)
    return item


@transaction.atomic
def reword_item(item: Item, label: str) -> Item:
    item = Item.objects.select_for_update().get(pk=item.pk)
    item.label = clean_label(label)
    item.save(update_fields=["label", "updated_at"])
    _bump(item.group)
    return item


@transaction.atomic
def delete_item(item: Item) -> None:
    group = _locked_group(item.group)
    if group.stage not in (Stage.QUESTION, Stage.COLLECTION) or group.voting_open:
        raise Refused(_("Après la collecte, un item ne se supprime plus : il sera barré s'il n'a aucun point."))
    if item.votes.exists():
        # Back in the collection after an undone vote: its points are people's ballots, not the animator's.
        raise Refused(
            _("« %(label)s » a déjà reçu des points sur les téléphones : il ne se supprime plus (reformulez-le).")
            % {"label": item.label}
        )
    _remember(
        group,
        "delete_item",
        _("Retrait de « %(label)s »") % {"label": item.label},
        item={"label": item.label, "number": item.number, "status": item.status, "author": item.author_id},
    )
    item.delete()
    _bump(group)


# --- Stages and timer -----------------------------------------------------------------------------


@transaction.atomic
def set_stage(group: WorkshopGroup, stage: str, seen: Mapping[str, str] | None = None) -> WorkshopGroup:
    """Move to a stage; entering the points opens the vote (envelope fixed then), leaving it closes the vote.

    The stage is named, so a screen that showed an older stage still means the same thing: `seen` is not needed.
    """
    return _set_stage(_locked_group(group), stage)


def _set_stage(group: WorkshopGroup, stage: str) -> WorkshopGroup:
    if stage not in group.workshop.stage_order:
        raise Refused(_("Étape inconnue pour ce type d'atelier."))
    if stage == group.stage:
        return group
    _remember(group, "stage", _("Passage à l'étape « %(stage)s »") % {"stage": _stage_label(stage)})
    if stage == Stage.VOTE:
        _open_vote(group)
    elif group.voting_open:
        group.voting_open = False
    group.stage = stage
    group.timer_ends_at = None
    group.timer_remaining = None
    if group.workshop.timer_autostart and group.workshop.minutes_for(stage):
        group.timer_ends_at = timezone.now() + group.stage_duration()
    group.save()
    _bump(group)
    return group


@transaction.atomic
def step_stage(group: WorkshopGroup, direction: int, seen: Mapping[str, str] | None = None) -> WorkshopGroup:
    """One stage on or back from the stage the animator's screen showed (`seen`).

    Another screen already made that very move: nothing more is done (AlreadyDone). It moved elsewhere: refused,
    with the stage the group is now at, so that two presses never skip a stage.
    """
    group = _locked_group(group)
    order = group.workshop.stage_order
    shown = (seen or {}).get("stage") or group.stage
    if shown not in order:
        shown = group.stage
    index = order.index(Stage(shown)) + direction
    target = order[index] if 0 <= index < len(order) else None
    if shown != group.stage:
        if target == group.stage:
            raise AlreadyDone(
                _("L'atelier est déjà à l'étape « %(stage)s » : rien de plus n'a été fait.")
                % {"stage": _stage_label(group.stage)}
            )
        raise Refused(
            _("Un autre écran vient de passer l'atelier à l'étape « %(stage)s » : rien n'a été changé.")
            % {"stage": _stage_label(group.stage)}
        )
    check_allowed(group, "next" if direction > 0 else "previous")
    if target is None:
        raise Refused(_("Il n'y a pas d'étape dans ce sens."))
    return _set_stage(group, target)


def _already(seen: Mapping[str, str] | None, key: str, current: bool) -> bool:
    """The screen showed the opposite of what the group now is: the toggle it asked for was made by another."""
    return seen is not None and key in seen and seen[key] != str(int(current))


def _open_vote(group: WorkshopGroup) -> None:
    """The envelope is fixed when the vote first opens; reopening it keeps it, so no ballot already cast
    ends up above a smaller envelope (after items were struck or merged)."""
    count = group.votable_items().count()
    if count < 2:
        raise Refused(_("Il faut au moins 2 items pour distribuer des points."))
    if not Vote.objects.filter(item__group=group).exists():
        group.envelope = envelope_for(count)
    group.voting_open = True
    group.revealed = False


@transaction.atomic
def toggle_vote(group: WorkshopGroup, seen: Mapping[str, str] | None = None) -> WorkshopGroup:
    group = _locked_group(group)
    if group.stage != Stage.VOTE:
        raise Refused(_("Le vote se fait à l'étape « Points »."))
    if _already(seen, "voting_open", group.voting_open):
        raise AlreadyDone(_("Le vote est déjà ouvert.") if group.voting_open else _("Le vote est déjà fermé."))
    _remember(group, "vote", _("Fermeture du vote") if group.voting_open else _("Ouverture du vote"))
    if group.voting_open:
        group.voting_open = False
    else:
        _open_vote(group)
    group.save()
    _bump(group)
    return group


@transaction.atomic
def toggle_reveal(group: WorkshopGroup, seen: Mapping[str, str] | None = None) -> WorkshopGroup:
    group = _locked_group(group)
    if group.stage not in (Stage.VOTE, Stage.RANKING, Stage.MATRIX, Stage.DONE):
        raise Refused(_("Il n'y a pas encore de points à révéler."))
    if _already(seen, "revealed", group.revealed):
        raise AlreadyDone(
            _("Les résultats sont déjà révélés.") if group.revealed else _("Les résultats sont déjà masqués.")
        )
    _remember(group, "reveal", _("Masquage des résultats") if group.revealed else _("Révélation des résultats"))
    group.revealed = not group.revealed
    group.save()
    _bump(group)
    return group


@transaction.atomic
def toggle_timer(group: WorkshopGroup, seen: Mapping[str, str] | None = None) -> WorkshopGroup:
    group = _locked_group(group)
    check_allowed(group, "timer")
    if _already(seen, "timer_running", group.timer_running):
        raise AlreadyDone(_("Le minuteur tourne déjà.") if group.timer_running else _("Le minuteur est déjà en pause."))
    now = timezone.now()
    if group.timer_ends_at:
        group.timer_remaining = max(group.timer_ends_at - now, timedelta(0))
        group.timer_ends_at = None
    else:
        remaining = group.timer_remaining if group.timer_remaining is not None else group.stage_duration()
        group.timer_ends_at = now + remaining
        group.timer_remaining = None
    group.save()
    _bump(group)
    return group


@transaction.atomic
def reset_timer(group: WorkshopGroup, seen: Mapping[str, str] | None = None) -> WorkshopGroup:
    group = _locked_group(group)
    check_allowed(group, "timer_reset")
    _remember(group, "timer_reset", _("Remise à zéro du minuteur"))
    group.timer_ends_at = None
    group.timer_remaining = None
    group.save()
    _bump(group)
    return group


@transaction.atomic
def set_expected(group: WorkshopGroup, expected: int | None) -> WorkshopGroup:
    """The number of people in the room: more participants than that on the phones is flagged on the wall."""
    group = _locked_group(group)
    if expected is not None and not 1 <= expected <= MAX_PARTICIPANTS_PER_GROUP:
        raise Refused(_("Indiquez un nombre de participants entre 1 et %(max)d.") % {"max": MAX_PARTICIPANTS_PER_GROUP})
    group.expected_participants = expected
    group.save(update_fields=["expected_participants", "updated_at"])
    _bump(group)
    return group


# --- Points ---------------------------------------------------------------------------------------


@transaction.atomic
def join(group: WorkshopGroup, first_name: str = "") -> Participant:
    """A phone joins the group; under the group's lock, so a room joining at once can't pass the cap together."""
    group = _locked_group(group)
    if group.stage == Stage.DONE:
        raise Refused(_("Cet atelier est terminé."))
    if group.participants.count() >= MAX_PARTICIPANTS_PER_GROUP:
        raise Refused(
            _("Ce groupe est complet (%(max)d participants) : demandez à l'animateur le code d'un autre groupe.")
            % {"max": MAX_PARTICIPANTS_PER_GROUP}
        )
    return Participant.objects.create(
        organization_id=group.organization_id, group=group, first_name=" ".join(clean_text(first_name).split())[:60]
    )


def _group_state_shared(group_pk: int) -> tuple[bool, int]:
    """Read (voting_open, envelope) under a shared row lock: ballots run side by side, closing waits for them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT voting_open, envelope FROM workshops_workshopgroup WHERE id = %s FOR SHARE", [group_pk])
        row = cursor.fetchone()
    return bool(row[0]), int(row[1])


@transaction.atomic
def submit_ballot(participant: Participant, ballot: Mapping[int, int]) -> dict[int, int]:
    """Replace the participant's points with `ballot` ({item pk: points}); all or nothing."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    voting_open, envelope = _group_state_shared(participant.group_id)
    if not voting_open:
        raise Refused(_("Le vote est fermé : vos points n'ont pas été enregistrés."))
    points = {int(k): int(v) for k, v in ballot.items() if int(v) != 0}
    if any(v < 0 or v > MAX_POINTS_PER_ITEM for v in ballot.values()):
        raise Refused(_("Chaque item reçoit de 0 à 5 points."))
    items = {
        i.pk: i
        for i in Item.objects.filter(group_id=participant.group_id, pk__in=list(ballot)).only(
            "pk", "number", "struck", "status", "merged_into_id"
        )
    }
    if set(ballot) - set(items):
        raise Refused(_("Un des items n'existe pas dans cet atelier : rien n'a été enregistré."))
    for pk in points:
        item = items[pk]
        if item.struck:
            raise Refused(_("L'item « %(number)s » est barré : il ne reçoit plus de points.") % {"number": item.number})
        if item.status != Item.Status.ACCEPTED or item.merged_into_id:
            raise Refused(_("Un des items n'est pas ouvert au vote : rien n'a été enregistré."))
    total = sum(points.values())
    if total > envelope:
        raise Refused(
            _("Vous distribuez %(total)d points pour une enveloppe de %(envelope)d : retirez-en %(over)d.")
            % {"total": total, "envelope": envelope, "over": total - envelope}
        )
    participant.votes.all().delete()
    Vote.objects.bulk_create([Vote(participant=participant, item_id=pk, points=v) for pk, v in points.items()])
    participant.voted_at = timezone.now()
    participant.save(update_fields=["voted_at"])
    return points


@transaction.atomic
def set_paper_points(group: WorkshopGroup, totals: Mapping[int, int]) -> None:
    """Paper mode: the animator types the raised-hands total of each item (in any order)."""
    group = _locked_group(group)
    if group.stage not in (Stage.VOTE, Stage.RANKING):
        raise Refused(_("Les points à main levée se saisissent à l'étape « Points »."))
    if any(v < 0 for v in totals.values()):
        raise Refused(_("Un total de points ne peut pas être négatif."))
    if any(v > MAX_PAPER_POINTS for v in totals.values()):
        raise Refused(_("Un total de points à main levée ne dépasse pas %(max)d.") % {"max": MAX_PAPER_POINTS})
    items = {i.pk: i for i in group.live_items().select_for_update().filter(pk__in=list(totals))}
    if set(totals) - set(items):
        raise Refused(_("Un des items n'existe pas dans ce groupe."))
    if any(items[pk].struck and value for pk, value in totals.items()):
        raise Refused(_("Un item barré ne reçoit plus de points."))
    changed = {str(pk): items[pk].paper_points for pk, value in totals.items() if items[pk].paper_points != value}
    if changed:
        _remember(group, "paper", _("Saisie des points à main levée"), paper=changed)
    for pk, value in totals.items():
        item = items[pk]
        if item.paper_points != value:
            item.paper_points = value
            item.save(update_fields=["paper_points", "updated_at"])
    _bump(group)


@transaction.atomic
def strike_zero_items(group: WorkshopGroup, seen: Mapping[str, str] | None = None) -> int:
    """Strike every item without a point (kept, shown struck). Only once the vote is closed and some points are
    counted: before any total is typed, every item has 0 and one key would strike them all."""
    group = _locked_group(group)
    check_allowed(group, "strike")
    if group.voting_open:
        raise Refused(_("Fermez le vote avant de barrer les items sans point."))
    scored = group.items_with_points()
    if not any(i.total for i in scored):
        raise Refused(
            _("Aucun point n'est encore compté : saisissez les totaux à main levée ou faites voter avant de barrer.")
        )
    zero = [i.pk for i in scored if i.total == 0 and not i.struck]
    if not zero:
        raise AlreadyDone(_("Aucun item sans point à barrer."))
    label = ngettext("%(count)d item barré", "%(count)d items barrés", len(zero)) % {"count": len(zero)}
    _remember(group, "strike", label, items=zero)
    Item.objects.filter(pk__in=zero).update(struck=True)
    _bump(group)
    return len(zero)


# --- Merges by consensus --------------------------------------------------------------------------


@transaction.atomic
def propose_merge(group: WorkshopGroup, items: Iterable[Item], label: str) -> MergeProposal:
    group = _locked_group(group)
    chosen = list(items)
    if len(chosen) < 2:
        raise Refused(_("Choisissez au moins deux items à fusionner."))
    for item in chosen:
        if item.group_id != group.pk or item.status != Item.Status.ACCEPTED or item.merged_into_id:
            raise Refused(_("Un des items ne peut pas être fusionné."))
        if item.struck:
            raise Refused(_("Un item barré ne se fusionne pas."))
        if item.originals.exists():
            raise Refused(_("« %(label)s » est déjà une fusion.") % {"label": item.label})
    proposal = MergeProposal.objects.create(
        organization_id=group.organization_id, group=group, label=clean_label(label)
    )
    proposal.items.set(chosen)
    _bump(group)
    return proposal


@transaction.atomic
def object_to_merge(proposal: MergeProposal, who: str, participant: Participant | None = None) -> MergeProposal:
    """One objection is enough to cancel the merge."""
    proposal = MergeProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != MergeProposal.Status.OPEN:
        raise Refused(_("Cette proposition de fusion est déjà tranchée."))
    proposal.status = MergeProposal.Status.CANCELLED
    proposal.objection_by = who[:100]
    proposal.objector = participant
    proposal.save()
    _bump(proposal.group)
    return proposal


@transaction.atomic
def confirm_merge(proposal: MergeProposal) -> Item:
    """No objection: the merged item replaces its originals (kept for the record) and sums their points."""
    group = _locked_group(proposal.group)
    proposal = MergeProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != MergeProposal.Status.OPEN:
        raise Refused(_("Cette proposition de fusion est déjà tranchée."))
    originals = list(proposal.items.select_for_update())
    if any(i.merged_into_id for i in originals):
        raise Refused(_("Un des items a déjà été fusionné ailleurs."))
    merged = Item.objects.create(
        organization_id=group.organization_id, group=group, label=proposal.label, number=_next_number(group)
    )
    _remember(
        group, "merge", _("Fusion « %(label)s »") % {"label": proposal.label}, merged=merged.pk, proposal=proposal.pk
    )
    Item.objects.filter(pk__in=[i.pk for i in originals]).update(merged_into=merged)
    proposal.status = MergeProposal.Status.MERGED
    proposal.result = merged
    proposal.save()
    _bump(group)
    return merged


# --- Matrix -----------------------------------------------------------------------------------------


class PostIt(NamedTuple):
    """Where the animator puts one of an item's post-its; a text left as None keeps the one already written.

    A reason sent empty is refused unless `todo` says it will be written later (« à compléter »).
    """

    x: str
    reason: str | None = None
    what_it_takes: str | None = None
    todo: bool = False


TODO_REASON = gettext_lazy("À compléter")


@transaction.atomic
def place_postits(item: Item, postits: Mapping[str, PostIt]) -> list[Placement]:
    """Put (or move) an item's post-its ({moment: PostIt}) all together, or none when one is refused."""
    group = _locked_group(item.group)
    workshop = group.workshop
    for moment, postit in postits.items():
        if moment not in dict(workshop.moments):
            raise Refused(_("Ce post-it n'existe pas pour ce type d'atelier."))
        if postit.x not in Maitrise.values:
            raise Refused(_("Choisissez faible, moyen ou fort."))
        if postit.reason is not None and not clean_text(postit.reason).strip() and not postit.todo:
            raise Refused(
                _("Notez pourquoi le post-it « %(moment)s » est à cette place, ou cochez « à compléter ».")
                % {"moment": dict(workshop.moments)[moment]}
            )
    placements = []
    for moment, postit in postits.items():
        defaults: dict[str, Any] = {"organization_id": item.organization_id, "x": postit.x}
        if postit.reason is not None:
            defaults["reason"] = clean_text(postit.reason).strip() or str(TODO_REASON)
        if postit.what_it_takes is not None and workshop.kind == Kind.DIX_ANS:
            defaults["what_it_takes"] = clean_text(postit.what_it_takes).strip()
        placement, _created = Placement.objects.update_or_create(item=item, moment=moment, defaults=defaults)
        placements.append(placement)
    if placements:
        _bump(group)
    return placements


def place(item: Item, moment: str, x: str, reason: str | None = None, what_it_takes: str | None = None) -> Placement:
    """Put (or move) one post-it in a column; a reason left as None keeps the one already written."""
    return place_postits(item, {moment: PostIt(x, reason, what_it_takes)})[0]


# --- Tour de table, enjeux, templates ---------------------------------------------------------------


def add_answer(group: WorkshopGroup, text: str, participant: Participant | None = None, author: str = "") -> Answer:
    text = clean_text(text).strip()
    if not text:
        raise Refused(_("Écrivez votre réponse avant de l'envoyer."))
    if len(text) > 600:
        raise Refused(_("Votre réponse dépasse 600 caractères : raccourcissez-la."))
    with transaction.atomic():
        # The group's row is locked so that two answers sent at once from one phone can't pass the cap together.
        group = _locked_group(group)
        if group.stage not in (Stage.QUESTION, Stage.COLLECTION):
            raise Refused(_("Le tour de table est terminé."))
        if (
            participant is not None
            and Answer.objects.filter(participant=participant).count() >= MAX_ANSWERS_PER_PARTICIPANT
        ):
            raise Refused(
                _("Vous avez déjà envoyé %(max)d réponses : rien n'a été enregistré.")
                % {"max": MAX_ANSWERS_PER_PARTICIPANT}
            )
        answer = Answer.objects.create(
            organization_id=group.organization_id,
            group=group,
            participant=participant,
            author=(clean_text(author) or (participant.first_name if participant else ""))[:100],
            text=text,
        )
        _bump(group)
    return answer


@transaction.atomic
def create_enjeu(workshop: Workshop, question: str, items: Iterable[Item], description: str = "") -> Enjeu:
    """An enjeu phrased as a question lands in the roadmap's spine, linked to the items it came from."""
    question = " ".join((question or "").split())
    if not question.endswith("?"):
        raise Refused(_("Formulez l'enjeu comme une question (« Comment … ? »)."))
    chosen = list(items)
    if any(i.group.workshop_id != workshop.pk for i in chosen):
        raise Refused(_("Un des items ne vient pas de cet atelier."))
    enjeu = Enjeu.objects.create(
        organization_id=workshop.organization_id, roadmap=workshop.roadmap, question=question, description=description
    )
    origin = EnjeuOrigin.objects.create(organization_id=workshop.organization_id, enjeu=enjeu, workshop=workshop)
    origin.items.set(chosen)
    return enjeu


@transaction.atomic
def create_workshop(workshop: Workshop, group_count: int) -> Workshop:
    """Save a new session (built by WorkshopForm) with its groups « Groupe 1 » … « Groupe n », each with its code."""
    if group_count < 1:
        raise Refused(_("Un atelier se tient en un groupe au moins."))
    workshop.save()
    for n in range(1, group_count + 1):
        WorkshopGroup.objects.create(
            organization_id=workshop.organization_id, workshop=workshop, name=_("Groupe %(n)d") % {"n": n}
        )
    return workshop


def _started(workshop: Workshop) -> bool:
    """A group has moved past the question, or something was collected: the type of workshop is then settled."""
    groups = WorkshopGroup.objects.select_for_update().filter(workshop_id=workshop.pk)
    return (
        any(group.stage != Stage.QUESTION for group in groups)
        or Item.objects.filter(group__workshop_id=workshop.pk).exists()
        or Answer.objects.filter(group__workshop_id=workshop.pk).exists()
    )


@transaction.atomic
def update_workshop(workshop: Workshop, changes: Mapping[str, Any]) -> Workshop:
    """Save the animator's changes ({field: value}) to the session, and only those fields.

    The type can't change once a group has started: its stages would not fit the new type. The groups' rows are
    locked for the check, so no group starts in between.
    """
    locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if "kind" in changes and changes["kind"] != locked.kind and _started(locked):
        raise Refused(_("Un groupe a déjà commencé : le type d'atelier ne change plus."))
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.save(update_fields=[*changes, "updated_at"])
    return locked


def write_synthesis(workshop: Workshop, text: str) -> Workshop:
    """The observer's notes taken on the spot (« synthèse à chaud »)."""
    workshop.synthesis = clean_text(text).strip()
    workshop.save(update_fields=["synthesis", "updated_at"])
    return workshop


@transaction.atomic
def duplicate(workshop: Workshop, title: str | None = None) -> Workshop:
    """A new session prepared like this one (question, timers, groups), with no item, vote or post-it."""
    copy_fields: dict[str, Any] = {
        f.name: getattr(workshop, f.name)
        for f in Workshop._meta.concrete_fields
        if f.name not in {"id", "created_at", "updated_at", "synthesis", "is_template", "date", "title"}
    }
    new = Workshop.objects.create(**copy_fields, title=title or _("%(title)s (copie)") % {"title": workshop.title})
    for group in workshop.groups.all():
        WorkshopGroup.objects.create(organization_id=new.organization_id, workshop=new, name=group.name)
    return new


@transaction.atomic
def add_group(workshop: Workshop, name: str) -> WorkshopGroup:
    """A group more (its own join code); unnamed, it is « Groupe n+1 ».

    The session's row is locked, so two groups added at once don't both become « Groupe 3 ».
    """
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    name = " ".join(clean_text(name).split()) or _("Groupe %(n)d") % {"n": workshop.groups.count() + 1}
    return WorkshopGroup.objects.create(organization_id=workshop.organization_id, workshop=workshop, name=name[:100])
