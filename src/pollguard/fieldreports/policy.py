"""The check-in policy from the settings (defaults documented in docs/field-reports.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from pollguard.core.checkins import CheckinPolicy
from pollguard.registry.models import Election


def checkin_policy() -> CheckinPolicy:
    return CheckinPolicy(
        opening_minutes=settings.POLLGUARD_CHECKIN_OPENING_MINUTES,
        hourly_minutes=settings.POLLGUARD_CHECKIN_HOURLY_MINUTES,
        closing_minutes=settings.POLLGUARD_CHECKIN_CLOSING_MINUTES,
        grace_minutes=settings.POLLGUARD_CHECKIN_GRACE_MINUTES,
        clock_tolerance_minutes=settings.POLLGUARD_CHECKIN_CLOCK_TOLERANCE_MINUTES,
    )


def grace() -> timedelta:
    return timedelta(minutes=settings.POLLGUARD_CHECKIN_GRACE_MINUTES)


def polls_open_at(election: Election) -> datetime:
    """When polls open on the general vote day, as an aware UTC time."""
    local = datetime.combine(
        election.general_vote_date, election.polls_open, tzinfo=ZoneInfo(election.timezone)
    )
    return local.astimezone(ZoneInfo("UTC"))
