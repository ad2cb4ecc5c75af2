"""``make bench``: generate a dataset, measure, print the table, write docs/benchmarks.md.

    python -m bench.run [--scale 1[,10]] [--seconds 10] [--iterations 200] [--database-url URL]

The run uses its own data folder (``var/bench``, a fresh SQLite file each run) and never the
developer's database: when ``DATABASE_URL`` (or ``--database-url``) names a PostgreSQL server,
a database of its own there (``<name>_bench``, emptied first), reported in
docs/benchmarks-postgresql.md. Nothing fails on time: the report says which targets were met.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from .serving import SQLITE_FILE, UNREACHED_RATE, sqlite_files

__all__ = ["main"]

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = REPO / "var" / "bench"
OUTPUT = REPO / "docs" / "benchmarks.md"
OUTPUT_POSTGRESQL = REPO / "docs" / "benchmarks-postgresql.md"
OUTPUT_HELP = "where to write the report (by default a file of its own on PostgreSQL)"
LOAD_AVERAGE = "Load average (1, 5, 15 min)"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--scale",
        type=_scales,
        default=(1.0,),
        help="scale factor: 1 is national scale (~11,000 places, 5,000 users, "
        "50,000 organisations, 100,000 people); a second one after a comma (1,10) then "
        "regenerates the data at that scale and reports the pages' p95 growth (SQLite only)",
    )
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="seconds of load per URL (default 10)"
    )
    parser.add_argument(
        "--iterations", type=int, default=200, help="timed calls per latency measure (default 200)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="split each URL's load into this many runs, rotated with the others (default 5)",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=4,
        help="concurrent clients during throughput runs (default 4)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--database-url",
        default=None,
        help="run against this PostgreSQL database instead of SQLite; it is "
        "emptied first, so its name must contain 'bench'",
    )
    parser.add_argument(
        "--no-wrk",
        action="store_true",
        help="use the built-in Python load generator even when wrk is installed",
    )
    parser.add_argument("--output", type=Path, default=None, help=OUTPUT_HELP)
    args = parser.parse_args(argv)
    follow_shell_database(args, OUTPUT, OUTPUT_POSTGRESQL)
    args.scale, args.growth_scale = args.scale[0], (args.scale[1:] or [None])[0]
    if args.growth_scale is not None and args.database_url:
        parser.error(
            "the growth run (a second --scale) regenerates a SQLite file: not on PostgreSQL "
            "(unset DATABASE_URL for it)"
        )
    if (
        args.scale <= 0
        or (args.growth_scale or 1) <= 0
        or args.seconds < 1
        or min(args.iterations, args.rounds) < 1
    ):
        parser.error("--scale must be > 0, --seconds ≥ 1, --iterations and --rounds ≥ 1")
    if min(args.connections, args.workers) < 1:
        parser.error("--connections and --workers must be ≥ 1")
    return args


def follow_shell_database(args: argparse.Namespace, sqlite_output: Path, postgresql_output: Path):
    """A run's database: ``--database-url``, else the shell's ``DATABASE_URL`` when it names a
    PostgreSQL server (in a database of the run's own, :func:`bench_database_url`), else a
    SQLite file; and its report, ``--output`` or the file of that database."""
    if args.database_url is None and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        args.database_url = bench_database_url(os.environ["DATABASE_URL"])
    if args.output is None:
        args.output = postgresql_output if args.database_url else sqlite_output


def bench_database_url(url: str) -> str:
    """The shell's PostgreSQL server, in a database of the run's own (``<name>_bench``): it is
    emptied first, so never the developer's own."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "bw"
    if "bench" not in name:
        name = f"{name}_bench"
    return urlunsplit(parts._replace(path=f"/{name}"))


def _scales(text: str) -> tuple[float, ...]:
    try:
        scales = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("one or two numbers, such as 1 or 1,10") from None
    if not 1 <= len(scales) <= 2:
        raise argparse.ArgumentTypeError("one or two numbers, such as 1 or 1,10")
    return scales


def _remove_sqlite_file() -> None:
    for path in sqlite_files(DATA_DIR / SQLITE_FILE):
        path.unlink(missing_ok=True)


def prepare_environment(args: argparse.Namespace) -> dict[str, str]:
    """Point settings at var/bench (deleting the last run's database) before Django starts."""
    (DATA_DIR / "static").mkdir(parents=True, exist_ok=True)  # STATIC_ROOT: whitenoise wants it
    _remove_sqlite_file()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bridgework.settings",
        BRIDGEWORK_DATA_DIR=str(DATA_DIR),
        BRIDGEWORK_BENCH="1",
        COLLECTSTATIC="0",  # plain static storage: whitenoise needs no manifest
        HTTPS="0",  # plain http on 127.0.0.1, whatever SECRET_KEY the shell exports
        # The API's rate limits (1,200 a minute a token) would answer 429 to most of a
        # throughput run: limits no run reaches, as for `make load` and `make faults`.
        API_RATE_PER_TOKEN=UNREACHED_RATE,
        API_RATE_PER_ADDRESS=UNREACHED_RATE,
    )
    os.environ.pop("DEBUG", None)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)  # SQLite unless asked, never the shell's database
    return dict(os.environ)


def _step(started: float, message: str) -> None:
    print(f"[{time.monotonic() - started:6.1f} s] {message}", flush=True)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def machine_facts(args: argparse.Namespace, load_tool: str, load_at_start: str) -> dict[str, str]:
    import django
    import gunicorn
    from django.db import connection

    if connection.vendor == "sqlite":
        database = f"SQLite {connection.Database.sqlite_version} (file in var/bench, WAL)"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "Date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "CPU": f"{os.cpu_count()} cores ({usable} usable), {_cpu_model()}",
        LOAD_AVERAGE: f"at start {load_at_start}; before throughput {_load_average()}",
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "Database": database,
        "gunicorn": gunicorn.__version__,
        "Load generator": load_tool,
        "Scale factor": f"{args.scale:g}",
    }


def _create_database(connection) -> None:
    """Create the PostgreSQL database named in --database-url when it does not exist yet."""
    name = connection.settings_dict["NAME"]
    with connection._nodb_cursor() as cursor:  # the maintenance database, as test runs do
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")


def _interrupt(signum, frame):
    raise KeyboardInterrupt  # so `finally` blocks stop the server on SIGTERM too


if TYPE_CHECKING:
    from .report import Growth


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    env = prepare_environment(args)
    started = time.monotonic()
    load_at_start = _load_average()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bridgework.access.policy import sync_default_policy

    from .actor_scenarios import measure_org_lists, measure_three_w
    from .generate import generate
    from .measure import wrk_version
    from .report import Results, render_report, render_table
    from .scenarios import (
        measure_deep_pages,
        measure_html_page,
        measure_list,
        measure_throughput,
    )

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
    generation_seconds = time.monotonic() - generating
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum would soon do after a bulk load: statistics, and the visibility map
            # that lets index-only scans (the 3W roll-up's) skip the table.
            cursor.execute("VACUUM ANALYZE")
    _step(
        started,
        f"  {dataset.places:,} places, {dataset.users:,} users, "
        f"{sum(dataset.assignments_by_role.values()):,} role assignments",
    )
    actors = dataset.actors
    _step(
        started,
        f"  {actors.organisations:,} organisations, {actors.areas:,} areas of work, "
        f"{actors.people:,} people, {actors.posts:,} posts",
    )

    _step(started, f"Places list query, ORM vs raw SQL, {args.iterations} calls each")
    list_latency = measure_list(dataset.coordinator, args.iterations)
    _step(started, f"  ORM {list_latency.orm}; raw {list_latency.raw}")
    _step(started, "Deep pages (keyset)")
    deep = measure_deep_pages(dataset.admin, args.iterations)
    _step(started, f"  ORM page 1 {deep.first}; page {deep.deep_page} {deep.deep}")
    _step(started, f"  raw page 1 {deep.first_raw}; page {deep.deep_page} {deep.deep_raw}")
    _step(started, "Places list HTML page in process")
    html_page, html_bytes = measure_html_page(dataset.coordinator, args.iterations)
    _step(started, f"  {html_page}, {html_bytes:,} bytes")
    _step(started, "Organisation directory, HTML page and API list in process")
    org_lists = measure_org_lists(dataset.coordinator, args.iterations)
    for page in (org_lists.html, org_lists.api):
        _step(
            started, f"  {page.path}: {page.timings}, {page.size:,} bytes, {page.queries} queries"
        )
    _step(started, "3W roll-up: page, selector and hand-written SQL at country, region, city")
    three_w = measure_three_w(dataset.coordinator, dataset.three_w_places, args.iterations)
    for level in three_w:
        _step(
            started,
            f"  {level.level} ({level.organisations:,} organisations): page {level.page.timings}"
            f"; selector p50 {level.selector.p50:.2f} ms, SQL p50 {level.raw.p50:.2f} ms",
        )

    use_wrk = not args.no_wrk and wrk_version() is not None
    load_tool = f"wrk {wrk_version()}" if use_wrk else "built-in Python client (http.client)"
    facts = machine_facts(args, load_tool, load_at_start)
    facts["Data generation"] = f"{generation_seconds:.0f} s (bulk_create in one transaction)"
    _step(started, f"Throughput against gunicorn ({load_tool}), {args.seconds:g} s a URL")
    log_path = DATA_DIR / "gunicorn.log"
    log_path.write_bytes(b"")
    throughput = measure_throughput(
        dataset.coordinator,
        visible_rows={"json": list_latency.visible_rows, "org_json": org_lists.visible_rows},
        env=env,
        cwd=REPO,
        log_path=log_path,
        seconds=args.seconds,
        rounds=args.rounds,
        connections=args.connections,
        workers=args.workers,
        use_wrk=use_wrk,
    )

    facts[LOAD_AVERAGE] += f"; at end {_load_average()}"
    results = Results(
        facts=facts,
        dataset=dataset,
        list_latency=list_latency,
        deep=deep,
        html_page=html_page,
        html_bytes=html_bytes,
        org_lists=org_lists,
        three_w=three_w,
        throughput=throughput,
        iterations=args.iterations,
        seconds=args.seconds,
    )
    if args.growth_scale is not None:
        results.growth = measure_growth(results, args, started)
    print()
    print(render_table(results))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render_report(results))
    _step(started, f"Wrote {args.output}")
    return 0


# The two scales' pages are measured by turns, this many times each: whatever else the shared
# machine runs meanwhile meets both alike (measured a quarter of an hour apart, they had
# grown by a fifth or more in pages whose work does not depend on the data at all).
GROWTH_ROUNDS = 4


def measure_growth(base, args: argparse.Namespace, started: float) -> Growth:
    """Generate the data at the growth scale in a second SQLite file, then time the in-process
    pages on both files by turns: their p95 at the larger scale ÷ at the first."""
    from django.core.management import call_command
    from django.db import connection

    from bridgework.access.policy import sync_default_policy

    from .generate import generate
    from .report import Growth

    _step(started, f"Growth: a second database at scale factor {args.growth_scale:g}")
    connection.close()
    first = _set_aside_sqlite_file()
    try:
        second = DATA_DIR / SQLITE_FILE
        _use_sqlite_file(second)
        call_command("migrate", interactive=False, verbosity=0)
        sync_default_policy()
        dataset = generate(args.growth_scale)
        _step(
            started, f"  {dataset.places:,} places, {dataset.actors.organisations:,} organisations"
        )
        _step(started, f"  Pages on both, by turns ({GROWTH_ROUNDS} rounds)")
        timings = _pages_by_turns(
            [(first, base.dataset), (second, dataset)],
            max(1, args.iterations // GROWTH_ROUNDS),
        )
        _use_sqlite_file(second)  # var/bench keeps the last data generated, as before
    finally:
        for path in sqlite_files(first):
            path.unlink(missing_ok=True)
    pages = []
    for name, old in timings[0].items():
        new = timings[1][name]
        _step(started, f"  {name}: p95 {old.p95:.2f} → {new.p95:.2f} ms")
        pages.append((name, old.p95, new.p95, old.cpu_p95, new.cpu_p95))
    return Growth(args.scale, args.growth_scale, pages, GROWTH_ROUNDS)


def _pages_by_turns(databases: list[tuple[Path, Any]], iterations: int) -> list[dict]:
    """Each database's pages (``growth_calls``, for its dataset's national coordinator) timed
    ``iterations`` times a round, the databases taking turns for ``GROWTH_ROUNDS`` rounds."""
    from .actor_scenarios import growth_calls
    from .measure import Timings, time_calls

    merged: list[dict[str, Timings]] = [{} for _ in databases]
    for _round in range(GROWTH_ROUNDS):
        for (path, dataset), into in zip(databases, merged, strict=True):
            _use_sqlite_file(path)
            calls = growth_calls(dataset.coordinator, dataset.three_w_places)
            for name, timings in time_calls(calls, iterations).items():
                kept = into.setdefault(name, Timings([], []))
                kept.samples.extend(timings.samples)
                kept.cpu_samples.extend(timings.cpu_samples)
    return merged


def _set_aside_sqlite_file() -> Path:
    """Move the database file out of the way (closed, so its log is checkpointed into it)."""
    aside = DATA_DIR / f"first-scale-{SQLITE_FILE}"
    for source, target in zip(
        sqlite_files(DATA_DIR / SQLITE_FILE), sqlite_files(aside), strict=True
    ):
        if source.exists():
            source.rename(target)
    return aside


def _use_sqlite_file(path: Path) -> None:
    """Point the default connection at another SQLite file of the same schema. The cache goes
    too: its users' access belongs to the other file's users."""
    from django.core.cache import cache
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = str(path)
    cache.clear()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; the server was stopped", file=sys.stderr)
        sys.exit(130)
