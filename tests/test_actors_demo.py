"""The actors demo: fictional, marked, idempotent, and Peel's 25 community leaders."""

import pytest
from django.core.management import call_command

from bridgework.access.models import User
from bridgework.actors.demo import PEEL_COMMUNITY_ORGANISATIONS, load_actors
from bridgework.actors.models import Organisation, OrganisationArea, Person, Post

pytestmark = pytest.mark.django_db


def test_demo_actors_load_twice_to_the_same_state():
    call_command("load_demo")
    load_actors()
    counts = [m.objects.count() for m in (Organisation, OrganisationArea, Person, Post)]
    load_actors()
    assert [m.objects.count() for m in (Organisation, OrganisationArea, Person, Post)] == counts
    assert all(o.is_demo and o.name.endswith("(demo)") for o in Organisation.objects.all())
    assert all(p.is_demo and p.full_name.endswith("(demo)") for p in Person.objects.all())
    assert all(p.email.endswith("example.org") for p in Person.objects.all())
    for country in ("AL", "CA", "MW", "ZA"):
        assert Organisation.objects.filter(place__country_code=country).exists(), country
    peel = {name for name, _sector in PEEL_COMMUNITY_ORGANISATIONS}
    leaders = Post.objects.filter(organisation__name__in=peel, title="Community leader")
    assert leaders.values("person").distinct().count() == 25


def test_demo_partner_sees_peel_but_not_lilongwe():
    call_command("load_demo")
    load_actors()
    partner = User.objects.get(email="partner.peel@demo.bridgework.test")
    visible = Organisation.objects.visible_to(partner)
    assert visible.filter(name="Peel Community Safety Partners (demo)").exists()
    assert not visible.filter(name="Lilongwe Youth Peace Forum (demo)").exists()
