"""A statement compiled once (``core.statements``): its slots are found by building it twice,
bound values give exactly the statement the builder makes for them, and any layout that cannot
be told for certain is refused rather than guessed."""

from __future__ import annotations

import pytest
from django.db import connection

from bridgework.core.statements import compile_statement
from bridgework.places.models import Place

pytestmark = pytest.mark.django_db  # compiling may ask the database server for its version

# Values no row has (a depth must also lie in its column's range, or the ORM drops the test).
SAMPLES = (
    {"name": "\uffff name a", "depth": 32_001},
    {"name": "\uffff name b", "depth": 32_002},
)


def places_named(values) -> tuple[str, list]:
    query = Place.objects.filter(name=values["name"], depth__lte=values["depth"], path__gte="/")
    sql, params = query.query.get_compiler(connection.alias).as_sql()
    return sql, list(params)


def test_slots_are_found_and_bound_to_new_values():
    statement = compile_statement(places_named, SAMPLES)
    assert statement is not None
    assert sorted(name for _position, name, _wrap in statement.slots) == ["depth", "name"]
    assert "/" in statement.constants  # the constant stays where the ORM put it
    for values in ({"name": "Riverton", "depth": 3}, {"name": "x", "depth": 0}):
        assert (statement.sql, statement.bind(values)) == places_named(values)


def test_a_bound_statement_reads_what_the_queryset_reads(tree):
    statement = compile_statement(places_named, SAMPLES)
    assert statement is not None
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, statement.bind({"name": tree.city.name, "depth": 9}))
        rows = cursor.fetchall()
    assert [row[0] for row in rows] == [tree.city.pk]


def test_a_value_written_into_the_text_is_refused():
    def inlined(values):
        return f"SELECT 1 WHERE name = '{values['name']}' AND depth <= %s", [values["depth"]]

    assert compile_statement(inlined, SAMPLES) is None


def test_a_value_changed_on_its_way_in_is_refused():
    def changed(values):
        return "SELECT 1 WHERE name = %s AND depth <= %s", [values["name"].upper(), values["depth"]]

    assert compile_statement(changed, SAMPLES) is None


def test_a_parameter_that_moves_without_a_slot_is_refused():
    counter = iter(range(100))

    def moving(values):
        return "SELECT 1 WHERE name = %s AND n = %s", [values["name"], next(counter)]

    assert compile_statement(moving, SAMPLES) is None


def test_slots_that_swap_places_are_refused():
    def swapped(values):
        first, second = (values["name"], values["depth"])
        if values["depth"] == 32_002:
            first, second = second, first
        return "SELECT 1 WHERE a = %s AND b = %s", [first, second]

    assert compile_statement(swapped, SAMPLES) is None


def test_a_true_constant_is_not_taken_for_a_slot_of_one():
    def flagged(values):
        return "SELECT 1 WHERE flag = %s AND depth <= %s", [True, values["depth"]]

    statement = compile_statement(flagged, ({"depth": 1}, {"depth": 2}))
    assert statement is not None
    assert statement.bind({"depth": 5}) == [True, 5]
    assert type(statement.bind({"depth": 5})[0]) is bool


def test_samples_must_be_told_apart():
    with pytest.raises(ValueError, match="share a sample value"):
        compile_statement(places_named, ({"name": "a", "depth": "a"}, {"name": "b", "depth": 2}))
    with pytest.raises(ValueError, match="two or more samples"):
        compile_statement(places_named, (SAMPLES[0],))


class Int2(int):
    """What psycopg's adapter for a small integer column looks like to the ORM's parameters."""


def test_a_value_the_database_layer_wraps_is_wrapped_again():
    def wrapped(values):
        return "SELECT 1 WHERE depth <= %s AND name = %s", [Int2(values["depth"]), values["name"]]

    statement = compile_statement(wrapped, SAMPLES)
    assert statement is not None
    params = statement.bind({"depth": 4, "name": "Riverton"})
    assert params == [4, "Riverton"] and type(params[0]) is Int2
