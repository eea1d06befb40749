"""The special vote's clock: the one place its actions read the time.

Tests replace `now` (monkeypatch) to stand on the special-vote day, so the rule "no
check-in outside the special-vote day and hours" is tested with a controlled clock. A demo
(replaying 2010) sets `POLLGUARD_SPECIAL_VOTE_CLOCK`: the clock then starts at that instant
when the process starts and runs on at the real pace.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


@cache
def _shift() -> tuple[datetime, datetime] | None:
    start = settings.POLLGUARD_SPECIAL_VOTE_CLOCK
    if not start:
        return None
    try:
        at = datetime.fromisoformat(start)
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise ImproperlyConfigured(
            "POLLGUARD_SPECIAL_VOTE_CLOCK: an ISO 8601 time with an offset, "
            "e.g. 2010-03-04T09:00:00+03:00"
        )
    return at, timezone.now()


def now() -> datetime:
    shift = _shift()
    if shift is None:
        return timezone.now()
    at, started = shift
    return at + (timezone.now() - started)
