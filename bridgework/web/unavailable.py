"""When the database cannot serve: unreachable, or unable to save (a read-only file, a full
disk). People get a clear "try again later" answer (503), never a server error with a trace."""

from __future__ import annotations

from django.db import InterfaceError, InternalError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

__all__ = ["RETRY_AFTER_SECONDS", "StorageProblem", "storage_problem", "unavailable_page"]

RETRY_AFTER_SECONDS = 30

# What SQLite and PostgreSQL say when they can read but not write.
_CANNOT_SAVE = (
    "readonly database",  # SQLite: a read-only file or folder
    "database or disk is full",  # SQLite: the disk, or max_page_count
    "disk i/o error",  # SQLite: the disk failed under it
    "no space left on device",  # PostgreSQL
    "could not extend file",  # PostgreSQL, a full disk
    "read-only transaction",  # PostgreSQL: a read-only replica or default_transaction_read_only
)


class StorageProblem:
    CANNOT_SAVE = "cannot_save"
    UNREACHABLE = "unreachable"


def storage_problem(exc: BaseException | None) -> str | None:
    """``CANNOT_SAVE`` or ``UNREACHABLE`` when ``exc`` says the database cannot serve now;
    ``None`` for every other error (a bug, which stays a 500)."""
    if not isinstance(exc, OperationalError | InterfaceError | InternalError):
        return None
    text = str(exc).lower()
    if any(marker in text for marker in _CANNOT_SAVE):
        return StorageProblem.CANNOT_SAVE
    if isinstance(exc, InternalError):
        return None  # other internal errors are the server's own, not the storage's
    return StorageProblem.UNREACHABLE


def problem_message(problem: str) -> str:
    if problem == StorageProblem.CANNOT_SAVE:
        return _(
            "Bridgework cannot save changes right now: its storage is full or read-only. "
            "What you just sent was not saved. Please try again later; the administrators "
            "have been told in the server's log."
        )
    return _(
        "Bridgework cannot reach its database right now. Nothing was changed. Please try "
        "again in a moment."
    )


def unavailable_page(problem: str) -> HttpResponse:
    """The 503 page, rendered without the request: its context would read the database."""
    content = render_to_string("503.html", {"message": problem_message(problem)})
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
