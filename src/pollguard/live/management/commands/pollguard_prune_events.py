"""`manage.py pollguard_prune_events [--hours N]`: drop old live events (for cron)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from pollguard.live.actions import do_prune_events


class Command(BaseCommand):
    help = "Delete live events older than POLLGUARD_EVENT_RETENTION_HOURS (or --hours)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        hours = options["hours"]
        age = timedelta(hours=hours) if hours is not None else None
        deleted = do_prune_events(older_than=age, acting_user=None)
        self.stdout.write(f"deleted {deleted} events")
