"""Tests that write themselves (NetBox's ViewTestCases, for pytest).

Subclass :class:`ScopedViewTests` (pages) and :class:`ScopedApiTests` (API) with a model's
record factory and valid form data; every standard test of ARCHITECTURE.md is generated:
anonymous, no role, in scope, descendant, sibling → 404, ancestor, moving out of scope refused,
one audit entry per write with the acting user, TLP ceiling and read log, the same number of
queries for 1 and for 50 rows. A meta-test fails when a scoped model or a URL has none.
"""

from __future__ import annotations

from .registry import COVERED_URLS, REQUESTED_URLS, TESTED_MODELS, TESTED_WORKFLOWS, covers
from .tree import StandardTree, build_tree
from .views import ScopedApiTests, ScopedViewTests
from .workflows import WorkflowTests

__all__ = [
    "COVERED_URLS",
    "REQUESTED_URLS",
    "TESTED_MODELS",
    "TESTED_WORKFLOWS",
    "ScopedApiTests",
    "ScopedViewTests",
    "WorkflowTests",
    "StandardTree",
    "build_tree",
    "covers",
]
