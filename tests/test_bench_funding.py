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
    from bench.funding_run import bench_database_url

    assert (
        bench_database_url("postgres://postgres@127.0.0.1:5432/bw_fundperf")
        == "postgres://postgres@127.0.0.1:5432/bw_fundperf_bench"
    )
    assert bench_database_url("postgres://u@db/x_bench") == "postgres://u@db/x_bench"
