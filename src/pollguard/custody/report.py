"""What the committee must chase: slow hand-overs, and boxes late or missing at counting.

A gap is the time between one holder's release and the next holder's receipt of an item
longer than `MAX_GAP`. The counting deadline is the general vote's close plus
`COUNTING_DEADLINE`, in the election's time zone: an item that reached a counting center
after it is late; one that has not reached it when the deadline has passed is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import F, QuerySet
from django.utils import timezone

from pollguard.custody.choices import HolderStage
from pollguard.custody.models import Handover, Item
from pollguard.registry.models import Election

MAX_GAP = timedelta(minutes=60)
COUNTING_DEADLINE = timedelta(hours=6)


def counting_deadline(election: Election) -> datetime:
    tz = ZoneInfo(election.timezone)
    return datetime.combine(election.general_vote_date, election.polls_close, tzinfo=tz) + (
        COUNTING_DEADLINE
    )


@dataclass(frozen=True)
class CustodyReport:
    deadline: datetime
    gaps: list[Handover]
    late: list[Handover]
    missing: list[Item]


def custody_report(
    election: Election,
    items: QuerySet[Item],
    handovers: QuerySet[Handover],
    *,
    now: datetime | None = None,
) -> CustodyReport:
    """Three queries over what the caller may see."""
    now = now or timezone.now()
    deadline = counting_deadline(election)
    gaps = list(
        handovers.filter(received_at__gt=F("released_at") + MAX_GAP).order_by("received_at")
    )
    late = list(
        handovers.filter(to_stage=HolderStage.COUNTING, received_at__gt=deadline).order_by(
            "received_at"
        )
    )
    missing = (
        list(items.exclude(holder_stage=HolderStage.COUNTING).order_by("code"))
        if now > deadline
        else []
    )
    return CustodyReport(deadline, gaps, late, missing)
