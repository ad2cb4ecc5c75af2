"""A child is never less sensitive than its parent: a meeting of an AMBER body is AMBER or
more, an action at least as sensitive as the body that raised it and its meeting."""

import importlib
import json

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from bridgework.actors.factories import OrganisationFactory
from bridgework.bodies.factories import ActionItemFactory, BodyFactory, MeetingFactory
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
