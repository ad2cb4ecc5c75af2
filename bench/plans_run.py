"""``make bench``, indicator roll-ups: the roll-up page, its selector and the hand-written SQL of
the same aggregation at a country, a region and a district; written to docs/benchmarks-plans.md.

    python -m bench.plans_run [--scale 1] [--iterations 200] [--database-url URL]

A run of its own (after ``bench.run``, in the same data folder, which it empties again): the
3.6 million indicator values of scale factor 1 take minutes to load, and the list, 3W and
throughput measures neither need nor should wait for them. Nothing fails on time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .run import (
    OUTPUT_HELP,
    REPO,
    _create_database,
    _load_average,
    _step,
    follow_shell_database,
    machine_facts,
    prepare_environment,
)

__all__ = ["main"]

OUTPUT = REPO / "docs" / "benchmarks-plans.md"
OUTPUT_POSTGRESQL = REPO / "docs" / "benchmarks-plans-postgresql.md"
ROLLUP_MAX_RATIO = 1.5  # QUALITY.md, "Performance": roll-ups within 1.5× of raw SQL


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.plans_run", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--scale", type=float, default=1.0, help="scale factor (default 1)")
    parser.add_argument(
        "--iterations", type=int, default=200, help="timed calls per latency measure (default 200)"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="run against this PostgreSQL database instead of SQLite; it is emptied first, "
        "so its name must contain 'bench'",
    )
    parser.add_argument("--output", type=Path, default=None, help=OUTPUT_HELP)
    args = parser.parse_args(argv)
    follow_shell_database(args, OUTPUT, OUTPUT_POSTGRESQL)
    if args.scale <= 0 or args.iterations < 1:
        parser.error("--scale must be > 0 and --iterations ≥ 1")
    return args


def _ms(timings) -> str:
    return f"p50 {timings.p50:.2f} ms, p95 {timings.p95:.2f} ms"


def render(facts: dict[str, str], plans, levels, iterations: int) -> str:
    from .generate_plans import INDICATORS, YEARS

    rows = ["| measure | value | target (QUALITY.md) | result |", "|---|---|---|---|"]
    for level in levels:
        where = (
            f"{level.level} “{level.place.name}”, {level.reporting_places:,} places reporting, "
            f"{level.values:,} values in the year"
        )
        page = level.page
        rows.append(
            f"| Roll-up page `{page.path}` ({where}) | {_ms(page.timings)}; {page.queries} "
            f"queries, {page.size / 1024:,.0f} KB | — | — |"
        )
        met = "met" if level.ratio <= ROLLUP_MAX_RATIO else "**not met**"
        rows.append(
            f"| Selector `rollup_by_child()` ÷ hand-written SQL of the same aggregation, "
            f"{level.level}, p50 | {level.ratio:.2f}× (selector {_ms(level.selector)}; SQL "
            f"{_ms(level.raw)}) | ≤ {ROLLUP_MAX_RATIO:g}× | {met} |"
        )
    facts_text = "\n".join(f"- {key}: {value}" for key, value in facts.items())
    return f"""# Benchmarks: indicator roll-ups

Written by `make bench` (`python -m bench.plans_run`, after `python -m bench.run`, whose
results are in [benchmarks.md](benchmarks.md)); every run overwrites this file. Ratios and
percentiles from one run on one machine.

## Results

{chr(10).join(rows)}

## Machine and data

{facts_text}
- Indicator values: {plans.values:,} ({INDICATORS} monthly indicators × {YEARS} years, reported
  by each of the {plans.reporting_places:,} cities of the tree)

## Method

- The tree, users and organisations of `bench.run` (`bench/generate.py`) at the same scale,
  then one national strategy owned at the first country with {INDICATORS} monthly indicators
  (14 add up as sums, 3 as averages, 3 as latest values); every city of the tree reports each of
  them for each month of {YEARS} years (`bench/generate_plans.py`: inserted with
  `executemany`, secondary indexes dropped during the load and rebuilt after, the stored
  ancestor columns derived from the path as `save()` does).
- Measured for a summed indicator and the last full year, as the country's national
  coordinator, {iterations} calls each after a warm-up, alternated so that noise hits the
  compared calls alike: the page `/plans/indicators/<id>/?place=<id>&period=<year>` through
  the test client (the total, the split by child place, twelve months of history, the
  place picker), the selector `rollup_by_child()` on the user's scoped values, and the same
  aggregation written by hand — an equality on the stored ancestor column of the place's depth,
  grouped by the next one, within the user's subtree — checked to add up alike. At the
  district:

  ```sql
  {levels[-1].raw_sql}
  ```
- What the ratio says: the hand-written statement and the selector's send the same index seek
  (`value_at_<depth>`); the difference is Django building and compiling the queryset and
  converting the rows, a near-constant cost of about a millisecond that weighs little at a
  country (thousands of values) and dominates at a district (a few dozen).
"""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    prepare_environment(args)
    started = time.monotonic()
    load_at_start = _load_average()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bridgework.access.policy import sync_default_policy

    from .generate import generate
    from .generate_plans import generate_plans
    from .plans_scenarios import measure_rollups, rollup_levels

    if connection.vendor != "sqlite":
        if "bench" not in str(connection.settings_dict["NAME"]):
            print("refusing to empty a database whose name lacks 'bench'", file=sys.stderr)
            return 2
        _create_database(connection)
    _step(started, f"Migrating a fresh {connection.vendor} database")
    call_command("migrate", interactive=False, verbosity=0)
    if connection.vendor != "sqlite":
        call_command("flush", interactive=False, verbosity=0)
    sync_default_policy()
    _step(started, f"Generating scale factor {args.scale:g}")
    generating = time.monotonic()
    dataset = generate(args.scale)
    tree_seconds = time.monotonic() - generating
    _step(started, "Generating five years of monthly indicator values")
    generating = time.monotonic()
    plans = generate_plans(dataset.three_w_places["country"])
    values_seconds = time.monotonic() - generating
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    _step(started, f"  {plans.values:,} values in {values_seconds:.0f} s")

    _step(started, "Roll-up page, selector and hand-written SQL at three levels")
    levels = measure_rollups(
        dataset.coordinator, rollup_levels(dataset.three_w_places), plans, args.iterations
    )
    for level in levels:
        _step(
            started,
            f"  {level.level} ({level.values:,} values): page {level.page.timings}; "
            f"selector p50 {level.selector.p50:.2f} ms, SQL p50 {level.raw.p50:.2f} ms",
        )
    facts = machine_facts(args, "none (in process)", load_at_start)
    facts.pop("Load generator", None)
    facts["Load average (1, 5, 15 min)"] = f"at start {load_at_start}; at end {_load_average()}"
    facts["Data generation"] = (
        f"tree, users and organisations {tree_seconds:.0f} s; indicator values "
        f"{values_seconds:.0f} s"
    )
    report = render(facts, plans, levels, args.iterations)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    print(report.split("## Machine")[0])
    _step(started, f"Wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
