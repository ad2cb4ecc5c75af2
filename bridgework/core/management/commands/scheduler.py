"""Enqueue the modules' periodic jobs when due (see :mod:`bridgework.core.periodic`)."""

from __future__ import annotations

import time
from argparse import ArgumentParser, ArgumentTypeError
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from bridgework.core.periodic import jobs, run_due

__all__ = ["Command"]


def _interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise ArgumentTypeError("must be a number of seconds") from exc
    if not 1 <= value <= 3600:
        raise ArgumentTypeError("must lie between 1 and 3600 seconds")
    return value


def _duration(every: timedelta) -> str:
    seconds = int(every.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


class Command(BaseCommand):
    help = (
        "Enqueue each periodic job once per period (a task worker runs them). Safe to run on "
        "several machines at once: each run is claimed in the database. With --once it checks "
        "once and exits, for cron."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval",
            type=_interval,
            default=60.0,
            help="Seconds between checks (default: 60)",
        )
        parser.add_argument("--once", action="store_true", help="Check once, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verbosity"] >= 1 and not options["once"]:
            names = ", ".join(f"{job.name} (every {_duration(job.every)})" for job in jobs())
            self.stdout.write(f"Scheduler started: {names or 'no periodic jobs'}.")
        try:
            while True:
                started = run_due()
                if options["verbosity"] >= 2 or (options["once"] and options["verbosity"] >= 1):
                    self.stdout.write(f"Enqueued: {', '.join(started) or 'nothing due'}.")
                if options["once"]:
                    return
                close_old_connections()  # as after a request: drop a stale or expired one
                time.sleep(options["interval"])
        except KeyboardInterrupt:
            return
