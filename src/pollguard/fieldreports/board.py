"""The station board's figures: per station its slots, per center and sector the exceptions.

Two queries whatever the size: the stations (center, sector and status joined) and their
expected rows. A slot counts as missing on the board only once its deadline has passed;
before that it is simply not due yet. A missing slot of an unreachable station shows as
unreachable (the room knows why it is silent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from pollguard.accounts.access import AnyUser
from pollguard.fieldreports.access import board_stations, expected_for
from pollguard.fieldreports.choices import ExpectedState, StationState, TriageKind
from pollguard.fieldreports.models import Checkin, ExpectedCheckin, TriageItem
from pollguard.registry.models import Station

EXCEPTIONS = ("missing", "late", "conflict", "suspended", "cancelled", "unreachable")


def _status(station: Station) -> str:
    status = getattr(station, "field_status", None)
    return status.state if status is not None else StationState.UNKNOWN


def _station_exceptions(status: str, slots: list[ExpectedCheckin], now: datetime) -> set[str]:
    found: set[str] = set()
    if status in (StationState.SUSPENDED, StationState.CANCELLED, StationState.UNREACHABLE):
        found.add(str(status))
    for slot in slots:
        if slot.state == ExpectedState.MISSING and slot.due_at <= now:
            if status != StationState.UNREACHABLE:
                found.add("missing")
        elif slot.state in (ExpectedState.LATE, ExpectedState.CONFLICT):
            found.add(str(slot.state))
    return found


def _slots_by_station(user: AnyUser) -> dict[int, list[ExpectedCheckin]]:
    slots: dict[int, list[ExpectedCheckin]] = {}
    for row in expected_for(user).order_by("due_at", "slot"):
        slots.setdefault(row.station_id, []).append(row)
    return slots


def board_rows(user: AnyUser, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """One row per station, those with exceptions first, then by sector, center, number."""
    now = now or timezone.now()
    slots = _slots_by_station(user)
    choices = _conflict_choices(user)
    rows = []
    for station in board_stations(user).order_by("center__sector__code", "center__code", "number"):
        status = _status(station)
        own = slots.get(station.pk, [])
        exceptions = _station_exceptions(status, own, now)
        rows.append(
            {
                "station": station.code,
                "center": station.center.code,
                "center_name": station.center,
                "sector": station.center.sector.code,
                "status": status,
                "exceptions": sorted(exceptions),
                "slots": [
                    {
                        "slot": s.slot,
                        "sequence": s.sequence,
                        "due_at": s.due_at,
                        "state": s.state,
                        "alarm": s.alarm_open,
                        "pk": s.pk,
                        "choices": choices.get(s.pk, []),
                    }
                    for s in own
                ],
            }
        )
    rows.sort(key=lambda r: not r["exceptions"])
    return rows


def _conflict_choices(user: AnyUser) -> dict[int, list[Checkin]]:
    """The reports of every slot in conflict, for the person who resolves it (one query)."""
    found: dict[int, list[Checkin]] = {}
    conflicts = expected_for(user).filter(state=ExpectedState.CONFLICT).values("pk")
    for checkin in Checkin.objects.filter(expected__in=conflicts).order_by("observed_at"):
        assert checkin.expected_id is not None
        found.setdefault(checkin.expected_id, []).append(checkin)
    return found


@dataclass
class Counts:
    """Exception counts of one center or sector."""

    code: str
    name: str
    stations: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(EXCEPTIONS, 0))
    centers: list[Counts] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def summary(rows: list[dict[str, Any]], user: AnyUser) -> list[Counts]:
    """Per sector, then per center: how many stations show each exception; worst first."""
    sectors: dict[str, Counts] = {}
    centers: dict[str, Counts] = {}
    for row in rows:
        center_row = row["center_name"]
        sector = sectors.setdefault(row["sector"], Counts(row["sector"], _name(center_row.sector)))
        center = centers.get(row["center"])
        if center is None:
            center = centers[row["center"]] = Counts(row["center"], _name(center_row))
            sector.centers.append(center)
        for target in (sector, center):
            target.stations += 1
            for kind in row["exceptions"]:
                target.counts[kind] += 1
    ordered = sorted(sectors.values(), key=lambda s: (-s.total, s.code))
    for sector in ordered:
        sector.centers.sort(key=lambda c: (-c.total, c.code))
    return ordered


def _name(row: Any) -> str:
    from django.utils.translation import get_language

    english = (get_language() or "ar").startswith("en")
    return str((row.name_en if english else row.name_ar) or row.name_en or row.code)


def kpis(rows: list[dict[str, Any]], user: AnyUser) -> dict[str, int]:
    """The election-day KPIs of the seed: no security breach, no cancelled station.

    Breaches are the incident reports received (until the incidents app counts them).
    """
    stations = board_stations(user).values("pk")
    breaches = TriageItem.objects.filter(kind=TriageKind.INCIDENT, station__in=stations).count()
    cancelled = sum(1 for r in rows if r["status"] == StationState.CANCELLED)
    return {"breaches": breaches, "cancelled": cancelled}
