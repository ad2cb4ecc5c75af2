"""The demo: real places, fictional people, one user per role, idempotent."""

import pytest
from django.core.management import call_command

from bridgework.access.demo import DEMO_USERS
from bridgework.access.models import Role, RoleAssignment, User
from bridgework.places.models import Hub, Place

pytestmark = pytest.mark.django_db


def test_demo_loads_twice_to_the_same_state(capsys):
    call_command("load_demo")
    output = capsys.readouterr().out
    counts = (Place.objects.count(), User.objects.count(), RoleAssignment.objects.count())
    call_command("load_demo")
    assert (Place.objects.count(), User.objects.count(), RoleAssignment.objects.count()) == counts
    for demo in DEMO_USERS:
        assert demo.email in output
    assert {d.role for d in DEMO_USERS} == set(Role.objects.values_list("slug", flat=True))
    assert all(u.is_demo and u.email.endswith(".test") for u in User.objects.all())
    # real places, real codes
    for code in ("AL-11", "CA-ON", "MW-LI", "ZA-WC"):
        assert Place.objects.filter(code=code).exists()
    assert Place.objects.get(name="Lilongwe City").parent.code == "MW-LI"
    assert Place.objects.get(name="Peel Region").parent.code == "CA-ON"
    assert Hub.objects.count() == 5
    for country in ("AL", "CA", "MW", "ZA"):
        import pycountry

        expected = len(pycountry.subdivisions.get(country_code=country))
        assert Place.objects.filter(code__startswith=f"{country}-").count() == expected


def test_demo_local_coordinator_cannot_see_a_sibling_city():
    call_command("load_demo")
    local = User.objects.get(email="local.lilongwe@demo.bridgework.test")
    visible = Place.objects.visible_to(local)
    assert visible.filter(name="Chilinde").exists()
    assert not visible.filter(name="Blantyre City").exists()
    assert not visible.filter(name="Kasungu").exists()
    assert visible.filter(code="MW").exists()  # the country above is part of the picture
