"""The special vote's clock: the one place its actions read the time.

Tests replace `now` (monkeypatch) to stand on the special-vote day, so the rule "no
check-in outside the special-vote day and hours" is tested with a controlled clock.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
