"""On SQLite, a reader whose grants are all at a depth for which organisations declare a
prefix index (the world root and the countries below it here) has
``PathPrefix(place_path, d) IN (...)`` written beside their scope, so the database can read
their organisations by name from that index (decision 0015). The condition is implied by the
scope: the rows are exactly the scope's, for every reader, whatever their depth, label or the
places above them, on either database; pages walked by name are the plain statement's; on
SQLite the wide reader's page is read from the index."""

from __future__ import annotations

from itertools import product

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.policy import decide_scope
from bridgework.actors.factories import OrganisationFactory
from bridgework.actors.models import Organisation, OrganisationArea
from bridgework.core.paths import PathPrefix
from bridgework.core.scoping import _scope_q, admits, prefix_depths
from bridgework.core.tlp import TLP
from bridgework.places.factories import PlaceFactory
from bridgework.web.pagination import keyset_page

pytestmark = pytest.mark.django_db

ORDERING = ("name", "pk")


@pytest.fixture
def readers(tree):
    places = [
        tree.world,
        tree.country,
        tree.region,
        tree.city,
        tree.ward,
        tree.sibling,
        tree.other_country,
    ]
    elsewhere = PlaceFactory(name="Szohod", parent=tree.other_country)
    places.append(elsewhere)
    for n, (place, label) in enumerate(product(places, TLP)):
        # Names out of the places' order, with a tie, so the order is the index's to give.
        OrganisationFactory(place=place, tlp=label, name=f"Org {(n * 7) % 11:02d}")

    def reader(*grants):
        user = UserFactory()
        for role, place in grants:
            RoleAssignmentFactory(user=user, role=role, place=place)
        return user

    return {
        "world": reader(("national_coordinator", tree.world)),
        "country": reader(("national_coordinator", tree.country)),
        "country resident": reader(("resident", tree.country)),  # a lower label ceiling
        "two countries": reader(
            ("national_coordinator", tree.country), ("partner", tree.other_country)
        ),
        "country and ward": reader(  # the ward lies in the country: the country's prefix
            ("resident", tree.country), ("local_coordinator", tree.ward)
        ),
        "country and a city elsewhere": reader(  # two depths: no prefix
            ("resident", tree.country), ("local_coordinator", elsewhere)
        ),
        "region": reader(("national_coordinator", tree.region)),  # depth 2: no prefix
        "nobody": UserFactory(),
    }


def _plain(user):
    """The scope's own condition, without the prefix."""
    scope = decide_scope(user, "view", Organisation)
    return Organisation.objects.filter(
        scope.as_q("place_path", "tlp", with_ancestors=Organisation.scope_reads_ancestors)
    )


@pytest.mark.parametrize(
    "who",
    [
        "world",
        "country",
        "country resident",
        "two countries",
        "country and ward",
        "country and a city elsewhere",
        "region",
        "nobody",
    ],
)
def test_the_rows_are_the_scope_s_own(readers, who):
    user = readers[who]
    scope = decide_scope(user, "view", Organisation)
    seen = set(Organisation.objects.visible_to(user, "view").values_list("pk", flat=True))
    assert seen == set(_plain(user).values_list("pk", flat=True))
    assert seen == {org.pk for org in Organisation.objects.all() if admits(scope, org)}
    assert bool(seen) == (who != "nobody")


@pytest.mark.parametrize(
    ("who", "prefixed"),
    [
        ("world", True),
        ("country", True),
        ("country resident", True),
        ("two countries", True),
        ("country and ward", True),
        ("country and a city elsewhere", False),
        ("region", False),
    ],
)
def test_the_prefix_is_written_only_for_grants_at_an_indexed_depth(readers, who, prefixed):
    query = str(Organisation.objects.visible_to(readers[who], "view").query)
    # PostgreSQL weighs its own plans: the prefix is SQLite's (decision 0015).
    assert ("SUBSTR(" in query) == (prefixed and connection.vendor == "sqlite")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the prefix is SQLite's")
def test_a_country_reader_reads_the_shareable_organisations_above_through_the_prefix(readers, tree):
    # The country's reader reads the world's GREEN and CLEAR organisations: the prefix names
    # the world's own path beside the country's, or they would be lost.
    condition = _scope_q(Organisation, decide_scope(readers["country"], "view", Organisation))
    prefix = condition.children[0]
    assert isinstance(prefix.lhs, PathPrefix) and prefix.lhs.depth == 1
    assert prefix.rhs == sorted([tree.world.path, tree.country.path])
    above = Organisation.objects.visible_to(readers["country"], "view").filter(place=tree.world)
    assert sorted(above.values_list("tlp", flat=True)) == [TLP.CLEAR, TLP.GREEN]


@pytest.mark.parametrize("who", ["world", "country", "two countries", "country resident"])
def test_pages_by_name_are_the_plain_statement_s(readers, who):
    scoped = Organisation.objects.visible_to(readers[who], "view")
    expected = list(_plain(readers[who]).order_by(*ORDERING).values_list("pk", flat=True))
    pages, after = [], None
    while True:
        page = keyset_page(scoped, ordering=ORDERING, size=3, after=after)
        pages.append(page)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert [org.pk for page in pages for org in page.items] == expected
    for later, earlier in zip(pages[1:], pages, strict=False):
        back = keyset_page(scoped, ordering=ORDERING, size=3, before=later.previous_cursor)
        assert [org.pk for org in back.items] == [org.pk for org in earlier.items]


def test_filters_narrow_the_prefixed_scope(readers, tree):
    # A place below the reader's, and a condition that reaches the areas table.
    scoped = Organisation.objects.visible_to(readers["country"], "view")
    plain = _plain(readers["country"])
    for narrow in (
        lambda rows: rows.in_subtree(tree.city.path),
        lambda rows: rows.filter(pk__in=OrganisationArea.objects.values("organisation_id")),
        lambda rows: rows.filter(name__in=["Org 03", "Org 07"]),
    ):
        narrowed = set(narrow(scoped).values_list("pk", flat=True))
        assert narrowed == set(narrow(plain).values_list("pk", flat=True))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the plan is SQLite's to show")
def test_a_country_reader_s_page_is_read_from_the_prefix_index(readers):
    scoped = Organisation.objects.visible_to(readers["country"], "view")
    with CaptureQueriesContext(connection) as sent:
        keyset_page(scoped, ordering=ORDERING, size=3)
    sql = sent.captured_queries[0]["sql"]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "org_depth1_name" in plan


def test_the_prefix_depths_are_found_from_the_declared_indexes():
    assert prefix_depths(Organisation) == frozenset({0, 1})
    assert prefix_depths(OrganisationArea) == frozenset()
