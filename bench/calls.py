"""Python function calls per request of the benchmarked pages, on the data the last ``make bench``
left in ``var/bench``: a count that does not move with the machine's load, for comparing two
versions of the code on a shared machine, where wall time does (docs/decisions/0009).

    python -m bench.calls [--data-dir var/bench] [--requests 10] [PATH ...]

Reads the data as it is (never regenerates or empties it). Pages are requested in process
(Django's test client) by the first national coordinator, each a few times to warm up, then
``--requests`` times under cProfile; the count includes the test client's own few hundred calls.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
from pathlib import Path

from .run import DATA_DIR
from .serving import SQLITE_FILE, UNREACHED_RATE

PAGES = (
    "/bench/hello",
    "/places/index/",
    "/api/places?limit=50",
    "/organisations/",
    "/api/organisations?limit=50",
    "/actors/3w/",
    "/funding/applications/",
    "/api/applications?limit=50",
    "/funding/pipeline/",
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.calls", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="a bench data folder")
    parser.add_argument("--requests", type=int, default=10, help="profiled requests a page")
    parser.add_argument("paths", nargs="*", default=list(PAGES), help="pages (default: all)")
    args = parser.parse_args(argv)
    if not (args.data_dir / SQLITE_FILE).exists() and not os.environ.get("DATABASE_URL"):
        parser.error(f"no bench data in {args.data_dir}: run `make bench` first")
    return args


def calls_per_request(client, path: str, requests: int) -> int | None:
    """Calls per request, or None when the page does not answer 200 on this data."""
    for _ in range(3):
        if client.get(path).status_code != 200:
            return None
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(requests):
        client.get(path)
    profile.disable()
    return round(pstats.Stats(profile).total_calls / requests)  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bridgework.settings",
        BRIDGEWORK_DATA_DIR=str(args.data_dir),
        BRIDGEWORK_BENCH="1",  # mounts /bench/hello
        COLLECTSTATIC="0",
        HTTPS="0",
        API_RATE_PER_TOKEN=UNREACHED_RATE,
        API_RATE_PER_ADDRESS=UNREACHED_RATE,
    )
    for name in ("DEBUG", "CACHE_URL", "TASK_BACKEND"):
        os.environ.pop(name, None)

    import django

    django.setup()
    from django.test import Client

    from bridgework.access.models import RoleAssignment

    held = (
        RoleAssignment.objects.filter(role__slug="national_coordinator")
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if held is None:
        print("no national coordinator in this data", file=sys.stderr)
        return 1
    client = Client()
    client.force_login(held.user)
    print(f"| page | Python calls a request ({args.requests} requests) |\n|---|---|")
    for path in args.paths:
        calls = calls_per_request(client, path, args.requests)
        print(f"| `{path}` | {'no answer on this data' if calls is None else f'{calls:,}'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
