"""Decision 0014: a written page's context is freed by reference counting, not left to the
cyclic garbage collector, and a serving worker freezes what it loaded and collects its
youngest generation less often."""

import gc
import importlib
import sys
import weakref

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory

from bridgework.core import collector
from bridgework.places.models import Place

PAGE = (
    "{% extends 'base.html' %}{% block content %}"
    "{% for record in rows %}<p>{{ record.name }}</p>{% endfor %}{% endblock %}"
)


@pytest.fixture
def collector_paused():
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _signed_in_request(user):
    request = RequestFactory().get("/places/index/")
    request.user = user
    return request


@pytest.mark.django_db
def test_a_written_page_lets_go_of_its_records_at_once(tree, collector_paused):
    record = Place.objects.get(pk=tree.city.pk)
    alive = weakref.ref(record)
    html = (
        engines["django"]
        .from_string(PAGE)
        .render({"rows": [record]}, _signed_in_request(tree.in_scope))
    )
    assert "<p>Riverton</p>" in html
    assert "Sign out" in html  # the whole shell was written, its context processors run
    del record
    assert alive() is None


@pytest.mark.django_db
def test_a_template_found_by_name_lets_go_too(tree, collector_paused):
    record = Place.objects.get(pk=tree.city.pk)
    alive = weakref.ref(record)
    html = render_to_string(
        "web/_tlp.html", {"tlp": record}, request=_signed_in_request(tree.in_scope)
    )
    assert html.startswith('<span class="tlp')
    del record
    assert alive() is None


def test_a_serving_worker_freezes_what_it_loaded_and_collects_less_often():
    threshold = gc.get_threshold()
    try:
        collector.settle_for_serving()
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold() == (collector.YOUNGEST_THRESHOLD, *threshold[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_the_wsgi_entry_point_settles_its_worker(monkeypatch):
    settled = []
    monkeypatch.setattr(collector, "settle_for_serving", lambda: settled.append(True))
    monkeypatch.delitem(sys.modules, "bridgework.wsgi", raising=False)
    wsgi = importlib.import_module("bridgework.wsgi")
    assert isinstance(wsgi.application, WSGIHandler)
    assert settled == [True]
