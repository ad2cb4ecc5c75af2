"""Rows appended by one plain statement, without building a model instance for each.

A list of AMBER records writes one access-log row per record it shows, on every request. The
ORM's ``bulk_create`` builds an instance a row, opens a transaction and compiles an insert
that returns the new keys, which nobody reads: a twentieth of a short API answer. Here the
statement is written from the model's metadata and its values are prepared by each field
(``get_db_prep_save``: a time as the database wants it), so what is stored is what the ORM
would store. No signals are sent, as ``bulk_create`` sends none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router

__all__ = ["insert_rows"]

# Well under SQLite's smallest limit of bound parameters (999) for the widest row written.
ROWS_PER_STATEMENT = 100


def insert_rows(
    model: type[models.Model], field_names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> int:
    """Append ``rows`` (values in ``field_names`` order) to ``model``'s table; how many."""
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in field_names]
    columns = ", ".join(quote(str(field.column)) for field in fields)  # type: ignore[union-attr]
    marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start : start + ROWS_PER_STATEMENT]
            params = [
                field.get_db_prep_save(value, connection)  # type: ignore[union-attr]
                for row in chunk
                for field, value in zip(fields, row, strict=True)
            ]
            values = ", ".join([marks] * len(chunk))
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {values}",  # noqa: S608
                params,
            )
    return len(rows)
