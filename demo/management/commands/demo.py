from typing import Any

from django.core.management.base import BaseCommand

from demo.data import DEMO_PASSWORD, DEMO_USERS, build_demo


class Command(BaseCommand):
    help = "Crée (ou complète) les données de démonstration ; peut être relancée sans risque."

    def handle(self, *args: Any, **options: Any) -> None:
        report = build_demo()
        self.stdout.write(self.style.SUCCESS("Démo prête."))
        for line in report:
            self.stdout.write(f"  {line}")
        self.stdout.write(f"\nComptes de démonstration (mot de passe commun : {DEMO_PASSWORD}) :")
        for email, organization, role in DEMO_USERS:
            self.stdout.write(f"  {email:38} {role:15} {organization}")
