"""Bridgework's PostgreSQL backend (core.postgresql): in UTC, times are read by psycopg's
compiled loader, the same values with the same zone as Django's own loader reads them; the
health check is asked of a connection that has rested, not of one a request just used."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, connections
from django.db.backends.postgresql.psycopg_any import register_tzloader

from bridgework.core import postgresql
from bridgework.core.postgresql import base

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


def test_the_backend_is_bridgework_s():
    assert connection.settings_dict["ENGINE"] == postgresql.__name__
    assert isinstance(connections["default"], base.DatabaseWrapper)


def _select_ones(monkeypatch) -> list:
    asked: list = []
    usable = base.DatabaseWrapper.is_usable

    def counted(self):
        asked.append(self.alias)
        return usable(self)

    monkeypatch.setattr(base.DatabaseWrapper, "is_usable", counted)
    return asked


def _a_request(used: bool = True) -> None:
    connection.close_if_unusable_or_obsolete()  # request_started
    if used:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 2")
    connection.close_if_unusable_or_obsolete()  # request_finished


@pytest.mark.django_db(transaction=True)
def test_the_health_check_is_asked_only_after_a_rest(monkeypatch):
    asked = _select_ones(monkeypatch)
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    connection.ensure_connection()
    _a_request()
    asked.clear()
    _a_request()
    _a_request()
    assert asked == []  # used a moment ago, without an error: taken as it is
    monkeypatch.setattr(base, "RESTED_SECONDS", 0.0)
    _a_request()
    assert asked == ["default"]  # rested (here, for any time at all): checked
    monkeypatch.setattr(base, "RESTED_SECONDS", 60.0)
    asked.clear()
    connection._worked_at = None
    _a_request(used=False)  # a request that never used it proves nothing
    _a_request()
    assert asked == ["default"]


@pytest.mark.django_db(transaction=True)
def test_a_connection_whose_last_request_failed_is_checked(monkeypatch):
    asked = _select_ones(monkeypatch)
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    monkeypatch.setattr(base, "RESTED_SECONDS", 60.0)
    _a_request()
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    connection.errors_occurred = True  # as a failed statement leaves it
    asked.clear()
    connection.close_if_unusable_or_obsolete()  # Django checks it (errors) and keeps it
    _a_request()
    assert asked and asked[-1] == "default"


def test_a_connection_in_another_zone_keeps_django_s_loader():
    other = base.DatabaseWrapper({**connection.settings_dict, "TIME_ZONE": "Europe/Tirane"}, "tz")
    try:
        other.ensure_connection()
        loader = other.connection.adapters.get_loader(1184, 0)
        assert loader.__name__ != "UtcTimestamptzLoader"
        assert str(loader.timezone) == "Europe/Tirane"
    finally:
        other.close()
