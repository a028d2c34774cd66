"""Onboarding workflows: deciding a join request, creating an organisation, its first territory and roadmap."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from onboarding.models import JoinRequest
from roadmap.models import Roadmap
from tenancy import actions as tenancy_actions
from tenancy.models import Invitation, Organization, Role, User
from territories.models import Commune, Territory

# A new roadmap covers the next six years, as the guide's examples do.
ROADMAP_YEARS = 6


class AlreadyDecided(Exception):
    """Another operator decided this request first."""


def operators_emails() -> list[str]:
    staff = User.objects.filter(is_staff=True, is_active=True).values_list("email", flat=True)
    return sorted(set(settings.OPERATOR_EMAILS) | set(staff))


def submit_join_request(join_request: JoinRequest, review_url: str) -> None:
    """Save the request, acknowledge it to the requester and tell the operators, once committed."""
    with transaction.atomic():
        join_request.save()
        context = {"join_request": join_request, "review_url": review_url}
        tenancy_actions.send_email_on_commit(
            _("Votre demande d'accès à Cap Partagé est bien reçue"),
            render_to_string("onboarding/email_received.txt", context),
            [join_request.email],
        )
        operators = operators_emails()
        if operators:
            tenancy_actions.send_email_on_commit(
                _("Nouvelle demande d'accès : %(name)s") % {"name": join_request.organization_name},
                render_to_string("onboarding/email_to_operators.txt", context),
                operators,
            )


def create_organization(
    name: str, kind: str, admin_email: str, invited_by: User | None, link_for: object
) -> tuple[Organization, Invitation]:
    """A new organisation and the invitation of its first administrateur (sent by e-mail once committed).

    `link_for(invitation)` gives the absolute link of the invitation (a request's host, or the command's base URL)."""
    with transaction.atomic():
        organization = Organization.objects.create(name=name, kind=kind)
        invitation = Invitation.objects.create(
            organization=organization,
            email=admin_email.strip().lower(),
            role=Role.ADMINISTRATEUR,
            invited_by=invited_by,
        )
        tenancy_actions.send_invitation(invitation, link_for(invitation))  # type: ignore[operator]
    return organization, invitation


def approve(join_request: JoinRequest, operator: User | None, link_for: object) -> Organization:
    """Create the requested organisation and invite the requester as its administrateur.

    `operator` is None when decided from the command line without naming one (`manage.py join_requests`)."""
    with transaction.atomic():
        locked = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
        if not locked.is_pending:
            raise AlreadyDecided
        organization, _invitation = create_organization(
            locked.organization_name, locked.organization_kind(), locked.email, operator, link_for
        )
        locked.status = JoinRequest.Status.APPROVED
        locked.organization = organization
        locked.decided_by = operator
        locked.decided_at = timezone.now()
        locked.save()
    return organization


def refuse(join_request: JoinRequest, operator: User | None, reason: str) -> None:
    with transaction.atomic():
        locked = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
        if not locked.is_pending:
            raise AlreadyDecided
        locked.status = JoinRequest.Status.REFUSED
        locked.decision_reason = reason.strip()
        locked.decided_by = operator
        locked.decided_at = timezone.now()
        locked.save()
        tenancy_actions.send_email_on_commit(
            _("Votre demande d'accès à Cap Partagé"),
            render_to_string("onboarding/email_refused.txt", {"join_request": locked}),
            [locked.email],
        )


def existing_territory(organization: Organization, communes: Iterable[Commune]) -> Territory | None:
    """The organisation's territory made of exactly these communes, if it has one already."""
    codes = {commune.pk for commune in communes}
    candidates = organization.territories.annotate(size=Count("communes")).filter(size=len(codes)).order_by("pk")
    for territory in candidates:
        if set(territory.communes.values_list("pk", flat=True)) == codes:
            return territory
    return None


def start_roadmap(territory: Territory) -> Roadmap:
    """An empty roadmap on the territory, for the next six years, ready for step 1.

    Another one on the same territory is numbered (« … — CC du Val (2) ») so that the two are told apart."""
    year = timezone.localdate().year
    title = _("Feuille de route d'inclusion numérique — %(name)s") % {"name": territory.name}
    others = territory.roadmaps.count()
    if others:
        title = f"{title} ({others + 1})"
    return Roadmap.objects.create(
        organization=territory.organization,
        territory=territory,
        title=title,
        period_start=year,
        period_end=year + ROADMAP_YEARS - 1,
    )


@transaction.atomic
def start_territory(
    organization: Organization, name: str, kind: str, communes: Iterable[Commune]
) -> tuple[Territory, Roadmap]:
    """The organisation's territory with its communes, and an empty roadmap on it, ready for step 1."""
    territory = Territory.objects.create(organization=organization, name=name, kind=kind)
    territory.communes.set(list(communes))
    return territory, start_roadmap(territory)
