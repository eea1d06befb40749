"""The figures of the reports, computed from the data (JSON-ready, language-neutral).

Names of sectors and agencies are copied into the figures in both languages, so a
frozen situation report still reads right after the registry changes. Labels of kinds
and states are translated when the report is rendered.

Decisions where the issue is silent (docs/reports.md says them to the reader):

- An incident counts when it is not rejected and not a duplicate (duplicates count once,
  on their master). A *security breach* is a counted incident of an attack kind
  (`BREACH_KINDS`) of high or critical severity that someone verified (reported only is
  not enough).
- A center's status at a moment is the newest status change before it; a center is
  *late* when it opened more than `ON_TIME_GRACE` after the polls opened or is still
  "opening delayed"; *suspended* is "disrupted"; *cancelled* is a center with a station
  the chair cancelled (stations are cancelled, centers are not).
- *Response time* is minutes from the report's reception to the first unit on scene;
  per agency, to that agency's unit on scene.
- *Swept before opening*: a general center with an EOD sweep in the approved plan that
  ends before the polls open (the plan's sweep; the app does not record the search itself).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from pollguard.custody.choices import ExceptionState
from pollguard.custody.models import CustodyException
from pollguard.fieldreports.choices import StationState
from pollguard.fieldreports.models import StationStatus
from pollguard.operations.choices import FINISHED_STATES, IncidentKind, IncidentState, Severity
from pollguard.operations.models import Assignment, Incident, OutsideForceRequest
from pollguard.planning.choices import PlanState, TaskState
from pollguard.planning.models import Plan, Task
from pollguard.registry.choices import CenterKind, CenterStatus
from pollguard.registry.models import Agency, Center, CenterStatusChange, Election, Sector
from pollguard.specialvote.choices import BallotKind, CheckinState
from pollguard.specialvote.models import SpecialCheckin
from pollguard.specialvote.reconciliation import reconcile

ON_TIME_GRACE = timedelta(minutes=15)
BREACH_KINDS = frozenset(
    {IncidentKind.SHOOTING, IncidentKind.EXPLOSION, IncidentKind.MORTAR, IncidentKind.ARMED_GROUP}
)
NOT_COUNTED = (IncidentState.REJECTED, IncidentState.DUPLICATE)
VERIFIED_STATES = frozenset(IncidentState) - {IncidentState.REPORTED, *NOT_COUNTED}
RESPONSE_BUCKETS = ((0, 10), (10, 20), (20, 30), (30, 45), (45, 60), (60, None))
OPENING_STEP = timedelta(minutes=15)
MAX_HOUR_BARS = 48
OUTSTANDING_LISTED = 20


def _names(rows: Iterable[Sector | Agency]) -> dict[str, list[str]]:
    return {r.code: [r.name_en or r.code, r.name_ar or r.name_en or r.code] for r in rows}


def distribution(values: list[float]) -> dict[str, Any]:
    """Count, median, 90th percentile (nearest rank) and maximum, in minutes."""
    if not values:
        return {"count": 0, "median": None, "p90": None, "max": None}
    ordered = sorted(values)
    rank = max(0, math.ceil(0.9 * len(ordered)) - 1)
    return {
        "count": len(ordered),
        "median": round(median(ordered), 1),
        "p90": round(ordered[rank], 1),
        "max": round(ordered[-1], 1),
    }


def bucket_counts(values: Iterable[float]) -> list[int]:
    counts = [0] * len(RESPONSE_BUCKETS)
    for v in values:
        for i, (low, high) in enumerate(RESPONSE_BUCKETS):
            if v >= low and (high is None or v < high):
                counts[i] += 1
                break
    return counts


def _minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60.0


def _response_samples(
    incidents: list[Incident],
) -> tuple[list[float], dict[str, list[float]], dict[str, list[float]]]:
    """Minutes to the first unit on scene: all, per sector, per agency (module docstring)."""
    by_incident: dict[int, list[Assignment]] = defaultdict(list)
    for a in Assignment.objects.filter(
        incident__in=[i.pk for i in incidents], on_scene_at__isnull=False
    ).select_related("unit__agency"):
        by_incident[a.incident_id].append(a)
    every: list[float] = []
    sectors: dict[str, list[float]] = defaultdict(list)
    agencies: dict[str, list[float]] = defaultdict(list)
    for incident in incidents:
        arrivals = by_incident.get(incident.pk, [])
        if not arrivals:
            continue
        first = min(a.on_scene_at for a in arrivals if a.on_scene_at is not None)
        minutes = _minutes(incident.received_at, first)
        every.append(minutes)
        sectors[incident.sector.code if incident.sector else "-"].append(minutes)
        per_agency: dict[str, datetime] = {}
        for a in arrivals:
            assert a.on_scene_at is not None
            code = a.unit.agency.code
            per_agency[code] = min(per_agency.get(code, a.on_scene_at), a.on_scene_at)
        for code, at in per_agency.items():
            agencies[code].append(_minutes(incident.received_at, at))
    return every, sectors, agencies


def _counted(election: Election) -> QuerySet[Incident]:
    return Incident.objects.filter(election=election).exclude(state__in=NOT_COUNTED)


def _status_at(election: Election, moment: datetime) -> dict[int, str]:
    """Each general center's status at `moment` (the newest change before it)."""
    status: dict[int, str] = {}
    for change in (
        CenterStatusChange.objects.filter(center__election=election, changed_at__lte=moment)
        .order_by("changed_at", "pk")
        .values("center_id", "to_status")
    ):
        status[change["center_id"]] = change["to_status"]
    return status


def _first_opened(election: Election, until: datetime | None = None) -> dict[int, datetime]:
    changes = CenterStatusChange.objects.filter(
        center__election=election, to_status=CenterStatus.OPEN
    )
    if until is not None:
        changes = changes.filter(changed_at__lte=until)
    first: dict[int, datetime] = {}
    for c in changes.order_by("changed_at", "pk").values("center_id", "changed_at"):
        first.setdefault(c["center_id"], c["changed_at"])
    return first


def polls_open_at(election: Election) -> datetime:
    tz = ZoneInfo(election.timezone)
    return datetime.combine(election.general_vote_date, election.polls_open, tzinfo=tz)


def _general_centers(election: Election) -> list[int]:
    return list(
        Center.objects.filter(election=election, active=True, kind=CenterKind.GENERAL).values_list(
            "pk", flat=True
        )
    )


def _cancelled(election: Election, until: datetime | None = None) -> tuple[int, int]:
    """Stations cancelled by the chair and the centers they are in (until `until`)."""
    rows = StationStatus.objects.filter(station__election=election, state=StationState.CANCELLED)
    if until is not None:
        rows = rows.filter(Q(cancelled_at__isnull=True) | Q(cancelled_at__lte=until))
    centers = set(rows.values_list("station__center_id", flat=True))
    return rows.count(), len(centers)


def _hour_buckets(start: datetime, end: datetime, tz: ZoneInfo) -> tuple[list[datetime], int]:
    """Bucket starts (local, on the hour) covering [start, end) and the bucket size in hours."""
    first = start.astimezone(tz).replace(minute=0, second=0, microsecond=0)
    hours = max(1, math.ceil((end - first).total_seconds() / 3600))
    size = max(1, math.ceil(hours / MAX_HOUR_BARS))
    return [first + timedelta(hours=size * k) for k in range(math.ceil(hours / size))], size


def _per_hour(
    incidents: list[Incident], start: datetime, end: datetime, tz: ZoneInfo
) -> dict[str, Any]:
    buckets, size = _hour_buckets(start, end, tz)
    by_sector: dict[str, list[int]] = {}
    for incident in incidents:
        index = int((incident.received_at - buckets[0]).total_seconds() // (3600 * size))
        if not 0 <= index < len(buckets):
            continue
        code = incident.sector.code if incident.sector else "-"
        by_sector.setdefault(code, [0] * len(buckets))[index] += 1
    return {
        "labels": [b.strftime("%H:%M") if size < 24 else b.strftime("%m-%d") for b in buckets],
        "days": [b.strftime("%Y-%m-%d") for b in buckets],
        "hours_per_bar": size,
        "by_sector": dict(sorted(by_sector.items())),
    }


def sitrep_figures(election: Election, start: datetime, end: datetime) -> dict[str, Any]:
    """Everything a situation report for [start, end) shows (the module says what counts)."""
    tz = ZoneInfo(election.timezone)
    general = _general_centers(election)
    status = _status_at(election, end)
    opened = _first_opened(election, end)
    opens = polls_open_at(election)
    stations_cancelled, centers_cancelled = _cancelled(election, end)
    states = Counter(status.get(pk, CenterStatus.NOT_OPEN) for pk in general)
    late = sum(
        1
        for pk in general
        if status.get(pk) == CenterStatus.DELAYED
        or (pk in opened and opened[pk] > opens + ON_TIME_GRACE)
    )
    window = Incident.objects.filter(election=election, received_at__gte=start, received_at__lt=end)
    rows = list(window.select_related("sector").order_by("received_at", "pk"))
    counted = [i for i in rows if i.state not in NOT_COUNTED]
    every, per_sector, _per_agency = _response_samples(counted)
    outstanding = list(
        _counted(election)
        .filter(received_at__lt=end)
        .exclude(state__in=FINISHED_STATES)
        .select_related("sector")
        .order_by("-severity", "received_at")
    )
    # States at the end of the period are today's states: a report issued after its period
    # says what is still open now, which is what the committee acts on.
    dispatches = Assignment.objects.filter(
        incident__election=election, dispatched_at__gte=start, dispatched_at__lt=end
    )
    committed = (
        Assignment.objects.filter(incident__election=election, dispatched_at__lt=end)
        .filter(Q(cleared_at__isnull=True) | Q(cleared_at__gte=end))
        .values("unit_id")
        .distinct()
        .count()
    )
    resolved = Incident.objects.filter(
        election=election, resolved_at__gte=start, resolved_at__lt=end
    ).count()
    outside = OutsideForceRequest.objects.filter(
        election=election, requested_at__gte=start, requested_at__lt=end
    ).count()
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "names": {
            "sectors": _names(Sector.objects.filter(election=election)),
            "agencies": _names(Agency.objects.filter(election=election)),
        },
        "centers": {
            "total": len(general),
            "opened": states[CenterStatus.OPEN],
            "not_open": states[CenterStatus.NOT_OPEN],
            "late": late,
            "delayed": states[CenterStatus.DELAYED],
            "suspended": states[CenterStatus.DISRUPTED],
            "closed": states[CenterStatus.CLOSED],
            "cancelled": centers_cancelled,
            "cancelled_stations": stations_cancelled,
        },
        "incidents": {
            "total": len(counted),
            "not_counted": len(rows) - len(counted),
            "by_kind": dict(Counter(i.kind for i in counted).most_common()),
            "by_sector": dict(
                sorted(Counter(i.sector.code if i.sector else "-" for i in counted).items())
            ),
            "by_severity": {
                str(s.value): sum(1 for i in counted if i.severity == s.value) for s in Severity
            },
            "per_hour": _per_hour(counted, start, end, tz),
        },
        "actions": {
            "dispatches": dispatches.count(),
            "resolved": resolved,
            "outside_force": outside,
            "outstanding": len(outstanding),
            "overdue": sum(1 for i in outstanding if i.due_at is not None and i.due_at < end),
            "outstanding_list": [
                {
                    "code": i.code,
                    "kind": i.kind,
                    "severity": i.severity,
                    "state": i.state,
                    "sector": i.sector.code if i.sector else "-",
                    "received_at": i.received_at.isoformat(),
                }
                for i in outstanding[:OUTSTANDING_LISTED]
            ],
        },
        "units": {
            "committed": committed,
            "dispatched": dispatches.values("unit_id").distinct().count(),
        },
        "response": {
            **distribution(every),
            "by_sector": {k: distribution(v) for k, v in sorted(per_sector.items())},
        },
    }


def _swept_before_opening(election: Election, general: list[int]) -> int:
    plan = Plan.objects.filter(election=election, state=PlanState.APPROVED).first()
    if plan is None:
        return 0
    opens = polls_open_at(election)
    codes = set(Center.objects.filter(pk__in=general).values_list("code", flat=True))
    swept = set()
    for sweep in (plan.document or {}).get("sweeps", []):
        if sweep.get("kind") != "eod":
            continue
        for stop in sweep.get("stops", []):
            if stop.get("center") in codes and datetime.fromisoformat(stop["end"]) <= opens:
                swept.add(stop["center"])
    return len(swept)


def after_action_figures(election: Election) -> dict[str, Any]:
    """The KPIs of the whole election and what the charts draw (module docstring)."""
    tz = ZoneInfo(election.timezone)
    general = _general_centers(election)
    opens = polls_open_at(election)
    opened = _first_opened(election)
    incidents = list(_counted(election).select_related("sector").order_by("received_at"))
    every, per_sector, per_agency = _response_samples(incidents)
    stations_cancelled, _centers = _cancelled(election)
    tasks = Task.objects.filter(election=election).exclude(
        state__in=[TaskState.CANCELLED, TaskState.SUPERSEDED]
    )
    checkins = SpecialCheckin.objects.filter(election=election, state=CheckinState.COUNTED)
    totals = reconcile(election).totals
    exceptions = CustodyException.objects.filter(election=election)
    day_start = datetime.combine(election.general_vote_date, datetime.min.time(), tzinfo=tz)
    vote_day = [i for i in incidents if day_start <= i.received_at < day_start + timedelta(1)]
    opening_labels, opening_counts = _opening_times(
        [opened[pk] for pk in general if pk in opened], opens, tz
    )
    not_opened = sum(1 for pk in general if pk not in opened)
    kpis = {
        "security_breaches": sum(
            1
            for i in incidents
            if i.kind in BREACH_KINDS and i.severity >= Severity.HIGH and i.state in VERIFIED_STATES
        ),
        "cancelled_stations": stations_cancelled,
        "centers_opened_on_time": {
            "value": sum(
                1 for pk in general if pk in opened and opened[pk] <= opens + ON_TIME_GRACE
            ),
            "of": len(general),
        },
        "centers_swept_before_opening": {
            "value": _swept_before_opening(election, general),
            "of": len(general),
        },
        "tasks_acknowledged": {
            "value": tasks.filter(state=TaskState.ACKNOWLEDGED).count(),
            "of": tasks.count(),
        },
        "response_minutes": distribution(every),
        "special_vote_participation": {"value": totals.voted, "of": totals.registered},
        "conditional_ballots": checkins.filter(kind=BallotKind.CONDITIONAL).count(),
        "reconciliation_gap": {
            "deployed_not_registered": totals.deployed_not_registered,
            "registered_not_deployed": totals.registered_not_deployed,
        },
        "custody_exceptions": {
            "value": exceptions.count(),
            "open": exceptions.filter(state=ExceptionState.OPEN).count(),
        },
        "incidents": len(incidents),
        "outside_force_requests": OutsideForceRequest.objects.filter(election=election).count(),
    }
    return {
        "kpis": kpis,
        "names": {
            "sectors": _names(Sector.objects.filter(election=election)),
            "agencies": _names(Agency.objects.filter(election=election)),
        },
        "response_by_sector": {k: distribution(v) for k, v in sorted(per_sector.items())},
        "response_by_agency": {k: distribution(v) for k, v in sorted(per_agency.items())},
        "response_buckets": {k: bucket_counts(v) for k, v in sorted(per_agency.items())},
        "incidents_by_kind": dict(Counter(i.kind for i in incidents).most_common()),
        "incidents_by_sector": dict(
            sorted(Counter(i.sector.code if i.sector else "-" for i in incidents).items())
        ),
        "per_hour": _per_hour(vote_day, day_start, day_start + timedelta(1), tz),
        "opening": {"labels": opening_labels, "counts": opening_counts, "not_opened": not_opened},
    }


def _opening_times(
    times: list[datetime], opens: datetime, tz: ZoneInfo
) -> tuple[list[str], list[int]]:
    """Centers opened per quarter hour from 30 minutes before the polls open to 2 hours after;
    the last bar is "later"."""
    start = opens - 2 * OPENING_STEP
    steps = 10
    counts = [0] * (steps + 1)
    for t in times:
        index = max(0, int((t - start).total_seconds() // OPENING_STEP.total_seconds()))
        counts[min(index, steps)] += 1
    labels = [(start + OPENING_STEP * k).astimezone(tz).strftime("%H:%M") for k in range(steps)]
    return [*labels, "+"], counts
