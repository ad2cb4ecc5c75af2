"""What the tests cover, read by the meta-test: the models and workflows that have generated
tests (filled in as test modules are imported), the URLs tests declare they exercise
(``covers``), and the URLs they really requested (filled in by the test settings'
:class:`RecordRequestedUrls` middleware as the tests run)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

__all__ = [
    "COVERED_URLS",
    "REQUESTED_URLS",
    "TESTED_MODELS",
    "TESTED_WORKFLOWS",
    "RecordRequestedUrls",
    "covers",
]

TESTED_MODELS: set[str] = set()
COVERED_URLS: set[str] = set()
TESTED_WORKFLOWS: set[str] = set()
REQUESTED_URLS: set[str] = set()

T = TypeVar("T", bound=Callable)


def covers(*url_names: str) -> Callable[[T], T]:
    """Mark a hand-written test as exercising these URL names (``app:name``)."""

    def mark(test: T) -> T:
        COVERED_URLS.update(url_names)
        return test

    return mark


class RecordRequestedUrls:
    """Test-settings middleware: remember the name of every URL a test requested.

    The API's operations on one path (list and create, detail, update and delete) share one
    Django URL pattern, which resolves to the first operation's name; the operation that really
    ran is noted on the request by :func:`track_api_operations` and recorded instead."""

    def __init__(self, get_response):
        self.get_response = get_response
        track_api_operations()

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is None or not match.view_name:
            return response
        operation = getattr(request, "_bridgework_api_operation", None)
        if operation is not None and match.namespace:
            REQUESTED_URLS.add(f"{match.namespace}:{operation}")
        else:
            REQUESTED_URLS.add(match.view_name)
        return response


def track_api_operations() -> None:
    """Note on each API request the URL name of the ninja operation that runs it."""
    from ninja.operation import Operation

    if getattr(Operation.run, "_bridgework_tracked", False):
        return
    original = Operation.run

    def run(self, request, **kwargs):
        request._bridgework_api_operation = (
            getattr(self, "url_name", None) or self.view_func.__name__
        )
        return original(self, request, **kwargs)

    run._bridgework_tracked = True  # type: ignore[attr-defined]
    Operation.run = run  # type: ignore[method-assign]
