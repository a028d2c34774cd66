"""The operators' join requests from a terminal: the pending ones, and the decision the back-office takes.

For an installation with no operator account yet (a fresh `make run`), or an operator without their phone:

    manage.py join_requests                                   # the pending requests, with their number
    manage.py join_requests --approve 12                      # create the organisation, invite the requester
    manage.py join_requests --refuse 12 --reason "Hors du champ du service."

Validating and refusing are the back-office's own actions (onboarding.actions.approve / refuse): same organisation,
same invitation, same e-mails. With --operator, the decision is also signed and logged in the back-office's history.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onboarding import actions
from onboarding.models import JoinRequest
from tenancy.models import Invitation, User


class Command(BaseCommand):
    help = (
        "Liste les demandes d'accès en attente ; --approve N les valide (organisation créée, demandeur invité comme "
        "administrateur), --refuse N --reason « … » les refuse, comme le back-office."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--approve", type=int, metavar="N", help="valide la demande n° N")
        parser.add_argument("--refuse", type=int, metavar="N", help="refuse la demande n° N (avec --reason)")
        parser.add_argument("--reason", default="", help="motif du refus, envoyé au demandeur")
        parser.add_argument(
            "--operator", default="", help="adresse e-mail de l'opérateur (staff) qui décide, pour l'historique"
        )
        parser.add_argument(
            "--base-url", default=settings.SITE_URL, help="adresse du service, pour le lien d'invitation"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        approve_id, refuse_id = options["approve"], options["refuse"]
        if approve_id is not None and refuse_id is not None:
            raise CommandError("Une décision à la fois : --approve ou --refuse, pas les deux.")
        if approve_id is None and refuse_id is None:
            if options["reason"]:
                raise CommandError("--reason accompagne --refuse N.")
            self._list()
            return
        operator = self._operator(options["operator"])
        if approve_id is not None:
            self._approve(self._pending(approve_id), operator, options["base_url"].rstrip("/"))
        else:
            reason = options["reason"].strip()
            if not reason:
                raise CommandError('Indiquez le motif du refus avec --reason "…" : le demandeur le recevra.')
            self._refuse(self._pending(refuse_id), operator, reason)

    def _list(self) -> None:
        pending = list(JoinRequest.objects.filter(status=JoinRequest.Status.PENDING).order_by("created_at"))
        if not pending:
            self.stdout.write("Aucune demande d'accès en attente.")
            return
        self.stdout.write(
            ngettext(
                "%(count)s demande d'accès en attente :",
                "%(count)s demandes d'accès en attente :",
                len(pending),
            )
            % {"count": len(pending)}
        )
        for request in pending:
            siren = f", SIREN {request.siren}" if request.siren else ""
            self.stdout.write(
                f"  n° {request.pk} — {request.organization_name} ({request.get_kind_display()}{siren}) ; "
                f"{request.full_name}, {request.function}, {request.email} ; "
                f"demandée le {formats.date_format(request.created_at, 'j F Y')}"
            )
            if request.message:
                self.stdout.write(f"      « {request.message[:300]} »")
        self.stdout.write('Pour décider : --approve N, ou --refuse N --reason "…".')

    def _operator(self, email: str) -> User | None:
        if not email:
            return None
        operator = User.objects.filter(email=email.strip().lower()).first()
        if operator is None or not operator.is_staff:
            raise CommandError(f"{email} n'est pas un compte opérateur (staff).")
        return operator

    def _pending(self, pk: int) -> JoinRequest:
        join_request = JoinRequest.objects.filter(pk=pk).first()
        if join_request is None:
            raise CommandError(f"Aucune demande d'accès n° {pk} (manage.py join_requests les liste).")
        if not join_request.is_pending:
            raise CommandError(self._already_decided(join_request))
        return join_request

    def _already_decided(self, join_request: JoinRequest) -> str:
        when = f" le {formats.date_format(join_request.decided_at, 'j F Y')}" if join_request.decided_at else ""
        return (
            f"La demande n° {join_request.pk} ({join_request.organization_name}) a déjà été traitée : "
            f"{str(join_request.get_status_display()).lower()}{when}."
        )

    def _approve(self, join_request: JoinRequest, operator: User | None, base_url: str) -> None:
        links: list[str] = []

        def link_for(invitation: Invitation) -> str:
            links.append(base_url + invitation.get_absolute_url())
            return links[-1]

        try:
            organization = actions.approve(join_request, operator, link_for)
        except actions.AlreadyDecided as error:
            join_request.refresh_from_db()
            raise CommandError(self._already_decided(join_request)) from error
        self._log(join_request, operator, _("Validée : organisation créée"))
        self.stdout.write(f"Demande n° {join_request.pk} validée : organisation « {organization.name} » créée.")
        self.stdout.write(f"Invitation de {join_request.email} (administrateur), envoyée par e-mail : {links[0]}")

    def _refuse(self, join_request: JoinRequest, operator: User | None, reason: str) -> None:
        try:
            actions.refuse(join_request, operator, reason)
        except actions.AlreadyDecided as error:
            join_request.refresh_from_db()
            raise CommandError(self._already_decided(join_request)) from error
        self._log(join_request, operator, _("Refusée : %(reason)s") % {"reason": reason})
        self.stdout.write(f"Demande n° {join_request.pk} refusée ; le motif est envoyé à {join_request.email}.")

    def _log(self, join_request: JoinRequest, operator: User | None, message: str) -> None:
        """In the back-office's history, as its « Valider ou refuser » does, when the operator is known."""
        if operator is not None:
            LogEntry.objects.log_actions(
                user_id=operator.pk,
                queryset=[join_request],
                action_flag=CHANGE,
                change_message=message,
                single_object=True,
            )
