"""Weekly tension assessments: one per place and week, rolled up to the picture of a place
and below, drawn as a trend, and never counting a return the reader may not read."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from bridgework.core.tlp import TLP
from bridgework.response.factories import TensionAssessmentFactory
from bridgework.response.models import TensionAssessment, TensionLevel
from bridgework.response.selectors import tension_picture

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 4)  # a Friday in week 49
THIS_WEEK = datetime.date(2026, 11, 30)


def _level(value):
    return TensionLevel.objects.get(value=value)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_week_is_saved_as_its_monday_and_a_place_has_one_return_a_week(tree):
    first = TensionAssessmentFactory(place=tree.city, week_start=TODAY, level=_level(2))
    assert first.week_start == THIS_WEEK and first.week_label == "2026-W49"
    second = TensionAssessment(
        place=tree.city, week_start=THIS_WEEK, level=_level(3), title="Again"
    )
    with pytest.raises(ValidationError) as refused:
        second.full_clean()
    assert "already has an assessment for that week" in str(refused.value)


def test_the_picture_rolls_up_the_returns_below_a_place(tree):
    TensionAssessmentFactory(place=tree.city, week_start=THIS_WEEK, level=_level(2))
    TensionAssessmentFactory(place=tree.ward, week_start=THIS_WEEK, level=_level(4))
    TensionAssessmentFactory(
        place=tree.city, week_start=THIS_WEEK - datetime.timedelta(weeks=1), level=_level(1)
    )
    picture = tension_picture(tree.ancestor, str(tree.region.pk), today=TODAY)
    assert picture.place == tree.region
    last, before = picture.weeks[-1], picture.weeks[-2]
    assert (last.label, last.highest, last.average, last.returns) == ("2026-W49", 4, 3.0, 2)
    assert (before.highest, before.returns) == (1, 1)
    by_child = {row.place: row for row in picture.children}
    assert by_child[tree.city].latest == 4 and by_child[tree.city].latest_week == "2026-W49"
    assert by_child[tree.sibling].latest is None
    assert picture.chart is not None and len(picture.chart.points) == 12


def test_the_picture_never_counts_a_return_the_reader_may_not_read(tree):
    TensionAssessmentFactory(place=tree.city, week_start=THIS_WEEK, level=_level(2))
    TensionAssessmentFactory(place=tree.ward, week_start=THIS_WEEK, level=_level(5), tlp=TLP.RED)
    TensionAssessmentFactory(place=tree.sibling, week_start=THIS_WEEK, level=_level(5))
    picture = tension_picture(tree.in_scope, str(tree.region.pk), today=TODAY)
    # The city coordinator may look at the region above them, but counts only what they read:
    # not the RED return in their ward, not the sibling city's.
    assert picture.place == tree.region
    assert (picture.weeks[-1].highest, picture.weeks[-1].returns) == (2, 1)
    # Nor does the region read upward open the region's other branches: the sibling city is
    # not even named.
    assert [row.place for row in picture.children] == [tree.city]


def test_the_picture_page_and_api(tree):
    TensionAssessmentFactory(place=tree.ward, week_start=THIS_WEEK, level=_level(3))
    client = _client(tree.ancestor)
    page = client.get(reverse("response:tension_picture"), {"place": tree.city.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Riverton Ward 1" in html
    answer = client.get(reverse("api-1.0.0:tension_picture"), {"place": str(tree.city.pk)})
    assert answer.status_code == 200
    assert answer.json()["place_id"] == tree.city.pk
    assert len(answer.json()["weeks"]) == 12
    assert _client(tree.no_role).get(reverse("response:tension_picture")).status_code == 403
