"""API rate limits: per token and per address, a clear 429 with Retry-After."""

import pytest
from django.test import Client

from bridgework.access.actions import do_create_api_token

pytestmark = pytest.mark.django_db


def test_a_token_over_its_rate_gets_a_clear_429(tree, settings):
    settings.API_RATE_PER_TOKEN = "3/m"
    _t, secret = do_create_api_token(user=tree.in_scope, name="busy script")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    assert [client.get("/api/me").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/me")
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Too many requests.")
    assert int(refused["Retry-After"]) > 0
    # Another token of the same person has its own count.
    _t2, other = do_create_api_token(user=tree.in_scope, name="other script")
    assert Client(headers={"Authorization": f"Bearer {other}"}).get("/api/me").status_code == 200


def test_one_address_is_limited_whoever_signs(tree, settings):
    settings.API_RATE_PER_ADDRESS = "4/m"
    tokens = [do_create_api_token(user=tree.in_scope, name=f"t{n}")[1] for n in range(5)]
    answers = [
        Client(headers={"Authorization": f"Bearer {token}"}).get("/api/me").status_code
        for token in tokens
    ]
    assert answers == [200, 200, 200, 200, 429]
