"""Writes of steps 1 and 2 that touch several rows: imports, erasure, invitations, check-in, calendar, definitions.

Each function is atomic; its checks run inside the transaction, on locked rows; e-mails leave once it commits.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from fiches.models import GovernanceBody
from projectgroup import importers
from projectgroup.models import (
    Actor,
    ActorImport,
    Attendance,
    AttendanceSource,
    BodyMember,
    Contact,
    DefinitionVersion,
    GroupMember,
    Meeting,
    MeetingInvitation,
    Milestone,
    Rsvp,
    phase_of_step,
)
from roadmap.actions import StaleEdit, lock_unchanged
from roadmap.models import Roadmap
from roadmap.steps import METHOD_STEPS
from tenancy.models import Organization, User

if TYPE_CHECKING:
    from django.db.models import Model

    from projectgroup.forms import GuardedForm


class Refused(Exception):
    """A write that the rules forbid; the message is for the person, in French."""


# --- No silent overwrite of a text saved meanwhile ----------------------------------------------------------------


class ChangedMeanwhile(StaleEdit):
    """Someone saved the form's fields since it was opened: nothing saved. `saved` is the row as it is now,
    `changed` the fields concerned (name → the value saved meanwhile); see `GuardedForm.show_changed_meanwhile`."""

    def __init__(self, saved: Model, changed: dict[str, str]) -> None:
        saved_at = getattr(saved, "updated_at", None)
        super().__init__(saved_at)
        self.saved = saved
        self.changed = changed
        self.version = saved_at.isoformat() if saved_at else ""


def guard_unchanged(form: GuardedForm, current: Model | None) -> None:
    """Before saving a valid GuardedForm, inside the transaction that saves it: lock the row (`current`, the row as
    stored now, None while it does not exist) and raise ChangedMeanwhile if someone saved the form's own fields since
    it was opened; a save of other columns passes. The row's other columns are then read again under the lock, so
    that saving the form writes them back unchanged."""
    if current is None:
        return
    model = type(current)
    try:
        locked = lock_unchanged(model, current.pk, form.cleaned_data.get("seen_version"))
    except StaleEdit as stale:
        if stale.saved_at is None:
            raise
        locked = model._default_manager.get(pk=current.pk)  # locked by lock_unchanged, in this transaction
        changed = form.changed_meanwhile(locked)
        if changed:
            raise ChangedMeanwhile(locked, changed) from None
    instance = form.row
    if instance.pk == locked.pk:
        others = [
            f.attname
            for f in model._meta.concrete_fields
            if f.name not in form.fields and not f.primary_key and not getattr(f, "auto_now", False)
        ]
        if others:
            instance.refresh_from_db(fields=others)


# --- Import of structures ------------------------------------------------------------------------------------------


def start_import(organization: Organization, user: User, upload: Any, filename: str) -> ActorImport:
    """Read the file (ImportRefused if it cannot be read) and keep it for the preview; nothing is imported yet."""
    headers, rows = importers.read_table(upload, filename)
    return ActorImport.objects.create(
        organization=organization,
        created_by=user,
        filename=filename[:250],
        headers=headers,
        rows=rows,
        mapping=importers.guess_mapping(headers),
    )


@dataclass(frozen=True)
class ContactsImported:
    contacts: int
    structures: int  # structures added to the directory for people whose structure it didn't have


@transaction.atomic
def import_contacts(organization: Organization, upload: Any, filename: str) -> ContactsImported:
    """All the people of a CSV/XLSX file into the directory, or none (ImportRefused with every faulty line).

    A structure named in the file is the directory's one of the same name (accents and case aside), or is added."""
    headers, numbered = importers.read_numbered_table(upload, filename)
    # Locked first: two imports of the same file at once can't both pass the « already in the directory » check.
    Organization.objects.select_for_update().filter(pk=organization.pk).get()
    lines, errors = importers.analyse_contacts(headers, numbered, organization)
    if errors:
        raise ImportRefusedLines(errors)
    actors = {importers.normalise(a.name): a for a in organization.actors.all()}
    added = 0
    now = timezone.now()
    contacts = []
    for line in lines:
        actor = None
        if line.structure:
            key = importers.normalise(line.structure)
            actor = actors.get(key)
            if actor is None:
                actor = actors[key] = Actor.objects.create(
                    organization=organization,
                    name=line.structure,
                    source=_("import %(file)s") % {"file": filename[:80]},
                )
                added += 1
        contacts.append(
            Contact(
                organization=organization,
                actor=actor,
                full_name=line.full_name,
                function=line.function,
                email=line.email,
                phone=line.phone,
                consent=line.consent and not line.do_not_contact,
                consent_at=now if line.consent and not line.do_not_contact else None,
                do_not_contact=line.do_not_contact,
            )
        )
    Contact.objects.bulk_create(contacts)
    return ContactsImported(len(contacts), added)


class ImportRefusedLines(importers.ImportRefused):
    """Faulty lines: nothing was imported; `lines` has one French sentence per line."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(_("Rien n'a été importé : corrigez ces lignes dans le fichier puis envoyez-le à nouveau."))
        self.lines = lines


MERGE, CREATE, SKIP = "merge", "create", "skip"


@transaction.atomic
def apply_import(actor_import: ActorImport, mapping: dict[str, str], decisions: dict[int, str]) -> ActorImport:
    """Import every line or none: a file with one faulty line is refused with the list of faults.

    `decisions` says, for a line that duplicates a structure of the directory, whether to merge it into that
    structure (the default: fill its empty fields, add publics and tags), create a new structure, or skip it.
    """
    locked = ActorImport.objects.select_for_update().get(pk=actor_import.pk)
    if locked.status != ActorImport.Status.PREVIEW:
        raise Refused(_("Ce fichier a déjà été importé."))
    organization = locked.organization
    # Concurrent imports into the same directory would both miss each other's duplicates: one at a time.
    Organization.objects.select_for_update().filter(pk=organization.pk).get()
    lines = importers.analyse(organization, locked.headers, locked.rows, mapping)
    report = importers.error_report(lines)
    if report:
        raise Refused(" ".join(report))
    created = merged = 0
    source = _("import %(file)s") % {"file": locked.filename}
    new_actors = []
    for line in lines:
        values = {k: v for k, v in line.values.items() if k not in {"code_insee"}}
        decision = decisions.get(line.number, MERGE) if line.duplicate_of else CREATE
        if decision == SKIP:
            continue
        if decision == MERGE and line.duplicate_of is not None:
            _merge(Actor.objects.select_for_update().get(pk=line.duplicate_of.pk), values)
            merged += 1
            continue
        new_actors.append(Actor(organization=organization, source=source[:100], **values))
        created += 1
    try:
        Actor.objects.bulk_create(new_actors)
    except IntegrityError as error:  # a SIRET kept twice on purpose (« créer » on a same-SIRET line)
        raise Refused(
            _("Deux structures ne peuvent pas avoir le même SIRET : fusionnez ou ignorez le doublon.")
        ) from error
    locked.mapping, locked.status = mapping, ActorImport.Status.DONE
    locked.created_count, locked.merged_count = created, merged
    locked.save(update_fields=["mapping", "status", "created_count", "merged_count", "updated_at"])
    return locked


def _merge(actor: Actor, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key in {"families", "tags"}:
            current = getattr(actor, key)
            setattr(actor, key, current + [v for v in value if v not in current])
        elif value not in (None, "") and not getattr(actor, key):
            setattr(actor, key, value)
    actor.save()


# --- Contacts ----------------------------------------------------------------------------------------------------


@transaction.atomic
def erase_contact(contact: Contact) -> None:
    """Erase a person on their request: their contact, seats and invitations go; the meetings they attended keep an
    anonymous line (the count of participants and their structure stay true for the evaluation)."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    contact.attendances.update(name=_("Personne effacée"), contact=None)
    contact.delete()


def record_consent(contact: Contact, had_consent: bool) -> None:
    """Date the consent when it is given (the form has just set `contact.consent`), forget the date when withdrawn."""
    if contact.consent and not had_consent:
        contact.consent_at = timezone.now()
    elif not contact.consent:
        contact.consent_at = None


@transaction.atomic
def add_group_member(roadmap: Roadmap, contact: Contact, role: str, commitment: str) -> GroupMember:
    if contact.organization_id != roadmap.organization_id:
        raise Refused(_("Cette personne n'est pas dans l'annuaire de l'organisation."))
    member, created = GroupMember.objects.get_or_create(
        roadmap=roadmap,
        contact=contact,
        defaults={"organization": roadmap.organization, "role": role, "commitment": commitment},
    )
    if not created:
        raise Refused(_("%(name)s fait déjà partie du groupe projet.") % {"name": contact.full_name})
    return member


@transaction.atomic
def add_body_member(body: GovernanceBody, contact: Contact, function: str) -> BodyMember:
    """Seat a contact of the directory in one of the roadmap's governance bodies."""
    if contact.organization_id != body.organization_id:
        raise Refused(_("Cette personne n'est pas dans l'annuaire de l'organisation."))
    seat, created = BodyMember.objects.get_or_create(
        body=body, contact=contact, defaults={"organization_id": body.organization_id, "function": function}
    )
    if not created:
        raise Refused(_("%(name)s siège déjà dans « %(body)s ».") % {"name": contact.full_name, "body": body.name})
    return seat


def contact_for_user(organization: Organization, user: User) -> Contact:
    """The directory's contact of a member of the organisation, created from their account when missing."""
    contact = organization.contacts.filter(user=user).first()
    if contact is None:
        contact = Contact.objects.create(
            organization=organization,
            user=user,
            full_name=user.full_name or user.email,
            email=user.email,
            function=user.function,
            consent=True,  # a member of the organisation is reached as such
            consent_at=timezone.now(),
        )
    return contact


# --- Meetings ---------------------------------------------------------------------------------------------------


@transaction.atomic
def invite(meeting: Meeting, contacts: list[Contact], answer_url: Callable[[str], str]) -> tuple[int, list[str]]:
    """Invite contacts who may be written to; each e-mail leaves once committed. Returns the number invited and
    the names left out (no e-mail, no consent, « ne plus contacter », already invited)."""
    from projectgroup.tasks import send_meeting_invitation

    Meeting.objects.select_for_update().filter(pk=meeting.pk).get()
    already = set(meeting.invitations.values_list("contact_id", flat=True))
    invited, left_out = 0, []
    for contact in contacts:
        if contact.organization_id != meeting.organization_id:
            continue
        if contact.pk in already or not contact.can_be_invited:
            left_out.append(contact.full_name)
            continue
        invitation = MeetingInvitation.objects.create(
            organization=meeting.organization, meeting=meeting, contact=contact
        )
        send_meeting_invitation.delay_on_commit(invitation.pk, answer_url(invitation.token))  # type: ignore[attr-defined]
        invited += 1
    return invited, left_out


REMINDER_GAP = datetime.timedelta(hours=20)  # a person is reminded of one meeting at most once a day


@transaction.atomic
def remind(meeting: Meeting, answer_url: Callable[[str], str]) -> int:
    """Remind the invitees of a meeting still to come who did not decline (and may be written to); each e-mail
    leaves once committed. Returns how many reminders were queued (0: nobody to remind)."""
    from projectgroup.tasks import send_meeting_reminder

    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.cancelled:
        raise Refused(_("Cette réunion a été annulée : personne n'est relancé."))
    if meeting.starts_at <= timezone.now():
        raise Refused(_("Cette réunion a déjà commencé : il n'y a plus personne à relancer."))
    since = timezone.now() - REMINDER_GAP
    queued = 0
    for invitation in meeting.invitations.select_related("contact").exclude(answer=Rsvp.NO):
        if not invitation.contact.can_be_invited or (invitation.reminded_at and invitation.reminded_at > since):
            continue
        send_meeting_reminder.delay_on_commit(invitation.pk, answer_url(invitation.token))  # type: ignore[attr-defined]
        queued += 1
    return queued


@transaction.atomic
def answer_invitation(invitation: MeetingInvitation, answer: str) -> MeetingInvitation:
    if answer not in (Rsvp.YES, Rsvp.NO, Rsvp.MAYBE):
        raise Refused(_("Réponse inconnue."))
    invitation = MeetingInvitation.objects.select_for_update().get(pk=invitation.pk)
    invitation.answer, invitation.answered_at = answer, timezone.now()
    invitation.save(update_fields=["answer", "answered_at", "updated_at"])
    return invitation


@transaction.atomic
def check_in(
    meeting: Meeting,
    *,
    contact: Contact | None = None,
    name: str = "",
    structure: str = "",
    source: str = AttendanceSource.PHONE,
) -> Attendance:
    """Record someone present: a contact of the directory (once), or a name typed by the person themselves."""
    Meeting.objects.select_for_update().filter(pk=meeting.pk).get()
    if meeting.cancelled:
        raise Refused(_("Cette réunion a été annulée."))
    if contact is not None:
        if contact.organization_id != meeting.organization_id:
            raise Refused(_("Personne inconnue."))
        attendance, _created = Attendance.objects.get_or_create(
            meeting=meeting,
            contact=contact,
            defaults={
                "organization": meeting.organization,
                "name": contact.full_name,
                "structure": contact.actor.name if contact.actor else "",
                "actor": contact.actor,
                "source": source,
            },
        )
        return attendance
    name = " ".join(name.split())
    if not name:
        raise Refused(_("Indiquez votre nom."))
    existing = meeting.attendances.filter(contact__isnull=True, name__iexact=name).first()
    if existing is not None:
        return existing
    actor = meeting.organization.actors.filter(name__iexact=structure.strip()).first() if structure.strip() else None
    return Attendance.objects.create(
        organization=meeting.organization,
        meeting=meeting,
        name=name[:200],
        structure=structure.strip()[:250],
        actor=actor,
        source=source,
    )


# --- Calendar ---------------------------------------------------------------------------------------------------


@transaction.atomic
def plan_steps(roadmap: Roadmap, start: datetime.date, weeks_per_step: int = 6) -> list[Milestone]:
    """A first calendar: one milestone per step of the method not yet planned, one after the other."""
    Roadmap.objects.select_for_update().filter(pk=roadmap.pk).get()
    planned = set(roadmap.milestones.exclude(step=None).values_list("step", flat=True))
    created, cursor = [], start
    for number, title, _summary in METHOD_STEPS:
        end = cursor + datetime.timedelta(weeks=weeks_per_step) - datetime.timedelta(days=1)
        if number not in planned:
            created.append(
                Milestone.objects.create(
                    organization=roadmap.organization,
                    roadmap=roadmap,
                    phase=phase_of_step(number),
                    step=number,
                    title=str(title),
                    planned_start=cursor,
                    planned_end=end,
                )
            )
        cursor = end + datetime.timedelta(days=1)
    return created


# --- Step 2: the definition -------------------------------------------------------------------------------------


@transaction.atomic
def new_definition_version(roadmap: Roadmap, text: str, note: str, user: User) -> DefinitionVersion:
    Roadmap.objects.select_for_update().filter(pk=roadmap.pk).get()
    last = roadmap.definition_versions.aggregate(n=Max("number"))["n"] or 0
    return DefinitionVersion.objects.create(
        organization=roadmap.organization, roadmap=roadmap, number=last + 1, text=text, note=note, created_by=user
    )


@transaction.atomic
def adopt_definition(version: DefinitionVersion, meeting: Meeting) -> DefinitionVersion:
    """Mark the version adopted at that meeting: only a meeting of the same démarche that has taken place."""
    version = DefinitionVersion.objects.select_for_update().get(pk=version.pk)
    if meeting.roadmap_id != version.roadmap_id:
        raise Refused(_("Cette réunion n'appartient pas à la même démarche."))
    if meeting.cancelled or meeting.starts_at > timezone.now():
        raise Refused(_("Une définition s'adopte lors d'une réunion qui a eu lieu."))
    version.adopted_at = meeting
    version.save(update_fields=["adopted_at"])
    return version
