"""Static checks of the production docker-compose stack, and of config.local_services' env handling.

Nothing here needs Docker, a database or a running server.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import environ
import pytest
import yaml

from config import local_services

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


# --- config.local_services: environment URLs win, nothing is started -----------------------------------


def test_local_services_return_environment_urls_untouched(monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_start(*args: object, **kwargs: object) -> str:
        raise AssertionError("a local server was started although the URL is in the environment")

    monkeypatch.setattr(local_services, "_pg_ensure", must_not_start)
    monkeypatch.setattr(local_services, "_redis_ensure", must_not_start)
    database = "postgres://cap:s3cret@db.example.org:5433/cap_partage?sslmode=require"
    redis = "redis://:pw@cache.example.org:6380/2"
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("REDIS_URL", redis)

    assert local_services.database_url() == database
    assert local_services.redis_url() == redis


def test_local_database_url_parses_to_socket_host() -> None:
    socket_dir = Path("/srv/some dir+x/var/postgres")
    info = local_services._PgInfo(pid=1, socket_dir=socket_dir, port=5432, status="ready")

    config = environ.Env.db_url_config(local_services._pg_url(info))

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["HOST"] == str(socket_dir)
    assert config["NAME"] == local_services.PG_DATABASE
    assert config["USER"] == local_services.PG_USER
