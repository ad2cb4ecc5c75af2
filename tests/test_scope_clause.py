"""``visible_to`` adds a scope's condition resolved once per model and scope: the statement is
the one ``filter`` would build, for every scoped model, reader and action, and what a query
does to its copy never reaches the next reader's."""

import pytest
from django.apps import apps
from django.db.models import Q

from bridgework.core.scoping import ScopedQuerySet, _scope_clause, _scope_q, scope_for
from bridgework.places.models import Place

pytestmark = pytest.mark.django_db


def _scoped_models():
    return [
        model
        for model in apps.get_models()
        if isinstance(model._default_manager.all(), ScopedQuerySet)
        and hasattr(model, "scope_path_field")
    ]


def _as_filter(queryset, user, action):
    """What ``visible_to`` gave before: the scope's Q through ``filter``."""
    model = queryset.model
    return queryset.filter(_scope_q(model, scope_for(user, action, model)))


def _sql(queryset) -> str:
    try:
        return str(queryset.query)
    except Exception as exc:  # noqa: BLE001  (an empty scope: the ORM refuses to write it)
        return type(exc).__name__


def _readers(tree):
    return [tree.in_scope, tree.ancestor, tree.sibling_user, tree.no_role]


def test_every_scoped_model_gets_the_statement_filter_builds(tree):
    models = _scoped_models()
    assert len(models) > 20
    for model in models:
        plain = ScopedQuerySet.visible_to is type(model._default_manager.all()).visible_to
        for user in _readers(tree):
            for action in ("view", "change", "export"):
                shown = model._default_manager.all().visible_to(user, action)
                expected = _as_filter(model._default_manager.all(), user, action)
                if plain:
                    assert _sql(shown) == _sql(expected), (model, user, action)
                # An already filtered queryset: the scope is added after its conditions.
                narrowed = model._default_manager.filter(pk__gt=0)
                assert _sql(ScopedQuerySet.visible_to(narrowed, user, action)) == _sql(
                    _as_filter(narrowed, user, action)
                ), (model, user, action)


def test_the_rows_are_those_the_filter_finds(tree):
    for user in _readers(tree):
        shown = set(Place.objects.visible_to(user, "view").values_list("pk", flat=True))
        expected = set(_as_filter(Place.objects.all(), user, "view").values_list("pk", flat=True))
        assert shown == expected
    assert Place.objects.visible_to(tree.no_role, "view").count() == 0
    assert Place.objects.visible_to(tree.in_scope, "view").filter(pk=tree.city.pk).exists()
    assert not Place.objects.visible_to(tree.in_scope, "view").filter(pk=tree.sibling.pk).exists()


def test_a_joined_query_goes_through_filter(tree):
    """A queryset already joined to another table (an alias that is not its own table's name)
    has the scope added by ``filter`` itself."""
    joined = Place.objects.filter(parent__name="Xanadu")
    assert _sql(joined.visible_to(tree.ancestor)) == _sql(_as_filter(joined, tree.ancestor, "view"))
    assert list(joined.visible_to(tree.ancestor)) == list(_as_filter(joined, tree.ancestor, "view"))


def test_a_sliced_queryset_is_refused_as_filter_refuses_it(tree):
    with pytest.raises(TypeError, match="slice"):
        Place.objects.all()[:3].visible_to(tree.in_scope)


def test_what_a_query_does_to_its_clause_stays_its_own(tree):
    """A scoped queryset used as a subquery (its tables renamed), negated, combined with OR
    or filtered further leaves the kept clause as it was: the next reader's statement is
    unchanged."""
    scope = scope_for(tree.in_scope, "view", Place)
    before = _sql(Place.objects.visible_to(tree.in_scope))
    kept = str(_scope_clause(Place, scope).children)
    scoped = Place.objects.visible_to(tree.in_scope)
    list(Place.objects.filter(pk__in=scoped.values("pk")))  # relabelled as a subquery
    list(Place.objects.exclude(pk__in=scoped.values("pk")))
    list(scoped.filter(Q(name="x") | Q(depth=2)).exclude(code="y"))
    list(scoped | Place.objects.filter(pk=tree.world.pk))
    for node in scoped.query.where.children:  # even a query's conditions emptied in place
        if hasattr(node, "children"):
            node.children.clear()
    assert str(_scope_clause(Place, scope).children) == kept
    assert _sql(Place.objects.visible_to(tree.in_scope)) == before


@pytest.mark.django_db(False)
def test_in_python_a_subtree_is_the_range_the_statement_reads():
    """``Scope.admits`` tests a path with ``startswith``; the statement with the range
    ``subtree_bounds`` gives. The same for paths of any characters, those just below "/" and
    "0" included."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from bridgework.core.paths import subtree_bounds
    from bridgework.core.scoping import Grant, Scope

    segment = st.text(alphabet="-./0129:AZaz", min_size=1, max_size=3)
    path = st.lists(segment, min_size=1, max_size=3).map(lambda parts: "/" + "/".join(parts) + "/")

    @settings(max_examples=500, deadline=None)
    @given(root=path, other=path, tail=st.text(alphabet="-./0129:AZaz", max_size=4))
    def check(root, other, tail):
        low, high = subtree_bounds(root)
        scope = Scope((Grant(root, 4),))
        # Paths elsewhere, below the root, and beside it (the root's name and more).
        for value in (other, root + tail, root[:-1] + tail, root[:-1]):
            assert scope.admits(value, None, has_tlp=False) == (low <= value < high), value

    check()
