"""Indicator roll-ups: for every aggregation rule, a place's value is the combination of its own
values and its children's roll-ups, and equals the same figure worked out by hand from the
raw values; missing periods are left out, not counted as zeros; stored ancestors follow a
place that moves."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.policy import sync_default_policy
from bridgework.places.actions import do_update_place
from bridgework.places.factories import PlaceFactory, root_place
from bridgework.places.models import Place
from bridgework.plans.choices import Aggregation, Periodicity
from bridgework.plans.factories import IndicatorFactory, IndicatorValueFactory
from bridgework.plans.models import IndicatorValue
from bridgework.plans.periods import Period, parse_period
from bridgework.plans.rollups import OWN, Rollup, combine, rollup, rollup_by_child, rollup_over_time

YEAR = Period(datetime.date(2025, 1, 1), Periodicity.YEARLY)
MONTHS = YEAR.split(Periodicity.MONTHLY)


def _tree():
    """A country with two regions, each with two cities, one of them with two wards."""
    world = root_place()
    country = PlaceFactory(name="Country", parent=world, code="XQ")
    places = [country]
    for r in range(2):
        region = PlaceFactory(name=f"Region {r}", parent=country)
        places.append(region)
        for c in range(2):
            city = PlaceFactory(name=f"City {r}.{c}", parent=region)
            places.append(city)
            if c == 0:
                places += [PlaceFactory(name=f"Ward {r}.{c}.{w}", parent=city) for w in range(2)]
    return places


def _by_hand(indicator, place, period, values):
    """The roll-up worked out from the raw rows, as the module docstring defines it."""
    rows = [
        (v.place_path, v.period_start, v.value)
        for v in values
        if v.place_path.startswith(place.path) and period.start <= v.period_start < period.end
    ]
    if indicator.aggregation == Aggregation.LATEST:
        latest: dict[str, tuple] = {}
        for path, start, value in rows:
            if path not in latest or start > latest[path][0]:
                latest[path] = (start, value)
        rows = [(path, start, value) for path, (start, value) in latest.items()]
    if not rows:
        return None
    total = sum((value for _p, _s, value in rows), Decimal(0))
    if indicator.aggregation == Aggregation.AVERAGE:
        return total / len(rows)
    return total


values_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=9),  # which place
        st.integers(min_value=0, max_value=11),  # which month
        st.integers(min_value=-50, max_value=500),
    ),
    max_size=25,
    unique_by=lambda t: (t[0], t[1]),
)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=values_strategy, rule=st.sampled_from(Aggregation.values))
def test_every_rule_composes_and_matches_the_raw_values(rows, rule):
    sync_default_policy()
    IndicatorValue.objects.all().delete()
    places = list(Place.objects.filter(name__in=["Country"]).order_by("pk")[:1])
    places = (
        _tree()
        if not places
        else list(Place.objects.filter(path__startswith=places[0].path).order_by("path"))
    )
    indicator = IndicatorFactory(periodicity=Periodicity.MONTHLY, aggregation=rule)
    for which, month, value in rows:
        IndicatorValueFactory(
            indicator=indicator,
            place=places[which % len(places)],
            period_start=MONTHS[month].start,
            value=Decimal(value),
        )
    values = IndicatorValue.objects.all()
    raw = list(values)
    for place in places:
        whole = rollup(indicator, place, YEAR, values)
        parts = rollup_by_child(indicator, place, YEAR, values)
        assert whole == combine(rule, parts.values()), (place.name, rule)
        assert whole.value == _by_hand(indicator, place, YEAR, raw), (place.name, rule)
        for key, part in parts.items():
            if key != OWN:
                child = Place.objects.get(path=key)
                assert part == rollup(indicator, child, YEAR, values)


@pytest.mark.django_db
def test_missing_periods_are_left_out_not_counted_as_zero(db):
    sync_default_policy()
    places = _tree()
    city_a, city_b = places[2], places[5]
    indicator = IndicatorFactory(periodicity=Periodicity.MONTHLY, aggregation=Aggregation.AVERAGE)
    IndicatorValueFactory(indicator=indicator, place=city_a, period_start=MONTHS[0].start, value=10)
    IndicatorValueFactory(indicator=indicator, place=city_b, period_start=MONTHS[5].start, value=30)
    result = rollup(indicator, places[0], YEAR, IndicatorValue.objects.all())
    assert result.value == Decimal(20)  # two values reported, not twelve
    assert (result.count, result.places) == (2, 2)
    latest = IndicatorFactory(periodicity=Periodicity.MONTHLY, aggregation=Aggregation.LATEST)
    IndicatorValueFactory(indicator=latest, place=city_a, period_start=MONTHS[2].start, value=4)
    IndicatorValueFactory(indicator=latest, place=city_a, period_start=MONTHS[7].start, value=6)
    IndicatorValueFactory(indicator=latest, place=city_b, period_start=MONTHS[1].start, value=5)
    # Each place's most recent value in the year: 6 (August) + 5 (February).
    assert rollup(latest, places[0], YEAR, IndicatorValue.objects.all()).value == Decimal(11)
    history = rollup_over_time(latest, places[0], MONTHS[:3], IndicatorValue.objects.all())
    assert [part.value for _period, part in history] == [None, Decimal(5), Decimal(4)]


@pytest.mark.django_db
def test_stored_ancestors_follow_a_place_that_moves(db):
    sync_default_policy()
    places = _tree()
    country, region_a = places[0], places[1]
    region_b = next(p for p in places if p.name == "Region 1")
    city = next(p for p in places if p.name == "City 0.0")
    ward = next(p for p in places if p.name == "Ward 0.0.1")
    indicator = IndicatorFactory(periodicity=Periodicity.YEARLY)
    value = IndicatorValueFactory(indicator=indicator, place=ward, period_start=YEAR.start, value=7)
    assert value.ancestor_2 == region_a.path and value.ancestor_4 == ward.path
    city.parent = region_b
    do_update_place(city)
    value.refresh_from_db()
    ward.refresh_from_db()
    region_b.refresh_from_db()
    assert value.place_path == ward.path
    assert value.ancestor_2 == region_b.path and value.ancestor_4 == ward.path
    values = IndicatorValue.objects.all()
    assert rollup(indicator, region_b, YEAR, values).value == Decimal(7)
    assert rollup(indicator, region_a, YEAR, values).value is None
    assert rollup(indicator, country, YEAR, values).value == Decimal(7)


def test_periods_read_and_write_as_dhis2_names_them():
    assert parse_period("2025Q2") == Period(datetime.date(2025, 4, 1), Periodicity.QUARTERLY)
    assert parse_period("202504").code == "202504"
    assert parse_period("2025").split(Periodicity.QUARTERLY)[-1].code == "2025Q4"
    assert parse_period("2025Q1").contains(parse_period("202503"))
    assert not parse_period("2025Q1").contains(parse_period("2025"))
    assert Period.containing(datetime.date(2025, 11, 30), Periodicity.QUARTERLY).code == "2025Q4"
    assert [p.code for p in parse_period("2025Q1").last(3)] == ["2024Q3", "2024Q4", "2025Q1"]
    for bad in ("2025Q5", "202513", "25", "Q1", "", "2025-01"):
        with pytest.raises(ValueError):
            parse_period(bad)


def test_rollup_of_nothing_is_no_value():
    assert Rollup("sum").value is None
    assert combine(
        "average", [Rollup("average", Decimal(6), 2, 1), Rollup("average", Decimal(3), 1, 1)]
    ).value == Decimal(3)


@pytest.mark.django_db
def test_the_indicator_page_and_api_show_a_place_and_its_children(db):
    sync_default_policy()
    places = _tree()
    country, region = places[0], places[1]
    user = UserFactory(label="national")
    RoleAssignmentFactory(user=user, role="national_coordinator", place=country)
    indicator = IndicatorFactory(
        objective__pillar__strategy__owner__place=country,
        periodicity=Periodicity.QUARTERLY,
        aggregation=Aggregation.SUM,
    )
    quarter = parse_period("2025Q3")
    for place, value in ((places[2], 4), (places[3], 5), (places[6], 9)):
        IndicatorValueFactory(
            indicator=indicator, place=place, period_start=quarter.start, value=value
        )
    client = Client()
    client.force_login(user)
    response = client.get(indicator.get_absolute_url(), {"place": country.code, "period": "2025Q3"})
    assert response.status_code == 200
    assert response.context["rollup"].value == Decimal(18)
    by_child = {place.name: part.value for place, part in response.context["child_rows"]}
    assert by_child == {"Region 0": Decimal(9), "Region 1": Decimal(9)}
    assert "<svg" in response.content.decode()
    api = client.get(
        reverse("api-1.0.0:indicator_rollup", args=[indicator.pk]),
        {"place": region.pk, "period": "2025"},
    )
    assert api.status_code == 200
    body = api.json()
    assert body["value"] == "9" or Decimal(body["value"]) == Decimal(9)
    assert {part["place"] for part in body["by_child"]} == {"City 0.0"}
    # A place the reader cannot read values at is not found, as if it did not exist.
    other = PlaceFactory(name="Elsewhere", parent=root_place())
    assert (
        client.get(
            reverse("api-1.0.0:indicator_rollup", args=[indicator.pk]),
            {"place": other.pk, "period": "2025"},
        ).status_code
        == 404
    )
    bad = client.get(
        reverse("api-1.0.0:indicator_rollup", args=[indicator.pk]),
        {"place": region.pk, "period": "2025Q9"},
    )
    assert bad.status_code in {400, 422}
