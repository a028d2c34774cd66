"""Workflows that touch several tenancy models."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenancy.models import Invitation, Membership, User


@transaction.atomic
def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Make `user` a member with the invited role; a second use of the link changes nothing."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    membership, created = Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    if invitation.accepted_at is None:
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return membership


def send_invitation(invitation: Invitation, accept_url: str) -> None:
    """Queue the invitation e-mail once the invitation is committed."""
    from tenancy.tasks import send_invitation_email

    send_invitation_email.delay_on_commit(invitation.pk, accept_url)  # type: ignore[attr-defined]  # not in celery-types yet


class LastAdministrator(Exception):
    """The person is the only administrateur of an organisation that still has members."""

    def __init__(self, organizations: list[str]) -> None:
        super().__init__(", ".join(organizations))
        self.organizations = organizations


def _check_not_last_administrator(user: User, memberships: list[Membership]) -> None:
    """Inside the transaction, with the memberships locked: nobody leaves an organisation without administrateur."""
    blocking = [
        m.organization.name
        for m in memberships
        if m.is_admin
        and not Membership.objects.filter(organization=m.organization).administrators().exclude(user=user).exists()
        and Membership.objects.filter(organization=m.organization).exclude(user=user).exists()
    ]
    if blocking:
        raise LastAdministrator(blocking)


@transaction.atomic
def leave_organization(membership: Membership) -> None:
    """The member leaves; what they wrote stays. Refused to the last administrateur of an organisation with others."""
    locked = list(
        Membership.objects.select_for_update()
        .filter(organization_id=membership.organization_id)
        .select_related("organization")
    )
    mine = [m for m in locked if m.pk == membership.pk]
    if not mine:
        return
    _check_not_last_administrator(membership.user, mine)
    mine[0].delete()


@transaction.atomic
def delete_account(user: User) -> None:
    """Erase the person's personal data and end their access. The row stays, anonymous, so that their contributions
    (an export, a budget line, a decision) keep an author, shown as « Ancien membre »."""
    from tenancy.models import FORMER_MEMBER_DOMAIN

    user = User.objects.select_for_update().get(pk=user.pk)
    memberships = list(Membership.objects.select_for_update().filter(user=user).select_related("organization"))
    _check_not_last_administrator(user, memberships)
    Membership.objects.filter(user=user).delete()
    Invitation.objects.filter(email=user.email, accepted_at__isnull=True).delete()
    user.email = f"{user.pk}{FORMER_MEMBER_DOMAIN}"
    user.full_name = str(_("Ancien membre"))
    user.function = ""
    user.structure = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    user.set_unusable_password()
    user.save()
    # Their two-factor devices are personal data too.
    from django_otp import devices_for_user

    for device in devices_for_user(user, confirmed=None):
        device.delete()


@transaction.atomic
def change_email(user: User, new_email: str) -> bool:
    """Set the confirmed new address, unless another account took it meanwhile (checked under the lock)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if User.objects.filter(email=new_email).exclude(pk=user.pk).exists():
        return False
    user.email = new_email
    user.save(update_fields=["email"])
    return True


def send_email_on_commit(subject: str, body: str, recipients: list[str]) -> None:
    """Queue an e-mail once the current transaction commits (at once outside of one)."""
    from tenancy.tasks import send_email

    send_email.delay_on_commit(str(subject), body, recipients)  # type: ignore[attr-defined]
