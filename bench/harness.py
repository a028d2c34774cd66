"""Reusable pieces for the bench scripts of bench/ (run by `make bench`, see bench/run.py).

A bench script is a file `bench/NAME.py`, runnable alone (`.venv/bin/python bench/NAME.py`), that prints each
figure on its own line with `emit()` — `figure_name: value unit` — and writes everything else to stderr or to the
log files under var/bench/. It may declare its targets in a module-level literal, read by bench/run.py without
importing the script (see `run.check_target`)::

    TARGETS = {"chain_p95_ms": "<= 150", "chain_queries_large": "== chain_queries_small"}

A typical script::

    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench import harness  # noqa: E402

    def main() -> None:
        with harness.bench_database("mybench") as env:       # fresh database cap_bench_mybench, migrated
            from tenancy.models import User                   # Django is set up (production settings)
            harness.manage("demo")
            with harness.gunicorn_server(workers=2, env=env) as base_url:
                session = harness.logged_in_session(base_url, "referente@dronne-belle.demo", "CapPartage-2026")
                timings = harness.time_requests(session, {"health": f"{base_url}/sante/"}, rounds=200)
            harness.emit("health_p95_ms", harness.percentile(timings["health"], 95), "ms")

    if __name__ == "__main__":
        harness.run_main(main)

Servers are started on loopback with the production settings and a separate database (`cap_bench_<label>`,
dropped and recreated at each run, on the PostgreSQL server the project uses), a separate Redis database
(number 15) and a separate cache prefix; they are always stopped when their `with` block ends, even on failure.
Django itself is imported lazily, so bench/run.py and the unit tests can import this module without a database.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import requests

    from roadmap.models import Roadmap
    from tenancy.models import Organization, User

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"
BENCH_DB_PREFIX = "cap_bench"
BENCH_REDIS_DB = 15
BENCH_SECRET_KEY = "bench-only-secret-key-for-loopback-servers-never-used-in-production"
LOGIN_PATH = "/connexion/"

# `figure_name: value unit` — a lower-case identifier, a number, then an optional unit.
FIGURE_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
FIGURE_LINE_RE = re.compile(
    r"^(?P<name>[a-z][a-z0-9_]*): (?P<value>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?: (?P<unit>\S.*))?$"
)

__all__ = [
    "BENCH_VAR",
    "ROOT",
    "bench_database",
    "bench_env",
    "build_large_roadmap",
    "celery_worker",
    "count_queries",
    "database_url_for",
    "emit",
    "figure_line",
    "format_value",
    "free_port",
    "gunicorn_server",
    "logged_in_session",
    "manage",
    "parse_figure_line",
    "percentile",
    "recreate_database",
    "redis_url_for",
    "run_main",
    "time_requests",
]


# --------------------------------------------------------------------------------------------------------
# figures


def format_value(value: float) -> str:
    """A short, stable text for a figure: integers as such, floats with a precision that suits their size."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"a figure must be a number, not {value!r}")
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        raise ValueError(f"a figure must be finite, not {value!r}")
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    magnitude = abs(value)
    if magnitude >= 100:
        text = f"{value:.0f}"
    elif magnitude >= 1:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:.3g}"
    return "0" if text == "-0" else text


def figure_line(name: str, value: float, unit: str = "") -> str:
    """The line printed for one figure: `name: value unit` (no trailing space when there is no unit)."""
    if not FIGURE_NAME_RE.match(name):
        raise ValueError(f"figure names are lower-case identifiers (a-z, 0-9, _), not {name!r}")
    unit = unit.strip()
    if "\n" in unit:
        raise ValueError("a unit fits on one line")
    text = f"{name}: {format_value(value)}"
    return f"{text} {unit}" if unit else text


def emit(name: str, value: float, unit: str = "") -> None:
    """Print one figure on its own line of stdout (bench/run.py collects these lines)."""
    print(figure_line(name, value, unit), flush=True)


def parse_figure_line(line: str) -> tuple[str, str, str] | None:
    """(name, value, unit) of a line written by `emit`, or None for any other line."""
    match = FIGURE_LINE_RE.match(line.rstrip("\r\n"))
    if match is None:
        return None
    return match["name"], match["value"], (match["unit"] or "").strip()


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0–100) with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of an empty list")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be between 0 and 100, not {p}")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# --------------------------------------------------------------------------------------------------------
# environment and database


def database_url_for(url: str, name: str) -> str:
    """The same server URL with another database name (the last path segment), query string kept.

    Works for the local form `postgres://postgres@//abs/socket/dir/cap_partage` as for `postgres://u:p@h:5432/db`.
    """
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"not a plain database name: {name!r}")
    base, sep, query = url.partition("?")
    head, slash, _old = base.rpartition("/")
    if not slash or head.endswith(":/"):
        raise ValueError(f"no database name in {url!r}")
    return f"{head}/{name}{sep}{query}"


def redis_url_for(url: str, db: int) -> str:
    """The same Redis server with another database number."""
    base, sep, query = url.partition("?")
    scheme, _, rest = base.partition("://")
    host, _, _path = rest.partition("/")
    return f"{scheme}://{host}/{db}{sep}{query}"


def default_label() -> str:
    """The label of the running bench: the stem of the script being run (`chain` for bench/chain.py)."""
    stem = Path(sys.argv[0]).stem if sys.argv and sys.argv[0] else ""
    return stem if re.fullmatch(r"[a-z][a-z0-9_]*", stem) else "default"


def bench_env(label: str | None = None) -> dict[str, str]:
    """The environment of the bench processes (this one, gunicorn, celery): production settings on loopback.

    Without DATABASE_URL / REDIS_URL, uses the project's local servers that `make services` started.
    """
    label = label or default_label()
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from config import local_services

    base_database_url = os.environ.get("CAP_BENCH_SOURCE_DATABASE_URL") or local_services.configured_url("DATABASE_URL")
    base_redis_url = os.environ.get("CAP_BENCH_SOURCE_REDIS_URL") or local_services.configured_url("REDIS_URL")
    folder = BENCH_VAR / label
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        # Kept so that a second call in a child process still derives from the project's own servers.
        "CAP_BENCH_SOURCE_DATABASE_URL": base_database_url,
        "CAP_BENCH_SOURCE_REDIS_URL": base_redis_url,
        "DATABASE_URL": database_url_for(base_database_url, f"{BENCH_DB_PREFIX}_{label}"),
        "REDIS_URL": redis_url_for(base_redis_url, BENCH_REDIS_DB),
        "SECRET_KEY": BENCH_SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        # Plain HTTP on loopback: production settings would redirect every request to HTTPS.
        "SECURE_SSL_REDIRECT": "false",
        "CACHE_KEY_PREFIX": f"cap-bench-{label}",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "LOG_LEVEL": "WARNING",
        "CAP_BENCH_LABEL": label,
    }


def _connection_kwargs(url: str) -> dict[str, Any]:
    import environ

    config = environ.Env.db_url_config(url)
    kwargs: dict[str, Any] = {"dbname": config["NAME"]}
    for key, arg in (("USER", "user"), ("PASSWORD", "password"), ("HOST", "host"), ("PORT", "port")):
        if config.get(key):
            kwargs[arg] = config[key]
    kwargs.update(config.get("OPTIONS") or {})
    return kwargs


def recreate_database(url: str) -> None:
    """Drop (closing its connections) and create the database of `url`, through the server's `postgres` db."""
    import psycopg
    from psycopg import sql

    kwargs = _connection_kwargs(url)
    name = kwargs.pop("dbname")
    with psycopg.connect(dbname="postgres", autocommit=True, **kwargs) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def manage(*args: str, **options: Any) -> None:
    """`manage.py` command in this process (after `bench_database`); its output goes to stderr, not stdout."""
    from django.core.management import call_command

    options.setdefault("stdout", sys.stderr)
    call_command(*args, **options)


@contextlib.contextmanager
def bench_database(label: str | None = None, *, collectstatic: bool = True) -> Iterator[dict[str, str]]:
    """A fresh, migrated database `cap_bench_<label>`; sets up Django on it in this process; yields the env.

    The environment (`bench_env`) is also applied to `os.environ`, so the servers started inside the block
    use the same database, Redis and settings. The database is left in place at the end (for a look after
    a run); the next run drops it.
    """
    env = bench_env(label)
    os.environ.update(env)
    import django
    from django.apps import apps
    from django.conf import settings

    if apps.ready:
        if settings.DATABASES["default"]["NAME"] != _connection_kwargs(env["DATABASE_URL"])["dbname"]:
            raise RuntimeError("Django is already set up on another database in this process")
    recreate_database(env["DATABASE_URL"])
    django.setup()
    from django.db import connections

    Path(env["MEDIA_ROOT"]).mkdir(parents=True, exist_ok=True)
    try:
        manage("migrate", interactive=False, verbosity=0)
        if collectstatic:
            # Production settings use the manifest storage: templates need the collected manifest.
            manage("collectstatic", interactive=False, verbosity=0)
        yield env
    finally:
        connections.close_all()


# --------------------------------------------------------------------------------------------------------
# servers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _log_file(kind: str, env: Mapping[str, str]) -> Path:
    folder = BENCH_VAR / env.get("CAP_BENCH_LABEL", default_label()) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{kind}.log"


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(process: subprocess.Popen[bytes], grace_s: float) -> None:
    """SIGTERM, then SIGKILL to the process group we created for it if it is still there after `grace_s`."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _start(cmd: list[str], env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    print(f"[bench] {' '.join(cmd[1:])}  (log: {log.relative_to(ROOT)})", file=sys.stderr, flush=True)
    with log.open("ab") as out:
        return subprocess.Popen(
            cmd, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


@contextlib.contextmanager
def gunicorn_server(
    workers: int = 2,
    env: Mapping[str, str] | None = None,
    *,
    threads: int = 1,
    extra_args: Sequence[str] = (),
    start_timeout_s: float = 60.0,
) -> Iterator[str]:
    """gunicorn serving the project on a free loopback port, as in production; yields `http://127.0.0.1:PORT`.

    `env` defaults to `os.environ` (set by `bench_database`). The server is ready when `/sante/` answers 200.
    """
    import requests

    env = dict(env if env is not None else os.environ)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = _log_file("gunicorn", env)
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
        # gunicorn's control socket has one default path per user: concurrent bench servers would share it.
        "--no-control-socket",
        *extra_args,
    ]
    process = _start(cmd, env, log)
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}; log {log}:\n{_tail(log)}")
            try:
                if requests.get(f"{base_url}/sante/", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass  # not listening yet, or a worker still importing the project
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn not answering on {base_url} after {start_timeout_s:.0f}s:\n{_tail(log)}")
            time.sleep(0.1)
        yield base_url
    finally:
        _stop(process, grace_s=20)


@contextlib.contextmanager
def celery_worker(
    concurrency: int = 1,
    env: Mapping[str, str] | None = None,
    *,
    purge: bool = True,
    start_timeout_s: float = 60.0,
) -> Iterator[str]:
    """A real Celery worker on the bench Redis database; yields its node name once it answers a ping.

    Needs Django set up in this process (inside `bench_database`): the ping goes through the project's app.
    `purge` drops the messages left in the bench queue by an earlier, interrupted run.
    """
    env = dict(env if env is not None else os.environ)
    node = f"bench-{env.get('CAP_BENCH_LABEL', 'default')}-{os.getpid()}@{socket.gethostname()}"
    log = _log_file("celery", env)
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--loglevel=INFO",
        f"--concurrency={concurrency}",
        f"--hostname={node}",
        "--without-gossip",
        "--without-mingle",
        *(["--purge"] if purge else []),
    ]
    process = _start(cmd, env, log)
    try:
        from config.celery import app

        deadline = time.monotonic() + start_timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"celery worker exited with {process.returncode}; log {log}:\n{_tail(log)}")
            if app.control.ping(destination=[node], timeout=0.5):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"celery worker {node} not answering after {start_timeout_s:.0f}s:\n{_tail(log)}")
        yield node
    finally:
        _stop(process, grace_s=30)


# --------------------------------------------------------------------------------------------------------
# HTTP clients and measures


def logged_in_session(base_url: str, email: str, password: str, *, login_path: str = LOGIN_PATH) -> requests.Session:
    """A `requests` session logged in through the real login form (csrf cookie and token included)."""
    import requests

    session = requests.Session()
    login_url = f"{base_url}{login_path}"
    page = session.get(login_url, timeout=10)
    page.raise_for_status()
    token = session.cookies.get("csrftoken")
    if not token:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if found is None:
            raise RuntimeError(f"no csrf token on {login_url}")
        token = found[1]
    response = session.post(
        login_url,
        data={"username": email, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": login_url},
        allow_redirects=False,
        timeout=10,
    )
    if response.status_code != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"login as {email} failed on {login_url}: HTTP {response.status_code}")
    return session


def time_requests(
    session: requests.Session, urls: Mapping[str, str], *, rounds: int = 200, warmup: int = 20
) -> dict[str, list[float]]:
    """Sequential GETs, interleaved (one of each URL per round) so that load drifts hit every page alike.

    Returns the response times in milliseconds by key; any status other than 200 (redirects included) fails.
    """
    timings: dict[str, list[float]] = {key: [] for key in urls}
    for index in range(warmup + rounds):
        for key, url in urls.items():
            start = time.perf_counter()
            response = session.get(url, allow_redirects=False, timeout=30)
            elapsed_ms = (time.perf_counter() - start) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            if index >= warmup:
                timings[key].append(elapsed_ms)
    return timings


def count_queries(path: str, user: User) -> int:
    """SQL queries of one GET of `path` in this process (Django test client, logged in as `user`).

    One request is made first, so that one-off work (session updates) is not counted.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code} in process")
    return len(queries.captured_queries)


# --------------------------------------------------------------------------------------------------------
# data


_THEMES = [
    "l'accès aux démarches en ligne",
    "l'équipement des foyers modestes",
    "la couverture mobile des hameaux",
    "l'autonomie numérique des aînés",
    "la parentalité numérique",
    "la visibilité des lieux de médiation",
    "la formation des secrétaires de mairie",
    "l'inclusion des personnes en situation de handicap",
    "l'insertion professionnelle par le numérique",
    "la cybersécurité des petites communes",
]


def build_large_roadmap(
    organization: Organization,
    *,
    enjeux: int = 10,
    defis: int = 8,
    chantiers: int = 40,
    actions: int = 150,
    title: str = "Feuille de route du banc d'essai",
) -> Roadmap:
    """A roadmap of the given size in `organization`, built with bulk inserts (a few queries in all).

    Every défi answers two enjeux (every enjeu is answered when défis ≥ enjeux / 2), chantiers are spread
    evenly over the défis and answer their défi's enjeux, actions are spread evenly over the chantiers.
    Every text field of every element (descriptions, the fiche action's fields…) holds a short paragraph, as
    in a roadmap that is written out.
    """
    from django.db import models, transaction

    from roadmap.models import Action, Chantier, Defi, Enjeu, Roadmap
    from territories.models import Territory

    if actions and not chantiers:
        raise ValueError("actions need at least one chantier")

    text = (
        "Constat partagé en atelier avec les habitants et les partenaires : mairies, France services, "
        "associations, médiathèques. Les acteurs locaux sont associés dès le départ, un suivi est présenté "
        "chaque année au comité de pilotage et les résultats sont publiés."
    )

    def texts(model: type[models.Model]) -> dict[str, str]:
        return {f.name: text for f in model._meta.concrete_fields if isinstance(f, models.TextField)}

    with transaction.atomic():
        territory = Territory.objects.create(organization=organization, name=f"Territoire — {title}")
        roadmap = Roadmap.objects.create(
            organization=organization, territory=territory, title=title, period_start=2026, period_end=2030
        )
        common = {"organization": organization, "roadmap": roadmap}
        enjeu_objs = Enjeu.objects.bulk_create(
            Enjeu(
                **common,
                order=i + 1,
                question=f"Comment améliorer {_THEMES[i % len(_THEMES)]} sur tout le territoire (enjeu {i + 1}) ?",
                **texts(Enjeu),
            )
            for i in range(enjeux)
        )
        defi_objs = Defi.objects.bulk_create(
            Defi(**common, order=i + 1, title=f"Défi {i + 1} : agir sur {_THEMES[i % len(_THEMES)]}", **texts(Defi))
            for i in range(defis)
        )
        defi_enjeux = {d: sorted({d % enjeux, (d + defis) % enjeux}) if enjeux else [] for d in range(defis)}
        Defi.enjeux.through.objects.bulk_create(
            Defi.enjeux.through(defi_id=defi_objs[d].pk, enjeu_id=enjeu_objs[e].pk)
            for d, indexes in defi_enjeux.items()
            for e in indexes
        )
        per_defi: dict[int, int] = {}
        chantier_defi = []
        for c in range(chantiers):
            d = c * defis // chantiers if defis else -1
            per_defi[d] = per_defi.get(d, 0) + 1
            chantier_defi.append((d, per_defi[d]))
        chantier_objs = Chantier.objects.bulk_create(
            Chantier(
                **common,
                defi=defi_objs[d] if d >= 0 else None,
                order=order,
                title=f"Chantier {c + 1} : des permanences et des ressources pour {_THEMES[c % len(_THEMES)]}",
                **texts(Chantier),
            )
            for c, (d, order) in enumerate(chantier_defi)
        )
        Chantier.enjeux.through.objects.bulk_create(
            Chantier.enjeux.through(chantier_id=chantier_objs[c].pk, enjeu_id=enjeu_objs[e].pk)
            for c, (d, _order) in enumerate(chantier_defi)
            if d >= 0
            for e in defi_enjeux[d]
        )
        per_chantier: dict[int, int] = {}
        action_objs = []
        for a in range(actions):
            c = a * chantiers // actions
            per_chantier[c] = per_chantier.get(c, 0) + 1
            action_objs.append(
                Action(
                    **common,
                    chantier=chantier_objs[c],
                    order=per_chantier[c],
                    title=f"Action {a + 1} : organiser un rendez-vous régulier autour de {_THEMES[a % len(_THEMES)]}",
                    **texts(Action),
                )
            )
        Action.objects.bulk_create(action_objs)
    return roadmap


# --------------------------------------------------------------------------------------------------------
# entry point


def run_main(main: Callable[[], object]) -> None:
    """Run a bench's `main()`: SIGTERM unwinds the `with` blocks (servers stopped); any error exits with 1."""

    def _terminate(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _terminate)
    try:
        main()
    except KeyboardInterrupt:
        print("[bench] interrupted", file=sys.stderr)
        sys.exit(130)
    except SystemExit:
        raise
    except BaseException:
        import traceback

        traceback.print_exc()
        sys.exit(1)
