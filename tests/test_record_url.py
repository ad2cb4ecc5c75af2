"""record_url: what reverse() gives, under any script prefix and language, the route resolved
once."""

import pytest
from django.urls import reverse, set_script_prefix
from django.utils import translation

from bridgework.core import urls
from bridgework.core.urls import record_url

ROUTES = ("actors:organisation_detail", "places:place_detail", "funding:application_detail")


@pytest.fixture(autouse=True)
def _default_prefix():
    yield
    set_script_prefix("/")


@pytest.mark.parametrize("prefix", ["/", "/bridgework/"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_record_s_address_is_reverse_s(prefix, language):
    set_script_prefix(prefix)
    with translation.override(language):
        for route in ROUTES:
            for pk in (1, 42, 987654321):
                assert record_url(route, pk) == reverse(route, args=[pk])
    assert all(record_url(route, 7).startswith(prefix) for route in ROUTES)


def test_the_language_keys_the_route_only_under_language_prefixed_patterns(monkeypatch):
    urls._url_patterns.clear()
    with translation.override("fr"):
        record_url(ROUTES[0], 1)
    assert [key[3] for key in urls._url_patterns] == [""]
    monkeypatch.setattr(urls, "is_language_prefix_patterns_used", lambda urlconf: (True, True))
    with translation.override("fr"):
        record_url(ROUTES[0], 1)
    assert sorted(key[3] for key in urls._url_patterns) == ["", "fr"]


def test_one_route_s_addresses_for_many_records_are_record_url_s():
    from bridgework.core.urls import record_urls

    set_script_prefix("/bw/")
    for route in ROUTES:
        url_of = record_urls(route)
        assert [url_of(pk) for pk in (1, 2, 300)] == [record_url(route, pk) for pk in (1, 2, 300)]


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(
    "name", ["home", "search", "logout", "set_language", "api-1.0.0:openapi-view"]
)
def test_a_fixed_address_is_what_the_url_tag_writes(name, language):
    from django.template import Context, Template

    from bridgework.core.urls import fixed_url

    with translation.override(language):
        for _ in range(2):  # the second reads what the first kept
            assert fixed_url(name) == reverse(name)
            written = Template("{% load shell %}{% fixed_url '" + name + "' %}").render(Context())
            assert written == Template("{% url '" + name + "' %}").render(Context())


def test_a_fixed_address_follows_the_script_prefix():
    from django.urls import set_script_prefix

    from bridgework.core.urls import fixed_url

    try:
        set_script_prefix("/under/")
        assert fixed_url("home") == reverse("home") and fixed_url("home").startswith("/under/")
    finally:
        set_script_prefix("/")
    assert fixed_url("home") == reverse("home") == "/"
