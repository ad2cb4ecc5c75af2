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


def test_after_a_burst_one_request_each_share_of_the_period(tree, settings, monkeypatch):
    """``count`` at once, then one each ``period / count``; a refused request is told how long
    to wait, and the state kept per token is one time, not a list of every request."""
    from django.core.cache import cache
    from ninja.throttling import SimpleRateThrottle

    clock = [1_000_000.0]
    monkeypatch.setattr(SimpleRateThrottle, "timer", staticmethod(lambda: clock[0]))
    settings.API_RATE_PER_TOKEN = "3/m"
    _t, secret = do_create_api_token(user=tree.in_scope, name="steady script")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    assert [client.get("/api/me").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/me")
    assert refused.status_code == 429 and refused["Retry-After"] == "20"
    clock[0] += 19
    assert client.get("/api/me")["Retry-After"] == "1"
    clock[0] += 1
    assert client.get("/api/me").status_code == 200  # its turn: one each 20 seconds
    assert client.get("/api/me").status_code == 429
    clock[0] += 60
    assert [client.get("/api/me").status_code for _ in range(4)] == [200, 200, 200, 429]
    stored = [key.split(":", 2)[2] for key in cache._cache if "api-token" in key]  # type: ignore[attr-defined]
    kept = [cache.get(key) for key in stored]
    assert kept and all(isinstance(value, float) for value in kept)


def test_a_rate_of_none_refuses_every_request(tree, settings):
    settings.API_RATE_PER_TOKEN = "0/m"
    _t, secret = do_create_api_token(user=tree.in_scope, name="barred script")
    refused = Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/me")
    assert refused.status_code == 429 and "Retry-After" not in refused
