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

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, FullResultSet
from django.db import connections, models, router
from django.db.models.expressions import RawSQL
from django.db.models.fields.composite import CompositePrimaryKey
from django.db.models.query import ModelIterable, ValuesListIterable
from django.db.models.sql.query import Query
from django.db.models.sql.where import ExtraWhere

from .plain_reads import record_loader
from .statements import Statement, compile_statement

__all__ = ["FixedRead", "read_by_keys", "read_first_joined", "read_records"]


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


def read_records(
    queryset: models.QuerySet, run: Callable[[Any, str, Any], list] | None = None
) -> list:
    """``list(queryset)``, for a queryset of one model's records: the statement the ORM
    compiles, run on a cursor, its values converted as the ORM converts them and each row made
    a record by :func:`~bridgework.core.plain_reads.record_loader`. A list page's 50 records
    cost a third less to build. Anything the ORM adds to plain records (joined records,
    annotations, extra columns, prefetches, known related records, a composite key) goes
    through the ORM itself.

    ``run(cursor, sql, params)``, when given, runs the compiled statement and returns its rows
    (a list page reads its first rows along an index in its order this way)."""
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
        if run is None:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        else:
            fetched = run(cursor, sql, params)
    if converters:
        return [load(_converted(row, converters, connection)) for row in fetched]
    return [load(row) for row in fetched]


# --- a list page's rows by their keys, with their joined records ------------------------------

# Keys standing in for a page's while its statement is compiled: no row has them.
_SAMPLE_KEY = -1_000_000_000


@dataclass(frozen=True)
class _Joined:
    """How one record of a joined row is made: its columns' slice, its key's place in it, the
    records joined to it, and how it is attached to the record it hangs from."""

    load: Callable[[Any], models.Model]
    start: int
    end: int
    key_at: int
    joined: tuple[_Joined, ...]
    local_setter: Callable | None = None
    remote_setter: Callable | None = None

    def make(self, values: list, made: dict) -> models.Model:
        """The row's record, with those joined to it. A joined record already made for an
        earlier row of the statement (by its part and key) is attached again rather than made
        again: a page of 50 applications names one call and one fund. It is the same row of
        the same read, so the same values; and a part shared by rows is a many-to-one
        relation, whose far side keeps nothing of the row."""
        return self._maker(values, made)

    @functools.cached_property
    def _maker(self) -> Callable[[list, dict], models.Model]:
        # :meth:`make` as one closure over its parts, their places in the row read once: a
        # page makes 150 records this way.
        load, start, end = self.load, self.start, self.end
        parts = tuple(
            (id(part), part.start + part.key_at, part._maker, part.local_setter, part.remote_setter)
            for part in self.joined
        )

        def make(values: list, made: dict) -> models.Model:
            record = load(values[start:end])
            for ident, key_at, make_part, attach, attach_back in parts:
                key = values[key_at]
                if key is None:
                    attach(record, None)  # type: ignore[misc]
                    continue
                related = made.get((ident, key))
                if related is None:
                    related = made[(ident, key)] = make_part(values, made)
                attach(record, related)  # type: ignore[misc]
                attach_back(related, record)  # type: ignore[misc]
            return record

        return make


@dataclass(frozen=True)
class _KeyedRead:
    head: str  # the statement up to its WHERE
    keyed: str  # the condition on the keys, one placeholder a key
    converters: tuple[tuple[int, tuple[Callable, ...], Any], ...]
    rows: _Joined


def read_by_keys(queryset: models.QuerySet, keys: list) -> list:
    """``list(queryset.filter(pk__in=keys))`` in the order of ``keys``: a list page's rows
    once its keys are known, with the records ``select_related`` joins to them.

    The statement's columns and joins depend only on the queryset's joins and loaded fields
    and the number of keys; that part is compiled once (a millisecond for the staff
    application list's four joins, three times its database time) and the queryset's own
    condition is compiled and added on each call, so the rows are exactly the ones the ORM
    would give. Records are made as ``read_records`` makes them and attached as the ORM's
    ``select_related`` attaches them. A queryset whose condition reaches another table, or
    that asks for more than records and their joins, goes through :func:`read_records`."""
    read = _joined_read(queryset, len(keys)) if keys else None
    if read is None:
        return _in_order(read_records(queryset.filter(pk__in=keys)), keys)
    return _in_order(_read_joined(queryset, read, read.keyed, keys), keys)


def read_first_joined(
    queryset: models.QuerySet,
    ordering: tuple[str, ...],
    limit: int,
    run: Callable[[Any, str, Any], list | None] | None = None,
) -> list | None:
    """``list(queryset.order_by(*ordering)[:limit])`` with the records ``select_related``
    joins to them, in one statement: :func:`read_by_keys`' compiled columns and joins, the
    queryset's condition, then the order and the limit. ``ordering`` names the model's own
    columns (``"-created_at"``, ``"pk"``); anything else goes through the ORM.

    ``run(cursor, sql, params)``, when given, runs the statement and returns its rows, or
    None when it would not (then so does this, and the caller reads the rows another way);
    the statement then needs to be the one compiled here."""
    read = _joined_read(queryset, 1)
    order = _order_sql(queryset.model, queryset.db, ordering)  # type: ignore[arg-type]
    if read is None or order is None:
        return None if run is not None else list(queryset.order_by(*ordering)[:limit])
    tail = f" ORDER BY {order} LIMIT {int(limit)}"
    return _read_joined(queryset, read, None, (), tail, run=run)


def _joined_read(queryset: models.QuerySet, count: int) -> _KeyedRead | None:
    """The compiled columns and joins of ``queryset``'s rows (and the condition on ``count``
    keys), or None when the queryset asks for more than records and their joins, or its
    condition reaches another table."""
    query = queryset.query
    model = queryset.model
    if (
        not query.select_related
        or queryset._iterable_class is not ModelIterable
        or query.extra_select
        or query.annotation_select
        or query.is_sliced
        or query.combinator
        or queryset._prefetch_related_lookups  # type: ignore[attr-defined]
        or queryset._known_related_objects  # type: ignore[attr-defined]
        or isinstance(model._meta.pk, CompositePrimaryKey)
        or set(query.alias_map) - {model._meta.db_table}
    ):
        return None
    return _keyed_read(
        model,  # type: ignore[arg-type]
        queryset.db,
        _frozen(query.select_related),
        (frozenset(query.deferred_loading[0]), query.deferred_loading[1]),
        count,
    )


def _read_joined(
    queryset: models.QuerySet,
    read: _KeyedRead,
    keyed: str | None,
    keys,
    tail: str = "",
    run: Callable[[Any, str, Any], list | None] | None = None,
) -> Any:
    """Run ``read``'s statement with ``keyed`` (on ``keys``) and the queryset's condition,
    then ``tail`` (through ``run``, when given); make each row's records."""
    alias = queryset.db
    try:
        condition, condition_params = queryset.query.get_compiler(using=alias).compile(
            queryset.query.where
        )
    except EmptyResultSet:
        return []
    except FullResultSet:
        condition, condition_params = "", ()
    conditions = " AND ".join(part for part in (keyed, condition) if part)
    sql = read.head + (f" WHERE {conditions}" if conditions else "") + tail
    connection = connections[alias]
    with connection.cursor() as cursor:
        if run is None:
            if _joins_in_written_order(connection, cursor, queryset.query.where):
                in_transaction = connection.in_atomic_block or not connection.get_autocommit()
                cursor.execute(_planned_as_written(sql, in_transaction), (*keys, *condition_params))
                cursor.nextset()  # past the settings, to the rows
            else:
                cursor.execute(sql, (*keys, *condition_params))
            fetched = cursor.fetchall()
        else:
            fetched = run(cursor, sql, (*keys, *condition_params))
            if fetched is None:
                return None
    made: dict = {}
    return [read.rows.make(_converted(row, read.converters, connection), made) for row in fetched]


# PostgreSQL weighs every order and every method of a page's joins before it reads a row: for
# the staff list's four joins, 0.65 ms of planning for 0.3 of reading. Each join here looks up,
# by its key, the record a row of a bounded page names (a limit or a list of keys), so the
# order written (the listed table first) with a nested loop on each key is the plan it picks
# anyway. These settings keep that order and spare the planner the hash and merge joins it
# would weigh and drop, and the cache of lookups (memoize) that a page's mostly distinct keys
# only slow: the server's time for the statement goes from 1.1 to 0.6 ms (decision 0018).
# SET LOCAL lasts until the end of the message's own implicit transaction; inside an open one
# the settings are put back after the statement.
_PLANNED_AS_WRITTEN = (
    ("join_collapse_limit", "1"),
    ("enable_hashjoin", "off"),
    ("enable_mergejoin", "off"),
    ("enable_memoize", "off"),
)


# One statement sets them all (set_config(..., true) is SET LOCAL): one result to step past.
_SETTINGS_SQL = "SELECT " + ", ".join(
    f"set_config('{name}', '{value}', true)" for name, value in _PLANNED_AS_WRITTEN
)


def _planned_as_written(sql: str, in_transaction: bool) -> str:
    if not in_transaction:
        return f"{_SETTINGS_SQL}; {sql}"
    back = "; ".join(f"SET LOCAL {name} TO DEFAULT" for name, _value in _PLANNED_AS_WRITTEN)
    return f"{_SETTINGS_SQL}; {sql}; {back}"


def _joins_in_written_order(connection, cursor, where) -> bool:
    """Whether the page's statement may ask PostgreSQL to keep its joins in the written
    order: when the queryset's condition names only the listed table (no subquery, no raw
    SQL: a condition on another table might be the better place to start) and the driver
    sends statements with their values in them (psycopg's client-side binding, Django's
    default), so that the settings and the statement go in one message."""
    if connection.vendor != "postgresql":
        return False
    import psycopg

    if not isinstance(getattr(cursor, "cursor", None), psycopg.ClientCursor):
        return False
    return not any(_reaches_beyond(node) for node in _nodes(where))


def _nodes(node: Any):
    yield node
    children = getattr(node, "children", None)
    if children is None and hasattr(node, "get_source_expressions"):
        children = node.get_source_expressions()
    for child in children or ():
        if child is not None:
            yield from _nodes(child)


def _reaches_beyond(node: Any) -> bool:
    return (
        getattr(node, "subquery", False)
        or isinstance(node, (Query, ExtraWhere, RawSQL))
        or not hasattr(node, "as_sql")
    )


@functools.lru_cache(maxsize=256)
def _order_sql(model: type[models.Model], alias: str, ordering: tuple[str, ...]) -> str | None:
    """``ORDER BY`` of ``model``'s own columns (``"-created_at"``, ``"pk"``), as the ORM writes
    it; None for anything else (a related field, an expression)."""
    quote = connections[alias].ops.quote_name
    table = quote(model._meta.db_table)
    terms = []
    for name in ordering:
        bare = name.lstrip("-")
        try:
            field = model._meta.pk if bare == "pk" else model._meta.get_field(bare)
        except FieldDoesNotExist:
            return None
        # A relation orders by its target's own ordering in the ORM: not a column here.
        if not isinstance(field, models.Field) or field.is_relation or not field.column:
            return None
        descending = name.startswith("-")
        terms.append(f"{table}.{quote(field.column)} {'DESC' if descending else 'ASC'}")
    return ", ".join(terms) or None


def _in_order(rows: list, keys: list) -> list:
    by_key = {row.pk: row for row in rows}
    return [by_key[key] for key in keys if key in by_key]


def _frozen(select_related: Any) -> Any:
    if isinstance(select_related, dict):
        return tuple(sorted((name, _frozen(inner)) for name, inner in select_related.items()))
    return select_related


def _thawed(frozen: Any) -> Any:
    if isinstance(frozen, tuple):
        return {name: _thawed(inner) for name, inner in frozen}
    return frozen


@functools.lru_cache(maxsize=256)
def _keyed_read(
    model: type[models.Model],
    alias: str,
    select_related: Any,
    deferred: tuple[frozenset, bool],
    count: int,
) -> _KeyedRead | None:
    """The statement of ``count`` keys' rows with these joins and loaded fields, compiled
    through the ORM once; None when its shape is not the one expected (then the ORM reads)."""
    samples = [_SAMPLE_KEY - n for n in range(count)]
    rows = model._base_manager.db_manager(alias).all()
    rows.query.select_related = _thawed(select_related)
    rows.query.deferred_loading = (frozenset(deferred[0]), deferred[1])
    rows = rows.filter(pk__in=samples).order_by()  # the keys give the order
    compiler = rows.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    connection = connections[alias]
    quote = connection.ops.quote_name
    keyed = f"{quote(model._meta.db_table)}.{quote(model._meta.pk.column)} IN ("
    keyed += ", ".join(["%s"] * count) + ")"
    head, separator, tail = sql.rpartition(" WHERE ")
    if not separator or tail != keyed or tuple(params) != tuple(samples):
        return None
    _expressions, converters = _selected(compiler)
    joined = _joined_rows(compiler.klass_info, compiler.select, alias)
    return _KeyedRead(head, keyed, converters, joined)


def _joined_rows(klass_info: dict, select: list, alias: str, top: bool = True) -> _Joined:
    if klass_info.get("from_parent"):
        raise ValueError("records of an inherited model are joined by the ORM")
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    attnames = [column.target.attname for column, _sql, _alias in select[start:end]]
    model = klass_info["model"]
    return _Joined(
        load=record_loader(model, alias, attnames),
        start=start,
        end=end,
        key_at=attnames.index(model._meta.pk.attname),
        joined=tuple(
            _joined_rows(inner, select, alias, top=False)
            for inner in klass_info.get("related_klass_infos", ())
        ),
        local_setter=None if top else klass_info["local_setter"],
        remote_setter=None if top else klass_info["remote_setter"],
    )
