"""Create an organisation from the command line (scripted set-ups), as an operator's validation does.

    manage.py create_organization "CC Dronne et Belle" --kind epci --admin referente@example.fr \\
        --epci 200040392 --base-url https://cap.example.org
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from onboarding import actions
from tenancy.models import Invitation, Organization
from territories.models import Commune, Territory


class Command(BaseCommand):
    help = (
        "Crée une organisation et invite son premier administrateur ; "
        "avec --epci, son territoire et sa feuille de route."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="nom de l'organisation")
        parser.add_argument("--kind", choices=Organization.Kind.values, default=Organization.Kind.EPCI)
        parser.add_argument("--admin", required=True, help="adresse e-mail du premier administrateur")
        parser.add_argument("--epci", default="", help="SIREN de l'EPCI dont les communes forment le territoire")
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="adresse du service, pour le lien d'invitation"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            validate_email(options["admin"])
        except ValidationError as error:
            raise CommandError(f"Adresse e-mail non valable : {options['admin']}") from error
        communes: list[Commune] = []
        if options["epci"]:
            communes = list(Commune.objects.filter(epci_siren=options["epci"]))
            if not communes:
                raise CommandError(f"Aucune commune de l'EPCI {options['epci']} dans le référentiel (load_communes).")
        base = options["base_url"].rstrip("/")

        def link_for(invitation: Invitation) -> str:
            return base + invitation.get_absolute_url()

        organization, invitation = actions.create_organization(
            options["name"], options["kind"], options["admin"], None, link_for
        )
        self.stdout.write(f"Organisation créée : {organization.name} (/{organization.slug}/)")
        if communes:
            territory, roadmap = actions.start_territory(
                organization, communes[0].epci_name or organization.name, Territory.Kind.EPCI, communes
            )
            self.stdout.write(
                f"Territoire : {territory.name}, {len(communes)} communes ; feuille de route n° {roadmap.pk}"
            )
        self.stdout.write(f"Invitation de {invitation.email} (administrateur) : {link_for(invitation)}")
