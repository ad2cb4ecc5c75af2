"""On PostgreSQL in UTC, times are read by psycopg's compiled loader (core.timestamps): the
same values, with the same zone, as Django's own loader reads them."""

from __future__ import annotations

import datetime
import zoneinfo
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader

from bridgework.core.timestamps import read_utc_times_in_c

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's loaders"),
]

TIMES = (
    "'2026-03-29 01:30:00.123456+00'",
    "'2026-10-25 02:59:59.999999+02'",
    "'1900-01-01 00:00:00+00'",
    "'0001-01-01 00:00:00+00'",
    "'9999-12-31 23:59:59.999999+00'",
    "'2024-02-29 12:00:00-09:30'",
    "now()",
    "NULL",
)
SELECT_TIMES = "SELECT " + ", ".join(f"{time}::timestamptz" for time in TIMES)


def test_the_connection_reads_times_with_the_compiled_loader_as_django_would():
    with connection.cursor() as cursor:
        loader = connection.connection.adapters.get_loader(1184, 0)
        assert loader.__name__ == "UtcTimestamptzLoader" and loader.timezone is datetime.UTC
        cursor.execute(SELECT_TIMES)
        ours = cursor.fetchone()
        parsing = cursor.cursor._tx.get_loader(1184, 0).load.__self__
        assert type(parsing).__module__.split(".")[0] in {"psycopg_binary", "psycopg_c"}
    with connection.cursor() as cursor:
        register_tzloader(datetime.UTC, cursor.cursor)  # Django's own, on this cursor
        cursor.execute(SELECT_TIMES)
        djangos = cursor.fetchone()
    # now() is the transaction's start: the same in both, as the test runs in one.
    assert ours == djangos
    assert all(value.tzinfo is datetime.UTC for value in ours if value is not None)
    assert ours[1] == datetime.datetime(2026, 10, 25, 0, 59, 59, 999999, tzinfo=datetime.UTC)


def test_a_connection_in_another_zone_keeps_django_s_loader():
    untouched = SimpleNamespace()  # any use of its adapters would fail
    for zone in (zoneinfo.ZoneInfo("Europe/Tirane"), None):
        read_utc_times_in_c(
            None, SimpleNamespace(vendor="postgresql", timezone=zone, connection=untouched)
        )
    read_utc_times_in_c(None, SimpleNamespace(vendor="sqlite", timezone=datetime.UTC))
