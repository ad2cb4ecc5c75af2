"""Keyset (cursor) pagination shared by pages and the API.

OFFSET pagination reads and discards every earlier row, so page 200 costs 200 pages; a keyset
seeks straight to the last row seen. A cursor is the ordering values of that row, base64 JSON.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DataError, connections
from django.db.models import Model, Q, QuerySet
from django.db.models.sql.where import AND

from bridgework.core.fixed_reads import read_by_keys, read_first_joined, read_records

__all__ = [
    "InvalidCursor",
    "KeysetPage",
    "decode_cursor",
    "encode_cursor",
    "keyset_page",
    "page_of_request",
]


class InvalidCursor(ValueError):
    pass


@dataclass
class KeysetPage:
    items: list[Any]
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, cls=DjangoJSONEncoder, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor("malformed cursor") from exc
    if not isinstance(values, list) or len(values) != width:
        raise InvalidCursor("cursor does not match this list")
    if not all(isinstance(v, str | int | float) for v in values):
        raise InvalidCursor("cursor values must be scalars")
    return values


def _normalise(ordering: tuple[str, ...]) -> tuple[str, ...]:
    return ordering if ordering and ordering[-1].lstrip("-") in {"pk", "id"} else (*ordering, "pk")


def _seek(ordering: tuple[str, ...], values: list[Any], forward: bool) -> Q:
    """Rows strictly after (or before) ``values`` in ``ordering``, as a lexicographic test.

    The lexicographic OR cannot bound an index scan, so the leading column also gets a plain
    inclusive bound that can (redundant logically, decisive for the plan)."""
    lead = ordering[0]
    lead_lookup = "gte" if (not lead.startswith("-")) == forward else "lte"
    bound = Q(**{f"{lead.lstrip('-')}__{lead_lookup}": values[0]})
    result = Q(pk__in=[])
    equal_so_far = Q()
    for field, value in zip(ordering, values, strict=True):
        name = field.lstrip("-")
        ascending = not field.startswith("-")
        lookup = "gt" if ascending == forward else "lt"
        result |= equal_so_far & Q(**{f"{name}__{lookup}": value})
        equal_so_far &= Q(**{name: value})
    return bound & result


def _seeking(queryset: QuerySet, seek: Q) -> QuerySet:
    """``queryset.filter(seek)``, the seek's conditions first in the statement. SQLite bounds
    an index range by the first bound it meets on the column, and with parameters it cannot
    tell which of two is the tighter: the scope's own bound (``path >= '/0001/'``), met first,
    made page 200 of a country read the ten thousand entries before it, five times page 1.
    The conditions are ANDed: their order changes no answer."""
    before = len(queryset.query.where.children)
    sought = queryset.filter(seek)
    where = sought.query.where
    if where.connector == AND and not where.negated:
        where.children[:] = where.children[before:] + where.children[:before]
    return sought


def _values_of(obj: Any, ordering: tuple[str, ...]) -> list[Any]:
    out = []
    for field in ordering:
        value: Any = obj
        for part in field.lstrip("-").split("__"):
            value = getattr(value, part)
        out.append(value)
    return json.loads(json.dumps(out, cls=DjangoJSONEncoder))


def keyset_page(
    queryset: QuerySet,
    *,
    ordering: tuple[str, ...],
    size: int,
    after: str | None = None,
    before: str | None = None,
    keys_first: bool = False,
) -> KeysetPage:
    """One page after (or before) a cursor. A cursor whose values do not fit the ordering's
    columns (text for a date, a number beyond the column's range) is :class:`InvalidCursor`,
    never a server error.

    ``keys_first``: find the page's keys first, then load only those rows (two queries, for
    any page size). For a big table whose scope an index answers but whose ordering it does
    not: the database sorts narrow index entries, never the joined rows it skips."""
    try:
        return _keyset_page(
            queryset,
            ordering=ordering,
            size=size,
            after=after,
            before=before,
            keys_first=keys_first,
        )
    except (ValidationError, ValueError, TypeError, OverflowError, DataError) as exc:
        if isinstance(exc, InvalidCursor):
            raise
        raise InvalidCursor("cursor values do not fit this list") from exc


def _first_rows(
    queryset: QuerySet,
    ordering: tuple[str, ...],
    limit: int,
    keys_first: bool,
    seek: Q | None = None,
) -> list[Any]:
    ordered = queryset.order_by(*ordering)
    in_order = _order_scan(ordered, ordering, limit, seek)
    if not keys_first:
        return read_records(ordered[:limit], run=in_order)
    if _walks_order_index(ordered, ordering):
        return read_first_joined(ordered, ordering, limit) or []
    if in_order is not None:
        # SQLite: the page's rows with their joins along the index, within the bound. Past it
        # (a reader with few rows among the newest), their keys first, as the statement is.
        past_the_bound: list[bool] = []
        bounded = in_order

        def within(cursor, sql: str, params) -> list | None:
            rows = bounded(cursor, sql, params, past_the_bound=False)
            if rows is None:
                past_the_bound.append(True)
            return rows

        rows = read_first_joined(ordered, ordering, limit, run=within)
        if rows is not None:
            return rows
        if past_the_bound:
            in_order = None
    keys_query = ordered.values_list("pk", flat=True)[:limit]
    if in_order is None:
        keys = list(keys_query)
    else:
        try:
            sql, params = keys_query.query.get_compiler(using=ordered.db).as_sql()
        except EmptyResultSet:  # a reader who sees nothing
            return []
        with connections[ordered.db].cursor() as cursor:
            keys = [row[0] for row in in_order(cursor, sql, params)]
    return read_by_keys(ordered, keys)


def _walks_order_index(ordered: QuerySet, ordering: tuple[str, ...]) -> bool:
    """Whether the page's rows are best read in one statement, joins and all: on PostgreSQL,
    when an index leads with the list's order. PostgreSQL walks it, stops at the page and
    joins only those rows. Asked for the keys first, then for their rows by key, it planned
    the second statement on its own (a merge join reading thousands of entries of the places'
    key) and spent more on two statements than on the one (docs/benchmarks-funding.md).
    SQLite reads them in one statement too, but only within its bounded scan in order
    (:func:`_order_scan`), and keys first past it."""
    return (
        connections[ordered.db].vendor != "sqlite"
        and _order_index(ordered.model, ordering) is not None  # type: ignore[arg-type]
    )


# --- a wide reader's first rows, on SQLite ------------------------------------------------------

# How many pages' worth of an index in the list's order the bounded scan below may read: a
# reader who holds at least 1/40 of the table (a country of twenty) gets a page from it.
ORDER_SCAN_PAGES = 40


@functools.cache
def _order_index(model: type[Model], ordering: tuple[str, ...]) -> str | None:
    """The name of ``model``'s declared index that leads with ``ordering`` (or its exact
    reverse, which SQLite reads backwards), if any."""
    wanted = [
        ("-" if field.startswith("-") else "")
        + (model._meta.pk.attname if field.lstrip("-") == "pk" else field.lstrip("-"))
        for field in ordering
    ]
    reverse = [name[1:] if name.startswith("-") else f"-{name}" for name in wanted]
    for index in model._meta.indexes:
        lead = list(index.fields[: len(wanted)])
        if lead in (wanted, reverse) and not index.condition:
            return index.name
    return None


Run = Callable[..., Any]  # (cursor, sql, params) -> rows


def _order_scan(
    ordered: QuerySet, ordering: tuple[str, ...], limit: int, seek: Q | None
) -> Run | None:
    """How to run a page's statement (its keys, or its rows) along an index in the list's
    order, on SQLite: a function ``(cursor, sql, params) -> rows``, or None to run it as it is.

    SQLite answers a reader's subtree from the path index and sorts it: a national reader's
    20,000 applications sorted for 51 (2.8 ms), growing with the table. Read in order, the
    first 51 entries would do, but SQLite cannot weigh the two plans (it keeps no histogram,
    and the path is a parameter), and in order a small subtree's rows may lie anywhere in the
    table. So the scan is bounded: it reads at most the first ``ORDER_SCAN_PAGES`` × ``limit``
    rows of the whole table in order (their last value, found from the index alone, is the
    bound), and when fewer than ``limit`` of them are the reader's, the statement runs as it
    is. Both give
    the same rows: a row of the reader's past the bound comes after every row before it.
    PostgreSQL weighs the plans itself (the index's first column has statistics) and is not
    asked this way.

    The statement is compiled once and serves both runs: the forced one is the same text
    with the index named and the bound put first (a compiled condition is one term, a
    comparison or a parenthesised group, so ``bound AND term`` is the conjunction)."""
    query = ordered.query
    model = ordered.model
    connection = connections[ordered.db]
    if (
        connection.vendor != "sqlite"
        or query.is_sliced
        or query.combinator
        or set(query.alias_map) != {model._meta.db_table}
    ):
        return None
    index = _order_index(model, ordering)  # type: ignore[arg-type]
    if index is None:
        return None
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    first = ordering[0].lstrip("-")
    lead = quote((model._meta.pk if first == "pk" else model._meta.get_field(first)).column)
    comparison = ">=" if ordering[0].startswith("-") else "<="

    def run(cursor, sql: str, params, *, past_the_bound: bool = True) -> list | None:
        before, found, rest = sql.partition(f" FROM {table} ")
        # The joins of a page's rows read in one statement come before its condition.
        joins, joined, after_joins = rest.partition(" WHERE ")
        if joined and joins.startswith("INNER JOIN ") and "%s" not in joins:
            joins, rest = f"{joins} ", f"WHERE {after_joins}"
        else:
            joins = ""
        if not found or not rest.startswith(("WHERE ", "ORDER BY ")):
            cursor.execute(sql, params)
            return cursor.fetchall()
        bound = _order_bound(ordered.db, model, ordering, seek, ORDER_SCAN_PAGES * limit)
        condition = "" if bound is None else f"{table}.{lead} {comparison} %s"
        if rest.startswith("WHERE "):
            rest = f"WHERE {condition} AND {rest[6:]}" if condition else rest
        elif condition:
            rest = f"WHERE {condition} {rest}"
        cursor.execute(
            f"{before} FROM {table} INDEXED BY {quote(index)} {joins}{rest}",
            (bound, *params) if bound is not None else params,
        )
        rows = cursor.fetchall()
        if bound is None or len(rows) >= limit:
            return rows
        if not past_the_bound:
            return None  # the caller reads past the bound its own way
        cursor.execute(sql, params)  # past the bound: the statement as it is
        return cursor.fetchall()

    return run


def _order_bound(
    alias: str, model: type[Model], ordering: tuple[str, ...], seek: Q | None, rows: int
):
    """The ``rows``-th value of the ordering's first column in the whole table (after the
    cursor), as the database stores it, or None when there are fewer rows. Read from the order
    index alone; the first page's statement is compiled once."""
    if seek is None:
        sql, params = _order_bound_statement(alias, model, ordering, rows)
    else:
        sql, params = _order_bound_query(alias, model, ordering, seek, rows).as_sql()
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else row[0]


def _order_bound_query(
    alias: str, model: type[Model], ordering: tuple[str, ...], seek: Q | None, rows: int
):
    table = model._base_manager.db_manager(alias).all()
    if seek is not None:
        table = table.filter(seek)
    last = table.order_by(*ordering).values_list(ordering[0].lstrip("-"), flat=True)
    return last[rows - 1 : rows].query.get_compiler(using=alias)


@functools.lru_cache(maxsize=256)
def _order_bound_statement(
    alias: str, model: type[Model], ordering: tuple[str, ...], rows: int
) -> tuple[str, tuple]:
    return _order_bound_query(alias, model, ordering, None, rows).as_sql()


def _keyset_page(
    queryset: QuerySet,
    *,
    ordering: tuple[str, ...],
    size: int,
    after: str | None,
    before: str | None,
    keys_first: bool = False,
) -> KeysetPage:
    ordering = _normalise(ordering)
    if before:
        values = decode_cursor(before, len(ordering))
        reverse = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in ordering)
        back = _seek(ordering, values, forward=False)
        rows = _first_rows(_seeking(queryset, back), reverse, size + 1, keys_first, back)
        has_more = len(rows) > size
        rows = list(reversed(rows[:size]))
        return KeysetPage(
            rows,
            next_cursor=encode_cursor(_values_of(rows[-1], ordering)) if rows else None,
            previous_cursor=encode_cursor(_values_of(rows[0], ordering))
            if has_more and rows
            else None,
        )
    seek: Q | None = None
    if after:
        seek = _seek(ordering, decode_cursor(after, len(ordering)), True)
        queryset = _seeking(queryset, seek)
    rows = _first_rows(queryset, ordering, size + 1, keys_first, seek)
    has_more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows,
        next_cursor=encode_cursor(_values_of(rows[-1], ordering)) if has_more else None,
        previous_cursor=encode_cursor(_values_of(rows[0], ordering)) if after and rows else None,
    )


def page_of_request(
    request, queryset: QuerySet, *, ordering: tuple[str, ...], size: int, keys_first: bool = False
) -> KeysetPage:
    """The page a page's ``?after=`` / ``?before=`` asks for; a cursor that does not fit
    this list is 404, as for a page that does not exist."""
    from django.http import Http404

    try:
        return keyset_page(
            queryset,
            ordering=ordering,
            size=size,
            after=request.GET.get("after"),
            before=request.GET.get("before"),
            keys_first=keys_first,
        )
    except InvalidCursor as exc:
        raise Http404 from exc
