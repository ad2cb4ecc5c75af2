"""The 3W's statements on the roll-up, compiled once per reader's scope and filter shape
(``actors.selectors._reach_statements``): bound to a call's values they are, text and
parameters, the statements the ORM builds for that call; they give the ORM path's answer for
every reader, filter and overlap limit; a reader whose access changes (their assignments, or a
role: the access epoch) reads through statements of their new scope; and where a layout cannot
be told, the ORM path answers."""

from __future__ import annotations

import pytest
from django.db import connection, router
from django.test.utils import CaptureQueriesContext

from bridgework.access.factories import RoleAssignmentFactory
from bridgework.access.models import Role, User
from bridgework.actors import selectors
from bridgework.actors.models import Organisation, OrganisationReach, Theme
from bridgework.actors.selectors import (
    OrgFilters,
    _counts_sql,
    _crowded_sql,
    _reach_statements,
    _reach_values,
    _ReachShape,
    _three_w_live,
    _three_w_reach_orm,
    three_w,
)
from bridgework.core.scoping import scope_for
from bridgework.core.tlp import TLP

from .test_actors_3w_rollup import filter_sets, world  # noqa: F401  (world is a fixture)

LIMITS = (0, 3, 50)
REACH_TABLE = OrganisationReach._meta.db_table
THEME_TABLE = Theme._meta.db_table


@pytest.fixture(autouse=True)
def _no_statements_kept():
    """Each test compiles its own statements (one of them compiles none at all)."""
    _reach_statements.cache_clear()
    yield
    _reach_statements.cache_clear()


def statements_for(user, filters: OrgFilters, limit: int):
    shape = _ReachShape(
        bool(filters.level), filters.theme is not None, bool(filters.sector), limit > 0
    )
    scope = scope_for(user, "view", Organisation)
    alias = router.db_for_read(OrganisationReach)
    return scope, _reach_statements(alias, scope, Organisation.scope_reads_ancestors, shape)


def fresh(user) -> User:
    """The user as the next request loads them: their access is read again if it changed."""
    return User.objects.get(pk=user.pk)


def test_bound_statements_are_the_orms_and_give_its_answer(world):  # noqa: F811
    tree, levels, readers = world
    alias = router.db_for_read(OrganisationReach)
    bound = 0
    for filters in filter_sets(tree, levels):
        for label, user in readers.items():
            for limit in LIMITS:
                answer = three_w(user, filters, overlap_limit=limit)
                assert answer == _three_w_reach_orm(user, filters, overlap_limit=limit), (
                    label,
                    filters,
                    limit,
                )
                scope, statements = statements_for(user, filters, limit)
                if scope.is_empty:  # no role: nothing to compile, nothing counted
                    assert statements is None and answer.total == 0
                    continue
                assert statements is not None, (label, filters, limit)
                counts, crowded = statements
                visible = scope.as_q(
                    "org_path", "tlp", with_ancestors=Organisation.scope_reads_ancestors
                )
                values = _reach_values(filters, limit)
                assert (counts.sql, counts.bind(values)) == _counts_sql(alias, visible, values)
                if limit:
                    assert crowded is not None
                    assert (crowded.sql, crowded.bind(values)) == _crowded_sql(
                        alias, visible, values
                    )
                else:
                    assert crowded is None and not answer.overlaps
                bound += 1
    assert bound > 1_000
    info = _reach_statements.cache_info()
    assert info.hits > 10 * info.misses  # compiled once per scope and shape, then reused


def test_two_statements_a_call_and_no_compiling_once_compiled(world):  # noqa: F811
    tree, _levels, readers = world
    national = readers["national"]
    filters = OrgFilters(place=tree.country)
    first = three_w(national, filters)
    assert first.overlaps and first.themes
    misses = _reach_statements.cache_info().misses
    with CaptureQueriesContext(connection) as sent:
        again = three_w(national, filters)
    assert again == first == _three_w_live(national, filters)
    on_reach = [q["sql"] for q in sent.captured_queries if REACH_TABLE in q["sql"]]
    assert len(on_reach) == 2  # the rest, if any: names of places without a code of their own
    assert all(THEME_TABLE not in q["sql"] for q in sent.captured_queries[2:])
    assert _reach_statements.cache_info().misses == misses
    with CaptureQueriesContext(connection) as sent:
        assert not three_w(national, filters, overlap_limit=0).overlaps
    assert len(sent) == 1  # no overlaps asked: the counts alone


def test_new_assignments_are_read_through_new_statements(world):  # noqa: F811
    tree, levels, readers = world
    filters = OrgFilters(place=tree.country)
    regional = fresh(readers["regional"])
    before = three_w(regional, filters)
    old_scope, old_statements = statements_for(regional, filters, 50)
    RoleAssignmentFactory(user=regional, role="national_coordinator", place=levels[2][1])

    regional = fresh(regional)
    after = three_w(regional, filters)
    assert after == _three_w_live(regional, filters)
    assert after.total > before.total  # the second region's organisations are counted now
    new_scope, new_statements = statements_for(regional, filters, 50)
    assert new_scope != old_scope
    assert new_statements is not None and old_statements is not None
    assert new_statements[0].sql != old_statements[0].sql  # one more subtree in the rule


def test_a_role_change_is_read_through_new_statements(world):  # noqa: F811
    """A role's ceiling lowered (the access epoch moves on): the same text, other constants."""
    tree, _levels, readers = world
    filters = OrgFilters(place=tree.region)
    partner = fresh(readers["partner"])
    before = three_w(partner, filters)
    _old_scope, old_statements = statements_for(partner, filters, 50)
    role = Role.objects.get(slug="partner")
    assert role.tlp_ceiling > TLP.CLEAR
    role.tlp_ceiling = TLP.CLEAR
    role.save()

    partner = fresh(partner)
    after = three_w(partner, filters)
    assert after == _three_w_live(partner, filters)
    assert after.total < before.total  # the GREEN organisations are no longer counted
    _new_scope, new_statements = statements_for(partner, filters, 50)
    assert new_statements is not None and old_statements is not None
    assert new_statements[0].sql == old_statements[0].sql
    assert new_statements[0].constants != old_statements[0].constants


def test_without_a_layout_the_orm_path_answers(world, monkeypatch):  # noqa: F811
    tree, levels, readers = world
    expected = {
        (label, filters): three_w(user, filters)
        for filters in filter_sets(tree, levels)
        for label, user in readers.items()
        if filters.place in (tree.country, tree.city)
    }
    _reach_statements.cache_clear()
    monkeypatch.setattr(selectors, "compile_statement", lambda build, samples: None)
    for (label, filters), answer in expected.items():
        user = readers[label]
        assert statements_for(user, filters, 50)[1] is None
        assert three_w(user, filters) == answer == _three_w_live(user, filters), (label, filters)
