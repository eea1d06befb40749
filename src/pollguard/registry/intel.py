"""Intelligence in the risk model: which reports count, and a center's risk with its reasons.

`intel_for_planning(election)` is the one definition of "the intelligence a plan run
uses": the package's reports and the reports filed in the app, without those whose
`valid_until` has passed, as `pollguard.core` objects. The center page scores a center
with the same reports and the election's stored risk policy (`center_risk`), so the
score a commander reads is the one the next plan run will use.

Nothing here checks permissions: callers pass only what the user may see, and the
center page shows which reports counted only to roles that may read them.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from pollguard.core import model as core
from pollguard.core.risk import RiskAssessment, assess
from pollguard.registry.choices import UnitKind
from pollguard.registry.models import Center, Election, IntelReport, PastIncident, Unit

__all__ = ["center_risk", "filter_reports", "intel_for_planning", "risk_policy_of", "to_core"]


def to_core(report: IntelReport, *, center_code: str | None = None) -> core.IntelReport:
    """The core object of one row (`center_code` saves a join when the caller knows it)."""
    code = None
    if report.center is not None:
        code = center_code or report.center.code
    return core.IntelReport(
        code=report.code,
        when=report.reported_at,
        center=code,
        severity=report.severity,
        credibility=report.weight,
        summary=report.text,
        lat=report.lat,
        lon=report.lon,
    )


def _valid(now: datetime) -> Q:
    return Q(valid_until__isnull=True) | Q(valid_until__gt=now)


def intel_for_planning(
    election: Election, *, now: datetime | None = None
) -> tuple[core.IntelReport, ...]:
    """Every report that counts now (package and filed, not expired), ordered by code."""
    now = now or timezone.now()
    rows = (
        IntelReport.objects.filter(_valid(now), election=election)
        .select_related("center")
        .order_by("code")
    )
    return tuple(to_core(r) for r in rows)


def risk_policy_of(election: Election) -> core.RiskPolicy:
    """The election's `policy.risk` as loaded; defaults for keys a package did not store."""
    names = {f.name for f in dataclasses.fields(core.RiskPolicy)}
    stored = {k: v for k, v in (election.risk_policy or {}).items() if k in names}
    return core.RiskPolicy(**stored)


def _box(lat: float, lon: float, km: float) -> Q:
    """Rows with lat/lon inside a square of `km` around a point (a superset of the circle)."""
    dlat = km / 110.5 + 1e-6
    dlon = km / max(1e-6, 111.3 * math.cos(math.radians(min(89.0, abs(lat) + dlat)))) + 1e-6
    return Q(lat__gte=lat - dlat, lat__lte=lat + dlat, lon__gte=lon - dlon, lon__lte=lon + dlon)


def core_election(election: Election) -> core.Election:
    """The election row as the core's `Election` (what core planning and dispatch take)."""
    return core.Election(
        code=election.code,
        name_en=election.name_en,
        name_ar=election.name_ar,
        governorate_code=election.governorate_code,
        governorate_en=election.governorate_en,
        governorate_ar=election.governorate_ar,
        timezone=election.timezone,
        special_vote_date=election.special_vote_date,
        general_vote_date=election.general_vote_date,
        polls_open=election.polls_open,
        polls_close=election.polls_close,
        seats=election.seats,
    )


def _noon(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=ZoneInfo(tz))


def center_risk(center: Center, *, now: datetime | None = None) -> RiskAssessment:
    """The risk of one center as a plan run would score it now, with its explanation.

    The core model runs on a package holding just this center, every police base of the
    election, and the incidents and valid reports close enough to count; that is exactly
    what the model reads for this center, so the score equals the plan run's.
    """
    election = center.election
    policy = risk_policy_of(election)
    reports = (
        IntelReport.objects.filter(_valid(now or timezone.now()), election=election)
        .filter(
            Q(center=center)
            | (Q(center__isnull=True) & _box(center.lat, center.lon, policy.intel_radius_km))
        )
        .order_by("code")
    )
    incidents = PastIncident.objects.filter(election=election).filter(
        Q(center=center) | _box(center.lat, center.lon, policy.history_radius_km)
    )
    police = Unit.objects.filter(election=election, active=True, kind=UnitKind.POLICE).values_list(
        "lat", "lon"
    )
    window = _noon(election.general_vote_date, election.timezone)
    pkg = core.ElectionPackage(
        version=1,
        election=core_election(election),
        policy=core.Policy(
            roles={}, sweep=core.SweepPolicy(window_start=window, window_end=window), risk=policy
        ),
        agencies=(),
        sectors=(),
        centers=(
            core.Center(
                code=center.code,
                name_en=center.name_en,
                name_ar=center.name_ar,
                sector="",
                lat=center.lat,
                lon=center.lon,
                stations=center.stations_count,
                voters=center.voters,
                risk=center.risk_override,
            ),
        ),
        units=tuple(
            core.Unit(f"P{i}", "", core.UnitKind.POLICE, 1, None, lat, lon)
            for i, (lat, lon) in enumerate(sorted(set(police)))
        ),
        incidents_history=tuple(
            core.PastIncident(
                code=p.code,
                when=p.occurred_at,
                lat=p.lat,
                lon=p.lon,
                kind=p.kind,
                severity=p.severity,
                center=center.code if p.center_id == center.pk else None,
            )
            for p in incidents.order_by("code")
        ),
        intel=tuple(to_core(r, center_code=center.code) for r in reports),
    )
    return assess(pkg)[center.code]


def filter_reports(
    reports: QuerySet[IntelReport],
    *,
    valid: bool | None = None,
    center: str | None = None,
    severity_min: float | None = None,
    source: str | None = None,
    now: datetime | None = None,
) -> QuerySet[IntelReport]:
    """The filters of the intelligence list, page and API alike."""
    now = now or timezone.now()
    if valid is True:
        reports = reports.filter(_valid(now))
    elif valid is False:
        reports = reports.filter(valid_until__lte=now)
    if center:
        reports = reports.filter(center__code=center)
    if severity_min is not None:
        reports = reports.filter(severity__gte=severity_min)
    if source:
        reports = reports.filter(source=source)
    return reports
