"""A user's access is cached between requests, and never served stale: a change of their
assignments, of a role, of the policy table or of a hub's places is seen at once."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.models import PolicyRule, Role, RoleAssignment
from bridgework.access.policy import access_for, can, forget_access
from bridgework.places.models import Hub, Network, Place

pytestmark = pytest.mark.django_db


def _fresh(user):
    return type(user).objects.get(pk=user.pk)  # as the next request loads it


def _queries_for_access(user) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        access_for(_fresh(user))
    return [q["sql"] for q in queries.captured_queries]


def test_the_second_request_reads_no_assignment_or_rule(tree):
    first = _queries_for_access(tree.in_scope)
    assert any("access_roleassignment" in sql for sql in first)
    second = _queries_for_access(tree.in_scope)
    assert not any("access_roleassignment" in sql or "access_policyrule" in sql for sql in second)
    assert len(second) <= 2  # the user row (by the test) and the epoch


def test_a_new_assignment_is_seen_at_once(tree):
    user = UserFactory(label="newcomer")
    assert not can(_fresh(user), "view", Place, tree.city)  # cached: nothing
    RoleAssignmentFactory(user=user, role="partner", place=tree.city)
    assert can(_fresh(user), "view", Place, tree.city)
    RoleAssignment.objects.filter(user=user).delete()
    assert not can(_fresh(user), "view", Place, tree.city)


def test_forgetting_an_object_s_access_reads_the_new_version(tree):
    user = UserFactory(label="same-object")
    assert not can(user, "view", Place, tree.city)
    RoleAssignmentFactory(user=user, role="partner", place=tree.city)
    forget_access(user)
    assert can(user, "view", Place, tree.city)


def test_a_policy_or_role_change_reaches_every_cached_access(tree):
    from bridgework.actors.models import Organisation

    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=tree.city)
    assert not can(_fresh(partner), "add", Organisation, tree.city)
    PolicyRule.objects.create(
        role=Role.objects.get(slug="partner"), action="add", model_label="actors.organisation"
    )
    assert can(_fresh(partner), "add", Organisation, tree.city)
    role = Role.objects.get(slug="partner")
    role.tlp_ceiling = 0
    role.save()
    assert access_for(_fresh(partner)).held[0].ceiling == 0


def test_a_hubs_places_reach_its_officers_at_once(tree):
    network = Network.objects.create(name="Test network", slug="test-net")
    hub = Hub.objects.create(network=network, name="Test hub", slug="test-hub")
    hub.places.add(tree.country)
    officer = UserFactory(label="hub")
    RoleAssignmentFactory(user=officer, role="hub_officer", place=tree.world, hub=hub)
    assert can(_fresh(officer), "view", Place, tree.city)
    assert not can(_fresh(officer), "view", Place, tree.other_country)
    hub.places.add(tree.other_country)
    assert can(_fresh(officer), "view", Place, tree.other_country)


def test_pages_use_the_cached_access(tree):
    client = Client()
    client.force_login(tree.in_scope)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert not any("access_policyrule" in q["sql"] for q in queries.captured_queries)
