"""Reporting indicator values and signing periods off bottom-up, as DHIS2 does: a level
approves only when every reporting place below it has; approval locks the values below it;
withdrawing an approval needs a reason, is recorded, and waits for the level above."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.policy import sync_default_policy
from bridgework.activity.models import Event
from bridgework.bodies.factories import BodyFactory
from bridgework.places.factories import PlaceFactory, root_place
from bridgework.plans.actions import (
    do_approve_period,
    do_report_values,
    do_save_value,
    do_unlock_period,
)
from bridgework.plans.choices import Periodicity
from bridgework.plans.factories import IndicatorFactory, StrategyFactory
from bridgework.plans.models import Approval, IndicatorValue
from bridgework.plans.periods import parse_period

Q3 = parse_period("2025Q3")


class Setup:
    def __init__(self):
        sync_default_policy()
        world = root_place()
        self.country = PlaceFactory(name="Malawi", code="MW", parent=world)
        self.district = PlaceFactory(name="Lilongwe", code="MW-LI", parent=self.country)
        self.city = PlaceFactory(name="Lilongwe City", parent=self.district)
        self.other_city = PlaceFactory(name="Lilongwe Rural", parent=self.district)
        self.strategy = StrategyFactory(owner=BodyFactory(place=self.country))
        self.trained = IndicatorFactory(
            objective__pillar__strategy=self.strategy, code="3.1.a", name="Mediators trained"
        )
        self.clubs = IndicatorFactory(
            objective__pillar__strategy=self.strategy, code="2.1.a", name="Clubs"
        )
        self.yearly = IndicatorFactory(
            objective__pillar__strategy=self.strategy,
            code="2.1.b",
            name="Trust score",
            periodicity=Periodicity.YEARLY,
        )
        self.city_user = self.coordinator(self.city)
        self.other_user = self.coordinator(self.other_city)
        self.district_user = self.coordinator(self.district)

    @staticmethod
    def coordinator(place):
        user = UserFactory(label="local")
        RoleAssignmentFactory(user=user, role="local_coordinator", place=place)
        return user

    def report(self, place, user, **values):
        indicators = {"trained": self.trained, "clubs": self.clubs}
        return do_report_values(
            place=place,
            period=Q3,
            values={
                indicators[k]: (Decimal(v) if v is not None else None) for k, v in values.items()
            },
            acting_user=user,
        )

    def approve(self, place, user, period=Q3):
        approval = Approval(
            strategy=self.strategy, place=place, period_start=period.start, periodicity=period.kind
        )
        return do_approve_period(approval, acting_user=user)


@pytest.fixture
def setup(db):
    return Setup()


def test_reporting_sets_changes_and_clears_values_each_audited(setup):
    setup.report(setup.city, setup.city_user, trained=12, clubs=3)
    value = IndicatorValue.objects.get(indicator=setup.trained, place=setup.city)
    assert value.value == Decimal(12) and value.period == Q3
    setup.report(setup.city, setup.city_user, trained=14, clubs=None)
    value.refresh_from_db()
    assert value.value == Decimal(14)
    assert not IndicatorValue.objects.filter(indicator=setup.clubs).exists()
    actions = list(LogEntry.objects.get_for_object(value).values_list("action", "actor_id"))
    assert actions == [
        (LogEntry.Action.UPDATE, setup.city_user.pk),
        (LogEntry.Action.CREATE, setup.city_user.pk),
    ]
    with pytest.raises(ValidationError):  # a yearly indicator is not reported per quarter
        do_report_values(
            place=setup.city,
            period=Q3,
            values={setup.yearly: Decimal(1)},
            acting_user=setup.city_user,
        )


def test_a_level_approves_only_after_every_reporting_place_below(setup):
    setup.report(setup.city, setup.city_user, trained=12)
    setup.report(setup.other_city, setup.other_user, trained=4)
    with pytest.raises(ValidationError) as refused:
        setup.approve(setup.district, setup.district_user)
    assert "Lilongwe City" in str(refused.value) and "Lilongwe Rural" in str(refused.value)
    setup.approve(setup.city, setup.city_user)
    with pytest.raises(ValidationError) as refused:
        setup.approve(setup.district, setup.district_user)
    assert "Lilongwe Rural" in str(refused.value) and "Lilongwe City" not in str(refused.value)
    setup.approve(setup.other_city, setup.other_user)
    approval = setup.approve(setup.district, setup.district_user)
    assert approval.approved_by == setup.district_user
    assert Event.objects.about(approval).filter(verb="approved").exists()


def test_a_place_that_reported_nothing_below_does_not_hold_the_level_up(setup):
    setup.report(setup.city, setup.city_user, trained=12)
    setup.approve(setup.city, setup.city_user)
    assert setup.approve(setup.district, setup.district_user).pk


def test_approval_locks_the_values_below_for_that_period_and_those_inside_it(setup):
    setup.report(setup.city, setup.city_user, trained=12)
    setup.approve(setup.city, setup.city_user)
    with pytest.raises(ValidationError):
        setup.report(setup.city, setup.city_user, trained=13)
    value = IndicatorValue.objects.get(indicator=setup.trained, place=setup.city)
    value.value = Decimal(99)
    with pytest.raises(ValidationError):
        do_save_value(value, acting_user=setup.city_user)
    # Another quarter is open; a yearly approval locks every quarter of the year.
    do_report_values(
        place=setup.city,
        period=parse_period("2025Q4"),
        values={setup.trained: Decimal(5)},
        acting_user=setup.city_user,
    )
    setup.approve(setup.city, setup.city_user, period=parse_period("2025"))
    with pytest.raises(ValidationError):
        do_report_values(
            place=setup.city,
            period=parse_period("2025Q4"),
            values={setup.trained: Decimal(6)},
            acting_user=setup.city_user,
        )
    assert (
        IndicatorValue.objects.get(
            indicator=setup.trained, place=setup.city, period_start=Q3.start
        ).value
        == 12
    )


def test_unlocking_needs_a_reason_waits_for_the_level_above_and_is_recorded(setup):
    setup.report(setup.city, setup.city_user, trained=12)
    city_approval = setup.approve(setup.city, setup.city_user)
    district_approval = setup.approve(setup.district, setup.district_user)
    with pytest.raises(ValidationError):
        do_unlock_period(city_approval, reason="  ", acting_user=setup.city_user)
    with pytest.raises(ValidationError) as refused:
        do_unlock_period(city_approval, reason="Entered twice", acting_user=setup.city_user)
    assert "Lilongwe" in str(refused.value)
    do_unlock_period(
        district_approval, reason="The city found a double entry", acting_user=setup.district_user
    )
    do_unlock_period(city_approval, reason="Entered twice", acting_user=setup.city_user)
    assert not Approval.objects.exists()
    events = Event.objects.filter(verb="unlocked").order_by("pk")
    assert [e.note for e in events] == ["The city found a double entry", "Entered twice"]
    assert LogEntry.objects.filter(action=LogEntry.Action.DELETE, actor=setup.city_user).exists()
    setup.report(setup.city, setup.city_user, trained=6)  # open again


def test_the_report_page_saves_values_and_shows_a_lock(setup):
    client = Client()
    client.force_login(setup.city_user)
    url = reverse("plans:report")
    query = {"strategy": setup.strategy.pk, "place": setup.city.pk, "period": "2025Q3"}
    page = client.get(url, query)
    assert page.status_code == 200
    fields = page.context["form"].fields
    assert set(fields) == {f"i{setup.trained.pk}", f"i{setup.clubs.pk}"}  # not the yearly one
    response = client.post(
        f"{url}?strategy={setup.strategy.pk}&place={setup.city.pk}&period=2025Q3",
        {f"i{setup.trained.pk}": "12", f"i{setup.clubs.pk}": ""},
    )
    assert response.status_code == 302
    assert IndicatorValue.objects.get(indicator=setup.trained, place=setup.city).value == 12
    setup.approve(setup.city, setup.city_user)
    page = client.get(url, query)
    assert page.context["lock"] is not None and "locked" in page.content.decode()
    response = client.post(
        f"{url}?strategy={setup.strategy.pk}&place={setup.city.pk}&period=2025Q3",
        {f"i{setup.trained.pk}": "99"},
    )
    assert response.status_code == 400
    assert IndicatorValue.objects.get(indicator=setup.trained, place=setup.city).value == 12
    # Another city's values: not a place this coordinator reports for.
    other = client.get(url, {**query, "place": setup.other_city.pk})
    assert other.status_code == 400


def test_the_approvals_page_shows_where_the_sign_off_stands(setup):
    setup.report(setup.city, setup.city_user, trained=12)
    setup.report(setup.other_city, setup.other_user, trained=4)
    setup.approve(setup.city, setup.city_user)
    client = Client()
    client.force_login(setup.district_user)
    page = client.get(
        reverse("plans:approvals"),
        {"strategy": setup.strategy.pk, "place": setup.district.pk, "period": "2025Q3"},
    )
    assert page.status_code == 200
    state = page.context["state"]
    assert {place.name: bool(approval) for place, approval in state.children} == {
        "Lilongwe City": True,
        "Lilongwe Rural": False,
    }
    assert page.context["can_approve"] is False
    setup.approve(setup.other_city, setup.other_user)
    response = client.post(
        reverse("plans:approval_add"),
        {"strategy": setup.strategy.pk, "place": setup.district.pk, "period": "2025Q3"},
    )
    assert response.status_code == 302
    approval = Approval.objects.get(place=setup.district)
    unlock = client.post(reverse("plans:approval_delete", args=[approval.pk]), {"reason": ""})
    assert unlock.status_code == 400 and Approval.objects.filter(pk=approval.pk).exists()
    unlock = client.post(
        reverse("plans:approval_delete", args=[approval.pk]), {"reason": "Recount"}
    )
    assert unlock.status_code == 302 and not Approval.objects.filter(pk=approval.pk).exists()


def test_values_of_a_period_must_start_it(setup):
    value = IndicatorValue(
        indicator=setup.trained, place=setup.city, period_start=datetime.date(2025, 8, 1), value=1
    )
    with pytest.raises(ValidationError):
        value.full_clean()
