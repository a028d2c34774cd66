"""Workflows that touch several tenancy models."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

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
