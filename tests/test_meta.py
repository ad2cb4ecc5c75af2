"""Guards: every scoped model and every URL has tests (or a written reason it needs none)."""

import importlib
import os
import pkgutil

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

import tests
from bridgework.activity.workflows import workflows
from bridgework.core.scoping import ScopedQuerySet
from bridgework.web.testing import COVERED_URLS, REQUESTED_URLS, TESTED_MODELS, TESTED_WORKFLOWS

# model label -> why it has no generated tests
EXEMPT_MODELS: dict[str, str] = {}

# URL name -> why no test exercises it
EXEMPT_URLS: dict[str, str] = {
    "api-1.0.0:openapi-view": "Swagger UI page of ninja itself; the schema it shows is tested",
}


def _import_all_test_modules() -> None:
    for module in pkgutil.walk_packages(tests.__path__, prefix="tests."):
        if module.name.split(".")[-1].startswith("test_"):
            importlib.import_module(module.name)


def _url_names(patterns, namespace: str = "") -> list[str]:
    names = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            names.append(
                f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>"
            )
    return names


def test_every_scoped_model_has_generated_tests():
    _import_all_test_modules()
    scoped = {
        model._meta.label_lower
        for model in apps.get_models()
        if isinstance(model._default_manager.all(), ScopedQuerySet)
    }
    assert scoped, "no scoped model found: the check itself is broken"
    missing = sorted(scoped - TESTED_MODELS - set(EXEMPT_MODELS))
    assert not missing, f"scoped models without generated tests: {missing}"


def url_coverage_problems(requested: set[str]) -> list[str]:
    """What is wrong with the URL coverage of a whole run that requested ``requested``."""
    names = _url_names(get_resolver().url_patterns)
    unnamed = [name for name in names if name.startswith("<unnamed")]
    if unnamed:
        return [f"name these URLs so they can be tracked: {unnamed}"]
    problems = []
    missing = sorted(set(names) - requested - set(EXEMPT_URLS))
    if missing:
        problems.append(f"URLs no test requested: {missing}")
    _import_all_test_modules()
    declared_only = sorted((COVERED_URLS & set(names)) - requested - set(EXEMPT_URLS))
    if declared_only:
        problems.append(f"declared covered but never requested: {declared_only}")
    return problems


def test_every_url_was_requested_by_a_test(whole_suite):
    """A URL counts as covered only when some test requested it (declaring it with
    ``covers()`` is not enough): the test settings record every URL name requested. Split
    over several processes (``-n``), no one process saw every request: the controlling one
    checks the union at the end instead (tests/conftest.py)."""
    if not whole_suite:
        pytest.skip("only the whole suite can vouch for every URL")
    if os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.skip("checked over every worker's requests when the run ends")
    problems = url_coverage_problems(REQUESTED_URLS)
    assert not problems, "\n".join(problems)


def test_every_workflow_has_generated_tests():
    _import_all_test_modules()
    declared = set(workflows())
    assert declared, "no workflow found: the check itself is broken"
    missing = sorted(declared - TESTED_WORKFLOWS)
    assert not missing, f"workflows without generated tests (WorkflowTests): {missing}"


# action -> why no page or endpoint of its own enforces it (its tests are named)
FIELD_LEVEL_ACTIONS: dict[str, str] = {
    "view_contacts": "a field-level right: contact details are left out of pages, exports and "
    "the API without it (tests/test_actors_people.py)",
}


def test_every_declared_action_is_enforced_by_a_page():
    """A module's own action (policy.OWN_ACTIONS) guards some page, whose generated tests then
    refuse it to a role lacking it — or is listed above with the tests that cover it."""
    from bridgework.access.policy import declared_actions
    from bridgework.web.viewsets import ModelViewSet

    def viewsets(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from viewsets(sub)

    assert get_resolver().url_patterns  # every module's views (and viewsets) are imported
    enforced = {action for vs in viewsets(ModelViewSet) for action in vs.page_actions().values()}
    missing = sorted(set(declared_actions()) - enforced - set(FIELD_LEVEL_ACTIONS))
    assert not missing, f"declared actions no page enforces: {missing}"
