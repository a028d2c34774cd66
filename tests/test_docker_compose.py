"""Static checks of the production docker-compose stack.

Nothing here needs Docker, a database or a running server.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"

_INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def _interpolate(value: str) -> str:
    """Resolve compose ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?error}`` as if VAR were unset/dummy."""

    def replace(match: re.Match[str]) -> str:
        op = match.group("op") or ""
        if op.endswith("-"):
            return match.group("arg")
        return f"dummy-{match.group('name').lower()}"

    return _INTERPOLATION.sub(replace, value)


def _compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(data, dict)
    return data


def _service(name: str) -> dict[str, Any]:
    services = _compose()["services"]
    assert name in services, f"service {name!r} missing from docker-compose.yml"
    service = services[name]
    assert isinstance(service, dict)
    return service


def _command(service: dict[str, Any]) -> str:
    command = service.get("command")
    assert command, "service has no command"
    return command if isinstance(command, str) else " ".join(str(part) for part in command)


def _environment(service: dict[str, Any]) -> dict[str, str]:
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    return {str(key): _interpolate(str(value)) for key, value in raw.items()}


def test_services_exist() -> None:
    services = _compose()["services"]
    assert {"postgres", "redis", "web", "worker"} <= set(services)


def test_images() -> None:
    assert str(_service("postgres")["image"]).startswith("postgres:16")
    assert str(_service("redis")["image"]).startswith("redis:7")


def test_web_runs_migrations_collectstatic_then_gunicorn() -> None:
    command = _command(_service("web"))
    assert "gunicorn" in command
    assert "config.wsgi:application" in command
    assert "0.0.0.0:8000" in command
    assert "migrate --noinput" in command
    assert "collectstatic --noinput" in command
    assert command.index("migrate") < command.index("gunicorn")
    assert command.index("collectstatic") < command.index("gunicorn")


def test_worker_runs_celery() -> None:
    command = _command(_service("worker"))
    assert command.split()[0] == "celery"
    assert "-A config" in command
    assert "worker" in command


@pytest.mark.parametrize("name", ["web", "worker"])
def test_app_services_get_settings_from_environment(name: str) -> None:
    env = _environment(_service(name))
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    for key in ("SECRET_KEY", "ALLOWED_HOSTS"):
        assert env.get(key), f"{name} lacks {key}"

    database = urlparse(env["DATABASE_URL"])
    assert database.scheme in {"postgres", "postgresql"}
    assert database.hostname == "postgres"

    redis = urlparse(env["REDIS_URL"])
    assert redis.scheme == "redis"
    assert redis.hostname == "redis"


@pytest.mark.parametrize("name", ["web", "worker"])
def test_app_services_share_media_volume(name: str) -> None:
    service = _service(name)
    assert _environment(service)["MEDIA_ROOT"] == "/app/var/media"
    mounts = [str(volume).split(":") for volume in service.get("volumes", [])]
    assert ["media", "/app/var/media"] in [mount[:2] for mount in mounts]


def test_postgres_data_volume() -> None:
    volumes = [str(volume).split(":")[:2] for volume in _service("postgres").get("volumes", [])]
    assert any(target == "/var/lib/postgresql/data" for _, target in volumes)
    declared = set(_compose().get("volumes") or {})
    assert {source for source, _ in volumes} <= declared
    assert "media" in declared


def test_exactly_one_beat_runs_the_schedule() -> None:
    # The nightly purge of personal data (config/celery.py) runs only if one scheduler is up; two would run it twice.
    services = _compose()["services"]
    commands = {name: _command(service).split() for name, service in services.items() if service.get("command")}
    beats = [name for name, words in commands.items() if "beat" in words or "-B" in words]
    assert beats == ["beat"], beats
    assert commands["beat"][:4] == ["celery", "-A", "config", "beat"]
