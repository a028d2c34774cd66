"""Writes of the map workshop that touch several rows: creating a rotation session with its tables, moving it on
from round to round, saving a table's hand-over note. Each runs in one transaction holding the session's lock."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from resourcemaps.models import HandoverNote, RotationSession, RotationTable
from roadmap.models import Chantier
from tenancy.models import User


class Refused(Exception):
    """The action makes no sense in the session's current state; the message says why, in French."""


@transaction.atomic
def create_session(session: RotationSession, chantiers: Iterable[Chantier]) -> RotationSession:
    chantiers = list(chantiers)
    if any(c.roadmap_id != session.roadmap_id for c in chantiers):
        raise Refused(_("Chaque table travaille sur un chantier de cette feuille de route."))
    session.save()
    RotationTable.objects.bulk_create(
        RotationTable(organization_id=session.organization_id, session=session, chantier=c, position=i)
        for i, c in enumerate(chantiers)
    )
    return session


def _locked(session: RotationSession) -> RotationSession:
    return RotationSession.objects.select_for_update().get(pk=session.pk, organization_id=session.organization_id)


ACTIONS = ("start", "next", "pause", "reset", "finish")


@transaction.atomic
def advance(session: RotationSession, action: str, now: datetime.datetime | None = None) -> RotationSession:
    """Start, change tables, pause or resume, restart the timer, finish. Checked against the state under lock, so two
    animators pressing « Changer de table » at once move the room on once."""
    now = now or timezone.now()
    s = _locked(session)
    running = s.status == RotationSession.Status.RUNNING
    if action == "start":
        if s.status != RotationSession.Status.PLANNED:
            raise Refused(_("La séance est déjà lancée."))
        s.status, s.round, s.round_started_at, s.paused_left = RotationSession.Status.RUNNING, 1, now, None
    elif action == "next":
        if not running:
            raise Refused(_("Lancez la séance avant de changer de table."))
        if s.is_last_round:
            raise Refused(_("C'était la dernière rotation : terminez la séance."))
        s.round, s.round_started_at, s.paused_left = s.round + 1, now, None
    elif action == "pause":
        if not running:
            raise Refused(_("Le minuteur ne tourne pas : la séance n'est pas en cours."))
        if s.paused_left is None:
            s.paused_left = s.seconds_left(now)
        else:
            s.round_started_at = now - datetime.timedelta(seconds=s.minutes * 60 - s.paused_left)
            s.paused_left = None
    elif action == "reset":
        if not running:
            raise Refused(_("Le minuteur ne tourne pas : la séance n'est pas en cours."))
        s.round_started_at = now
        s.paused_left = None if s.paused_left is None else s.minutes * 60
    elif action == "finish":
        if s.status == RotationSession.Status.FINISHED:
            raise Refused(_("La séance est déjà terminée."))
        s.status, s.paused_left = RotationSession.Status.FINISHED, None
    else:
        raise Refused(_("Action inconnue."))
    s.version = F("version") + 1
    s.save()
    s.refresh_from_db()
    return s


@transaction.atomic
def save_note(table: RotationTable, text: str, keeper: str, author: User | None) -> HandoverNote:
    """The table's note for the round under way; the next round shows it to the newcomers. A note sent just after
    the animator finished the session is kept as the last round's (it was typed during it)."""
    s = _locked(table.session)
    if s.status == RotationSession.Status.PLANNED or s.round < 1:
        raise Refused(_("Les notes de passation s'écrivent pendant la séance."))
    note, _created = HandoverNote.objects.update_or_create(
        table=table,
        round=s.round,
        defaults={"organization_id": table.organization_id, "text": text.strip(), "author": author},
    )
    if keeper.strip() != table.keeper:
        table.keeper = keeper.strip()
        table.save(update_fields=["keeper"])
    RotationSession.objects.filter(pk=s.pk).update(version=F("version") + 1)
    return note
