"""Dispatch suggestions for an incident, from the core `DispatchIndex` on the approved plan.

The index is built once per (election, approved plan version, set of units) and kept in
the process: a suggestion is then one numpy pass over the units (the 50 ms bar, see
docs/benchmarks.md). Units already sent somewhere or out of service are left out by
their day status; the plan's posts decide which departures leave a center under its
minimum guard (`Suggestion.leaves_gap`), which the page and the API say in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db.models import Count, Max

from pollguard.core import model as core
from pollguard.core.planning.dispatch import DispatchIndex, Suggestion
from pollguard.operations.choices import FREE_UNIT_STATUSES, IncidentKind
from pollguard.operations.models import Incident, UnitState
from pollguard.planning.choices import PlanState
from pollguard.planning.models import Plan
from pollguard.registry.intel import core_election
from pollguard.registry.models import Election, Unit


@dataclass(frozen=True)
class PlanPost:
    """One post of the approved plan, as `DispatchIndex` reads it (`AssignmentLike`)."""

    unit: str
    center: str
    role: str
    headcount: int


_INDEXES: dict[tuple[int, int | None, str], DispatchIndex] = {}


def _noon(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=ZoneInfo(tz))


def _package(election: Election, units: list[Unit]) -> core.ElectionPackage:
    window = _noon(election.general_vote_date, election.timezone)
    return core.ElectionPackage(
        version=1,
        election=core_election(election),
        policy=core.Policy(roles={}, sweep=core.SweepPolicy(window, window)),
        agencies=(),
        sectors=(),
        centers=(),
        units=tuple(
            core.Unit(
                code=u.code,
                agency=u.agency.code,
                kind=core.UnitKind(u.kind),
                headcount=u.headcount,
                sector=u.sector.code if u.sector is not None else None,
                lat=u.lat,
                lon=u.lon,
                team_size=u.team_size,
                max_distance_km=u.max_distance_km,
                speed_kmh=u.speed_kmh,
            )
            for u in units
        ),
    )


def index_for(election: Election) -> DispatchIndex:
    """The election's index on its approved plan (no plan: units without posts).

    Rebuilt only when the approved plan or the units changed (one aggregate query tells);
    otherwise a suggestion costs three small queries and one numpy pass.
    """
    plan_id = (
        Plan.objects.filter(election=election, state=PlanState.APPROVED)
        .values_list("pk", flat=True)
        .first()
    )
    units_now = Unit.objects.filter(election=election, active=True).aggregate(
        n=Count("pk"), last=Max("updated_at")
    )
    key = (election.pk, plan_id, f"{units_now['n']}:{units_now['last']}")
    index = _INDEXES.get(key)
    if index is None:
        plan = Plan.objects.filter(pk=plan_id).first() if plan_id is not None else None
        units = list(
            Unit.objects.filter(election=election, active=True)
            .select_related("agency", "sector")
            .order_by("code")
        )
        posts = [
            PlanPost(a["unit"], a["center"], a["role"], int(a["headcount"]))
            for a in (plan.document.get("assignments", []) if plan is not None else [])
        ]
        index = DispatchIndex(_package(election, units), posts)
        _INDEXES.clear()
        _INDEXES[key] = index
    return index


def busy_units(election: Election) -> set[str]:
    """Codes of the units that may not be sent now (a unit never set counts as available)."""
    busy = UnitState.objects.filter(unit__election=election).exclude(
        status__in=[s.value for s in FREE_UNIT_STATUSES]
    )
    return set(busy.values_list("unit__code", flat=True))


def suggestions_for(incident: Incident, *, limit: int = 5) -> list[Suggestion]:
    """The best free units for the incident, best first (reserves preferred)."""
    election = incident.election
    index = index_for(election)
    capability = IncidentKind(incident.kind).capability
    busy = busy_units(election)
    free = [code for code in index.codes if code not in busy] if busy else None
    return index.suggest(incident.lat, incident.lon, capability, available=free, limit=limit)
