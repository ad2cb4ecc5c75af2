"""A list page's rows read by their keys (``read_by_keys``) are the records the ORM gives for
``queryset.filter(pk__in=keys)``, in the keys' order: the same values, the same deferred
fields, the same joined records attached the same way, and only those the queryset's own
condition (the reader's scope, the filters) lets through. A page's first rows read in one
statement (``read_first_joined``) are the ORM's ``queryset.order_by(...)[:limit]``. Checked
for every list page's queryset on a world with rows for each of them."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.policy import sync_default_policy
from bridgework.actors.factories import OrganisationFactory
from bridgework.bodies.factories import ActionItemFactory, BodyFactory, MeetingFactory, SeatFactory
from bridgework.core.fixed_reads import (
    _joins_in_written_order,
    _planned_as_written,
    read_by_keys,
    read_first_joined,
)
from bridgework.funding.factories import (
    ApplicationFactory,
    CallFactory,
    FundFactory,
    ReviewFactory,
)
from bridgework.funding.models import Application
from bridgework.web.pagination import _normalise, keyset_page
from bridgework.web.viewsets import ModelViewSet
from tests.helpers import declared_subclasses

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree):
    sync_default_policy()
    for place in (tree.city, tree.ward, tree.other_country):
        body = BodyFactory(place=place)
        SeatFactory(body=body)
        MeetingFactory(body=body)
        ActionItemFactory(raised_by=body)
        call = CallFactory(fund=FundFactory(owner=body))
        for _ in range(3):
            application = ApplicationFactory(
                call=call, organisation=OrganisationFactory(place=place)
            )
            ReviewFactory(application=application)
    coordinator = UserFactory()
    RoleAssignmentFactory(user=coordinator, role="national_coordinator", place=tree.country)
    return [coordinator, tree.in_scope, tree.no_role]


def _state(record, depth=0):
    """Everything a loaded record holds: its values, and its joined records' states."""
    if record is None:
        return None
    values = {k: v for k, v in vars(record).items() if k != "_state"}
    joined = {
        name: _state(related, depth + 1) for name, related in record._state.fields_cache.items()
    }
    return (type(record), values, record._state.db, record._state.adding, joined)


def _joined_lists():
    return [
        viewset
        for viewset in declared_subclasses(ModelViewSet)
        if getattr(viewset, "model", None) is not None and viewset.list_select_related
    ]


def test_every_list_s_rows_are_what_the_orm_gives(world, django_assert_num_queries):
    compared = set()
    for viewset in _joined_lists():
        model = viewset.model
        everything = list(model._base_manager.values_list("pk", flat=True))
        if not everything:
            continue
        for reader in world:
            scoped = viewset.list_queryset(model._default_manager.visible_to(reader, "view"))
            keys = everything + [max(everything) + 1000]  # one that no row has
            random.Random(len(keys)).shuffle(keys)
            expected = {row.pk: row for row in scoped.filter(pk__in=keys)}
            with django_assert_num_queries(0 if not expected else 1):
                rows = read_by_keys(scoped.order_by(*viewset.ordering), keys)
            assert [row.pk for row in rows] == [key for key in keys if key in expected]
            for row in rows:
                assert _state(row) == _state(expected[row.pk]), (viewset.__name__, row.pk)
        compared.add(model)
    assert Application in compared and len(compared) >= 6


def test_the_joins_are_compiled_once_and_the_condition_each_time(world):
    staff = world[0]
    from bridgework.funding.views import ApplicationViewSet

    scoped = ApplicationViewSet.list_queryset(Application.objects.visible_to(staff, "view"))
    keys = list(Application.objects.values_list("pk", flat=True))
    read_by_keys(scoped, keys)
    with CaptureQueriesContext(connection) as sent:
        read_by_keys(scoped, keys)
    assert len(sent.captured_queries) == 1
    sql = sent.captured_queries[0]["sql"]
    where = sql.split(" WHERE ", 1)[1]
    # The kept statement (keys first), then the reader's scope compiled for this call.
    assert "JOIN" in sql and where.startswith('"funding_application"."id" IN (')
    assert '"funding_application"."place_path" >=' in where


def test_a_reader_who_sees_nothing_gets_no_rows(world, django_assert_num_queries):
    nobody = world[2]
    keys = list(Application.objects.values_list("pk", flat=True))
    scoped = Application.objects.visible_to(nobody, "view").select_related("call")
    with django_assert_num_queries(0):
        assert read_by_keys(scoped, keys) == []


def _reversed(ordering):
    return tuple(name[1:] if name.startswith("-") else f"-{name}" for name in ordering)


def test_every_list_s_first_rows_in_one_statement_are_what_the_orm_gives(world):
    compared = set()
    for viewset in _joined_lists():
        model = viewset.model
        if not model._base_manager.exists():
            continue
        ordering = _normalise(viewset.ordering)
        for reader in world:
            scoped = viewset.list_queryset(model._default_manager.visible_to(reader, "view"))
            for order in (ordering, _reversed(ordering), ("pk",)):
                for limit in (1, 2, 1000):
                    expected = list(scoped.order_by(*order)[:limit])
                    with CaptureQueriesContext(connection) as sent:
                        rows = read_first_joined(scoped.order_by(*order), order, limit)
                    # A reader who sees nothing may be answered without a statement.
                    assert len(sent.captured_queries) == (1 if expected else 0) or (
                        not expected and len(sent.captured_queries) == 1
                    )
                    assert [row.pk for row in rows] == [row.pk for row in expected]
                    for row, wanted in zip(rows, expected, strict=True):
                        assert _state(row) == _state(wanted), (viewset.__name__, order, row.pk)
        compared.add(model)
    assert Application in compared and len(compared) >= 6


def test_one_statement_writes_the_order_and_limit_after_the_reader_s_condition(world):
    staff = world[0]
    from bridgework.funding.views import ApplicationViewSet

    scoped = ApplicationViewSet.list_queryset(Application.objects.visible_to(staff, "view"))
    read_first_joined(scoped, ("-created_at", "pk"), 2)
    with CaptureQueriesContext(connection) as sent:
        rows = read_first_joined(scoped, ("-created_at", "pk"), 2)
    assert len(sent.captured_queries) == 1 and len(rows) == 2
    sql = sent.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":  # the joins kept in their written order (0018)
        prefix, suffix = _planned_as_written("{}", in_transaction=True).split("{}")
        assert sql.startswith(prefix) and sql.endswith(suffix)
        sql = sql[len(prefix) : -len(suffix)]
    where = sql.split(" WHERE ", 1)[1]
    assert "JOIN" in sql and '"funding_application"."place_path" >=' in where
    assert where.endswith(
        'ORDER BY "funding_application"."created_at" DESC, "funding_application"."id" ASC LIMIT 2'
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner setting")
def test_the_join_order_is_kept_only_for_the_statement_and_only_when_the_condition_allows(
    world,
):
    """Inside an open transaction (a test's) the settings are back to what they were after
    the page's statement; a condition with a subquery, or raw SQL, leaves the planner free."""
    staff = world[0]
    from bridgework.funding.views import ApplicationViewSet

    scoped = ApplicationViewSet.list_queryset(Application.objects.visible_to(staff, "view"))
    expected = list(scoped.order_by("-created_at", "pk")[:3])
    before = _planner_settings()
    with CaptureQueriesContext(connection) as sent:
        rows = read_first_joined(scoped, ("-created_at", "pk"), 3)
    assert [row.pk for row in rows] == [row.pk for row in expected]
    sql = sent.captured_queries[0]["sql"]
    assert sql.startswith("SELECT set_config('join_collapse_limit', '1', true), ")
    assert sql.endswith("SET LOCAL enable_memoize TO DEFAULT")
    assert _planner_settings() == before
    narrowed = (
        scoped.filter(call__in=Application.objects.values("call")),
        scoped.extra(where=["1 = 1"]),
    )
    for queryset in narrowed:
        with CaptureQueriesContext(connection) as sent:
            rows = read_first_joined(queryset, ("-created_at", "pk"), 3)
        assert [row.pk for row in rows] == [row.pk for row in expected]
        assert "set_config" not in sent.captured_queries[0]["sql"]
    with connection.cursor() as cursor:  # a driver that binds on the server: one at a time
        assert _joins_in_written_order(connection, cursor, scoped.query.where)
        assert not _joins_in_written_order(connection, object(), scoped.query.where)


def _planner_settings() -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN "
            "('join_collapse_limit', 'enable_hashjoin', 'enable_mergejoin', 'enable_memoize')"
        )
        return sorted(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner setting")
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_settings_last_for_the_statement_s_own(world):
    """In autocommit, as a page's reads run, the message is its own transaction: the settings
    end with it, and nothing puts them back."""
    staff = world[0]
    from bridgework.funding.views import ApplicationViewSet

    assert connection.get_autocommit() and not connection.in_atomic_block
    scoped = ApplicationViewSet.list_queryset(Application.objects.visible_to(staff, "view"))
    expected = list(scoped.order_by("-created_at", "pk")[:5])
    before = _planner_settings()
    with CaptureQueriesContext(connection) as sent:
        rows = read_first_joined(scoped, ("-created_at", "pk"), 5)
    assert [_state(row) for row in rows] == [_state(row) for row in expected]
    sql = sent.captured_queries[0]["sql"]
    assert sql.startswith("SELECT set_config(") and sql.endswith("LIMIT 5")
    assert _planner_settings() == before


def test_an_order_through_a_relation_is_left_to_the_orm(world):
    staff = world[0]
    scoped = Application.objects.visible_to(staff, "view").select_related("organisation", "call")
    for order in (("organisation__name", "pk"), ("call", "pk"), ("-organisation", "-pk")):
        expected = list(scoped.order_by(*order)[:4])
        rows = read_first_joined(scoped.order_by(*order), order, 4)
        assert [row.pk for row in rows] == [row.pk for row in expected]
        assert [_state(row) for row in rows] == [_state(row) for row in expected]


def test_the_staff_list_s_page_is_one_statement_on_postgresql_and_keys_first_on_sqlite(
    world,
):
    staff = world[0]
    from bridgework.funding.views import ApplicationViewSet

    scoped = ApplicationViewSet.list_queryset(Application.objects.visible_to(staff, "view"))
    ordering = ApplicationViewSet.ordering
    plain = keyset_page(scoped, ordering=ordering, size=2)
    with CaptureQueriesContext(connection) as sent:
        page = keyset_page(scoped, ordering=ordering, size=2, keys_first=True)
    assert [row.pk for row in page.items] == [row.pk for row in plain.items]
    assert page.next_cursor == plain.next_cursor
    statements = [query["sql"] for query in sent.captured_queries]
    if connection.vendor == "postgresql":
        assert len(statements) == 1 and "JOIN" in statements[0]
    else:
        assert "JOIN" not in statements[0] and "JOIN" in statements[-1]
    following = keyset_page(
        scoped, ordering=ordering, size=2, after=page.next_cursor, keys_first=True
    )
    expected = keyset_page(scoped, ordering=ordering, size=2, after=page.next_cursor)
    assert [row.pk for row in following.items] == [row.pk for row in expected.items]


def test_a_record_joined_to_many_rows_is_made_once_a_statement(world):
    """Rows naming the same call (and so the same fund) share its record, as read once; each
    still equals the ORM's. Rows of another statement get records of their own."""
    staff = world[0]
    from bridgework.funding.views import ApplicationViewSet

    scoped = ApplicationViewSet.list_queryset(Application.objects.visible_to(staff, "view"))
    expected = list(scoped.order_by("-created_at", "pk")[:50])
    rows = read_first_joined(scoped, ("-created_at", "pk"), 50)
    assert [_state(row) for row in rows] == [_state(row) for row in expected]
    by_call: dict = {}
    for row in rows:
        by_call.setdefault(row.call_id, []).append(row)
    shared = [same for same in by_call.values() if len(same) > 1]
    assert shared, "the world has calls with more than one application"
    for same in shared:
        assert all(row.call is same[0].call for row in same)
        assert all(row.call.fund is same[0].call.fund for row in same)
    again = read_first_joined(scoped, ("-created_at", "pk"), 50)
    assert again[0].call is not rows[0].call
