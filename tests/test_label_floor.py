"""A child is never less sensitive than its parent: a meeting of an AMBER body is AMBER or
more, an action at least as sensitive as the body that raised it and its meeting."""

import importlib
import json

import pytest
from django.apps import apps
from django.db.models import F
from django.test import Client
from django.urls import reverse

from bridgework.actors.factories import OrganisationFactory
from bridgework.bodies.factories import (
    ActionItemFactory,
    BodyFactory,
    DecisionFactory,
    MeetingFactory,
)
from bridgework.bodies.models import ActionItem, Meeting
from bridgework.core.tlp import TLP

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_api_refuses_a_green_meeting_on_an_amber_body(tree):
    body = BodyFactory(place=tree.city, tlp=TLP.AMBER)
    response = client_for(tree.in_scope).post(
        reverse("api-1.0.0:create_meeting"),
        data=json.dumps(
            {
                "body": body.pk,
                "title": "Open session",
                "starts_at": "2026-05-01T10:00",
                "status": "planned",
                "tlp": 1,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["tlp"]
    assert not Meeting.objects.filter(body=body).exists()


def test_the_form_refuses_it_too_and_accepts_amber(tree):
    body = BodyFactory(place=tree.city, tlp=TLP.AMBER)
    data = {
        "body": body.pk,
        "title": "Session",
        "starts_at": "2026-05-01T10:00",
        "status": "planned",
    }
    client = client_for(tree.in_scope)
    refused = client.post(reverse("bodies:meeting_add"), {**data, "tlp": TLP.GREEN})
    assert refused.status_code == 400
    assert "At least TLP:AMBER" in str(refused.context["form"].errors["tlp"])
    accepted = client.post(reverse("bodies:meeting_add"), {**data, "tlp": TLP.AMBER})
    assert accepted.status_code == 302
    assert Meeting.objects.get(body=body).tlp == TLP.AMBER


def test_an_action_is_at_least_its_meeting(tree):
    body = BodyFactory(place=tree.city)
    meeting = MeetingFactory(body=body, tlp=TLP.AMBER)
    response = client_for(tree.in_scope).post(
        reverse("bodies:actionitem_add"),
        {
            "title": "Follow up",
            "raised_by": body.pk,
            "meeting": meeting.pk,
            "owner_organisation": OrganisationFactory(place=tree.city).pk,
            "tlp": TLP.GREEN,
        },
    )
    assert response.status_code == 400
    assert "tlp" in response.context["form"].errors
    assert not ActionItem.objects.filter(title="Follow up").exists()


def test_the_data_migration_raises_existing_rows(tree):
    body = BodyFactory(place=tree.city, tlp=TLP.AMBER)
    meeting = MeetingFactory(body=body)
    Meeting.objects.filter(pk=meeting.pk).update(tlp=TLP.GREEN)  # as older code let it be
    item = ActionItemFactory(raised_by=BodyFactory(place=tree.city), meeting=None)
    ActionItem.objects.filter(pk=item.pk).update(raised_by=body, tlp=TLP.CLEAR)
    untouched = ActionItemFactory(
        raised_by=BodyFactory(place=tree.city, tlp=TLP.GREEN), tlp=TLP.AMBER
    )
    migration = importlib.import_module(
        "bridgework.bodies.migrations.0002_children_as_sensitive_as_parents"
    )
    migration.raise_labels(apps, None)
    meeting.refresh_from_db()
    item.refresh_from_db()
    untouched.refresh_from_db()
    assert meeting.tlp == TLP.AMBER and item.tlp == TLP.AMBER
    assert untouched.tlp == TLP.AMBER  # never lowered


def test_the_demo_keeps_the_rule():
    from django.core.management import call_command
    from django.db.models import F, Q

    call_command("load_demo", stdout=__import__("io").StringIO())
    assert Meeting.objects.exists()
    assert not Meeting.objects.filter(tlp__lt=F("body__tlp")).exists()
    below = Q(tlp__lt=F("raised_by__tlp")) | Q(meeting__isnull=False, tlp__lt=F("meeting__tlp"))
    assert not ActionItem.objects.filter(below).exists()


# --- raising a parent raises its children ---------------------------------------------------------


def _family(tree):
    """A GREEN body with a GREEN meeting, an action from that meeting and one raised directly."""
    body = BodyFactory(place=tree.city, tlp=TLP.GREEN, name="Riverton Table")
    meeting = MeetingFactory(body=body, tlp=TLP.GREEN)
    from_meeting = ActionItemFactory(raised_by=body, meeting=meeting, tlp=TLP.GREEN)
    direct = ActionItemFactory(raised_by=body, tlp=TLP.GREEN)
    already = MeetingFactory(body=body, tlp=TLP.AMBER_STRICT)
    return body, meeting, from_meeting, direct, already


def _assert_raised(tree, body, meeting, from_meeting, direct, already):
    from auditlog.models import LogEntry

    for record in (body, meeting, from_meeting, direct, already):
        record.refresh_from_db()
    assert body.tlp == TLP.AMBER
    assert meeting.tlp == from_meeting.tlp == direct.tlp == TLP.AMBER
    assert already.tlp == TLP.AMBER_STRICT  # never lowered
    for child in (meeting, from_meeting, direct):
        entry = LogEntry.objects.get_for_object(child).order_by("-timestamp", "-pk").first()
        assert entry.actor_id == tree.in_scope.pk
        assert entry.changes["tlp"] == [str(int(TLP.GREEN)), str(int(TLP.AMBER))]
    assert not ActionItem.objects.filter(tlp__lt=F("meeting__tlp")).exists()


def test_raising_a_body_on_its_page_raises_its_meetings_and_actions(tree):
    body, *children = _family(tree)
    client = client_for(tree.in_scope)
    data = {
        "name": body.name,
        "kind": body.kind,
        "level": body.level,
        "place": tree.city.pk,
        "tlp": TLP.AMBER,
    }
    response = client.post(reverse("bodies:body_edit", args=[body.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    _assert_raised(tree, body, *children)


def test_raising_a_body_through_the_api_raises_them_too(tree):
    body, *children = _family(tree)
    response = client_for(tree.in_scope).patch(
        reverse("api-1.0.0:update_body", args=[body.pk]),
        data=json.dumps({"tlp": int(TLP.AMBER)}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    _assert_raised(tree, body, *children)


def test_raising_a_meeting_raises_its_actions(tree):
    from bridgework.core.actions import do_update_record

    body = BodyFactory(place=tree.city)
    meeting = MeetingFactory(body=body)
    item = ActionItemFactory(raised_by=body, meeting=meeting)
    meeting.tlp = TLP.AMBER
    do_update_record(meeting, acting_user=tree.in_scope)
    item.refresh_from_db()
    assert item.tlp == TLP.AMBER


def test_a_raise_that_is_refused_leaves_the_children_as_they_were(tree):
    """The children are raised in the parent's transaction: a refused write raises nothing."""
    body, meeting, *_rest = _family(tree)
    response = client_for(tree.in_scope).patch(
        reverse("api-1.0.0:update_body", args=[body.pk]),
        data=json.dumps({"tlp": int(TLP.AMBER), "place": tree.sibling.pk}),
        content_type="application/json",
    )
    assert response.status_code in {403, 422}
    meeting.refresh_from_db()
    assert meeting.tlp == TLP.GREEN


# --- an action item that names a decision comes from its meeting ------------------------------


def _amber_decision(tree):
    body = BodyFactory(place=tree.city)
    meeting = MeetingFactory(body=body, tlp=TLP.AMBER)
    return body, meeting, DecisionFactory(meeting=meeting)


def _action_data(body, decision, **more):
    return {
        "title": "Follow the decision",
        "raised_by": body.pk,
        "decision": decision.pk,
        "owner_organisation": OrganisationFactory(place=body.place).pk,
        "tlp": int(TLP.GREEN),
        **more,
    }


def test_a_green_action_cannot_follow_a_decision_of_an_amber_meeting(tree):
    body, meeting, decision = _amber_decision(tree)
    client = client_for(tree.in_scope)
    page = client.post(reverse("bodies:actionitem_add"), _action_data(body, decision))
    assert page.status_code == 400
    assert "At least TLP:AMBER" in str(page.context["form"].errors["tlp"])
    api = client.post(
        reverse("api-1.0.0:create_action"),
        data=json.dumps(_action_data(body, decision)),
        content_type="application/json",
    )
    assert api.status_code == 422
    assert [e["field"] for e in api.json()["errors"]] == ["tlp"]
    assert not ActionItem.objects.filter(title="Follow the decision").exists()
    accepted = client.post(
        reverse("bodies:actionitem_add"), _action_data(body, decision, tlp=int(TLP.AMBER))
    )
    assert accepted.status_code == 302
    item = ActionItem.objects.get(title="Follow the decision")
    assert item.meeting_id == meeting.pk  # derived from the decision
    assert item.tlp == TLP.AMBER


def test_an_action_cannot_name_a_decision_of_another_meeting(tree):
    body, _meeting, decision = _amber_decision(tree)
    other = MeetingFactory(body=body, tlp=TLP.AMBER)
    response = client_for(tree.in_scope).post(
        reverse("bodies:actionitem_add"),
        _action_data(body, decision, meeting=other.pk, tlp=int(TLP.AMBER)),
    )
    assert response.status_code == 400
    assert "another meeting" in str(response.context["form"].errors["meeting"])


def test_the_migration_fills_the_meeting_and_raises_the_label(tree):
    body, meeting, decision = _amber_decision(tree)
    item = ActionItemFactory(raised_by=body, tlp=TLP.AMBER)
    ActionItem.objects.filter(pk=item.pk).update(decision=decision, meeting=None, tlp=TLP.GREEN)
    migration = importlib.import_module(
        "bridgework.bodies.migrations.0005_action_items_follow_their_decisions_meeting"
    )
    migration.follow_decisions(apps, None)
    item.refresh_from_db()
    assert (item.meeting_id, item.tlp) == (meeting.pk, TLP.AMBER)
