"""The policy: who may do what where, role granting rules, hubs, dates, form choices."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bridgework.access.actions import do_assign_role, do_deactivate_user, do_end_role_assignment
from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.models import PolicyRule, Role
from bridgework.access.policy import (
    DEFAULT_ROLES,
    assignable_roles,
    can,
    forget_access,
    places_for,
    tlp_choices_for,
)
from bridgework.bodies.factories import BodyFactory
from bridgework.bodies.models import Body
from bridgework.core.actions import do_create_record, do_update_record
from bridgework.core.tlp import TLP
from bridgework.places.forms import PlaceForm
from bridgework.places.models import Hub, Network, Place

pytestmark = pytest.mark.django_db


def role(slug):
    return Role.objects.get(slug=slug)


def test_default_roles_are_rows_with_ranks_and_ceilings(tree):
    assert list(Role.objects.values_list("slug", flat=True)) == [r.slug for r in DEFAULT_ROLES]
    assert role("resident").tlp_ceiling == TLP.CLEAR
    # The six standard actions and every action a module declares (policy.OWN_ACTIONS).
    from bridgework.access.policy import ACTIONS, declared_actions

    expected = len(ACTIONS) + len(declared_actions())
    assert expected >= 9
    assert (
        PolicyRule.objects.filter(role__slug="network_admin", model_label="*").count() == expected
    )


def test_policy_rows_decide(tree):
    assert can(tree.in_scope, "add", Place, tree.ward)
    assert not can(tree.in_scope, "add", Place, tree.sibling)
    PolicyRule.objects.filter(
        role__slug="national_coordinator", model_label="places.place", action="add"
    ).delete()
    forget_access(tree.in_scope)
    assert not can(tree.in_scope, "add", Place, tree.ward)


def test_assign_only_inside_own_subtree_and_not_above_own_rank(tree):
    newcomer = UserFactory(label="new")
    assert set(assignable_roles(tree.in_scope, tree.ward).values_list("slug", flat=True)) == {
        "national_coordinator",
        "local_coordinator",
        "partner",
        "reviewer",
        "resident",
    }
    assignment = do_assign_role(
        user=newcomer, role=role("local_coordinator"), place=tree.ward, acting_user=tree.in_scope
    )
    assert assignment.granted_by == tree.in_scope
    with pytest.raises(ValidationError):
        do_assign_role(
            user=newcomer, role=role("network_admin"), place=tree.ward, acting_user=tree.in_scope
        )
    with pytest.raises(ValidationError):
        do_assign_role(
            user=newcomer, role=role("partner"), place=tree.sibling, acting_user=tree.in_scope
        )
    local = UserFactory(label="local")
    RoleAssignmentFactory(user=local, role="local_coordinator", place=tree.city)
    with pytest.raises(ValidationError):
        do_assign_role(
            user=newcomer, role=role("national_coordinator"), place=tree.ward, acting_user=local
        )
    with pytest.raises(ValidationError):  # ending it needs the same right
        do_end_role_assignment(assignment, acting_user=tree.sibling_user)


def test_hub_officer_sees_the_hub_countries_only(tree):
    network = Network.objects.create(name="Net", slug="net")
    hub = Hub.objects.create(network=network, name="Hub", slug="hub")
    hub.places.set([tree.country])
    admin = UserFactory(label="admin")
    RoleAssignmentFactory(user=admin, role="network_admin", place=tree.world)
    officer = UserFactory(label="officer")
    do_assign_role(
        user=officer, role=role("hub_officer"), place=tree.world, hub=hub, acting_user=admin
    )
    visible = set(Place.objects.visible_to(officer).values_list("pk", flat=True))
    assert {tree.country.pk, tree.ward.pk} <= visible
    assert tree.other_country.pk not in visible
    assert tree.world.pk in visible  # places above are readable, their other branches are not
    with pytest.raises(ValidationError):  # the hub reaches beyond a city
        do_assign_role(
            user=UserFactory(),
            role=role("hub_officer"),
            place=tree.city,
            hub=hub,
            acting_user=admin,
        )


def test_assignments_count_only_between_their_dates(tree):
    today = timezone.localdate()
    later = UserFactory(label="later")
    RoleAssignmentFactory(
        user=later, role="partner", place=tree.city, starts_on=today + timedelta(days=3)
    )
    ended = UserFactory(label="ended")
    RoleAssignmentFactory(
        user=ended,
        role="partner",
        place=tree.city,
        starts_on=today - timedelta(days=9),
        ends_on=today - timedelta(days=1),
    )
    current = UserFactory(label="current")
    RoleAssignmentFactory(
        user=current, role="partner", place=tree.city, ends_on=today + timedelta(days=1)
    )
    assert not Place.objects.visible_to(later).exists()
    assert not Place.objects.visible_to(ended).exists()
    assert Place.objects.visible_to(current).filter(pk=tree.city.pk).exists()


def test_writes_are_rechecked_after_saving(tree):
    """Even bypassing the form, a record cannot be moved out of the user's subtree."""
    from datetime import date

    from bridgework.places.models import NetworkMembership

    network = Network.objects.create(name="Net", slug="net")
    membership = NetworkMembership.objects.create(
        network=network, place=tree.city, joined_on=date(2024, 1, 1)
    )
    membership.place = tree.sibling
    with pytest.raises(PermissionDenied):
        do_update_record(membership, acting_user=tree.in_scope)
    membership.refresh_from_db()
    assert membership.place == tree.city


def test_creates_are_rechecked_after_saving(tree):
    """Even bypassing the form (whose choices are scoped), a record cannot be created outside
    the user's subtree: the re-check after saving refuses it and the row is rolled back."""
    from datetime import date

    from bridgework.places.models import NetworkMembership

    network = Network.objects.create(name="Net", slug="net")
    outside = NetworkMembership(network=network, place=tree.sibling, joined_on=date(2024, 1, 1))
    with pytest.raises(PermissionDenied):
        do_create_record(outside, acting_user=tree.in_scope)
    assert not NetworkMembership.objects.filter(network=network).exists()
    inside = NetworkMembership(network=network, place=tree.city, joined_on=date(2024, 1, 1))
    do_create_record(inside, acting_user=tree.in_scope)
    assert NetworkMembership.objects.filter(network=network, place=tree.city).exists()


def test_reads_reach_the_places_above_but_writes_never_do(client, tree):
    """A city's coordinator reads the GREEN body of the country above, and may neither
    change, delete nor add to it: writes stay in one's own subtree."""
    national = BodyFactory(place=tree.country, name="National Board", tlp=TLP.GREEN)
    assert Body.objects.visible_to(tree.in_scope, "view").filter(pk=national.pk).exists()
    for action in ("change", "delete"):
        assert not Body.objects.visible_to(tree.in_scope, action).filter(pk=national.pk).exists()
    assert tree.country not in places_for(tree.in_scope, "add", Body)
    client.force_login(tree.in_scope)
    assert client.get(national.get_absolute_url()).status_code == 200
    assert client.get(reverse("bodies:body_edit", args=[national.pk])).status_code == 403


def test_form_choices_are_scoped(tree):
    form = PlaceForm(user=tree.in_scope, action="add")
    choices = set(form.fields["parent"].queryset.values_list("pk", flat=True))
    assert choices == {tree.city.pk, tree.ward.pk}
    assert set(places_for(tree.no_role, "add", Place)) == set()


def test_tlp_choices_stop_at_the_ceiling(tree):
    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=tree.city)
    PolicyRule.objects.create(role=role("partner"), action="add", model_label="places.place")
    assert [v for v, _ in tlp_choices_for(partner, "add", Place)] == [TLP.CLEAR, TLP.GREEN]
    assert max(v for v, _ in tlp_choices_for(tree.in_scope, "add", Place)) == TLP.AMBER_STRICT
    assert tlp_choices_for(tree.no_role, "add", Place) == []


def test_nobody_disables_themselves_or_a_stranger(tree):
    with pytest.raises(PermissionDenied):
        do_deactivate_user(tree.in_scope, acting_user=tree.in_scope)
    with pytest.raises(PermissionDenied):
        do_deactivate_user(tree.sibling_user, acting_user=tree.in_scope)
    do_deactivate_user(tree.in_scope, acting_user=tree.ancestor)
    tree.in_scope.refresh_from_db()
    assert not tree.in_scope.is_active


def test_reading_upward_stops_at_green(tree):
    """A city's coordinator reads the country's GREEN records, never its AMBER ones (the
    audit's first surviving mutant: the ceiling above one's places left uncapped)."""
    from bridgework.actors.models import Organisation

    local = UserFactory(label="local")
    # A local coordinator reads AMBER in the city itself.
    RoleAssignmentFactory(user=local, role="local_coordinator", place=tree.city)
    shared = Organisation.objects.create(
        name="National Desk", sector="national_government", level="national", place=tree.country
    )
    closed = Organisation.objects.create(
        name="National Closed Desk",
        sector="national_government",
        level="national",
        place=tree.country,
        tlp=TLP.AMBER,
    )
    visible = set(Organisation.objects.visible_to(local, "view"))
    assert shared in visible and closed not in visible
    from django.test import Client

    client = Client()
    client.force_login(local)
    assert client.get(closed.get_absolute_url()).status_code == 404
    assert client.get(f"/api/organisations/{closed.pk}").status_code == 404


def test_a_create_out_of_scope_is_refused_even_when_the_form_accepts_it(tree):
    """A national body is visible to a city's coordinator (reading upward), so the meeting
    form offers it; the meeting would sit at the country, where they may not add: the re-check
    after saving refuses it (the audit's second surviving mutant skipped that re-check)."""
    from django.test import Client

    from bridgework.bodies.models import Meeting

    local = UserFactory(label="local")
    RoleAssignmentFactory(user=local, role="local_coordinator", place=tree.city)
    national = BodyFactory(place=tree.country, name="National Board")
    client = Client()
    client.force_login(local)
    response = client.post(
        "/bodies/meetings/add/",
        {
            "body": national.pk,
            "title": "Slipped in",
            "starts_at": "2026-05-01T10:00",
            "status": "planned",
            "tlp": TLP.GREEN,
        },
    )
    assert response.status_code in {400, 403}
    assert not Meeting.objects.filter(title="Slipped in").exists()
