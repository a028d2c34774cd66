"""Writes of step 5 that touch several rows: publishing and withdrawing, « je m'en inspire », reports and their
moderation. Each is atomic; the checks that guard it run on the locked experience, so that a withdrawal that lands
while another organisation has the page open is seen by that organisation's next write."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from inspiration.models import Experience, Inspiration, Report, SiteVisit
from projectgroup.models import Meeting, MeetingKind
from roadmap.models import Action, Chantier, Defi, Roadmap
from tenancy.models import Membership, Organization, User


class Refused(Exception):
    """A write the current state does not allow; its message is shown to the person."""


def _locked_visible(experience_pk: int, organization: Organization) -> Experience:
    """The experience, locked, if `organization` may still read it (else 404: it was withdrawn meanwhile)."""
    found = Experience.objects.visible_to(organization).select_for_update(of=("self",)).filter(pk=experience_pk)
    experience = found.first()
    if experience is None:
        raise Http404
    return experience


@transaction.atomic
def publish(experience: Experience, user: User, on_behalf_of: Organization | None = None) -> Experience:
    experience = Experience.objects.select_for_update().get(pk=experience.pk)
    if on_behalf_of is not None and on_behalf_of.pk != experience.organization_id:
        # A hub publishes for a territory it accompanies: one its publisher belongs to.
        if not Membership.objects.filter(user=user, organization=on_behalf_of).exists():
            raise Refused(_("Vous ne pouvez publier que pour le compte d'une organisation dont vous êtes membre."))
    else:
        on_behalf_of = None
    experience.published_at = experience.published_at or timezone.now()
    experience.published_by = user
    experience.on_behalf_of = on_behalf_of
    experience.withdrawal_reason = ""
    experience.save(update_fields=["published_at", "published_by", "on_behalf_of", "withdrawal_reason", "updated_at"])
    return experience


@transaction.atomic
def withdraw(experience: Experience, reason: str = "") -> Experience:
    """Back to private: from now on a 404 for every other organisation, everywhere."""
    experience = Experience.objects.select_for_update().get(pk=experience.pk)
    experience.published_at = None
    experience.withdrawal_reason = reason
    experience.save(update_fields=["published_at", "withdrawal_reason", "updated_at"])
    return experience


def _source_note(experience: Experience) -> str:
    owner = experience.on_behalf_of or experience.organization
    return _("Inspiré de l'expérience « %(title)s » (%(territory)s, partagée par %(owner)s).") % {
        "title": experience.title,
        "territory": experience.territory_name,
        "owner": owner.name,
    }


@transaction.atomic
def inspire_chantier(
    experience_pk: int, organization: Organization, user: User, roadmap: Roadmap, defi: Defi | None
) -> Inspiration:
    """Copy the experience into a new chantier of `roadmap` (under `defi` if given)."""
    experience = _locked_visible(experience_pk, organization)
    parts = [_source_note(experience), experience.description]
    if experience.results:
        parts.append(_("Résultats obtenus là-bas : %(results)s") % {"results": experience.results})
    chantier = Chantier.objects.create(
        organization=organization,
        roadmap=roadmap,
        defi=defi,
        title=experience.title[:300],
        description="\n\n".join(p for p in parts if p),
    )
    return Inspiration.objects.create(
        organization=organization, experience=experience, roadmap=roadmap, chantier=chantier, created_by=user
    )


@transaction.atomic
def inspire_action(experience_pk: int, organization: Organization, user: User, chantier: Chantier) -> Inspiration:
    """Copy the experience into a new fiche action of `chantier`."""
    experience = _locked_visible(experience_pk, organization)
    action = Action.objects.create(
        organization=organization,
        roadmap=chantier.roadmap,
        chantier=chantier,
        title=experience.title[:300],
        description=experience.description,
        justification=_source_note(experience),
        expected_results=experience.results,
        target_publics=", ".join(experience.public_labels()),
    )
    return Inspiration.objects.create(
        organization=organization,
        experience=experience,
        roadmap=chantier.roadmap,
        chantier=chantier,
        action=action,
        created_by=user,
    )


@transaction.atomic
def report(experience_pk: int, organization: Organization, user: User, reason: str, comment: str) -> Report:
    experience = _locked_visible(experience_pk, organization)
    if not experience.is_published:
        raise Refused(_("Seule une expérience publiée dans le commun peut être signalée."))
    return Report.objects.create(
        organization=organization, experience=experience, reason=reason, comment=comment, reported_by=user
    )


def _notify_owner(experience: Experience, reason: str) -> None:
    admins = Membership.objects.filter(organization_id=experience.organization_id).administrators()
    recipients = list(admins.values_list("user__email", flat=True))
    if not recipients:
        return
    subject = _("Votre expérience « %(title)s » a été retirée du commun") % {"title": experience.title}
    body = _(
        "Bonjour,\n\nL'équipe de modération a retiré du commun l'expérience « %(title)s ». Elle reste visible de "
        "votre organisation, qui peut la corriger puis la publier de nouveau.\n\nMotif : %(reason)s\n"
    ) % {"title": experience.title, "reason": reason}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def _lock_open_report(report: Report) -> None:
    """The report, locked with its experience: still to handle, and the experience still in the commons. A report
    whose experience its owner took back (private again) or that was handled already moves nothing."""
    locked = (
        Report.objects.select_for_update(of=("self", "experience"))
        .select_related("experience")
        .filter(pk=report.pk)
        .first()
    )
    if locked is None or not locked.experience.is_published:
        raise Http404
    if locked.outcome != Report.Outcome.OPEN:
        raise Refused(_("Ce signalement a déjà été traité."))


@transaction.atomic
def unpublish_reported(report: Report, moderator: User, reason: str) -> Experience:
    """A moderator takes a reported experience out of the commons; the owner is told why (page and e-mail)."""
    if not reason.strip():
        raise Refused(_("Indiquez le motif du retrait : il sera transmis à l'organisation."))
    _lock_open_report(report)
    experience = withdraw(report.experience, reason.strip())
    Report.objects.filter(experience=experience, outcome=Report.Outcome.OPEN).update(
        outcome=Report.Outcome.UNPUBLISHED, handled_by=moderator, handled_at=timezone.now()
    )
    transaction.on_commit(lambda: _notify_owner(experience, reason.strip()))
    return experience


@transaction.atomic
def dismiss(report: Report, moderator: User) -> None:
    _lock_open_report(report)
    Report.objects.filter(pk=report.pk, outcome=Report.Outcome.OPEN).update(
        outcome=Report.Outcome.DISMISSED, handled_by=moderator, handled_at=timezone.now()
    )


@transaction.atomic
def create_visit(
    organization: Organization, roadmap: Roadmap, title: str, starts_at: Any, host_territory: str, place: str
) -> SiteVisit:
    """A site visit is a meeting of kind « visite » of step 1, with this step's fields beside it."""
    meeting = Meeting.objects.create(
        organization=organization,
        roadmap=roadmap,
        kind=MeetingKind.VISITE,
        title=title,
        starts_at=starts_at,
        place=place,
    )
    return SiteVisit.objects.create(organization=organization, meeting=meeting, host_territory=host_territory)


@transaction.atomic
def complete_visit_meeting(organization: Organization, meeting: Meeting) -> SiteVisit:
    """Step 5's fields for a visit planned in the démarche's calendar (a meeting of kind « visite »)."""
    visit, _created = SiteVisit.objects.get_or_create(
        organization=organization, meeting=meeting, defaults={"host_territory": meeting.place}
    )
    return visit


@transaction.atomic
def save_visit(visit: SiteVisit, data: dict[str, Any], report: str) -> SiteVisit:
    """The visit's fields, and its report as the meeting's minutes."""
    for name in ("objectives", "host_territory", "host_structure", "programme", "key_points"):
        setattr(visit, name, data[name])
    visit.save()
    visit.contacts_met.set(data["contacts_met"])
    visit.experiences.set(data["experiences"])
    Meeting.objects.filter(pk=visit.meeting_id).update(minutes=report, updated_at=timezone.now())
    return visit
