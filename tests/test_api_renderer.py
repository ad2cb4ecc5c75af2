"""The API's JSON renderer (orjson) writes what ninja's ``json.dumps`` wrote: the same values,
every type the answers carry, in the same formats."""

import datetime
import json
import uuid
from decimal import Decimal

import pytest
from django.db import models
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from ninja.renderers import JSONRenderer

from bridgework.web.api import OrjsonRenderer


class Colour(models.TextChoices):
    RED = "red", "Red"


class Size(models.IntegerChoices):
    SMALL = 1, "Small"


SAMPLES = [
    {"text": "Montréal — Lilongwe", "number": 3, "float": 2.5, "none": None, "yes": True},
    {"when": datetime.datetime(2026, 12, 4, 23, 40, 49, 989340, tzinfo=datetime.UTC)},
    {"naive": datetime.datetime(2026, 12, 4, 23, 40, 49, 123456)},
    {"day": datetime.date(2026, 12, 4), "time": datetime.time(9, 30, 15, 250000)},
    {"money": Decimal("18000000.00"), "small": Decimal("0.1")},
    {"lazy": gettext_lazy("Organisations"), "safe": mark_safe("<b>x</b>")},  # noqa: S308
    {"choices": [Colour.RED, Size.SMALL]},
    {"key": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    {1: "a number key", "nested": {"list": [1, (2, 3)], "empty": {}}},
    {"huge": 2**70},
    [],
]


@pytest.mark.parametrize("data", SAMPLES)
def test_the_same_values_as_json_dumps(data):
    written = OrjsonRenderer().render(None, data, response_status=200)
    before = JSONRenderer().render(None, data, response_status=200)
    assert json.loads(written) == json.loads(before)


def test_text_is_utf8_not_escaped():
    written = OrjsonRenderer().render(None, {"name": "Montréal"}, response_status=200)
    assert "Montréal".encode() in written


def test_what_neither_can_write_is_still_refused():
    with pytest.raises(TypeError):
        OrjsonRenderer().render(None, {"object": object()}, response_status=200)


def test_the_api_answers_with_it(client, django_user_model):
    response = client.get("/api/places")
    assert response.status_code == 401
    assert response.json()["detail"] == "Authentication required."
    assert response.content.startswith(b'{"detail":')
