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
    config.stash[WHOLE_SUITE] = _runs_whole_suite(config)


def _runs_whole_suite(config) -> bool:
    return bool(
        not config.getoption("keyword")
        and not config.getoption("markexpr")
        and not config.getoption("deselect")
        and all(arg.rstrip("/") in {"tests", str(config.rootpath / "tests")} for arg in config.args)
    )


WHOLE_SUITE = pytest.StashKey[bool]()
REQUESTED = pytest.StashKey[set]()


def pytest_sessionfinish(session, exitstatus):
    """With ``-n``: each worker hands over the URLs its tests requested; the controller, once
    every worker is done, checks that the whole run requested every URL."""
    from bridgework.web.testing import REQUESTED_URLS

    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["requested_urls"] = sorted(REQUESTED_URLS)
        return
    requested = session.config.stash.get(REQUESTED, None)
    if requested is None or exitstatus != 0 or not _runs_whole_suite(session.config):
        return
    from tests.test_meta import url_coverage_problems

    problems = url_coverage_problems(requested)
    if problems:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        for problem in problems:
            reporter.write_line(f"META-TEST FAILED: {problem}", red=True, bold=True)
        session.exitstatus = 1


def pytest_configure(config):
    if config.pluginmanager.hasplugin("xdist") and getattr(config.option, "numprocesses", None):
        config.stash[REQUESTED] = set()

        class _Collect:
            @pytest.hookimpl
            def pytest_testnodedown(self, node, error):
                config.stash[REQUESTED].update(node.workeroutput.get("requested_urls", ()))

        config.pluginmanager.register(_Collect(), "bridgework-requested-urls")


@pytest.fixture
def whole_suite(request) -> bool:
    """Whether this run collected the whole test suite."""
    return request.config.stash.get(WHOLE_SUITE, False)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rate-limit counters and cached answers of one
    test (whose user ids the next test reuses) must not reach another."""
    from django.core.cache import cache

    from bridgework.access.policy import forget_kept_access

    cache.clear()
    forget_kept_access()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: the test client leaves the language of its
    last request (a French reader's page) active in the thread, and a later test on the same
    worker would read French labels."""
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_semantic_search():
    """Each test searches by words alone, whether or not the `semantic` extra is installed:
    tests of the semantic path choose their embedder (tests/test_knowledge_semantic.py)."""
    from bridgework.knowledge.semantic import reset_embedder, use_embedder

    use_embedder(None)
    yield
    reset_embedder()
