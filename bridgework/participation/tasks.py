"""Background work of the participation module."""

from __future__ import annotations

from django_tasks import task

__all__ = ["archive_closed_proposals"]


@task()
def archive_closed_proposals() -> int:
    """Archive the closed proposals whose last answer is older than the configured months;
    returns how many were archived."""
    from .actions import do_archive_closed_proposals

    return do_archive_closed_proposals()
