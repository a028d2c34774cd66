"""A worker killed with SIGKILL in the middle of an export strands nothing: once a worker is back, the job is marked
failed, with a retry, within two minutes (not at the broker's hour-long visibility timeout). With a real Celery
worker process, killed for real."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from documents import tasks
from documents.actions import retry_export
from documents.models import ExportJob
from tests.conftest import Tenant
from tests.factories import ActionFactory, ChantierFactory
from tests.roadmap.factories import ExportJobFactory
from tests.roadmap.richdata import rich_roadmap

ROOT = Path(__file__).resolve().parents[2]


def test_the_sweep_fails_only_jobs_whose_worker_stopped_beating(db: None, tenant_a: Tenant) -> None:
    now = timezone.now()
    silent = ExportJobFactory(roadmap=tenant_a.roadmap, status=ExportJob.Status.RUNNING, file="")
    beating = ExportJobFactory(roadmap=tenant_a.roadmap, status=ExportJob.Status.RUNNING, file="")
    waiting = ExportJobFactory(roadmap=tenant_a.roadmap, status=ExportJob.Status.PENDING, file="")
    ExportJob.objects.filter(pk__in=[silent.pk, waiting.pk]).update(updated_at=now - timedelta(minutes=1))
    assert tasks.sweep_stranded_jobs() == 1
    silent.refresh_from_db()
    assert silent.status == ExportJob.Status.FAILED and silent.can_retry
    assert "s'est arrêté" in silent.error
    for job in (beating, waiting):
        job.refresh_from_db()
        assert job.status != ExportJob.Status.FAILED


@pytest.mark.django_db(transaction=True)  # the beat comes from another thread, hence another connection
def test_a_running_export_beats(tenant_a: Tenant) -> None:
    job = ExportJobFactory(roadmap=tenant_a.roadmap, status=ExportJob.Status.RUNNING, file="")
    ExportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    with tasks.heartbeat(job.pk, every=0.05):
        time.sleep(0.3)
    job.refresh_from_db()
    assert timezone.now() - job.updated_at < timedelta(seconds=5)


def _worker_env(queue: str) -> dict[str, str]:
    from bench.harness import database_url_for
    from config import local_services

    base = os.environ.get("DATABASE_URL") or local_services.configured_url("DATABASE_URL")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        # The worker reads and writes the database of this test (committed rows: transactional_db).
        "DATABASE_URL": database_url_for(base, settings.DATABASES["default"]["NAME"]),
        "CONN_MAX_AGE": "0",
    }


@contextmanager
def _worker(queue: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker (prefork, one child) on a queue of its own, in its own process group."""
    from config.celery import app

    node = f"{queue}@localhost"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=1", "-Q", queue,
             f"--hostname={node}", "--without-gossip", "--without-mingle", "--loglevel=INFO"],
            cwd=ROOT, env=_worker_env(queue), stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[node], timeout=0.5):
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _wait_for(predicate: Any, timeout: float, step: float = 0.01) -> float:
    start = time.monotonic()
    while not predicate():
        assert time.monotonic() - start < timeout
        time.sleep(step)
    return time.monotonic() - start


@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # send_task goes to the real worker
def test_an_export_whose_worker_is_killed_is_marked_failed_with_a_retry(tenant_a: Tenant, tmp_path: Path) -> None:
    from config.celery import app

    roadmap = tenant_a.roadmap
    rich_roadmap(roadmap)
    chantier = ChantierFactory(roadmap=roadmap)
    for i in range(12):  # long enough to be caught running; fewer than the fiches rendered in parts
        ActionFactory(roadmap=roadmap, chantier=chantier, title=f"Action {i}", description="Texte. " * 400)
    job = ExportJobFactory(roadmap=roadmap, kind="roadmap_pdf", status=ExportJob.Status.PENDING, file="")
    queue = f"issue12-{os.getpid()}"
    log = tmp_path / "worker.log"

    with _worker(queue, log) as first:
        app.send_task("documents.tasks.run_export", args=[job.pk], queue=queue)
        _wait_for(lambda: ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.RUNNING, timeout=60)
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its child, mid-export, as the kernel's OOM killer would
        first.wait(timeout=10)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.RUNNING  # stranded: nobody is left to say so

    killed_at = time.monotonic()
    with _worker(queue, log):
        _wait_for(lambda: ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.FAILED, timeout=120, step=1)
    assert time.monotonic() - killed_at < 120
    job.refresh_from_db()
    assert job.can_retry and "s'est arrêté" in job.error
    retry_export(job)  # the page's « Réessayer »: produced this time (inline here, as tests run tasks)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
