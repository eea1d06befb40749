"""The station board's figures: per station its slots, per center and sector the exceptions.

A fixed number of queries whatever the size (`board_rows`). A slot counts as missing on
the board only once its deadline has passed; before that it is simply not due yet. A
missing slot of an unreachable station shows as unreachable (the room knows why it is
silent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import get_language

from pollguard.accounts.access import AnyUser
from pollguard.fieldreports.access import board_stations, expected_for
from pollguard.fieldreports.choices import ExpectedState, StationState, TriageKind
from pollguard.fieldreports.models import Checkin, TriageItem

EXCEPTIONS = ("missing", "late", "conflict", "suspended", "cancelled", "unreachable")


def _station_exceptions(status: str, slots: list[dict[str, Any]], now: datetime) -> set[str]:
    found: set[str] = set()
    if status in (StationState.SUSPENDED, StationState.CANCELLED, StationState.UNREACHABLE):
        found.add(str(status))
    for slot in slots:
        if slot["state"] == ExpectedState.MISSING and slot["due_at"] <= now:
            if status != StationState.UNREACHABLE:
                found.add("missing")
        elif slot["state"] in (ExpectedState.LATE, ExpectedState.CONFLICT):
            found.add(str(slot["state"]))
    return found


def _slots_by_station(
    user: AnyUser, choices: dict[int, list[Checkin]]
) -> dict[int, list[dict[str, Any]]]:
    # Plain rows, not model instances: the demo's 28,000 slots cost seconds as instances.
    slots: dict[int, list[dict[str, Any]]] = {}
    alarm = ExpressionWrapper(
        Q(alarm_raised_at__isnull=False, alarm_cleared_at__isnull=True),
        output_field=BooleanField(),
    )
    rows = (
        expected_for(user)
        .annotate(alarm=alarm)
        .order_by("due_at", "slot")
        .values_list("pk", "station_id", "slot", "sequence", "due_at", "state", "alarm")
    )
    for pk, station, slot, sequence, due_at, state, alarm_open in rows:
        slots.setdefault(station, []).append(
            {
                "slot": slot,
                "sequence": sequence,
                "due_at": due_at,
                "state": state,
                "alarm": bool(alarm_open),
                "pk": pk,
                "choices": choices.get(pk, []),
            }
        )
    return slots


def board_rows(user: AnyUser, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """One row per station, those with exceptions first, then by sector, center, number.

    Three queries whatever the number of stations: the stations (center, sector and status
    joined), their expected slots, and the reports of the slots in conflict.
    """
    now = now or timezone.now()
    english = (get_language() or "ar").startswith("en")
    slots = _slots_by_station(user, _conflict_choices(user))
    stations = (
        board_stations(user)
        .order_by("center__sector__code", "center__code", "number")
        .values_list(
            "pk", "code", "center__code", "center__name_en", "center__name_ar",
            "center__sector__code", "center__sector__name_en", "center__sector__name_ar",
            "field_status__state",
        )
    )  # fmt: skip
    rows = []
    for pk, code, center, c_en, c_ar, sector, s_en, s_ar, state in stations:
        status = state or StationState.UNKNOWN
        own = slots.get(pk, [])
        rows.append(
            {
                "station": code,
                "center": center,
                "center_name": _name(center, c_en, c_ar, english),
                "sector": sector,
                "sector_name": _name(sector, s_en, s_ar, english),
                "status": status,
                "exceptions": sorted(_station_exceptions(status, own, now)),
                "slots": own,
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
        sector = sectors.setdefault(row["sector"], Counts(row["sector"], row["sector_name"]))
        center = centers.get(row["center"])
        if center is None:
            center = centers[row["center"]] = Counts(row["center"], row["center_name"])
            sector.centers.append(center)
        for target in (sector, center):
            target.stations += 1
            for kind in row["exceptions"]:
                target.counts[kind] += 1
    ordered = sorted(sectors.values(), key=lambda s: (-s.total, s.code))
    for sector in ordered:
        sector.centers.sort(key=lambda c: (-c.total, c.code))
    return ordered


def _name(code: str, name_en: str, name_ar: str, english: bool) -> str:
    return (name_en if english else name_ar) or name_en or code


def kpis(rows: list[dict[str, Any]], user: AnyUser) -> dict[str, int]:
    """The election-day KPIs of the seed: no security breach, no cancelled station.

    Breaches are the incident reports received (until the incidents app counts them).
    """
    stations = board_stations(user).values("pk")
    breaches = TriageItem.objects.filter(kind=TriageKind.INCIDENT, station__in=stations).count()
    cancelled = sum(1 for r in rows if r["status"] == StationState.CANCELLED)
    return {"breaches": breaches, "cancelled": cancelled}
