"""Reads of one fixed shape that nearly every request makes, compiled once and bound per call.

Each request reads its session, its user (or its API token) and the access epoch. Each is a
one-row read by key that the database answers in about ten microseconds. The ORM spends about
three hundred building and compiling it, every time: a tenth of a short API answer (decision
0011). A :class:`FixedRead` builds its queryset through the ORM once per database, from two
sets of sample values, and keeps the SQL, the parameters' layout
(:func:`~bridgework.core.statements.compile_statement`) and the columns' converters. Each call
then binds its values and runs the statement on a cursor, as the ORM would: the same SQL, the
same converted values, the same model instances (``Model.from_db``), and the query is seen by
``assertNumQueries`` and the debug cursor like any other.

When the layout cannot be told for certain (a value the database layer transforms on its way
into the parameters, such as a date on SQLite), the read keeps using the ORM: never a wrong
statement. What is cached is SQL, never rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, models, router
from django.db.models.fields.composite import CompositePrimaryKey
from django.db.models.query import ModelIterable, ValuesListIterable

from .plain_reads import record_loader
from .statements import Statement, compile_statement

__all__ = ["FixedRead", "read_records"]


@dataclass(frozen=True)
class _Compiled:
    statement: Statement
    # {column position: (converter functions, expression)}, as the ORM's compiler gives them.
    converters: tuple[tuple[int, tuple[Callable, ...], Any], ...]
    # For reads of whole records: the attribute names of the columns, in the select's order.
    attnames: tuple[str, ...] | None


class FixedRead:
    """A queryset of ``model`` of one fixed shape: ``build(values)`` gives it for a mapping of
    slot values; ``samples`` are two such mappings of values no real row has
    (``compile_statement``).

    ``build`` must give either records of one model (no ``select_related``, no annotations) or
    ``values_list()`` tuples; it is called with the samples once per database, and with real
    values only when the statement could not be compiled."""

    def __init__(
        self,
        model: type[models.Model],
        build: Callable[[Mapping[str, Any]], models.QuerySet],
        samples: tuple[Mapping[str, Any], Mapping[str, Any]],
    ):
        self.model = model
        self.build = build
        self.samples = samples
        self._compiled: dict[str, _Compiled | None] = {}

    def rows(self, **values: Any) -> list:
        """What iterating the queryset would give: records, or ``values_list`` tuples."""
        alias = router.db_for_read(self.model)
        if alias not in self._compiled:
            self._compiled[alias] = self._compile(alias)
        compiled = self._compiled[alias]
        if compiled is None:
            return list(self.build(values).using(alias))
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(compiled.statement.sql, compiled.statement.bind(values))
            fetched = cursor.fetchall()
        rows = [_converted(row, compiled.converters, connection) for row in fetched]
        if compiled.attnames is None:
            return [tuple(row) for row in rows]
        load = record_loader(self.model, alias, compiled.attnames)
        return [load(row) for row in rows]

    def first(self, **values: Any) -> Any:
        """The first row, or None."""
        found = self.rows(**values)
        return found[0] if found else None

    def _compile(self, alias: str) -> _Compiled | None:
        def sql_of(values: Mapping[str, Any]):
            return self.build(values).query.get_compiler(using=alias).as_sql()

        try:
            statement = compile_statement(sql_of, self.samples)
        except (EmptyResultSet, FullResultSet):
            statement = None  # the ORM judged a sample on its own: not a layout to trust
        if statement is None:
            return None
        queryset = self.build(self.samples[0])
        if queryset.model is not self.model:
            raise ValueError(f"{self.model.__name__}'s FixedRead read {queryset.model.__name__}")
        compiler = queryset.query.get_compiler(using=alias)
        compiler.as_sql()  # fills the compiler's select, as running it would
        expressions, converters = _selected(compiler)
        if queryset._iterable_class is ModelIterable:
            if queryset.query.select_related or compiler.annotation_col_map:
                raise ValueError("a FixedRead reads one model's columns: no joins, no annotations")
            attnames = tuple(column.target.attname for column in expressions)
        elif queryset._iterable_class is ValuesListIterable:
            attnames = None
        else:
            raise ValueError("a FixedRead gives records or values_list() tuples")
        return _Compiled(statement, converters, attnames)


def _selected(compiler) -> tuple[list, tuple]:
    """A compiled statement's selected columns, and their converters as the ORM applies them:
    ((position, converter functions, column), …)."""
    expressions = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
    converters = tuple(
        (position, tuple(functions), expression)
        for position, (functions, expression) in compiler.get_converters(expressions).items()
    )
    return expressions, converters


def _converted(row: tuple, converters, connection) -> list:
    values = list(row)
    for position, functions, expression in converters:
        value = values[position]
        for convert in functions:
            value = convert(value, expression, connection)
        values[position] = value
    return values


def read_records(queryset: models.QuerySet) -> list:
    """``list(queryset)``, for a queryset of one model's records: the statement the ORM
    compiles, run on a cursor, its values converted as the ORM converts them and each row made
    a record by :func:`~bridgework.core.plain_reads.record_loader`. A list page's 50 records
    cost a third less to build. Anything the ORM adds to plain records (joined records,
    annotations, extra columns, prefetches, known related records, a composite key) goes
    through the ORM itself."""
    query = queryset.query
    if (
        queryset._result_cache is not None
        or queryset._iterable_class is not ModelIterable
        or query.select_related
        or query.extra_select
        or query.annotation_select
        or queryset._prefetch_related_lookups  # type: ignore[attr-defined]
        or queryset._known_related_objects  # type: ignore[attr-defined]
        or isinstance(queryset.model._meta.pk, CompositePrimaryKey)
    ):
        return list(queryset)
    alias = queryset.db
    compiler = query.get_compiler(using=alias)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return []
    expressions, converters = _selected(compiler)
    load = record_loader(queryset.model, alias, [column.target.attname for column in expressions])
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if converters:
        return [load(_converted(row, converters, connection)) for row in fetched]
    return [load(row) for row in fetched]
