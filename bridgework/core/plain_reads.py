"""Plain values of rows picked by key, read without compiling a queryset.

A list's page attaches what its cells show of related records (a place's name, an area's
place, a theme's name) to rows already read through the scoped queryset. Each of those reads
is one fixed statement, yet the ORM spent about 2,500 Python calls building and compiling
it: a third of the organisation list's API answer (decision 0009). These helpers write the
statement from the model's metadata and run it on a cursor, with the keys bound as
parameters.

They decide nothing about access: use them only for records the caller is entitled to name
(a page's own rows, their links), as ``prefetch_related`` would be. They read integer and text
columns only, which every backend returns as Python wants them, so no converter is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from itertools import islice
from typing import Any, TypeVar

from django.db import connections, models, router
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

__all__ = ["instances_by_pk", "record_loader", "plain_count", "plain_rows"]

ModelT = TypeVar("ModelT", bound=models.Model)

# Well under SQLite's smallest limit of bound parameters (999).
KEYS_PER_STATEMENT = 500

# Auto fields are integer fields; a foreign key holds its target's key.
_PLAIN_TYPES = (models.IntegerField, models.ForeignKey, models.CharField, models.TextField)


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, _PLAIN_TYPES) or not field.concrete:
        raise TypeError(f"{model.__name__}.{name} is not an integer or text column")
    return field.column  # type: ignore[union-attr]


def _chunks(keys: Iterable[Any]) -> Iterator[list[Any]]:
    keys = iter(keys)
    while chunk := list(islice(keys, KEYS_PER_STATEMENT)):
        yield chunk


def plain_rows(
    model: type[models.Model],
    columns: Sequence[str],
    *,
    key: str,
    keys: Iterable[Any],
    order_by: Sequence[str] = (),
) -> list[tuple]:
    """``columns`` (field names) of ``model``'s rows whose field ``key`` is one of ``keys``,
    in ``order_by`` order within each statement of at most 500 keys."""
    database = router.db_for_read(model)
    connection = connections[database]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    selected = ", ".join(quote(_column(model, name)) for name in columns)
    where = quote(_column(model, key))
    ordering = ", ".join(quote(_column(model, name)) for name in order_by)
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(dict.fromkeys(keys)):
            marks = ", ".join(["%s"] * len(chunk))
            sql = f"SELECT {selected} FROM {table} WHERE {where} IN ({marks})"  # noqa: S608
            cursor.execute(f"{sql} ORDER BY {ordering}" if ordering else sql, chunk)
            rows.extend(cursor.fetchall())
    return rows


def linked_values(
    relation: Any, column: str, keys: Iterable[Any], *, order_by: str
) -> list[tuple[Any, Any]]:
    """(source key, the target's ``column``) for each link of the many-to-many ``relation``
    (``Organisation.themes``) from the sources ``keys``, in the targets' ``order_by`` order
    (then their keys): one statement joining the link table to the targets."""
    field = relation.field
    through = field.remote_field.through
    source, target = field.m2m_column_name(), field.m2m_reverse_name()
    target_model = field.related_model
    connection = connections[router.db_for_read(through)]
    quote = connection.ops.quote_name
    links, targets = quote(through._meta.db_table), quote(target_model._meta.db_table)
    target_key = quote(target_model._meta.pk.column)
    found: list[tuple[Any, Any]] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(dict.fromkeys(keys)):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT l.{quote(source)}, t.{quote(_column(target_model, column))}"  # noqa: S608
                f" FROM {links} l JOIN {targets} t ON t.{target_key} = l.{quote(target)}"
                f" WHERE l.{quote(source)} IN ({marks})"
                f" ORDER BY t.{quote(_column(target_model, order_by))}, t.{target_key}",
                chunk,
            )
            found.extend(cursor.fetchall())
    return found


def instances_by_pk(
    model: type[models.Model], field_names: Sequence[str], pks: Iterable[Any]
) -> dict[Any, models.Model]:
    """``model``'s records with these primary keys, only ``field_names`` loaded (as
    ``only()`` loads them; the rest is deferred), by primary key."""
    pk = model._meta.pk
    wanted = {pk.name, *field_names}
    fields = [f for f in model._meta.concrete_fields if f.name in wanted or f.attname in wanted]
    attnames = [field.attname for field in fields]  # from_db takes them in the model's order
    at = attnames.index(pk.attname)
    database = router.db_for_read(model)
    found = plain_rows(model, [field.name for field in fields], key=pk.name, keys=pks)
    load = record_loader(model, database, attnames)
    return {row[at]: load(row) for row in found}


def record_loader(
    model: type[ModelT], database: str, attnames: Sequence[str]
) -> Callable[[Sequence[Any]], ModelT]:
    """What ``model.from_db(database, attnames, row)`` makes of a row: the record as read, the
    fields not in ``attnames`` deferred. Where ``Model.__init__`` would only copy the values
    into the record (no ``pre_init``/``post_init`` receivers now, no ``__init__`` or property
    of the model's own in the way), they are copied directly: a third of the cost of a small
    record."""
    if not _loads_plainly(model):
        return lambda row: model.from_db(database, attnames, row)
    attnames = tuple(attnames)
    return lambda row: _filled(model, database, attnames, row)


def plain_from_db(cls, db: str, field_names: Sequence[str], values: Sequence[Any]):
    """``Model.from_db`` (the hook Django documents for customising how records are loaded),
    through :func:`record_loader`'s shortcut when the model allows it; else Django's own.
    ``TimeStampedModel``, and so nearly every model, loads its records this way."""
    if _loads_plainly(cls):
        return _filled(cls, db, field_names, values)
    return models.Model.from_db.__func__(cls, db, field_names, values)  # type: ignore[attr-defined]


def _filled(model: type[ModelT], database: str, attnames: Sequence[str], row) -> ModelT:
    record = model.__new__(model)
    record.__dict__.update(zip(attnames, row, strict=True))
    state = record._state = ModelState()
    state.adding, state.db = False, database
    return record


def _loads_plainly(model: type[models.Model]) -> bool:
    return (
        _stores_values_only(model)
        and not pre_init.has_listeners(model)
        and not post_init.has_listeners(model)
    )


@cache
def _stores_values_only(model: type[models.Model]) -> bool:
    """Whether the model's class leaves ``Model.__init__`` and ``from_db`` as Django wrote them
    (or ``from_db`` as :func:`plain_from_db`) and has no property where a field's value goes."""
    if model.__init__ is not models.Model.__init__:
        return False
    if model.from_db.__func__ not in (models.Model.from_db.__func__, plain_from_db):  # type: ignore[attr-defined]
        return False
    return not any(
        isinstance(getattr(model, field.attname, None), property)
        for field in model._meta.concrete_fields
    )


def plain_count(model: type[models.Model], *, key: str, value: Any, unset: str) -> int:
    """How many of ``model``'s rows have ``value`` in the field ``key`` and nothing in the
    field ``unset``: a menu's count of a reader's unread items, on every page."""
    connection = connections[router.db_for_read(model)]
    quote = connection.ops.quote_name
    null_column = str(model._meta.get_field(unset).column)  # type: ignore[union-attr]
    sql = (
        f"SELECT COUNT(*) FROM {quote(model._meta.db_table)}"  # noqa: S608
        f" WHERE {quote(_column(model, key))} = %s AND {quote(null_column)} IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        return cursor.fetchone()[0]
