"""A JSON body's values reach the pages' forms only with a type a form field can take: a wrong
JSON type (``false`` or a list for a date, an object for a title) answers 422 in the one error
shape, naming the field — never a 500, never a "False" saved as text."""

import json

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

import bridgework.api  # noqa: F401  (builds the API: its form endpoints register)
from bridgework.actors.factories import OrganisationFactory, PersonFactory, PostFactory
from bridgework.bodies.factories import ActionItemFactory, BodyFactory, MeetingFactory, SeatFactory
from bridgework.web.api import FORM_ENDPOINTS

pytestmark = pytest.mark.django_db

ENDPOINTS = sorted(FORM_ENDPOINTS)
assert ENDPOINTS, "no form endpoint registered: the check itself is broken"


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def wrong_values(field: forms.Field) -> list:
    """JSON values of a type ``field`` cannot take."""
    if isinstance(field, forms.BooleanField):
        return [[True], {"x": 1}, 1]
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return ["1", {"x": 1}, [[1]], [False]]
    return [False, True, [], ["2026-01-01"], {"date": "2026-01-01"}]


def send(client, method: str, url: str, payload):
    return getattr(client, method)(url, json.dumps(payload), content_type="application/json")


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_wrong_json_type_for_any_field_is_a_422_naming_it(tree, name):
    endpoints = FORM_ENDPOINTS[name]
    if "add" not in endpoints.viewset.pages:
        pytest.skip("no create endpoint")
    model = endpoints.viewset.model
    client = signed_in(tree.in_scope)
    form = endpoints.viewset.form_class(user=tree.in_scope, action="add")
    url = reverse(f"api-1.0.0:create_{name}")
    count = model._default_manager.count()
    for field_name, field in form.fields.items():
        for value in wrong_values(field):
            response = send(client, "post", url, {field_name: value})
            assert response.status_code == 422, (field_name, value, response.content)
            body = response.json()
            assert body["detail"] == "The request is not valid."
            assert field_name in [e["field"] for e in body["errors"]], (field_name, value)
    assert model._default_manager.count() == count


def test_numbers_for_a_date_are_refused_by_the_form_not_the_server(tree):
    body = BodyFactory(place=tree.city)
    client = signed_in(tree.in_scope)
    for value in (7, 1.5, -1, 1e300):
        response = send(
            client,
            "post",
            reverse("api-1.0.0:create_meeting"),
            {"body": body.pk, "title": "T", "status": "planned", "tlp": 1, "starts_at": value},
        )
        assert response.status_code == 422, (value, response.content)
        assert [e["field"] for e in response.json()["errors"]] == ["starts_at"]


def test_numbers_for_ids_and_labels_are_taken_as_a_browser_sends_them(tree):
    body = BodyFactory(place=tree.city)
    response = send(
        signed_in(tree.in_scope),
        "post",
        reverse("api-1.0.0:create_meeting"),
        {"body": body.pk, "title": "T", "status": "planned", "tlp": 1, "starts_at": "2026-05-01"},
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("name", "make", "field"),
    [
        ("meeting", lambda t: MeetingFactory(body=BodyFactory(place=t.city)), "starts_at"),
        (
            "post",
            lambda t: PostFactory(
                person=PersonFactory(place=t.city), organisation=OrganisationFactory(place=t.city)
            ),
            "starts_on",
        ),
        ("seat", lambda t: SeatFactory(body=BodyFactory(place=t.city)), "ends_on"),
        ("action", lambda t: ActionItemFactory(raised_by=BodyFactory(place=t.city)), "due_on"),
    ],
)
def test_a_patch_with_a_wrong_json_type_changes_nothing(tree, name, make, field):
    record = make(tree)
    before = getattr(record, field)
    client = signed_in(tree.in_scope)
    url = reverse(f"api-1.0.0:update_{name}", args=[record.pk])
    for value in (False, 7, [2026, 5, 1], {"year": 2026}):
        response = send(client, "patch", url, {field: value})
        assert response.status_code == 422, (value, response.content)
        assert field in [e["field"] for e in response.json()["errors"]]
    record.refresh_from_db()
    assert getattr(record, field) == before
    title = "title" if hasattr(record, "title") else "constituency"
    response = send(client, "patch", url, {title: False})
    assert response.status_code == 422
    record.refresh_from_db()
    assert getattr(record, title) != "False"
