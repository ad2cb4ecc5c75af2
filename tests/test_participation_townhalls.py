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
        body=BodyFactory(place=tree.city, tlp=TLP.AMBER, name="Secret Table"),
        starts_at=timezone.now() - datetime.timedelta(days=3),
        minutes="The council agreed to light the market path.",
        attendance_count=84,
    )
    town_hall.proposals.set([shown, hidden])
    html = Client().get(town_hall.get_public_url()).content.decode()
    assert "light the market path" in html and "84" in html
    assert "Football league" in html and "Hidden one" not in html
    assert "Secret Table" not in html  # an AMBER body is not named to the public
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
