"""Inputs the audit found answering 500: each is a clear 4xx now."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from bridgework.bodies.factories import BodyFactory, MeetingFactory, SeatFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_deleting_a_record_still_referenced_is_400_in_the_api_as_on_the_page(tree):
    body = BodyFactory(place=tree.city)
    MeetingFactory(body=body)  # a meeting protects its body
    client = client_for(tree.in_scope)
    response = client.delete(reverse("api-1.0.0:delete_body", args=[body.pk]))
    assert response.status_code == 400
    assert response.json()["detail"] == "Other records still refer to this one."
    page = client.post(reverse("bodies:body_delete", args=[body.pk]))
    assert page.status_code == 400


def test_a_huge_body_is_413(tree, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client_for(tree.in_scope).post(
        reverse("api-1.0.0:create_body"),
        data=json.dumps({"name": "x" * 5000}),
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json()["detail"]


def test_a_huge_form_is_413_on_the_pages_as_in_the_api(tree, settings):
    """Over the upload limit, a page's form answers 413 like the API (Django's own answer is
    400): with the CSRF check reading the body first, as for every browser, and without."""
    from bridgework.web.testing.views import BrowserClient

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    data = {"name": "Big", "kind": "other", "level": "local", "mandate": "x" * 5000}
    browser = BrowserClient(raise_request_exception=False)
    browser.force_login(tree.in_scope)
    for client in (browser, client_for(tree.in_scope)):
        response = client.post(reverse("bodies:body_add"), data)
        assert response.status_code == 413
        assert b"more than the site accepts" in response.content
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    many = {f"field{n}": "x" for n in range(10)}
    assert client_for(tree.in_scope).post(reverse("bodies:body_add"), many).status_code == 413
    # Any other bad request is still a 400.
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
    response = client_for(tree.in_scope).get(reverse("home"), headers={"host": "evil..example"})
    assert response.status_code == 400


def test_a_lone_surrogate_is_a_client_error(tree):
    response = client_for(tree.in_scope).post(
        reverse("api-1.0.0:create_body"),
        data='{"name": "\\ud800", "kind": "other", "level": "local"}',
        content_type="application/json",
    )
    assert response.status_code in {400, 422}
    assert response.json()["detail"]


def test_multipart_without_a_boundary_is_400(tree):
    response = client_for(tree.in_scope).post(
        reverse("api-1.0.0:create_body"), data=b"--x", content_type="multipart/form-data"
    )
    assert response.status_code in {400, 422}


def test_a_crafted_cursor_is_404_not_500(tree):
    import base64

    SeatFactory(body=BodyFactory(place=tree.city))
    cursor = base64.urlsafe_b64encode(b'["not a date", 1]').decode().rstrip("=")
    client = client_for(tree.in_scope)
    assert client.get(reverse("bodies:meeting_list"), {"after": cursor}).status_code == 404
    api = client.get(reverse("api-1.0.0:list_meetings"), {"after": cursor})
    assert api.status_code == 400


def test_a_place_number_beyond_the_database_is_404(tree):
    client = client_for(tree.in_scope)
    huge = "99999999999999999999999"
    assert client.get(reverse("actors:three_w"), {"place": huge}).status_code == 404
    assert client.get(reverse("bodies:meeting_list"), {"body": huge}).status_code == 404
    assert client.get(f"/bodies/{huge}/").status_code == 404
