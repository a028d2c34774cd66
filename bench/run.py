"""Run the bench scripts of bench/ and record their figures in bench/RESULTS.md.

    .venv/bin/python bench/run.py            # every bench/NAME.py            (make bench)
    .venv/bin/python bench/run.py chain      # bench/chain.py alone           (make bench only=chain)

Each script runs in its own process; its stdout is echoed and the lines `figure_name: value unit` are collected.
A full run rewrites RESULTS.md; a run of some scripts only replaces their sections and keeps the others.
A script that fails (non-zero exit, or no figure at all) makes this command exit with 1, after the others ran.
"""

from __future__ import annotations

import ast
import os
import platform
import re
import signal
import subprocess
import sys
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "RESULTS.md"
NOT_BENCHES = {"run", "harness", "__init__", "conftest"}

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.harness import parse_figure_line  # noqa: E402

HEADER = """# Résultats des bancs d'essai

Écrit par `make bench` (`bench/run.py`) : une section par script de `bench/`, avec la date et la machine de sa
dernière exécution ; `make bench only=NOM` ne remplace que la section de `NOM`. Les temps dépendent de la machine
et de sa charge : ne comparez que des mesures prises sur la même machine.
"""

TARGET_RE = re.compile(r"^\s*(<=|>=|==|<|>)\s*(\S+)\s*$")
TARGET_SYMBOLS = {"<=": "≤", ">=": "≥", "==": "=", "<": "<", ">": ">"}
VERDICTS = {True: "oui", False: "**non**", None: "?"}


@dataclass
class ScriptResult:
    name: str
    returncode: int
    figures: list[tuple[str, str, str]] = field(default_factory=list)
    targets: dict[str, str] = field(default_factory=dict)
    duration_s: float = 0.0
    load_average: float | None = None  # of the machine when the script started: timings are noisy under load

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and bool(self.figures)

    @property
    def status(self) -> str:
        if self.returncode != 0:
            return f"échec (code de sortie {self.returncode})"
        if not self.figures:
            return "échec (aucune mesure imprimée)"
        return "réussi"


# --------------------------------------------------------------------------------------------------------
# scripts and targets


def discover(folder: Path = BENCH_DIR) -> list[str]:
    """The bench names: every `NAME.py` of the folder but the runner, the harness and private modules."""
    return sorted(
        path.stem
        for path in folder.glob("*.py")
        if path.stem not in NOT_BENCHES and not path.stem.startswith(("_", "test_"))
    )


def read_targets(path: Path) -> dict[str, str]:
    """The script's module-level `TARGETS = {...}` literal, read without importing the script."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return {}
    for node in tree.body:
        value = None
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "TARGETS" for t in node.targets):
            value = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "TARGETS":
            value = node.value
        if value is not None:
            try:
                targets = ast.literal_eval(value)
            except ValueError:
                return {}
            if isinstance(targets, dict):
                return {str(k): str(v) for k, v in targets.items()}
    return {}


def target_label(target: str) -> str:
    match = TARGET_RE.match(target)
    return f"{TARGET_SYMBOLS[match[1]]} {match[2]}" if match else target


def check_target(name: str, target: str, figures: Mapping[str, float]) -> bool | None:
    """Whether figure `name` meets a target such as `<= 150` or `== other_figure`; None when it cannot be told."""
    match = TARGET_RE.match(target)
    if match is None or name not in figures:
        return None
    operator, right = match[1], match[2]
    try:
        bound = float(right)
    except ValueError:
        if right not in figures:
            return None
        bound = figures[right]
    value = figures[name]
    return {
        "<=": value <= bound,
        ">=": value >= bound,
        "==": value == bound,
        "<": value < bound,
        ">": value > bound,
    }[operator]


# --------------------------------------------------------------------------------------------------------
# RESULTS.md


def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = os.cpu_count() or 0
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} Gio de mémoire"
                break
    except (OSError, ValueError, IndexError):
        pass
    if not memory:
        try:
            memory = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 1024**3:.1f} Gio de mémoire"
        except (ValueError, OSError, AttributeError):
            memory = "mémoire inconnue"
    core_text = f"{cores} cœurs" if usable == cores else f"{cores} cœurs ({usable} utilisables)"
    return f"{cpu}, {core_text}, {memory}, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def render_section(result: ScriptResult, machine: str, when: datetime) -> str:
    values: dict[str, float] = {}
    order: list[str] = []
    units: dict[str, tuple[str, str]] = {}
    for name, value, unit in result.figures:
        if name not in values:
            order.append(name)
        values[name] = float(value)
        units[name] = (value, unit)
    lines = [
        f"## {result.name}",
        "",
        f"- Date : {when.astimezone(UTC):%Y-%m-%d %H:%M} UTC (durée {result.duration_s:.0f} s)",
        f"- Machine : {machine}",
        *([f"- Charge au départ (load average sur 1 min) : {result.load_average:.2f}"] if result.load_average else []),
        f"- Statut : {result.status}",
        "",
    ]
    if order:
        lines += ["| mesure | valeur | unité | cible | atteinte |", "|---|---:|---|---|---|"]
        for name in order:
            value, unit = units[name]
            target = result.targets.get(name)
            check = "" if target is None else VERDICTS[check_target(name, target, values)]
            lines.append(f"| `{name}` | {value} | {unit} | {target_label(target) if target else ''} | {check} |")
    else:
        lines.append("Aucune mesure.")
    return "\n".join(lines)


def split_sections(text: str) -> dict[str, str]:
    """The `## name` sections of a RESULTS.md, by name, in file order (the text before the first one is dropped)."""
    sections: dict[str, str] = {}
    current: str | None = None
    buffer: list[str] = []
    for line in text.splitlines():
        if line.startswith("## "):
            if current is not None:
                sections[current] = "\n".join(buffer).strip()
            words = line[3:].split()
            current = words[0] if words else ""
            buffer = [line]
        elif current is not None:
            buffer.append(line)
    if current is not None:
        sections[current] = "\n".join(buffer).strip()
    return sections


def merge_results(existing: str, new_sections: Mapping[str, str], *, keep: Collection[str] | None = None) -> str:
    """The new RESULTS.md: the header, then one section per script, sorted by name.

    The sections of `existing` stay unless replaced by `new_sections`; with `keep`, only the old sections
    named in it stay (a full run passes the scripts that still exist, dropping those of removed scripts).
    """
    sections = {name: text for name, text in split_sections(existing).items() if keep is None or name in keep}
    sections.update({name: text.strip() for name, text in new_sections.items()})
    body = "\n\n".join(sections[name] for name in sorted(sections))
    return f"{HEADER}\n{body}\n" if body else HEADER


# --------------------------------------------------------------------------------------------------------
# running

_current: subprocess.Popen[str] | None = None


def run_script(name: str, folder: Path = BENCH_DIR) -> ScriptResult:
    """Run `folder/NAME.py` in its own process, echoing its stdout and collecting its figures."""
    global _current
    path = folder / f"{name}.py"
    print(f"==> bench/{name}.py", file=sys.stderr, flush=True)
    result = ScriptResult(name=name, returncode=0, targets=read_targets(path), load_average=_load_average())
    start = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-u", str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True, encoding="utf-8"
    )
    _current = process
    try:
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            figure = parse_figure_line(line)
            if figure is not None:
                result.figures.append(figure)
        result.returncode = process.wait()
    except KeyboardInterrupt:
        # Ctrl-C reached the script too: let it stop its servers before leaving.
        process.wait(timeout=60)
        raise
    finally:
        _current = None
        result.duration_s = time.monotonic() - start
    if not result.ok:
        print(f"==> bench/{name}.py : {result.status}", file=sys.stderr, flush=True)
    return result


def _load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except (OSError, AttributeError):
        return None


def _forward_sigterm(signum: int, _frame: object) -> None:
    # The script turns SIGTERM into a clean exit that stops its servers; wait for it, then leave.
    process = _current
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None, *, folder: Path = BENCH_DIR, results_file: Path = RESULTS) -> int:
    names = list(sys.argv[1:] if argv is None else argv)
    available = discover(folder)
    unknown = [name for name in names if name not in available]
    if unknown:
        print(f"Banc(s) inconnu(s) : {', '.join(unknown)}. Disponibles : {', '.join(available)}", file=sys.stderr)
        return 2
    selected = names or available
    if not selected:
        print("Aucun banc d'essai dans bench/.", file=sys.stderr)
        return 2
    previous_handler = signal.signal(signal.SIGTERM, _forward_sigterm)
    try:
        results = _run_all(selected, names, available, folder, results_file)
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
    failed = [r for r in results if not r.ok]
    print(f"\nRésultats écrits dans {results_file}.", file=sys.stderr)
    if failed:
        print(f"Échec : {', '.join(f'{r.name} ({r.status})' for r in failed)}", file=sys.stderr)
        return 1
    return 0


def _run_all(
    selected: list[str], names: list[str], available: list[str], folder: Path, results_file: Path
) -> list[ScriptResult]:
    machine = machine_description()
    sections: dict[str, str] = {}
    results = []
    for name in selected:
        when = datetime.now(UTC)
        result = run_script(name, folder)
        results.append(result)
        sections[name] = render_section(result, machine, when)
        # Written after each script, so that an interrupted run keeps what it measured.
        existing = results_file.read_text(encoding="utf-8") if results_file.exists() else ""
        results_file.write_text(merge_results(existing, sections, keep=None if names else available), encoding="utf-8")
    return results


if __name__ == "__main__":
    sys.exit(main())
