"""Email the owners of overdue action items; safe to run as often as a scheduler likes."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bridgework.bodies.actions import do_notify_overdue_actions

__all__ = ["Command"]


class Command(BaseCommand):
    help = (
        "Send one reminder per overdue action item (past due, not done or cancelled) to its "
        "owner. Idempotent per item per day: a second run on the same day sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Treat this day (YYYY-MM-DD) as today")

    def handle(self, *args, **options):
        today = self._today(options.get("date"))
        claimed = do_notify_overdue_actions(today=today)
        self.stdout.write(f"{len(claimed)} overdue action item(s) notified for {today}.")

    @staticmethod
    def _today(text: str | None) -> datetime.date:
        if not text:
            return timezone.localdate()
        try:
            return datetime.date.fromisoformat(text)
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD, not {text!r}") from exc
