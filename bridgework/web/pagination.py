"""Keyset (cursor) pagination shared by pages and the API.

OFFSET pagination reads and discards every earlier row, so page 200 costs 200 pages; a keyset
seeks straight to the last row seen. A cursor is the ordering values of that row, base64 JSON.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DataError
from django.db.models import Q, QuerySet
from django.db.models.sql.where import AND

from bridgework.core.fixed_reads import read_records

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
    queryset: QuerySet, ordering: tuple[str, ...], limit: int, keys_first: bool
) -> list[Any]:
    ordered = queryset.order_by(*ordering)
    if not keys_first:
        return read_records(ordered[:limit])
    keys = list(ordered.values_list("pk", flat=True)[:limit])
    return read_records(ordered.filter(pk__in=keys)) if keys else []


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
        rows = _first_rows(
            _seeking(queryset, _seek(ordering, values, forward=False)),
            reverse,
            size + 1,
            keys_first,
        )
        has_more = len(rows) > size
        rows = list(reversed(rows[:size]))
        return KeysetPage(
            rows,
            next_cursor=encode_cursor(_values_of(rows[-1], ordering)) if rows else None,
            previous_cursor=encode_cursor(_values_of(rows[0], ordering))
            if has_more and rows
            else None,
        )
    if after:
        queryset = _seeking(queryset, _seek(ordering, decode_cursor(after, len(ordering)), True))
    rows = _first_rows(queryset, ordering, size + 1, keys_first)
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
