"""``make load``: a bounded mixed load at a share of measured capacity, against gunicorn.

    python -m bench.load [--seconds 600] [--capacity-seconds 30] [--share 0.6] [--users 12]
                         [--workers 3] [--scale 1] [--database-url URL]

Builds the benchmark's dataset (:mod:`bench.generate`) in its own database, starts gunicorn on
a free port of 127.0.0.1, then runs Locust (:mod:`bench.locustfile`) twice, headless and
self-stopping: once with no pause between requests, to measure capacity (requests/s), then
at ``--share`` of that capacity for ``--seconds`` (default ``LOAD_SECONDS`` or 600). It prints
errors and p50/p95/p99 for each kind of request and writes them into docs/load.md, in the
section of the database it ran on. The target (QUALITY.md) is 0 errors and p95 < 100 ms; the
exit code is 1 when any request failed.

Without ``--database-url`` it runs on SQLite, then — when ``DATABASE_URL`` names PostgreSQL —
again on that server in a database of its own (``bw_load``, emptied first).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from .measure import HOST, gunicorn_server
from .serving import REPO, derived_database_url, fresh_database, prepare_environment, step

__all__ = ["main"]

DATA_DIR = REPO / "var" / "load"
OUTPUT = REPO / "docs" / "load.md"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
P95_TARGET_MS = 100.0
AGGREGATED = "Aggregated"  # Locust's name for the all-requests row


def _default_seconds() -> float:
    return float(os.environ.get("LOAD_SECONDS", "600"))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=_default_seconds(),
        help="length of the load run (default LOAD_SECONDS or 600)",
    )
    parser.add_argument(
        "--capacity-seconds", type=float, default=60.0, help="length of the capacity run"
    )
    parser.add_argument(
        "--share", type=float, default=0.6, help="share of capacity to load at (default 0.6)"
    )
    parser.add_argument(
        "--users", type=int, default=12, help="simulated coordinators signed in at once"
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="dataset scale factor (see make bench)"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="run on this PostgreSQL database only; it is emptied first, so its name must "
        "contain 'load'",
    )
    parser.add_argument("--sqlite", action="store_true", help="run on SQLite only")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="the report to update")
    args = parser.parse_args(argv)
    if not (5 <= args.seconds <= 3600 and 10 <= args.capacity_seconds <= 600):
        parser.error("--seconds must be 5..3600 and --capacity-seconds 10..600")
    if not 0 < args.share <= 1 or min(args.users, args.workers) < 1 or args.scale <= 0:
        parser.error("--share must be in (0, 1], --users and --workers ≥ 1, --scale > 0")
    return args


# --- The plan the simulated people follow -----------------------------------------------------


def build_plan(dataset, people: int, plan_path: Path) -> int:
    """Give national coordinators a password and an API token, and pick what each reads:
    organisations they may see and 3W places of their country. Returns how many people."""
    from django.contrib.auth.hashers import make_password

    from bridgework.access.actions import do_create_api_token
    from bridgework.access.models import RoleAssignment, User
    from bridgework.actors.models import Organisation
    from bridgework.places.models import Place

    password = secrets.token_urlsafe(18)
    assignments = list(
        RoleAssignment.objects.filter(role__slug="national_coordinator")
        .select_related("user", "place")
        .order_by("pk")[:people]
    )
    User.objects.filter(pk__in=[a.user_id for a in assignments]).update(
        password=make_password(password)
    )
    plan = []
    for assignment in assignments:
        user, country = assignment.user, assignment.place
        _token, secret = do_create_api_token(user=user, name="make load")
        organisations = list(
            Organisation.objects.visible_to(user).order_by("pk").values_list("pk", flat=True)[:500]
        )
        region = Place.objects.filter(parent=country).order_by("pk").first()
        city = (
            Place.objects.filter(parent__parent=region).order_by("pk").first() if region else None
        )
        plan.append(
            {
                "email": user.email,
                "token": secret,
                "organisations": organisations[::5] or organisations,
                "three_w": [_three_w_path(p) for p in (country, region, city) if p is not None],
                "write_place": country.pk,
            }
        )
    plan_path.write_text(json.dumps({"password": password, "people": plan}))
    plan_path.chmod(0o600)
    return len(plan)


def _three_w_path(place) -> str:
    """The 3W address as the page itself writes it (the place's code, not its number), so
    the load measures the page and not a redirect to it."""
    from django.http import QueryDict

    from bridgework.places.selectors import place_reference

    query = QueryDict(mutable=True)
    query["place"] = place_reference(place)
    return f"/actors/3w/?{query.urlencode()}"


# --- Locust ----------------------------------------------------------------------------------


@dataclass
class Kind:
    """One row of Locust's statistics: a kind of request, or all of them (``Aggregated``)."""

    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


@dataclass
class Run:
    seconds: float
    kinds: list[Kind]
    failures: list[str]
    steady_rps: float  # requests/s over the second half, once every user has signed in

    @property
    def total(self) -> Kind:
        return next(kind for kind in self.kinds if kind.name == AGGREGATED)


def run_locust(port: int, *, users: int, rate: float, seconds: float, plan: Path, csv_prefix: Path):
    """One headless Locust run, stopped by Locust itself after ``seconds`` (and by a timeout
    here should it hang). ``rate`` is each user's requests/s; 0 means no pause."""
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        f"http://{HOST}:{port}",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{round(seconds)}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(csv_prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    env = {**os.environ, "LOAD_PLAN": str(plan), "LOAD_RATE": f"{rate:.6f}"}
    started = time.monotonic()
    log = Path(f"{csv_prefix}.log")
    with log.open("wb") as output:
        done = subprocess.run(  # noqa: S603  (fixed argv, no shell)
            cmd, env=env, cwd=REPO, timeout=seconds + 120, stdout=output, stderr=output
        )
    if done.returncode != 0:
        raise RuntimeError(f"Locust exited with {done.returncode}; see {log}")
    return Run(
        seconds=time.monotonic() - started,
        kinds=read_stats(Path(f"{csv_prefix}_stats.csv")),
        failures=read_failures(Path(f"{csv_prefix}_failures.csv")),
        steady_rps=steady_rps(Path(f"{csv_prefix}_stats_history.csv")),
    )


def read_stats(path: Path) -> list[Kind]:
    with path.open(newline="") as handle:
        return [
            Kind(
                name=row["Name"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                rps=float(row["Requests/s"]),
                p50=float(row["50%"]),
                p95=float(row["95%"]),
                p99=float(row["99%"]),
            )
            for row in csv.DictReader(handle)
        ]


def steady_rps(path: Path) -> float:
    """Requests/s over the second half of a run, from Locust's per-second history: the first
    seconds go to every user signing in at once (password hashing is slow on purpose), which
    would understate what the server answers in the steady state."""
    with path.open(newline="") as handle:
        rows = [
            (int(row["Timestamp"]), int(row["User Count"]), int(row["Total Request Count"]))
            for row in csv.DictReader(handle)
            if row["Name"] == AGGREGATED
        ]
    users = max(count for _at, count, _requests in rows)
    running = [(at, requests) for at, count, requests in rows if count == users]
    middle = running[0][0] + (running[-1][0] - running[0][0]) / 2
    second_half = [(at, requests) for at, requests in running if at >= middle]
    (first_at, first), (last_at, last) = second_half[0], second_half[-1]
    if last_at <= first_at:
        raise RuntimeError(f"too short a run to measure a steady rate: {path}")
    return (last - first) / (last_at - first_at)


def read_failures(path: Path) -> list[str]:
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return [
            f"{row['Occurrences']}× {row['Method']} {row['Name']}: {row['Error']}"
            for row in csv.DictReader(handle)
        ]


# --- The report ------------------------------------------------------------------------------


def _load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def _verdict(total: Kind) -> str:
    errors = "met" if total.failures == 0 else "**not met**"
    p95 = "met" if total.p95 < P95_TARGET_MS else "**not met**"
    return f"errors: {total.failures} ({errors}); p95: {total.p95:.0f} ms ({p95})"


def render_section(facts: dict[str, str], capacity: Run, load: Run, target_rps: float) -> str:
    lines = [f"Run {facts['Date']}.", ""]
    lines += [f"- {name}: {value}" for name, value in facts.items() if name != "Date"]
    lines += [
        f"- Capacity: {capacity.steady_rps:.1f} req/s with no pause between requests, over the "
        f"second half of a {capacity.seconds:.0f} s run (after the first sign-ins; "
        f"{capacity.total.requests:,} requests, {capacity.total.failures} errors, "
        f"p95 {capacity.total.p95:.0f} ms)",
        f"- Load: aimed at {target_rps:.1f} req/s, reached {load.total.rps:.1f} req/s "
        f"for {load.seconds:.0f} s ({load.total.requests:,} requests)",
        f"- Target (0 errors, p95 < {P95_TARGET_MS:.0f} ms): {_verdict(load.total)}",
        "",
        "| kind | requests | errors | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|",
    ]
    for kind in sorted(load.kinds, key=lambda k: (k.name == AGGREGATED, k.name)):
        name = "**all requests**" if kind.name == AGGREGATED else kind.name
        lines.append(
            f"| {name} | {kind.requests:,} | {kind.failures} | {kind.p50:.0f} "
            f"| {kind.p95:.0f} | {kind.p99:.0f} |"
        )
    if load.failures:
        lines += ["", "Errors:", ""] + [f"- {failure}" for failure in load.failures[:20]]
    return "\n".join(lines)


HEADER = """# Load

Written by `make load` (`python -m bench.load`, see the README); each run replaces the section
of the database it ran on. A run measures the server's capacity with Locust (no pause between
requests; the steady rate over the second half of a 60 s run), then loads it at 60 % of that
for 10 minutes (`LOAD_SECONDS`) with the same mix: sign-in and sign-out through the forms
(session and CSRF), organisation and place lists, organisation details, the 3W roll-up of the
coordinator's country, region and city, and API reads and writes (creating organisations) with
a token. Target (QUALITY.md): 0 errors, p95 < 100 ms over all requests. Percentiles are
Locust's over the whole run (rounded to two significant digits above 100 ms); Locust runs on
the same machine as the server and takes part of its CPU.
"""


def write_section(path: Path, vendor: str, body: str) -> None:
    """Replace this database's section of the report, keeping the other's."""
    start, end = f"<!-- load:{vendor} -->", f"<!-- /load:{vendor} -->"
    text = path.read_text() if path.exists() else HEADER
    section = f"{start}\n## {VENDOR_TITLES[vendor]}\n\n{body}\n{end}"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    text = pattern.sub(lambda _m: section, text) if pattern.search(text) else f"{text}\n{section}\n"
    path.write_text(text)


VENDOR_TITLES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


# --- One run ---------------------------------------------------------------------------------


def run_on(args: argparse.Namespace, database_url: str | None) -> int:
    started = time.monotonic()
    env = prepare_environment(DATA_DIR, database_url)
    load_at_start = _load_average()

    import django

    django.setup()
    import gunicorn
    from django.db import connection

    from .generate import generate

    step(started, f"Migrating a fresh {connection.vendor} database")
    fresh_database("load")
    step(started, f"Generating scale factor {args.scale:g}")
    dataset = generate(args.scale)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # statistics and visibility map, as in bench.run
    plan_path = DATA_DIR / "plan.json"
    people = build_plan(dataset, args.users, plan_path)
    database = connection.vendor
    if database == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database_version = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        database_version = f"SQLite {connection.Database.sqlite_version} (WAL)"
    connection.close()  # the server has its own connections; this process only waits

    log_path = DATA_DIR / "gunicorn.log"
    log_path.write_bytes(b"")
    with gunicorn_server(env=env, cwd=REPO, workers=args.workers, log_path=log_path) as port:
        step(started, f"Capacity: {people} users, no pause, {args.capacity_seconds:g} s")
        capacity = run_locust(
            port,
            users=people,
            rate=0,
            seconds=args.capacity_seconds,
            plan=plan_path,
            csv_prefix=DATA_DIR / "capacity",
        )
        step(started, f"  {capacity.steady_rps:.1f} req/s, {capacity.total.failures} errors")
        target = capacity.steady_rps * args.share
        step(started, f"Load at {args.share:.0%}: {target:.1f} req/s for {args.seconds:g} s")
        load = run_locust(
            port,
            users=people,
            rate=target / people,
            seconds=args.seconds,
            plan=plan_path,
            csv_prefix=DATA_DIR / "load",
        )
    facts = {
        "Date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "Database": database_version,
        "Machine": f"{os.cpu_count()} cores; load average (1, 5, 15 min) at start "
        f"{load_at_start}, at end {_load_average()}",
        "Server": f"gunicorn {gunicorn.__version__}, {args.workers} sync workers, "
        f"Python {platform.python_version()}",
        "Load generator": f"Locust {version('locust')}, {people} signed-in coordinators",
        "Dataset": f"scale factor {args.scale:g} ({dataset.places:,} places, "
        f"{dataset.actors.organisations:,} organisations, {dataset.users:,} users)",
    }
    write_section(args.output, database, render_section(facts, capacity, load, target))
    print()
    print(render_section(facts, capacity, load, target))
    step(started, f"Wrote the {VENDOR_TITLES[database]} section of {args.output}")
    return 1 if load.total.failures else 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt  # so `finally` blocks stop the server on SIGTERM too


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    if args.database_url or args.sqlite:
        return run_on(args, args.database_url)
    # Each database in a process of its own: Django is set up once per process.
    passed = list(argv if argv is not None else sys.argv[1:])
    codes = [_run_child([*passed, "--sqlite"])]
    shell_database = os.environ.get("DATABASE_URL", "")
    if shell_database.startswith(("postgres://", "postgresql://")):
        url = derived_database_url(shell_database, "load")
        codes.append(_run_child([*passed, "--database-url", url]))
    return max(codes)


def _run_child(argv: list[str]) -> int:
    cmd = [sys.executable, "-m", "bench.load", *argv]
    return subprocess.run(cmd, cwd=REPO, check=False).returncode  # noqa: S603


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; the server was stopped", file=sys.stderr)
        sys.exit(130)
