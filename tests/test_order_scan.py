"""A wide reader's newest applications on SQLite are read along the index in the list's order
(``application_newest``), bounded by the table's first ``ORDER_SCAN_PAGES`` pages; a narrow
reader's, past the bound, the usual way. Either way the pages are exactly what the plain
statement gives: walked forward and back, for readers of a country, a city and a ward, with
ties in the ordering's first column."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.policy import sync_default_policy
from bridgework.actors.factories import OrganisationFactory
from bridgework.funding.factories import ApplicationFactory, CallFactory, FundFactory
from bridgework.funding.models import Application
from bridgework.funding.views import ApplicationViewSet
from bridgework.places.factories import PlaceFactory
from bridgework.web import pagination
from bridgework.web.pagination import _order_index, keyset_page

pytestmark = pytest.mark.django_db

ORDERING = ApplicationViewSet.ordering
SIZE = 4
START = timezone.make_aware(datetime.datetime(2026, 1, 5, 9, 0))


@pytest.fixture
def spread(monkeypatch):
    """Thirty applications: most from a big city, a few from a ward of a small one; two and
    two share a creation time. The bounded scan reads at most ten rows of the index."""
    monkeypatch.setattr(pagination, "ORDER_SCAN_PAGES", 2)  # 10 rows for a page of 4 (+1)
    sync_default_policy()
    country = PlaceFactory(name="Malawi")
    big = PlaceFactory(name="Lilongwe", parent=country)
    small = PlaceFactory(name="Zomba", parent=country)
    ward = PlaceFactory(name="Zomba Central", parent=small)
    call = CallFactory(fund=FundFactory())
    for n in range(30):
        place = ward if n % 10 == 3 else big
        application = ApplicationFactory(call=call, organisation=OrganisationFactory(place=place))
        Application.objects.filter(pk=application.pk).update(
            created_at=START + datetime.timedelta(hours=n // 2)
        )

    def reader(place):
        user = UserFactory()
        RoleAssignmentFactory(user=user, role="national_coordinator", place=place)
        return user

    return {
        "country": reader(country),
        "city": reader(big),
        "ward": reader(ward),
        "nobody": UserFactory(),  # no role: an empty scope
    }


def _walk(queryset, **kwargs):
    pages, after = [], None
    while True:
        page = keyset_page(queryset, ordering=ORDERING, size=SIZE, after=after, **kwargs)
        pages.append(page)
        if page.next_cursor is None:
            return pages
        after = page.next_cursor


@pytest.mark.parametrize("who", ["country", "city", "ward", "nobody"])
def test_pages_are_the_plain_statements_forward_and_back(spread, who):
    scoped = Application.objects.visible_to(spread[who], "view")
    expected = list(scoped.order_by("-created_at", "pk").values_list("pk", flat=True))
    assert bool(expected) == (who != "nobody")
    pages = _walk(scoped, keys_first=True)
    assert [a.pk for page in pages for a in page.items] == expected
    assert pages == _walk(scoped)  # the same pages without keys first
    for later, earlier in zip(pages[1:], pages, strict=False):
        back = keyset_page(
            scoped, ordering=ORDERING, size=SIZE, before=later.previous_cursor, keys_first=True
        )
        assert [a.pk for a in back.items] == [a.pk for a in earlier.items]


def _statements(queryset, **kwargs):
    with CaptureQueriesContext(connection) as sent:
        keyset_page(queryset, ordering=ORDERING, size=SIZE, keys_first=True, **kwargs)
    return [query["sql"] for query in sent.captured_queries]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite is asked in order")
def test_a_wide_reader_is_answered_along_the_order_index(spread):
    scoped = Application.objects.visible_to(spread["country"], "view")
    sent = _statements(scoped)
    forced = [sql for sql in sent if 'INDEXED BY "application_newest"' in sql]
    assert len(forced) == 1
    assert len(sent) == 3  # the bound, the keys along the index, the rows
    with CaptureQueriesContext(connection) as sent_rows:  # the rows themselves, no keys first
        keyset_page(scoped, ordering=ORDERING, size=SIZE)
    rows = [query["sql"] for query in sent_rows.captured_queries]
    assert len(rows) == 2 and 'INDEXED BY "application_newest"' in rows[1]


def _listed(reader):
    """The staff list's own queryset, with the records its rows join."""
    return ApplicationViewSet.list_queryset(Application.objects.visible_to(reader, "view"))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite is asked in order")
def test_the_staff_list_s_rows_are_read_with_their_joins_along_the_order_index(spread):
    listed = _listed(spread["country"])
    sent = _statements(listed)
    # The bound, then the page's rows and their joins in one statement along the index.
    assert len(sent) == 2 and 'INDEXED BY "application_newest" INNER JOIN' in sent[1]
    page = keyset_page(listed, ordering=ORDERING, size=SIZE, keys_first=True)
    plain = list(listed.order_by(*ORDERING)[:SIZE])
    assert [a.pk for a in page.items] == [a.pk for a in plain]
    assert [a.organisation.name for a in page.items] == [a.organisation.name for a in plain]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite is asked in order")
def test_the_staff_list_of_a_narrow_reader_past_the_bound_reads_its_keys_first(spread):
    listed = _listed(spread["ward"])
    sent = _statements(listed)
    # The bound, too few rows along the index, then the keys as the statement is, and their
    # rows: the bound is not asked again.
    assert len(sent) == 4
    assert 'INDEXED BY "application_newest" INNER JOIN' in sent[1]
    assert "INDEXED BY" not in sent[2] and "JOIN" not in sent[2] and "JOIN" in sent[3]


@pytest.mark.parametrize("who", ["country", "city", "ward", "nobody"])
def test_the_staff_list_s_pages_are_the_plain_statements_forward_and_back(spread, who):
    listed = _listed(spread[who])
    expected = list(listed.order_by(*ORDERING).values_list("pk", flat=True))
    pages = _walk(listed, keys_first=True)
    assert [a.pk for page in pages for a in page.items] == expected
    assert pages == _walk(listed)
    for later, earlier in zip(pages[1:], pages, strict=False):
        back = keyset_page(
            listed, ordering=ORDERING, size=SIZE, before=later.previous_cursor, keys_first=True
        )
        assert [a.pk for a in back.items] == [a.pk for a in earlier.items]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite is asked in order")
def test_a_narrow_reader_past_the_bound_is_answered_the_usual_way(spread):
    scoped = Application.objects.visible_to(spread["ward"], "view")
    sent = _statements(scoped)
    assert len(sent) == 4  # the bound, too few keys along the index, the keys, the rows
    assert 'INDEXED BY "application_newest"' not in sent[2]


def test_a_joined_or_sliced_statement_is_answered_the_usual_way(spread):
    scoped = Application.objects.visible_to(spread["country"], "view")
    searched = scoped.filter(organisation__name__icontains="a")
    assert not any("INDEXED BY" in sql for sql in _statements(searched))
    page = keyset_page(searched, ordering=ORDERING, size=SIZE, keys_first=True)
    plain = searched.order_by("-created_at", "pk").values_list("pk", flat=True)[:SIZE]
    assert [a.pk for a in page.items] == list(plain)


def test_postgresql_is_never_told_which_index(spread):
    if connection.vendor == "sqlite":
        pytest.skip("PostgreSQL weighs the plans itself")
    scoped = Application.objects.visible_to(spread["country"], "view")
    assert not any("INDEXED BY" in sql for sql in _statements(scoped))


def test_the_order_index_is_found_for_the_order_and_its_reverse():
    assert _order_index(Application, ("-created_at", "pk")) == "application_newest"
    assert _order_index(Application, ("created_at", "-pk")) == "application_newest"
    assert _order_index(Application, ("created_at", "pk")) is None
    assert _order_index(Application, ("title", "pk")) is None


def test_a_list_in_key_order_is_read_along_an_index_led_by_the_key(spread, monkeypatch):
    # ``pk`` names the key: the index's first column is the key's (no model declares one yet).
    monkeypatch.setattr(pagination, "_order_index", lambda model, ordering: "application_newest")
    scoped = Application.objects.visible_to(spread["country"], "view")
    page = keyset_page(scoped, ordering=("pk",), size=SIZE, keys_first=True)
    assert [a.pk for a in page.items] == list(scoped.order_by("pk").values_list("pk", flat=True))[
        :SIZE
    ]
