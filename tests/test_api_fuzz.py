"""Every API operation, sent malformed parameters and bodies (hypothesis, bounded, in process),
by a browser session with its CSRF header and by a personal token: never a 5xx.

A schemathesis-style run without the dependency: the operations and their parameter names
come from the API's own OpenAPI document; a write's body uses the real field names of the
form behind it (dates and datetimes included), and its ``{record_id}`` is often a record the
user may reach; the values are what a careless or hostile client sends (wrong JSON types,
numbers beyond any column, lone surrogates, deep JSON, empty strings) besides plausible ones.
"""

import json
import re
from urllib.parse import quote

import pytest
from django import forms
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridgework.access.actions import do_create_api_token
from bridgework.actors.factories import OrganisationFactory, PersonFactory, PostFactory
from bridgework.api import api
from bridgework.bodies.factories import (
    ActionItemFactory,
    BodyFactory,
    DecisionFactory,
    MeetingFactory,
    SeatFactory,
)
from bridgework.bodies.models import ActionUpdate
from bridgework.web.api import FORM_ENDPOINTS

SCHEMA = api.get_openapi_schema()
OPERATIONS = [
    (method.upper(), path, spec)
    for path, methods in SCHEMA["paths"].items()
    for method, spec in methods.items()
]
# OpenAPI path -> the form endpoints it belongs to (its body's fields, its records' model)
FORM_OF_PATH = {
    f"/api{endpoints.path}{tail}": endpoints
    for endpoints in FORM_ENDPOINTS.values()
    for tail in ("", "/{record_id}")
}
assert FORM_OF_PATH, "no form endpoint registered: the fuzzer would not reach the forms"

garbage = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "0", "-1", "99999999999999999999999", "1e309", "\ud800", "true"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), garbage),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(garbage, children, max_size=3)
    ),
    max_leaves=8,
)
bodies = st.one_of(
    json_values.map(json.dumps),
    st.dictionaries(
        st.sampled_from(["name", "title", "body", "place", "tlp", "text", "item", "status"]),
        json_values,
        max_size=5,
    ).map(json.dumps),
    st.sampled_from(["", "{", "[]", '{"name": "\\ud800"}', "null"]),
)


def field_values(field: forms.Field, ids: list[int]):
    """Values for one form field: plausible ones of its kind, and anything at all."""
    if isinstance(field, forms.DateTimeField):
        plausible = st.datetimes().map(lambda d: d.isoformat(timespec="minutes"))
    elif isinstance(field, forms.DateField):
        plausible = st.dates().map(lambda d: d.isoformat())
    elif isinstance(field, forms.BooleanField):
        plausible = st.booleans()
    elif isinstance(field, forms.ModelMultipleChoiceField):
        plausible = st.lists(st.sampled_from(ids or [0]), max_size=3)
    elif isinstance(field, forms.ModelChoiceField):
        plausible = st.sampled_from(ids or [0])
    elif isinstance(field, forms.ChoiceField):
        plausible = st.sampled_from([str(v) for v, _label in field.choices] or [""])
    elif isinstance(field, forms.IntegerField):
        plausible = st.integers(min_value=-(2**40), max_value=2**40)
    else:
        plausible = st.text(max_size=40)
    return st.one_of(plausible, json_values)


def form_bodies(endpoints, ids: dict, data):
    """A JSON body of the form's own field names, some of them, each plausible or not."""
    fields = endpoints.viewset.form_class.base_fields
    every_id = [pk for pks in ids.values() for pk in pks]
    strategies = {
        name: field_values(
            field,
            ids.get(getattr(getattr(field, "queryset", None), "model", None), every_id),
        )
        for name, field in fields.items()
    }
    return data.draw(st.fixed_dictionaries({}, optional=strategies).map(json.dumps))


FUZZ = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _raw(value: str) -> str:
    """Percent-encoded as a client would send it, lone surrogates included (as the invalid
    UTF-8 bytes a hostile client can put on the wire)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _fill(path: str, values: list[str]) -> str:
    names = re.findall(r"{(\w+)}", path)
    for name, value in zip(names, values, strict=False):
        path = path.replace("{" + name + "}", _raw(value) or "0")
    return path


@pytest.fixture
def world(tree):
    """A record of every model with write endpoints, all within the user's reach."""
    body = BodyFactory(place=tree.city)
    meeting = MeetingFactory(body=body)
    SeatFactory(body=body)
    DecisionFactory(meeting=meeting)
    item = ActionItemFactory(raised_by=body, meeting=meeting)
    ActionUpdate.objects.create(item=item, text="Started")
    PostFactory(
        person=PersonFactory(place=tree.city), organisation=OrganisationFactory(place=tree.city)
    )
    return {
        endpoints.viewset.model: list(
            endpoints.viewset.model._default_manager.visible_to(tree.in_scope).values_list(
                "pk", flat=True
            )
        )
        for endpoints in FORM_ENDPOINTS.values()
    }


@pytest.fixture
def clients(tree, world):
    session = Client(enforce_csrf_checks=True, raise_request_exception=False)
    session.force_login(tree.in_scope)
    token = get_token(RequestFactory().get("/"))
    session.cookies["csrftoken"] = token
    _t, secret = do_create_api_token(user=tree.in_scope, name="fuzz")
    bearer = Client(raise_request_exception=False, headers={"Authorization": f"Bearer {secret}"})
    return [(session, {"X-CSRFToken": token}), (bearer, {})]


@pytest.mark.parametrize(("method", "path", "spec"), OPERATIONS, ids=lambda v: str(v)[:40])
@FUZZ
@given(
    path_values=st.lists(garbage, min_size=2, max_size=2),
    query=st.dictionaries(st.sampled_from(["q", "after", "before", "limit"]), garbage, max_size=3),
    body=bodies,
    data=st.data(),
)
def test_no_operation_answers_5xx(
    clients, world, method, path, spec, path_values, query, body, data
):
    names = [p["name"] for p in spec.get("parameters", []) if p.get("in") == "query"]
    if names:
        query |= data.draw(st.dictionaries(st.sampled_from(names), garbage, max_size=4))
    endpoints = FORM_OF_PATH.get(path)
    if endpoints is not None:
        reachable = world[endpoints.viewset.model]
        if "{record_id}" in path and reachable and data.draw(st.booleans()):
            path_values = [str(data.draw(st.sampled_from(reachable))), *path_values[1:]]
        if method in {"POST", "PATCH"} and data.draw(st.booleans()):
            body = form_bodies(endpoints, world, data)
    url = _fill(path, path_values)
    query_string = "&".join(f"{_raw(k)}={_raw(v)}" for k, v in query.items())
    for client, headers in clients:
        send = getattr(client, method.lower())
        if method == "GET":
            response = send(f"{url}?{query_string}", headers=headers)
        else:
            response = send(url, body, content_type="application/json", headers=headers)
        assert response.status_code < 500, (method, url, query, body, response.content[:300])
