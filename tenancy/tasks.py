from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from tenancy.models import Invitation


@shared_task(time_limit=60, soft_time_limit=50)
def send_invitation_email(invitation_id: int, accept_url: str) -> None:
    """Send the invitation link; an accepted or deleted invitation is left alone (safe to re-run)."""
    invitation = Invitation.objects.select_related("organization", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_usable:
        return
    with translation.override("fr"):
        subject = _("Invitation à rejoindre %(organization)s sur Cap Partagé") % {
            "organization": invitation.organization.name
        }
        body = render_to_string("tenancy/invitation_email.txt", {"invitation": invitation, "accept_url": accept_url})
    send_mail(subject, body, None, [invitation.email])
