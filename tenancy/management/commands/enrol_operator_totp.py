"""Give an operator (staff) the second factor the back-office requires, from the command line.

For the first operator of a fresh installation, who cannot reach the back-office yet, or for one who lost their
phone. It replaces their TOTP device and recovery codes, prints the provisioning URI with its QR code (to scan
with any authentication application) and ten single-use recovery codes. Print once, on a trusted terminal.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tenancy.models import User

RECOVERY_CODES = 10


class Command(BaseCommand):
    help = (
        "Active la double authentification (TOTP) d'un opérateur du back-office : affiche le lien otpauth:// et son "
        "QR code à scanner, et dix codes de secours."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="adresse e-mail du compte opérateur (staff)")
        parser.add_argument("--no-qr", action="store_true", help="n'affiche pas le QR code (le lien suffit)")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        user = User.objects.filter(email=email).first()
        if user is None:
            raise CommandError(f"Aucun compte avec l'adresse {email}.")
        if not user.is_staff:
            raise CommandError(f"{email} n'est pas un compte opérateur (staff) : le back-office lui reste fermé.")
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            device = TOTPDevice.objects.create(user=user, name="Application d'authentification", confirmed=True)
            recovery = StaticDevice.objects.create(user=user, name="Codes de secours", confirmed=True)
            codes = [StaticToken.random_token() for _n in range(RECOVERY_CODES)]
            StaticToken.objects.bulk_create([StaticToken(device=recovery, token=code) for code in codes])
        self.stdout.write(f"Double authentification activée pour {email}.")
        self.stdout.write("Ajoutez ce compte dans l'application d'authentification (lien ou QR code) :")
        self.stdout.write(device.config_url)
        if not options["no_qr"]:
            drawing = io.StringIO()
            segno.make(device.config_url, error="m").terminal(out=drawing, compact=True)
            self.stdout.write(drawing.getvalue())
        self.stdout.write("Codes de secours (un seul usage chacun, à garder hors du téléphone) :")
        for code in codes:
            self.stdout.write(f"  {code}")
