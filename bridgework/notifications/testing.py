"""Test helpers for code that notifies or queues tasks.

``immediate_tasks()`` runs every task at once, in the test's own thread and transaction (use
it with ``django_capture_on_commit_callbacks(execute=True)``: a task enqueued after a commit
runs when the callbacks do). ``run_db_worker()`` runs the real database worker in-process
until the queue is empty; it needs committed rows, so use it in
``@pytest.mark.django_db(transaction=True)`` tests.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.test import override_settings

__all__ = ["IMMEDIATE_TASKS", "immediate_tasks", "preserve_signals_and_logging", "run_db_worker"]

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@contextmanager
def immediate_tasks() -> Iterator[None]:
    with override_settings(TASKS=IMMEDIATE_TASKS):
        yield


@contextmanager
def preserve_signals_and_logging(*logger_names: str) -> Iterator[None]:
    """Workers install their own signal handlers and log levels; put them back afterwards."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    loggers = [logging.getLogger(name) for name in logger_names]
    saved: list[tuple[logging.Logger, int, list[logging.Handler]]] = [
        (logger, logger.level, list(logger.handlers)) for logger in loggers
    ]
    try:
        yield
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        for logger, level, old in saved:
            logger.setLevel(level)
            logger.handlers[:] = old


def run_db_worker(**options: Any) -> str:
    """Run ``db_worker --batch`` in this process until no task is ready; returns its output."""
    out = StringIO()
    with preserve_signals_and_logging("django_tasks", "django_tasks_db"):
        call_command(
            "db_worker",
            batch=True,
            interval=0,
            startup_delay=False,
            reload=False,
            queue_name="*",
            stdout=out,
            **options,
        )
    return out.getvalue()
