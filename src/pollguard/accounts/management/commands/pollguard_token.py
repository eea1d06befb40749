"""`manage.py pollguard_token USER [--name NAME] [--days N] [--read-only]`: create an API
token and print it once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pollguard.accounts.actions import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, do_create_api_token


class Command(BaseCommand):
    help = "Create an API token for USER and print it (it cannot be shown again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for")
        parser.add_argument(
            "--days",
            type=int,
            default=TOKEN_DEFAULT_DAYS,
            help=f"how long it is valid, 1 to {TOKEN_MAX_DAYS} (default {TOKEN_DEFAULT_DAYS})",
        )
        parser.add_argument(
            "--read-only", action="store_true", help="the token may read but never change"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['username']!r}")
        if not 1 <= options["days"] <= TOKEN_MAX_DAYS:
            raise CommandError(f"--days must be 1 to {TOKEN_MAX_DAYS}, not {options['days']}")
        new = do_create_api_token(
            user,
            name=options["name"],
            days=options["days"],
            read_only=options["read_only"],
            acting_user=None,
        )
        self.stdout.write(new.raw)
