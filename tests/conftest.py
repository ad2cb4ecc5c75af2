"""Shared fixtures. Browser fixtures live in tests/browser/conftest.py."""

import pytest

from bridgework.web.testing import build_tree


@pytest.fixture
def tree(db):
    """The standard scope tree with national coordinators at city, country and sibling."""
    return build_tree("national_coordinator")


def pytest_collection_modifyitems(session, config, items):
    """The meta-tests run last, so they see every URL the other tests requested; they know
    whether the whole suite is running (a partial run cannot vouch for every URL)."""
    meta = [item for item in items if item.module.__name__ == "tests.test_meta"]
    rest = [item for item in items if item.module.__name__ != "tests.test_meta"]
    items[:] = rest + meta
    whole = (
        not config.getoption("keyword")
        and not config.getoption("markexpr")
        and not config.getoption("deselect")
        and all(arg.rstrip("/") in {"tests", str(config.rootpath / "tests")} for arg in config.args)
    )
    config.stash[WHOLE_SUITE] = whole


WHOLE_SUITE = pytest.StashKey[bool]()


@pytest.fixture
def whole_suite(request) -> bool:
    """Whether this run collected the whole test suite."""
    return request.config.stash.get(WHOLE_SUITE, False)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rate-limit counters and cached answers of one
    test (whose user ids the next test reuses) must not reach another."""
    from django.core.cache import cache

    cache.clear()
