import os
from pathlib import Path

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("cap_partage")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic work, run by Celery beat: `celery -A config worker -B` on one machine (`make run`), or one
# `celery -A config beat` process beside the workers in production (never two beats: each would send the tasks).
# Times are Paris time (CELERY_TIMEZONE).
app.conf.beat_schedule = {
    # What the « Données personnelles » page promises: kept for a limited time, then deleted.
    "purge-personal-data-nightly": {
        "task": "onboarding.tasks.purge_personal_data",
        "schedule": crontab(hour=3, minute=17),
    },
    # Invitees of a meeting less than 48 hours away get one reminder (projectgroup; idempotent, so hourly is fine).
    "remind-upcoming-meetings-hourly": {
        "task": "projectgroup.tasks.remind_upcoming_meetings",
        "schedule": crontab(minute=7),
    },
}
# Beat remembers the last runs in a file; under var/ (ignored by git) unless the environment says where.
app.conf.beat_schedule_filename = os.environ.get(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(Path(__file__).resolve().parent.parent / "var" / "celerybeat-schedule")
)
