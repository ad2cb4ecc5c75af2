"""Write the stored 3W roll-up again from the organisations, their areas and themes (after a
bulk load that bypassed the actions, or to check it: ``--check`` reports rows that differ)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from bridgework.actors.models import OrganisationReach
from bridgework.actors.reach import REACH_COLUMNS, rebuild_reach


def _snapshot() -> set[tuple]:
    return set(OrganisationReach.objects.values_list(*REACH_COLUMNS))


class Command(BaseCommand):
    help = "Rebuild the stored 3W roll-up (organisations × places they work at or below × themes)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="rebuild in a transaction that is rolled back; fail if any row differed",
        )

    def handle(self, *args, **options):
        if options["check"]:
            with transaction.atomic():
                before = _snapshot()
                rebuild_reach()
                after = _snapshot()
                transaction.set_rollback(True)
            if before != after:
                raise CommandError(
                    f"The 3W roll-up is out of step: {len(before - after)} stale rows, "
                    f"{len(after - before)} missing."
                )
            self.stdout.write(f"The 3W roll-up is in step ({len(after)} rows).")
            return
        with transaction.atomic():
            rows = rebuild_reach()
        _refresh_statistics()
        self.stdout.write(f"3W roll-up rebuilt: {rows} rows.")


def _refresh_statistics() -> None:
    """PostgreSQL: every row was just rewritten, so the planner's estimates and the visibility
    map (which index-only scans need) are stale until autovacuum comes by; refresh them now
    (VACUUM cannot run inside a transaction: then ANALYZE only)."""
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(OrganisationReach._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM ANALYZE'} {table}")
