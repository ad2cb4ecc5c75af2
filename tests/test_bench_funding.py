"""``make bench``'s funding run stays alive: at a tiny scale, end to end (data, pages in
process, a gunicorn and its load, the report), in a data folder of its own. No figure is
checked: timing never decides a test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_funding_benchmark_runs_end_to_end(tmp_path):
    report = tmp_path / "benchmarks-funding.md"
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    result = subprocess.run(  # noqa: S603 (our own module, fixed arguments)
        [
            sys.executable,
            "-m",
            "bench.funding_run",
            "--scale",
            "0.002",
            "--iterations",
            "2",
            "--seconds",
            "1",
            "--rounds",
            "1",
            "--no-wrk",
            "--data-dir",
            str(tmp_path / "data"),
            "--output",
            str(report),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    text = report.read_text()
    assert "## Against Hypha (issue 9)" in text
    for path in ("/funding/applications/", "/api/applications?limit=50", "/funding/pipeline/"):
        assert f"`{path}`" in text
    assert "queries, 50 rows" in text  # the smallest run still lists a full page
    served = text.split("## On gunicorn", 1)[1].split("## Profile", 1)[0]
    rows = [line for line in served.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) == 4 and all(row.endswith("| 0 |") for row in rows)  # no error served


def test_on_postgresql_the_run_empties_a_database_of_its_own():
    from bench.run import bench_database_url

    assert (
        bench_database_url("postgres://postgres@127.0.0.1:5432/bw_fundperf")
        == "postgres://postgres@127.0.0.1:5432/bw_fundperf_bench"
    )
    assert bench_database_url("postgres://u@db/x_bench") == "postgres://u@db/x_bench"


def test_every_bench_run_follows_the_shell_s_database(monkeypatch):
    """``make bench`` runs on PostgreSQL when ``DATABASE_URL`` names one (issue 7), in a
    database of its own and into a report of its own; on SQLite otherwise; an explicit
    ``--database-url`` or ``--output`` wins."""
    import pytest

    from bench import funding_run, knowledge_run, plans_run, run

    shell = "postgres://postgres@127.0.0.1:5432/bridgework"
    own = "postgres://postgres@127.0.0.1:5432/bridgework_bench"
    for module in (run, plans_run, knowledge_run, funding_run):
        monkeypatch.setenv("DATABASE_URL", shell)
        args = module.parse_args([])
        assert args.database_url == own, module.__name__
        assert args.output == module.OUTPUT_POSTGRESQL != module.OUTPUT, module.__name__
        explicit = module.parse_args(["--database-url", "postgres://h/x_bench", "--output", "r"])
        assert (explicit.database_url, str(explicit.output)) == ("postgres://h/x_bench", "r")
        monkeypatch.delenv("DATABASE_URL")
        args = module.parse_args([])
        assert (args.database_url, args.output) == (None, module.OUTPUT), module.__name__
    monkeypatch.setenv("DATABASE_URL", shell)
    with pytest.raises(SystemExit):  # the growth run's second file is SQLite's
        run.parse_args(["--scale", "1,10"])
