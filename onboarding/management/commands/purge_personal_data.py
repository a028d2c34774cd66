"""Delete what the « Données personnelles » page says is kept for a limited time; run it daily (cron).

- decided join requests, a year after the decision;
- the log of failed logins (django-axes), after 30 days.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog
from django.core.management.base import BaseCommand
from django.utils import timezone

from onboarding.models import JoinRequest

JOIN_REQUEST_RETENTION = timedelta(days=365)
LOGIN_FAILURE_RETENTION = timedelta(days=30)


class Command(BaseCommand):
    help = "Efface les demandes d'accès décidées depuis plus d'un an et les échecs de connexion de plus de 30 jours."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        requests, _ = (
            JoinRequest.objects.exclude(status=JoinRequest.Status.PENDING)
            .filter(decided_at__lt=now - JOIN_REQUEST_RETENTION)
            .delete()
        )
        attempts, _ = AccessAttempt.objects.filter(attempt_time__lt=now - LOGIN_FAILURE_RETENTION).delete()
        failures, _ = AccessFailureLog.objects.filter(attempt_time__lt=now - LOGIN_FAILURE_RETENTION).delete()
        self.stdout.write(
            f"Demandes d'accès effacées : {requests} ; échecs de connexion effacés : {attempts + failures}"
        )
