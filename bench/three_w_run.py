"""Only the 3W: generate a scale factor into var/bench (as ``bench.run`` does), then time the
3W page, the selector (stored roll-up), the selector's live statements (the reference it
replaced) and the hand-written SQL at the country, a region and a city.

    .venv/bin/python -m bench.three_w_run --scale 1 --iterations 100

A quicker loop than ``make bench`` while working on the roll-up; its figures are not the
benchmark's."""

from __future__ import annotations

import argparse
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args(argv)

    from .run import _create_database, prepare_environment

    prepare_environment(argparse.Namespace(database_url=args.database_url))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bridgework.access.policy import sync_default_policy
    from bridgework.actors.models import OrganisationReach
    from bridgework.actors.selectors import OrgFilters, _three_w_live, three_w

    from .actor_scenarios import measure_three_w
    from .generate import generate
    from .measure import time_calls

    if connection.vendor != "sqlite":
        if "bench" not in str(connection.settings_dict["NAME"]):
            print("refusing to empty a database whose name lacks 'bench'", file=sys.stderr)
            return 2
        _create_database(connection)
    call_command("migrate", interactive=False, verbosity=0)
    if connection.vendor != "sqlite":
        call_command("flush", interactive=False, verbosity=0)
    sync_default_policy()
    started = time.monotonic()
    dataset = generate(args.scale)
    print(f"generated SF{args.scale:g} in {time.monotonic() - started:.0f} s")
    print(f"{OrganisationReach.objects.count():,} roll-up rows")
    started = time.monotonic()
    call_command("rebuild_3w", verbosity=0)
    print(f"rebuild_3w: {time.monotonic() - started:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum soon does after a bulk load

    user = dataset.coordinator
    for level in measure_three_w(user, dataset.three_w_places, args.iterations):
        filters = OrgFilters(place=level.place)
        assert three_w(user, filters) == _three_w_live(user, filters)
        live = time_calls({"live": lambda f=filters: _three_w_live(user, f)}, args.iterations)
        print(
            f"{level.level:8} {level.organisations:6,} orgs"
            f" | page p95 {level.page.timings.p95:6.1f}"
            f" ms ({level.page.queries} queries) | selector p50 {level.selector.p50:5.1f} ms"
            f" p95 {level.selector.p95:5.1f} | live statements p50 {live['live'].p50:5.1f} ms"
            f" | raw SQL p50 {level.raw.p50:5.1f} ms | selector ÷ raw {level.ratio:4.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
