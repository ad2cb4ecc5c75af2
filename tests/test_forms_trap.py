"""Forms that never trap: they offer only what may be saved, keep the input on a refusal, say
every constraint in words, say why a page is read-only and name decisions so they can be told
apart (issue point 4)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridgework.access.factories import RoleAssignmentFactory
from bridgework.actors.factories import OrganisationFactory, PersonFactory
from bridgework.bodies.factories import (
    ActionItemFactory,
    BodyFactory,
    DecisionFactory,
    MeetingFactory,
)
from bridgework.bodies.forms import ActionItemForm, MeetingForm, SeatForm
from bridgework.bodies.models import ActionItem, Body, DerivedPlaceMixin, Meeting
from bridgework.core.tlp import TLP
from bridgework.places.models import ScopedModel
from bridgework.web.testing import build_tree


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def local(db):
    """Local coordinators at the city (in scope) and at the country (ancestor)."""
    return build_tree("local_coordinator")


# --- choices: only where the save would be allowed ---------------------------------------------


def test_add_meeting_offers_only_bodies_where_one_may_add_meetings(local):
    national = BodyFactory(place=local.country, name="National Forum")  # GREEN: readable below
    city = BodyFactory(place=local.city, name="City Forum")
    ward = BodyFactory(place=local.ward, name="Ward Forum")
    assert Body.objects.visible_to(local.in_scope).filter(pk=national.pk).exists()

    offered = set(MeetingForm(user=local.in_scope, action="add").fields["body"].queryset)
    assert offered == {city, ward}
    from_above = set(MeetingForm(user=local.ancestor, action="add").fields["body"].queryset)
    assert from_above == {national, city, ward}

    response = client_for(local.in_scope).get(reverse("bodies:meeting_add"))
    assert b"City Forum" in response.content
    assert b"National Forum" not in response.content


def test_a_body_above_ones_label_ceiling_is_not_offered(local):
    amber = BodyFactory(place=local.city, name="Closed Table", tlp=TLP.AMBER)
    red = BodyFactory(place=local.city, name="Named Only", tlp=TLP.RED)
    offered = set(SeatForm(user=local.in_scope, action="add").fields["body"].queryset)
    assert amber in offered and red not in offered


def test_every_derived_place_declares_the_field_it_follows():
    """A model whose place follows another record names that foreign key, so its forms offer
    only parents where the user may write (web.forms.scope_form_choices)."""
    derived = [
        model
        for model in apps.get_models()
        if issubclass(model, DerivedPlaceMixin) and issubclass(model, ScopedModel)
    ]
    assert derived
    for model in derived:
        assert model.place_follows, f"{model.__name__} does not say where its place comes from"
        for name in model.place_follows:
            field = model._meta.get_field(name)
            assert isinstance(field, models.ForeignKey), (model, name)


def test_the_picker_offers_the_same_parents_as_the_form(local):
    BodyFactory(place=local.country, name="Forum of the nation")
    BodyFactory(place=local.city, name="Forum of the city")
    client = client_for(local.in_scope)
    url = reverse("record_pick")
    query = {"model": "bodies.body", "field": "body", "body__search": "Forum"}
    writable = client.get(url, {**query, "for": "bodies.meeting", "action": "add"})
    assert b"Forum of the city" in writable.content
    assert b"Forum of the nation" not in writable.content
    readable = client.get(url, query)
    assert b"Forum of the nation" in readable.content
    wrong_field = client.get(url, {**query, "field": "title", "for": "bodies.meeting"})
    assert wrong_field.status_code == 404


def test_editing_keeps_the_body_an_item_was_raised_by(local):
    """An item raised by the national body and owed in the city lives in the city: its city
    editor keeps the national body as a choice rather than being told it is invalid."""
    national = BodyFactory(place=local.country, name="National Board")
    owner = OrganisationFactory(place=local.city)
    item = ActionItemFactory(raised_by=national, owner=owner, title="Report to the board")
    assert item.place == local.city
    form = ActionItemForm(instance=item, user=local.in_scope, action="change")
    assert national in form.fields["raised_by"].queryset
    assert (
        national
        not in ActionItemForm(user=local.in_scope, action="add").fields["raised_by"].queryset
    )
    data = {
        "title": "Report to the board, revised",
        "raised_by": national.pk,
        "owner_organisation": owner.pk,
        "tlp": item.tlp,
    }
    response = client_for(local.in_scope).post(
        reverse("bodies:actionitem_edit", args=[item.pk]), data
    )
    assert response.status_code == 302, response.content
    item.refresh_from_db()
    assert item.title == "Report to the board, revised"


# --- a refusal keeps the input ---------------------------------------------------------------


@pytest.fixture
def across_branches(local):
    """The city's coordinator is also a partner in the sibling city: they see its
    organisations but may not add an item that would live there."""
    RoleAssignmentFactory(user=local.in_scope, role="partner", place=local.sibling)
    body = BodyFactory(place=local.city, name="City Table")
    elsewhere = OrganisationFactory(place=local.sibling, name="Hillbury Youth")
    return local, body, elsewhere


def test_a_refused_save_keeps_what_was_typed_on_the_page(across_branches):
    local, body, elsewhere = across_branches
    data = {
        "title": "Ask Hillbury for their referral list",
        "description": "Typed with care",
        "raised_by": body.pk,
        "owner_organisation": elsewhere.pk,
        "tlp": TLP.GREEN,
    }
    response = client_for(local.in_scope).post(reverse("bodies:actionitem_add"), data)
    assert response.status_code == 403
    form = response.context["form"]
    assert form["title"].value() == data["title"]
    assert "Typed with care" in response.content.decode()
    [message] = form.errors["raised_by"]
    assert "outside the places where you may add action items" in message
    assert ActionItem.objects.count() == 0


def test_a_refused_save_in_the_api_is_a_clear_403(across_branches):
    local, body, elsewhere = across_branches
    response = client_for(local.in_scope).post(
        reverse("api-1.0.0:create_action"),
        json.dumps(
            {
                "title": "Ask Hillbury",
                "raised_by": body.pk,
                "owner_organisation": elsewhere.pk,
                "tlp": TLP.GREEN,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 403
    answer = response.json()
    assert "outside the places" in answer["detail"]
    assert answer["errors"] == [{"field": "raised_by", "message": answer["detail"]}]
    assert ActionItem.objects.count() == 0


# --- constraints in words ----------------------------------------------------------------------


def _bridgework_models():
    return [model for model in apps.get_models() if model.__module__.startswith("bridgework.")]


def test_every_constraint_says_what_is_wrong_in_words():
    """A meta-test: a new CheckConstraint or UniqueConstraint without its own
    violation_error_message would show users 'Constraint "…" is violated.'"""
    missing = [
        f"{model._meta.label}.{constraint.name}"
        for model in _bridgework_models()
        for constraint in model._meta.constraints
        if isinstance(constraint, models.BaseConstraint)
        and constraint.violation_error_message == constraint.default_violation_error_message
    ]
    assert not missing, f"constraints without a message in words: {missing}"
    assert any(model._meta.constraints for model in _bridgework_models())


def test_choosing_two_owners_is_said_in_words_once(tree):
    body = BodyFactory(place=tree.city)
    org, person = OrganisationFactory(place=tree.city), PersonFactory(place=tree.city)
    response = client_for(tree.in_scope).post(
        reverse("bodies:actionitem_add"),
        {
            "title": "Two owners",
            "raised_by": body.pk,
            "owner_organisation": org.pk,
            "owner_person": person.pk,
            "tlp": TLP.GREEN,
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].non_field_errors()
    assert list(errors) == [
        "An action is owned by an organisation or by a person: choose exactly one."
    ]
    assert "Constraint" not in response.content.decode()


def test_a_meeting_ending_before_it_starts_is_said_once_on_its_field(tree):
    body = BodyFactory(place=tree.city)
    response = client_for(tree.in_scope).post(
        reverse("bodies:meeting_add"),
        {
            "body": body.pk,
            "title": "Backwards",
            "starts_at": "2026-03-12T10:00",
            "ends_at": "2026-03-12T09:00",
            "status": "planned",
            "tlp": TLP.GREEN,
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["ends_at"] == ["A meeting cannot end before it starts."]
    assert not form.non_field_errors()


# --- read-only pages say why -------------------------------------------------------------------


def test_a_read_only_record_says_who_changes_it(local):
    national = BodyFactory(place=local.country, name="National Forum")
    page = client_for(local.in_scope).get(national.get_absolute_url())
    text = page.content.decode()
    assert page.context["can_change"] is False
    assert page.context["read_only_note"] == (
        "You can read this coordination body, not change it. It is changed by the Local "
        "coordinator or National coordinator for Xanadu or a place above it."
    )
    assert page.context["read_only_note"] in text
    assert reverse("bodies:body_edit", args=[national.pk]) not in text

    editable = client_for(local.ancestor).get(national.get_absolute_url())
    assert editable.context["can_change"] is True
    assert editable.context["read_only_note"] == ""


# --- decisions told apart ----------------------------------------------------------------------


def test_decisions_are_named_by_their_meetings_day_and_words(tree):
    body = BodyFactory(place=tree.city)
    march = timezone.make_aware(datetime.datetime(2026, 3, 12, 10, 0))
    june = timezone.make_aware(datetime.datetime(2026, 6, 2, 10, 0))
    first = DecisionFactory(
        meeting=MeetingFactory(body=body, starts_at=march),
        number=1,
        text="Agree on a joint statement with the faith leaders about the attacks on the mosque",
    )
    second = DecisionFactory(
        meeting=MeetingFactory(body=body, starts_at=june), number=1, text="Hold a vigil."
    )
    assert (
        str(first) == "12 Mar 2026 — Agree on a joint statement with the faith leaders about the…"
    )
    assert str(second) == "2 Jun 2026 — Hold a vigil."
    form = ActionItemForm(user=tree.in_scope, action="add")
    labels = [label for value, label in form.fields["decision"].choices if value]
    assert sorted(labels) == sorted([str(first), str(second)])
    assert not any(label.startswith("Decision") for label in labels)


def test_meeting_model_constraint_and_clean_agree():
    """The constraint and the model's own check give the same words."""
    constraint = next(c for c in Meeting._meta.constraints if c.name == "meeting_ends_after_start")
    assert str(constraint.violation_error_message) == "A meeting cannot end before it starts."
