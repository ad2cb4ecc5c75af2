"""API specifics beyond the generated tests: schema, /me, filters, cursors, error shape."""

import pytest
from django.test import Client

from bridgework.places.actions import do_create_place
from bridgework.places.models import Place, PlaceLevel
from bridgework.web.testing import covers

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@covers("api-1.0.0:openapi-json", "api-1.0.0:api-root")
def test_schema_is_public_and_documents_errors(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    operation = schema["paths"]["/api/places"]["get"]
    assert {"200", "401", "404", "422"} <= set(operation["responses"])
    assert "ErrorOut" in schema["components"]["schemas"]
    assert client.get("/api/").status_code in {200, 401, 404}


@covers("api-1.0.0:me")
def test_me_lists_roles_and_places(tree):
    body = signed_in(tree.in_scope).get("/api/me").json()
    assert body["email"] == tree.in_scope.email
    assert [(r["role"], r["where"]) for r in body["roles"]] == [
        ("national_coordinator", "Riverton")
    ]
    assert body["roles"][0]["place_paths"] == [tree.city.path]
    assert Client().get("/api/me").status_code == 401


def test_place_filters(tree):
    PlaceLevel.objects.create(country_code="XA", depth=3, name="City")
    client = signed_in(tree.ancestor)

    def names(**params):
        response = client.get("/api/places", params)
        assert response.status_code == 200, response.content
        return {item["name"] for item in response.json()["items"]}

    assert names(subtree=tree.city.pk) == {"Riverton", "Riverton Ward 1"}
    assert names(level=3) == {"Riverton", "Hillbury"}
    assert names(q="xa-n") == {"Northern Region"}
    assert names(country="xa") >= {"Xanadu", "Riverton"}
    detail = client.get(f"/api/places/{tree.city.pk}").json()
    assert detail["level"] == "City" and detail["parent_id"] == tree.region.pk
    # a subtree outside scope is 404, not an empty list
    assert client.get("/api/places", {"subtree": tree.other_country.pk}).status_code == 404


def test_invalid_parameters_get_the_one_error_shape(tree):
    client = signed_in(tree.in_scope)
    response = client.get("/api/places", {"level": "deep"})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] and body["errors"][0]["field"].endswith("level")
    bad_cursor = client.get("/api/places", {"after": "not-a-cursor"})
    assert bad_cursor.status_code == 400
    assert bad_cursor.json()["detail"] == "That cursor is not valid for this list."


def test_cursor_pagination_walks_forward_and_back(tree):
    for n in range(7):
        do_create_place(Place(name=f"Ward {n}", parent=tree.city))
    client = signed_in(tree.in_scope)
    seen, url = [], "/api/places?limit=3"
    pages = []
    while url:
        body = client.get(url).json()
        pages.append(body)
        seen += [item["id"] for item in body["items"]]
        url = body["next"]
    # three places above, the city, its ward, seven more
    assert len(seen) == len(set(seen)) == 12
    assert [len(p["items"]) for p in pages] == [3, 3, 3, 3]
    back = client.get(pages[2]["previous"]).json()
    assert [i["id"] for i in back["items"]] == [i["id"] for i in pages[1]["items"]]


def test_ids_beyond_the_integer_range_are_a_client_error(tree):
    """Found by schemathesis: a 30-digit id used to crash the database driver (500)."""
    client = signed_in(tree.in_scope)
    huge = "-50393613153269352386002944"
    for url in (f"/api/posts?organisation={huge}", f"/api/places?subtree={huge[1:]}"):
        response = client.get(url)
        # SQLite cannot hold such a number (422); PostgreSQL compares it and finds nothing.
        assert response.status_code in {200, 404, 422}, (url, response.content)
        body = response.json()
        assert body.get("items") == [] if response.status_code == 200 else body["detail"]
