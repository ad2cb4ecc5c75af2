"""Malformed input never causes a 500 or a partial save (hypothesis)."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridgework.places.models import Place

text = st.text(max_size=60)
maybe_ids = st.one_of(st.integers(min_value=-5, max_value=10**9).map(str), text)
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def client_in_scope(tree):
    client = Client(raise_request_exception=False)
    client.force_login(tree.in_scope)
    return client


@SETTINGS
@given(name=text, parent=maybe_ids, code=text, pcode=text, opened=text, closed=text)
def test_place_form_never_crashes_or_half_saves(
    client_in_scope, tree, name, parent, code, pcode, opened, closed
):
    before = Place.objects.count()
    response = client_in_scope.post(
        "/places/add/",
        {
            "name": name,
            "parent": parent,
            "code": code,
            "pcode": pcode,
            "opened_on": opened,
            "closed_on": closed,
        },
    )
    assert response.status_code in {302, 400}
    assert Place.objects.count() == before + (1 if response.status_code == 302 else 0)


@SETTINGS
@given(email=text, role=maybe_ids, place=maybe_ids, starts=text, ends=text)
def test_assignment_form_never_crashes(client_in_scope, email, role, place, starts, ends):
    response = client_in_scope.post(
        "/access/assignments/add/",
        {
            "email": email,
            "role": role,
            "place": place,
            "starts_on": starts,
            "ends_on": ends,
        },
    )
    assert response.status_code in {302, 400}


@SETTINGS
@given(
    params=st.dictionaries(
        st.sampled_from(["subtree", "level", "country", "q", "after", "before", "limit"]),
        text,
        max_size=4,
    )
)
def test_api_list_never_crashes(client_in_scope, params):
    response = client_in_scope.get("/api/places", params)
    assert response.status_code in {200, 400, 404, 422}
    assert "detail" in response.json() or "items" in response.json()


@SETTINGS
@given(path_id=st.integers(min_value=-(2**63), max_value=2**63))
def test_api_detail_never_crashes(client_in_scope, path_id):
    response = client_in_scope.get(f"/api/places/{path_id}")
    assert response.status_code in {200, 404, 422}
