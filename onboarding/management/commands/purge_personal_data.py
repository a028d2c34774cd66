"""Delete what the « Données personnelles » page says is kept for a limited time (onboarding.retention).

Celery beat runs it every night (config/celery.py, task `onboarding.tasks.purge_personal_data`); this command is
the same purge by hand or from a cron where no beat runs.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from onboarding.retention import purge_personal_data


class Command(BaseCommand):
    help = "Efface les demandes d'accès décidées depuis plus d'un an et les échecs de connexion de plus de 30 jours."

    def handle(self, *args: Any, **options: Any) -> None:
        purged = purge_personal_data()
        self.stdout.write(
            f"Demandes d'accès effacées : {purged.join_requests} ; "
            f"échecs de connexion effacés : {purged.login_failures}"
        )
