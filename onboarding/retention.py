"""What the « Données personnelles » page says is kept for a limited time, and its deletion:

- decided join requests, a year after the decision;
- the log of failed logins (django-axes), after 30 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog
from django.utils import timezone

from onboarding.models import JoinRequest

JOIN_REQUEST_RETENTION = timedelta(days=365)
LOGIN_FAILURE_RETENTION = timedelta(days=30)


@dataclass(frozen=True)
class Purged:
    join_requests: int
    login_failures: int


def purge_personal_data() -> Purged:
    now = timezone.now()
    requests, _ = (
        JoinRequest.objects.exclude(status=JoinRequest.Status.PENDING)
        .filter(decided_at__lt=now - JOIN_REQUEST_RETENTION)
        .delete()
    )
    attempts, _ = AccessAttempt.objects.filter(attempt_time__lt=now - LOGIN_FAILURE_RETENTION).delete()
    failures, _ = AccessFailureLog.objects.filter(attempt_time__lt=now - LOGIN_FAILURE_RETENTION).delete()
    return Purged(join_requests=requests, login_failures=attempts + failures)
