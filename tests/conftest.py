"""Shared fixtures. Browser fixtures live in tests/browser/conftest.py."""

import pytest

from bridgework.web.testing import build_tree


@pytest.fixture
def tree(db):
    """The standard scope tree with national coordinators at city, country and sibling."""
    return build_tree("national_coordinator")
