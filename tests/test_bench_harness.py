"""The pure parts of the bench harness (bench/harness.py, bench/run.py): no server, no database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench import harness, run


class TestPercentile:
    def test_interpolates_between_closest_ranks_like_numpy(self):
        values = [15, 20, 35, 40, 50]
        assert harness.percentile(values, 0) == 15
        assert harness.percentile(values, 50) == 35
        assert harness.percentile(values, 100) == 50
        assert harness.percentile(values, 40) == pytest.approx(29.0)  # numpy.percentile(values, 40)
        assert harness.percentile(values, 95) == pytest.approx(48.0)

    def test_order_of_the_values_does_not_matter(self):
        assert harness.percentile([3.0, 1.0, 2.0], 50) == 2.0

    def test_p95_of_two_hundred_timings(self):
        timings = [float(ms) for ms in range(1, 201)]
        assert harness.percentile(timings, 95) == pytest.approx(190.05)

    def test_single_value(self):
        assert harness.percentile([7.5], 95) == 7.5

    @pytest.mark.parametrize(("values", "p"), [([], 50), ([1.0], -1), ([1.0], 101)])
    def test_rejects_what_has_no_percentile(self, values, p):
        with pytest.raises(ValueError):
            harness.percentile(values, p)


class TestFigureLines:
    @pytest.mark.parametrize(
        ("value", "unit", "line"),
        [
            (114.2, "ms", "chain_p95_ms: 114 ms"),
            (12.345, "ms", "chain_p95_ms: 12.35 ms"),
            (12.5, "ms", "chain_p95_ms: 12.5 ms"),
            (0.01234, "s", "chain_p95_ms: 0.0123 s"),
            (10, "queries", "chain_p95_ms: 10 queries"),
            (3.0, "s", "chain_p95_ms: 3 s"),
            (0, "", "chain_p95_ms: 0"),
        ],
    )
    def test_format(self, value, unit, line):
        assert harness.figure_line("chain_p95_ms", value, unit) == line

    def test_emit_prints_one_line_on_stdout(self, capsys):
        harness.emit("votes_lost", 0, "votes")
        harness.emit("vote_p95_ms", 41.256, "ms")
        assert capsys.readouterr().out == "votes_lost: 0 votes\nvote_p95_ms: 41.26 ms\n"

    @pytest.mark.parametrize("name", ["Chain", "chain p95", "p95:", "", "9lives"])
    def test_rejects_names_that_are_not_identifiers(self, name):
        with pytest.raises(ValueError):
            harness.figure_line(name, 1, "ms")

    @pytest.mark.parametrize("value", ["12", None, True, float("nan")])
    def test_rejects_values_that_are_not_finite_numbers(self, value):
        with pytest.raises((TypeError, ValueError)):
            harness.figure_line("x", value, "ms")

    @pytest.mark.parametrize(
        ("value", "unit"), [(114.2, "ms"), (0.000123, "s"), (10, "queries"), (-3.5, "%"), (2e-05, "s"), (5, "")]
    )
    def test_parse_reads_back_what_emit_prints(self, value, unit):
        line = harness.figure_line("roadmap_pdf_s", value, unit) + "\n"
        assert harness.parse_figure_line(line) == ("roadmap_pdf_s", harness.format_value(value), unit)

    @pytest.mark.parametrize(
        "line",
        [
            "Démo prête.",
            "  referente@dronne-belle.demo   administrateur",
            "[bench] -m gunicorn config.wsgi:application",
            "note: see the log",
            "Traceback (most recent call last):",
            "chain_p95_ms:114 ms",
        ],
    )
    def test_parse_ignores_other_output(self, line):
        assert harness.parse_figure_line(line) is None


class TestUrls:
    def test_local_socket_url_gets_another_database(self):
        url = "postgres://postgres@//work/main/var/postgres/cap_partage"
        assert (
            harness.database_url_for(url, "cap_bench_chain")
            == "postgres://postgres@//work/main/var/postgres/cap_bench_chain"
        )

    def test_server_url_keeps_credentials_port_and_options(self):
        url = "postgres://cap:secret@db.example:5433/cap_partage?sslmode=require"
        assert (
            harness.database_url_for(url, "cap_bench")
            == "postgres://cap:secret@db.example:5433/cap_bench?sslmode=require"
        )

    def test_rejects_names_that_would_need_quoting(self):
        with pytest.raises(ValueError):
            harness.database_url_for("postgres://h/db", "cap-bench; drop")

    def test_redis_url_gets_another_database_number(self):
        assert harness.redis_url_for("redis://127.0.0.1:6390/0", 15) == "redis://127.0.0.1:6390/15"
        assert harness.redis_url_for("redis://:pw@redis:6379", 15) == "redis://:pw@redis:6379/15"


def _result(name, figures, returncode=0, targets=None):
    return run.ScriptResult(name=name, returncode=returncode, figures=figures, targets=targets or {}, duration_s=12.3)


WHEN = datetime(2026, 11, 23, 19, 30, tzinfo=UTC)
MACHINE = "AMD EPYC, 2 cœurs, 23.4 Gio de mémoire, Python 3.11.7, Linux 6.1"


class TestResultsFile:
    def test_section_has_date_machine_status_and_one_row_per_figure(self):
        section = run.render_section(
            _result("chain", [("chain_p95_ms", "114", "ms"), ("chain_queries_small", "10", "queries")]), MACHINE, WHEN
        )
        assert section.startswith("## chain\n")
        assert "2026-11-23 19:30 UTC" in section
        assert MACHINE in section
        assert "réussi" in section
        assert "| `chain_p95_ms` | 114 | ms |" in section
        assert "| `chain_queries_small` | 10 | queries |" in section

    def test_section_checks_targets_against_numbers_and_other_figures(self):
        targets = {"chain_p95_ms": "<= 150", "chain_queries_large": "== chain_queries_small", "missing": "<= 1"}
        figures = [("chain_p95_ms", "151", "ms"), ("chain_queries_small", "10", "queries")]
        figures.append(("chain_queries_large", "10", "queries"))
        section = run.render_section(_result("chain", figures, targets=targets), MACHINE, WHEN)
        assert "| `chain_p95_ms` | 151 | ms | ≤ 150 | **non** |" in section
        assert "| `chain_queries_large` | 10 | queries | = chain_queries_small | oui |" in section
        assert "missing" not in section

    def test_failed_script_is_marked_and_keeps_the_figures_it_printed(self):
        section = run.render_section(_result("exports", [("fiche_pdf_s", "1.2", "s")], returncode=1), MACHINE, WHEN)
        assert "échec (code de sortie 1)" in section
        assert "| `fiche_pdf_s` | 1.2 | s |" in section
        assert "échec (aucune mesure" in run.render_section(_result("exports", []), MACHINE, WHEN)

    def test_running_one_script_replaces_its_section_and_keeps_the_others(self):
        old_chain = run.render_section(_result("chain", [("chain_p95_ms", "90", "ms")]), MACHINE, WHEN)
        workshops = run.render_section(_result("workshops", [("vote_p95_ms", "30", "ms")]), MACHINE, WHEN)
        existing = run.merge_results("", {"workshops": workshops, "chain": old_chain})
        new_chain = run.render_section(_result("chain", [("chain_p95_ms", "80", "ms")]), MACHINE, WHEN)

        merged = run.merge_results(existing, {"chain": new_chain})

        assert merged.startswith(run.HEADER)
        assert run.split_sections(merged) == {"chain": new_chain, "workshops": workshops}
        assert "| 90 |" not in merged
        assert merged.index("## chain") < merged.index("## workshops")  # sorted by name

    def test_merge_is_stable_when_nothing_changes(self):
        chain = run.render_section(_result("chain", [("chain_p95_ms", "90", "ms")]), MACHINE, WHEN)
        once = run.merge_results("", {"chain": chain})
        assert run.merge_results(once, {}) == once
        assert run.merge_results(once, {"chain": chain}) == once

    def test_full_run_drops_sections_of_scripts_that_no_longer_exist(self):
        existing = run.merge_results(
            "", {"chain": "## chain\n\nold", "gone": "## gone\n\nold", "exports": "## exports\n\nold"}
        )
        merged = run.merge_results(existing, {"chain": "## chain\n\nnew"}, keep={"chain", "exports"})
        assert list(run.split_sections(merged)) == ["chain", "exports"]
        assert run.split_sections(merged)["chain"] == "## chain\n\nnew"

    def test_hand_written_text_before_the_sections_is_replaced_by_the_header(self):
        merged = run.merge_results("# old title\n\nsome notes\n\n## chain\n\nx\n", {})
        assert merged == f"{run.HEADER}\n## chain\n\nx\n"


class TestScripts:
    def test_discovers_bench_scripts_but_not_the_runner_or_the_harness(self, tmp_path: Path):
        for name in ("run", "harness", "__init__", "_private", "chain", "exports"):
            (tmp_path / f"{name}.py").write_text("")
        (tmp_path / "RESULTS.md").write_text("")
        assert run.discover(tmp_path) == ["chain", "exports"]

    def test_chain_is_a_bench(self):
        assert "chain" in run.discover()

    def test_targets_are_read_without_importing_the_script(self, tmp_path: Path):
        script = tmp_path / "x.py"
        script.write_text('raise SystemExit("never run")\nTARGETS = {"a_ms": "<= 150", "b": "== a_ms"}\n')
        assert run.read_targets(script) == {"a_ms": "<= 150", "b": "== a_ms"}
        assert run.read_targets(run.BENCH_DIR / "chain.py")["chain_p95_ms"] == "<= 150"

    @pytest.mark.parametrize(
        ("target", "figures", "met"),
        [
            ("<= 150", {"x": 150.0}, True),
            ("<= 150", {"x": 150.5}, False),
            (">= 1", {"x": 0.5}, False),
            ("== y", {"x": 10.0, "y": 10.0}, True),
            ("== y", {"x": 11.0, "y": 10.0}, False),
            ("== y", {"x": 11.0}, None),
            ("about 3", {"x": 3.0}, None),
            ("<= 3", {}, None),
        ],
    )
    def test_check_target(self, target, figures, met):
        assert run.check_target("x", target, figures) is met

    def test_machine_description_names_cores_memory_and_python(self):
        text = run.machine_description()
        assert "cœurs" in text
        assert "Python 3." in text


class TestRunner:
    """bench/run.py on throwaway scripts (plain Python, no server): exit status and RESULTS.md."""

    @pytest.fixture
    def folder(self, tmp_path: Path) -> Path:
        (tmp_path / "fast.py").write_text(
            'TARGETS = {"a_ms": "<= 5"}\nprint("starting")\nprint("a_ms: 3 ms")\nprint("b_count: 12 rows")\n'
        )
        (tmp_path / "broken.py").write_text('print("c_s: 1.5 s", flush=True)\nraise SystemExit(3)\n')
        (tmp_path / "silent.py").write_text('print("nothing measured")\n')
        return tmp_path

    def test_a_failing_script_fails_the_run_after_the_others_ran(self, folder: Path, capsys):
        results = folder / "RESULTS.md"
        assert run.main([], folder=folder, results_file=results) == 1
        sections = run.split_sections(results.read_text())
        assert list(sections) == ["broken", "fast", "silent"]
        assert "réussi" in sections["fast"] and "| `a_ms` | 3 | ms | ≤ 5 | oui |" in sections["fast"]
        assert "| `b_count` | 12 | rows |" in sections["fast"]
        assert "échec (code de sortie 3)" in sections["broken"] and "| `c_s` | 1.5 | s |" in sections["broken"]
        assert "échec (aucune mesure" in sections["silent"]
        assert "a_ms: 3 ms\n" in capsys.readouterr().out  # figures are echoed as the scripts print them

    def test_running_one_script_keeps_the_sections_of_the_others(self, folder: Path):
        results = folder / "RESULTS.md"
        run.main([], folder=folder, results_file=results)
        before = run.split_sections(results.read_text())
        (folder / "fast.py").write_text('print("a_ms: 4 ms")\n')

        assert run.main(["fast"], folder=folder, results_file=results) == 0

        after = run.split_sections(results.read_text())
        assert after["broken"] == before["broken"] and after["silent"] == before["silent"]
        assert "| `a_ms` | 4 | ms |" in after["fast"]

    def test_an_unknown_script_is_refused(self, folder: Path):
        assert run.main(["nope"], folder=folder, results_file=folder / "RESULTS.md") == 2
        assert not (folder / "RESULTS.md").exists()
