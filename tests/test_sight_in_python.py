"""A page names related records only where its reader may see them (``Sight``). For models whose
rule is the plain place-and-label rule, a loaded row is decided in Python (``admits``) rather
than by a query: the answer must be the one ``visible_to`` gives in SQL, for every reader,
action, place and label. So must a part's (a body's seat, a fund's call) loaded with its
parent: its own place, then its parent's answer."""

from itertools import product

import pytest
from django.apps import apps

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.policy import Sight, decide_scope
from bridgework.actors.factories import OrganisationFactory, PersonFactory
from bridgework.actors.models import Organisation
from bridgework.bodies.factories import BodyFactory, MeetingFactory, SeatFactory
from bridgework.bodies.models import Seat
from bridgework.core.scoping import admits, part_parent, rule_is_plain
from bridgework.core.tlp import TLP
from bridgework.funding.factories import CallFactory, FundFactory
from bridgework.funding.models import Application, Call
from bridgework.places.models import Place
from bridgework.plans.factories import LocalNeedFactory
from bridgework.plans.models import LocalNeed

ROLES = ["national_coordinator", "local_coordinator", "partner", "resident", "reviewer"]


@pytest.fixture
def records(tree):
    places = [tree.country, tree.region, tree.city, tree.ward, tree.sibling, tree.other_country]
    for place, label in product(places, TLP):
        OrganisationFactory(place=place, tlp=label)
        PersonFactory(place=place, tlp=label)
    # Needs raised at a ward or city and put before the places above (the shared path).
    for place, handler, label in product([tree.ward, tree.sibling], places[:3], TLP):
        LocalNeedFactory(place=place, handled_at=handler, tlp=label)
    readers = [tree.in_scope, tree.ancestor, tree.sibling_user, tree.no_role, None]
    for role, place in product(ROLES, [tree.country, tree.city, tree.ward]):
        reader = UserFactory()
        RoleAssignmentFactory(user=reader, role=role, place=place)
        readers.append(reader)
    both = UserFactory()  # two roles at two places: the grants' ceilings differ
    RoleAssignmentFactory(user=both, role="resident", place=tree.country)
    RoleAssignmentFactory(user=both, role="local_coordinator", place=tree.ward)
    readers.append(both)
    return readers


def _models_with_rows(rule):
    """The scoped models that have rows and whose rule ``rule`` says they follow."""
    return [
        model
        for model in apps.get_models()
        if hasattr(model._default_manager, "visible_to")
        and rule(model)
        and model._default_manager.exists()
    ]


@pytest.mark.parametrize("action", ["view", "change"])
def test_a_loaded_row_is_decided_as_sql_decides_it(records, action):
    models = _models_with_rows(rule_is_plain)
    assert {Place, Organisation, LocalNeed} <= set(models)
    for reader, model in product(records, models):
        in_sql = set(model._default_manager.visible_to(reader, action).values_list("pk", flat=True))
        scope = decide_scope(reader, action, model)
        for row in model._default_manager.all():
            assert admits(scope, row) == (row.pk in in_sql), (reader, model.__name__, row.pk)


def test_a_row_without_its_rule_columns_is_left_to_sql(records):
    scope = decide_scope(records[0], "view", Organisation)
    row = Organisation.objects.only("pk", "name").first()
    assert admits(scope, row) is None


def test_narrowed_rules_are_never_decided_in_python():
    assert rule_is_plain(Place) and rule_is_plain(Organisation)
    assert not rule_is_plain(Seat)  # a part: its body must be visible too
    assert not rule_is_plain(Application)  # partners and reviewers are narrowed further


def test_the_sight_names_what_sql_would_without_a_query(records, django_assert_num_queries):
    reader = records[0]
    rows = list(Organisation.objects.all()) + list(Place.objects.all())
    visible = set(Organisation.objects.visible_to(reader).values_list("pk", flat=True))
    places = set(Place.objects.visible_to(reader).values_list("pk", flat=True))
    sight = Sight(reader)
    with django_assert_num_queries(0):
        sight.preload(rows)
    for row in rows:
        expected = row.pk in (visible if isinstance(row, Organisation) else places)
        assert sight.sees(row) == expected


def test_the_sight_still_asks_sql_about_rows_loaded_without_their_columns(
    records, django_assert_num_queries
):
    reader = records[0]
    rows = list(Organisation.objects.only("pk"))
    visible = set(Organisation.objects.visible_to(reader).values_list("pk", flat=True))
    sight = Sight(reader)
    with django_assert_num_queries(1):
        sight.preload(rows)
    assert {row.pk for row in rows if sight.sees(row)} == visible


@pytest.fixture
def parts(records, tree):
    """Bodies at every place and label with a seat and a meeting each; funds owned by them
    (a fund is at its owner body's place) with a call each."""
    places = [tree.country, tree.region, tree.city, tree.ward, tree.sibling, tree.other_country]
    for place, label in product(places, TLP):
        body = BodyFactory(place=place, tlp=label)
        SeatFactory(body=body)
        MeetingFactory(body=body)
        CallFactory(fund=FundFactory(owner=body, tlp=label))
    return records


def test_a_part_loaded_with_its_parent_is_decided_as_sql_decides_it(
    parts, django_assert_num_queries
):
    models = _models_with_rows(lambda model: part_parent(model) is not None)
    assert {Seat, Call} <= set(models)
    for reader, model in product(parts, models):
        parent = part_parent(model)
        in_sql = set(model._default_manager.visible_to(reader).values_list("pk", flat=True))
        rows = list(model._default_manager.select_related(parent))
        sight = Sight(reader)
        sight.preload(rows)
        for row in rows:
            assert sight.sees(row) == (row.pk in in_sql), (reader, model.__name__, row.pk)
    seats = list(Seat.objects.select_related("body"))
    with django_assert_num_queries(0):  # the body's rule is plain: no query for either
        Sight(parts[0]).preload(seats)


def test_a_part_loaded_without_its_parent_is_left_to_sql(parts, django_assert_num_queries):
    reader = parts[0]
    seats = list(Seat.objects.all())
    visible = set(Seat.objects.visible_to(reader).values_list("pk", flat=True))
    sight = Sight(reader)
    with django_assert_num_queries(1):
        sight.preload(seats)
    assert {seat.pk for seat in seats if sight.sees(seat)} == visible


def test_only_the_part_rule_itself_is_decided_by_parent():
    assert part_parent(Seat) == "body" and part_parent(Call) == "fund"
    assert part_parent(Organisation) is None  # plain: no parent
    assert part_parent(Application) is None  # narrowed by role
