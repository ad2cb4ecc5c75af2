"""Django's PostgreSQL backend with two differences, both about what every request pays.

**Times read by psycopg's compiled loader.** Django registers a ``timestamptz`` loader of its
own on every connection, so that each time comes back in Django's time zone. It subclasses
psycopg's pure-Python loader, and parsing a time there costs about 3 µs: the staff list's 51
times were a fortieth of its page. When both Django and the connection are in UTC (``USE_TZ``
with no ``TIME_ZONE`` of the database's own: Django sets the connection's zone itself),
psycopg's compiled loader gives the same value, with ``datetime.UTC`` as its zone, in a tenth
of the time. Anywhere else Django's loader is left alone.

**The health check asked of a connection that has rested.** With ``CONN_HEALTH_CHECKS``,
Django asks the server ``SELECT 1`` before the first statement of every request: a fifth
round trip on a list page that needs four. Here a connection whose last request used it
without an error less than :data:`RESTED_SECONDS` ago is taken as it is; one that has rested
longer is checked as Django checks it. A connection broken within that second (the server
restarted under load) fails one request, which then closes it, as it would without checks.
"""

from __future__ import annotations

import datetime
import functools
import time
from typing import Any

from django.db.backends.postgresql import base

__all__ = ["RESTED_SECONDS", "DatabaseWrapper"]

RESTED_SECONDS = 1.0

_UTC = datetime.UTC


class DatabaseWrapper(base.DatabaseWrapper):
    # When a request last used the connection without an error, and whether this one has.
    _worked_at: float | None = None
    _used: bool = False

    def init_connection_state(self) -> None:
        super().init_connection_state()
        if self.timezone is _UTC:
            compiled = _compiled_loader()
            if compiled is not None:
                self.connection.adapters.register_loader("timestamptz", _utc_loader(compiled))

    def _cursor(self, name=None):
        self._used = True
        return super()._cursor(name)  # type: ignore[misc]

    def close_if_unusable_or_obsolete(self) -> None:
        """At the start and the end of each request, as Django's; then the next request's
        health check is skipped if the connection worked less than a second ago."""
        worked = self._used and not self.errors_occurred
        super().close_if_unusable_or_obsolete()
        self._used = False
        if self.connection is None:
            self._worked_at = None
            return
        now = time.monotonic()
        if worked:
            self._worked_at = now
        if self._worked_at is not None and now - self._worked_at < RESTED_SECONDS:
            self.health_check_done = True


def _compiled_loader() -> Any | None:
    """psycopg's own ``timestamptz`` loader when it is the compiled one (psycopg[binary] or
    psycopg[c]), else None."""
    import psycopg
    from psycopg.pq import Format
    from psycopg.types.datetime import TimestamptzLoader

    loader = psycopg.adapters.get_loader(psycopg.postgres.types["timestamptz"].oid, Format.TEXT)
    return None if loader is None or loader is TimestamptzLoader else loader


@functools.cache
def _utc_loader(compiled: Any) -> type:
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader
    from psycopg._tz import get_tzinfo

    class UtcTimestamptzLoader(BaseTzLoader):
        """Django's loader for a connection in UTC, its parsing done by ``compiled``. Django
        compares ``timezone`` with its own before each cursor: they agree, so it keeps this."""

        timezone = _UTC

        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            pgconn = self.connection.pgconn if self.connection else None
            if get_tzinfo(pgconn) is _UTC:  # what the compiled loader's times will carry
                self.load = compiled(oid, context).load  # type: ignore[method-assign]

    return UtcTimestamptzLoader
