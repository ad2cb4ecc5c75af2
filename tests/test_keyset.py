"""Keyset pages: walked forward and back they give the list in order, and a page after a
cursor puts the cursor's bound first in its statement (SQLite bounds its index range by the
first bound it meets: the scope's, met first, made a deep page read every row before it)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bridgework.places.models import Place
from bridgework.web.pagination import keyset_page

pytestmark = pytest.mark.django_db

ORDERING = ("path", "pk")


def _walk(queryset, size):
    pages, after = [], None
    while True:
        page = keyset_page(queryset, ordering=ORDERING, size=size, after=after)
        pages.append(page)
        if page.next_cursor is None:
            return pages
        after = page.next_cursor


def test_pages_forward_and_back_are_the_list_in_order(tree):
    scoped = Place.objects.visible_to(tree.ancestor, "view")
    expected = list(scoped.order_by(*ORDERING))
    assert len(expected) >= 5
    pages = _walk(scoped, 2)
    assert [place for page in pages for place in page.items] == expected
    back = keyset_page(scoped, ordering=ORDERING, size=2, before=pages[-1].previous_cursor)
    assert back.items == pages[-2].items


def test_the_cursors_bound_comes_first(tree):
    scoped = Place.objects.visible_to(tree.ancestor, "view")
    first = keyset_page(scoped, ordering=ORDERING, size=2)
    for cursor in ({"after": first.next_cursor}, {"before": first.next_cursor}):
        with CaptureQueriesContext(connection) as sent:
            keyset_page(scoped, ordering=ORDERING, size=2, **cursor)
        where = sent.captured_queries[0]["sql"].split(" WHERE ", 1)[1]
        seek = "<=" if "before" in cursor else ">="
        bound = f'("places_place"."path" {seek} \'{first.items[-1].path}\''
        assert where.startswith(bound), where
