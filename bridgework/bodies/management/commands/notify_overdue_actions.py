"""Remind the owners of overdue action items; safe to run as often as a scheduler likes.

The ``scheduler`` command runs the same task every day (job ``bodies.overdue_actions``); this
command runs it at once, for cron or by hand. The reminders themselves are delivered by the
task worker, after the claim commits."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from bridgework.bodies.tasks import notify_overdue_actions

__all__ = ["Command"]


class Command(BaseCommand):
    help = (
        "Send one reminder per overdue action item (past due, not done or cancelled) to its "
        "owner. Idempotent per item per day: a second run on the same day sends nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Treat this day (YYYY-MM-DD) as today")

    def handle(self, *args: Any, **options: Any) -> None:
        today = self._today(options.get("date"))
        claimed = notify_overdue_actions.call(today.isoformat())
        self.stdout.write(f"{claimed} overdue action item(s) notified for {today}.")

    @staticmethod
    def _today(text: str | None) -> datetime.date:
        if not text:
            return timezone.localdate()
        try:
            return datetime.date.fromisoformat(text)
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD, not {text!r}") from exc
