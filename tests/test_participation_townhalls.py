"""Town halls: public pages, registration (once, while there is room, before it starts),
minutes and proposals discussed, iCalendar for one town hall and a place's feed."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from bridgework.bodies.factories import BodyFactory
from bridgework.core.tlp import TLP
from bridgework.participation.actions import do_register
from bridgework.participation.choices import Moderation
from bridgework.participation.factories import ProposalFactory, TownHallFactory, make_resident
from bridgework.web.testing import covers

pytestmark = pytest.mark.django_db


@covers("participation:public_townhall", "participation:register")
def test_a_town_hall_is_public_and_residents_register_once(tree):
    town_hall = TownHallFactory(
        body=BodyFactory(place=tree.city, name="Riverton Peace Committee", tlp=TLP.CLEAR),
        agenda="Street lights",
        capacity=2,
    )
    page = Client().get(town_hall.get_public_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Street lights" in html and "Riverton Peace Committee" in html
    resident = make_resident(tree.ward)
    client = Client()
    client.force_login(resident)
    client.post(reverse("participation:register", args=[town_hall.pk]))
    client.post(reverse("participation:register", args=[town_hall.pk]))
    assert town_hall.registrations.count() == 1
    do_register(town_hall, acting_user=make_resident(tree.ward))
    with pytest.raises(ValidationError, match="full"):
        do_register(town_hall, acting_user=make_resident(tree.ward))
    assert Client().post(reverse("participation:register", args=[town_hall.pk])).status_code == 302


def test_a_past_town_hall_shows_its_minutes_and_what_was_discussed_and_takes_no_one(tree):
    shown = ProposalFactory(place=tree.ward, title="Football league")
    hidden = ProposalFactory(place=tree.ward, title="Hidden one", moderation=Moderation.HIDDEN)
    town_hall = TownHallFactory(
        body=BodyFactory(place=tree.city, tlp=TLP.GREEN, name="Riverton Town Forum"),
        starts_at=timezone.now() - datetime.timedelta(days=3),
        minutes="The council agreed to light the market path.",
        attendance_count=84,
    )
    town_hall.proposals.set([shown, hidden])
    html = Client().get(town_hall.get_public_url()).content.decode()
    assert "light the market path" in html and "84" in html
    assert "Football league" in html and "Hidden one" not in html
    with pytest.raises(ValidationError, match="taken place"):
        do_register(town_hall, acting_user=make_resident(tree.ward))
    for place in (tree.city, tree.ward):  # the city's town halls are its wards' too
        place_page = Client().get(reverse("participation:public_place", args=[place.pk]))
        assert [t.pk for t in place_page.context["past"]] == [town_hall.pk]
    sibling_page = Client().get(reverse("participation:public_place", args=[tree.sibling.pk]))
    assert sibling_page.context["past"] == []


@covers("participation:townhall_ics", "participation:place_ics")
def test_town_halls_in_icalendar(tree):
    town_hall = TownHallFactory(
        body=BodyFactory(place=tree.ward, tlp=TLP.CLEAR), location="Chilinde Hall"
    )
    TownHallFactory(body=BodyFactory(place=tree.sibling, tlp=TLP.CLEAR))
    one = Client().get(reverse("participation:townhall_ics", args=[town_hall.pk]))
    assert one.status_code == 200 and one["Content-Type"] == "text/calendar"
    events = Calendar.from_ical(one.content).walk("VEVENT")
    assert [str(e["location"]) for e in events] == ["Chilinde Hall"]
    feed = Client().get(reverse("participation:place_ics", args=[tree.city.pk]))
    assert len(Calendar.from_ical(feed.content).walk("VEVENT")) == 1


# --- town halls follow their body's label ------------------------------------------------------


@covers("participation:townhall_add")
def test_a_town_hall_cannot_be_held_by_a_body_labelled_amber_or_red(tree):
    from bridgework.access.factories import RoleAssignmentFactory, UserFactory

    staff = UserFactory.create(label="coordinator")
    RoleAssignmentFactory.create(user=staff, role="local_coordinator", place=tree.city)
    client = Client()
    client.force_login(staff)
    secret = BodyFactory(place=tree.city, tlp=TLP.AMBER, name="Leaders' Table")
    data = {
        "body": secret.pk,
        "title": "Safe streets",
        "starts_at": (timezone.now() + datetime.timedelta(days=5)).strftime("%Y-%m-%d %H:%M"),
        "location": "Market hall",
    }
    response = client.post(reverse("participation:townhall_add"), data)
    assert response.status_code == 400
    assert "A town hall is public" in response.content.decode()
    assert not secret.town_halls.exists()
    data["body"] = BodyFactory(place=tree.city, tlp=TLP.GREEN).pk
    assert client.post(reverse("participation:townhall_add"), data).status_code == 302


def test_a_body_relabelled_amber_takes_its_town_halls_off_the_public_pages(tree):
    body = BodyFactory(place=tree.city, tlp=TLP.GREEN, name="Riverton Forum")
    town_hall = TownHallFactory(body=body, title="Lights on the market path")
    public = Client()
    assert public.get(town_hall.get_public_url()).status_code == 200
    body.tlp = TLP.AMBER
    body.save()
    assert public.get(town_hall.get_public_url()).status_code == 404
    assert public.get(reverse("participation:townhall_ics", args=[town_hall.pk])).status_code == 404
    place_page = public.get(reverse("participation:public_place", args=[tree.city.pk]))
    assert "Lights on the market path" not in place_page.content.decode()
    calendar = public.get(reverse("participation:place_ics", args=[tree.city.pk]))
    assert "Lights on the market path" not in calendar.content.decode()
    joining = Client()
    joining.force_login(make_resident(tree.ward))
    assert joining.post(reverse("participation:register", args=[town_hall.pk])).status_code == 404
    # Kept, and seen only by those who may read the body itself.
    from bridgework.access.factories import RoleAssignmentFactory, UserFactory
    from bridgework.participation.models import TownHall

    coordinator = UserFactory.create(label="coordinator")
    RoleAssignmentFactory.create(user=coordinator, role="local_coordinator", place=tree.city)
    resident = make_resident(tree.ward)
    assert TownHall.objects.filter(pk=town_hall.pk).exists()
    assert not TownHall.objects.visible_to(resident, "view").filter(pk=town_hall.pk).exists()
    for reader in (coordinator, resident):
        seen = TownHall.objects.visible_to(reader, "view").filter(pk=town_hall.pk).exists()
        assert seen == type(body).objects.visible_to(reader, "view").filter(pk=body.pk).exists()


def test_a_place_with_nothing_public_has_no_public_page(tree):
    """A region holds no proposal and no town hall, and no resident lives there: its public
    page, its calendar feed and the public API's place filter answer as for any unknown place."""
    assert (
        Client().get(reverse("participation:public_place", args=[tree.region.pk])).status_code
        == 404
    )
    assert (
        Client().get(reverse("participation:place_ics", args=[tree.region.pk])).status_code == 404
    )
    assert (
        Client().get(reverse("participation:public_place", args=[tree.city.pk])).status_code == 200
    )
    api = Client().get(reverse("api-1.0.0:public_proposals"), {"place": tree.region.pk})
    assert api.status_code == 400 and api.json()["errors"][0]["field"] == "place"
