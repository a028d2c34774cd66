"""The nightly purge of personal data past its retention, run by Celery beat (config/celery.py)."""

from __future__ import annotations

import logging

from celery import shared_task

from onboarding.retention import purge_personal_data as purge

logger = logging.getLogger(__name__)


@shared_task(time_limit=300, soft_time_limit=240)
def purge_personal_data() -> dict[str, int]:
    """Idempotent: a second run the same night finds nothing left to delete."""
    purged = purge()
    logger.info(
        "personal data purged: %s join request(s), %s failed login(s)", purged.join_requests, purged.login_failures
    )
    return {"join_requests": purged.join_requests, "login_failures": purged.login_failures}
