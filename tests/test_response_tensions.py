"""Weekly tension assessments: one per place and week, rolled up to the picture of a place
and below, drawn as a trend, and never counting a return the reader may not read."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.core.tlp import TLP
from bridgework.notifications.models import Notification
from bridgework.notifications.testing import immediate_tasks
from bridgework.response.actions import do_record_tension, do_update_tension
from bridgework.response.factories import AlertRuleFactory, TensionAssessmentFactory
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


def _tension_alerts(user) -> list[str]:
    return list(
        Notification.objects.filter(kind="response.tension_alert", recipient=user)
        .order_by("pk")
        .values_list("subject", flat=True)
    )


def test_tension_reaching_a_rules_level_alerts_once(tree, django_capture_on_commit_callbacks):
    watcher = UserFactory(label="watcher")
    RoleAssignmentFactory(user=watcher, role="local_coordinator", place=tree.country)
    AlertRuleFactory(place=tree.country, person=watcher, tension_from=_level(4))
    AlertRuleFactory(place=tree.sibling, person=watcher, tension_from=_level(1), name="Sibling")
    AlertRuleFactory(place=tree.country, person=watcher, name="Reports only")
    client = _client(tree.in_scope)
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        added = client.post(
            reverse("response:tensionassessment_add"),
            {
                "place": tree.ward.pk,
                "week_start": TODAY.isoformat(),
                "level": _level(3).pk,
                "title": "Posters after the match",
                "evidence": "Two reports of posters near the stadium.",
                "tlp": TLP.AMBER,
            },
        )
    assert added.status_code == 302, added.content.decode()[:2000]
    assert _tension_alerts(watcher) == []  # level 3: below the rule's 4

    assessment = TensionAssessment.objects.get(title="Posters after the match")
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        assessment.level = _level(4)
        do_update_tension(assessment, acting_user=tree.in_scope)
        assessment.title = "Posters and a march announced"
        do_update_tension(assessment, acting_user=tree.in_scope)  # still 4: nobody again
    alerts = Notification.objects.filter(kind="response.tension_alert", recipient=watcher)
    assert [a.subject for a in alerts] == [
        "[TLP:AMBER] [Bridgework] Tension severe in Riverton Ward 1, 2026-W49"
    ]
    # Where and how high, never what is happening.
    assert "Posters" not in alerts.get().body and "stadium" not in alerts.get().body


def test_a_tension_alert_never_reaches_someone_who_may_not_read_the_return(
    tree, django_capture_on_commit_callbacks
):
    partner = UserFactory(label="partner")
    RoleAssignmentFactory(user=partner, role="partner", place=tree.city)  # GREEN ceiling
    AlertRuleFactory(place=tree.city, person=partner, tension_from=_level(1))
    amber = TensionAssessmentFactory.build(
        place=tree.city, week_start=THIS_WEEK, level=_level(5), tlp=TLP.AMBER
    )
    with immediate_tasks(), django_capture_on_commit_callbacks(execute=True):
        do_record_tension(amber, acting_user=tree.in_scope)
    assert _tension_alerts(partner) == []
