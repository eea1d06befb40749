"""Expected check-ins of election day: which slots each station owes, and when (pure Python).

A station owes an *opening* report by the time polls open (plus `opening_minutes`), an
*hourly* report every `hourly_minutes` after that while polls are open, and a *closing*
report with the voter count `closing_minutes` after polls close. The missing-report alarm
fires `grace_minutes` after a deadline. The defaults are `CheckinPolicy()`'s; settings
override them (docs/field-reports.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class CheckinPolicy:
    """When reports are due (minutes), and how far a device clock may be ahead."""

    opening_minutes: int = 0
    hourly_minutes: int = 60
    closing_minutes: int = 60
    grace_minutes: int = 15
    clock_tolerance_minutes: int = 10


@dataclass(frozen=True)
class ExpectedSlot:
    slot: str  # "opening", "hourly" or "closing"
    sequence: int
    due_at: datetime  # aware, UTC


def expected_slots(
    day: date, polls_open: time, polls_close: time, tz: str, policy: CheckinPolicy
) -> list[ExpectedSlot]:
    """The slots of one station on `day` (local times in `tz`), deadlines in UTC."""
    zone = ZoneInfo(tz)
    opens = datetime.combine(day, polls_open, tzinfo=zone).astimezone(ZoneInfo("UTC"))
    closes = datetime.combine(day, polls_close, tzinfo=zone).astimezone(ZoneInfo("UTC"))
    slots = [ExpectedSlot("opening", 0, opens + timedelta(minutes=policy.opening_minutes))]
    step = timedelta(minutes=policy.hourly_minutes)
    due, sequence = opens + step, 1
    while due < closes:
        slots.append(ExpectedSlot("hourly", sequence, due))
        due, sequence = due + step, sequence + 1
    slots.append(ExpectedSlot("closing", 0, closes + timedelta(minutes=policy.closing_minutes)))
    return slots


def hourly_sequence(
    observed: datetime, polls_open: datetime, policy: CheckinPolicy, last: int
) -> int:
    """The hourly slot a report observed at `observed` fills: the nearest deadline, 1..last."""
    minutes = (observed - polls_open).total_seconds() / 60
    return max(1, min(last, round(minutes / policy.hourly_minutes)))
