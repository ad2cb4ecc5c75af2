"""PostgreSQL's ``timestamptz`` values read by psycopg's compiled loader where Django's reads
them in Python (decision 0018).

Django registers a loader of its own on every PostgreSQL connection, so that each time comes
back in Django's time zone. It subclasses psycopg's pure-Python loader, and parsing a time
there costs about 3 µs: the staff list's 51 times were a fortieth of its page. When both
Django and the connection are in UTC (``USE_TZ`` with no ``TIME_ZONE`` of the database's
own: Django sets the connection's zone itself), psycopg's compiled loader gives the same
value, with ``datetime.timezone.utc`` as its zone, in a tenth of the time. Anywhere else
Django's loader is left alone.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

from django.db.backends.signals import connection_created

__all__ = ["connect", "read_utc_times_in_c"]

_UTC = datetime.UTC


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


def read_utc_times_in_c(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: on a PostgreSQL connection Django keeps in UTC, read its
    times with psycopg's compiled loader."""
    if connection.vendor != "postgresql" or connection.timezone is not _UTC:
        return
    compiled = _compiled_loader()
    if compiled is None:
        return
    connection.connection.adapters.register_loader("timestamptz", _utc_loader(compiled))


def connect() -> None:
    connection_created.connect(read_utc_times_in_c, dispatch_uid="bridgework-utc-times-in-c")
