"""What the tests cover, filled in as test modules are imported; read by the meta-test."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

__all__ = ["COVERED_URLS", "TESTED_MODELS", "TESTED_WORKFLOWS", "covers"]

TESTED_MODELS: set[str] = set()
COVERED_URLS: set[str] = set()
TESTED_WORKFLOWS: set[str] = set()

T = TypeVar("T", bound=Callable)


def covers(*url_names: str) -> Callable[[T], T]:
    """Mark a hand-written test as exercising these URL names (``app:name``)."""

    def mark(test: T) -> T:
        COVERED_URLS.update(url_names)
        return test

    return mark
