import smtplib

from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tenancy.models import Invitation

# What a failed delivery looks like: the relay refused it or could not be reached.
SEND_ERRORS = (smtplib.SMTPException, OSError)


@shared_task(time_limit=60, soft_time_limit=50)
def send_invitation_email(invitation_id: int, accept_url: str) -> None:
    """Send the invitation link; an accepted or deleted invitation is left alone (safe to re-run). A failed send is
    recorded on the invitation, where the administrateur sees it on the members page."""
    invitation = Invitation.objects.select_related("organization", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_usable:
        return
    with translation.override("fr"):
        subject = _("Invitation à rejoindre %(organization)s sur Cap Partagé") % {
            "organization": invitation.organization.name
        }
        body = render_to_string("tenancy/invitation_email.txt", {"invitation": invitation, "accept_url": accept_url})
    try:
        send_mail(subject, body, None, [invitation.email])
    except SEND_ERRORS as error:
        Invitation.objects.filter(pk=invitation.pk).update(email_error=str(error)[:300] or error.__class__.__name__)
        return
    Invitation.objects.filter(pk=invitation.pk).update(email_sent_at=timezone.now(), email_error="")


@shared_task(time_limit=60, soft_time_limit=50, autoretry_for=SEND_ERRORS, retry_backoff=30, max_retries=3)
def send_email(subject: str, body: str, recipients: list[str]) -> None:
    """An e-mail already written (password reset, e-mail change, join request): retried when the relay fails."""
    send_mail(subject, body, None, recipients)
