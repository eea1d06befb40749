"""Who may see and change which registry objects: the one place these rules live.

Visibility by role (design.md section 2; decisions where it is silent are marked):

| role               | centers, stations        | units                | sectors     | intel |
|--------------------|--------------------------|----------------------|-------------|-------|
| chair              | all                      | all                  | all         | yes   |
| operations         | all                      | all                  | all         | no    |
| auditor            | all (read-only)          | all (read-only)      | all         | read  |
| commission (IHEC)  | all                      | none (decision)      | all         | no    |
| intelligence       | all (risk is per center) | none (decision)      | all         | yes   |
| sector commander   | own sector               | own sector           | own         | no    |
| agency liaison     | none (decision: until    | own agency           | all         | no    |
|                    | plans assign their units)|                      |             |       |
| field reporter     | own center               | none                 | its sector  | no    |
| no role            | none                     | none                 | none        | no    |

`access_<thing>(user, code)` returns the object or raises `NotFound` for both "missing"
and "not yours". List functions return querysets with what pages need already joined.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, Case, Count, Max, Q, QuerySet, Sum, Value, When

from pollguard.accounts.access import (
    FILES_INTEL,
    SEES_ALL_REGISTRY,
    SEES_INTEL,
    WRITES_CENTER_STATUS,
    AnyUser,
    profile_of,
    role_of,
)
from pollguard.accounts.choices import Role
from pollguard.common.errors import Forbidden, NotFound
from pollguard.jobs.access import sees_job_events
from pollguard.live.choices import EventKind
from pollguard.live.models import Event
from pollguard.registry.choices import IntelSource
from pollguard.registry.models import (
    Agency,
    Center,
    CenterStatusChange,
    Election,
    IntelReport,
    Person,
    Sector,
    Station,
    Unit,
)

_ALL_CENTERS = SEES_ALL_REGISTRY | {Role.COMMISSION, Role.INTELLIGENCE}
# Roles that see centers or sectors but not every incident there: no incident events.
_NO_INCIDENT_EVENTS = frozenset({Role.COMMISSION, Role.AGENCY_LIAISON})
_INCIDENT_EVENTS = (EventKind.INCIDENT, EventKind.INCIDENT_ESCALATED, EventKind.OUTSIDE_FORCE)
_ALL_SECTORS = _ALL_CENTERS | {Role.AGENCY_LIAISON}


# The default election, read once per request: a page or a feed poll asks for it from the
# middleware, the view and the access helpers (three queries per live-feed poll before).
# Set only while a request runs (`request_election_cache`); a load that makes or touches an
# election drops it (`forget_default_election`).
_NOT_READ = object()
_request_default: ContextVar[Any] = ContextVar("pollguard_default_election", default=None)


@contextmanager
def request_election_cache() -> Iterator[None]:
    """Keep `default_election()` for the rest of this request (UserPreferencesMiddleware)."""
    token = _request_default.set([_NOT_READ])
    try:
        yield
    finally:
        _request_default.reset(token)


def forget_default_election() -> None:
    """Read the default election again at the next ask (an election was made or loaded)."""
    held = _request_default.get()
    if held is not None:
        held[0] = _NOT_READ


def default_election() -> Election | None:
    """The election of a user who never chose one: `POLLGUARD_ELECTION`, else the latest loaded."""
    held = _request_default.get()
    if held is not None and held[0] is not _NOT_READ:
        kept: Election | None = held[0]
        return kept
    elections = Election.objects.all()
    if settings.POLLGUARD_ELECTION:
        found = elections.filter(code=settings.POLLGUARD_ELECTION).first()
    else:
        found = elections.order_by("-loaded_at", "-id").first()
    if held is not None:
        held[0] = found
    return found


def current_election(user: AnyUser) -> Election | None:
    """The election the user's pages, API answers and live feed show.

    The one the user chose (`Profile.election`: joined with a session's profile, one
    query the first time for an API token's), else
    `default_election()` (one query per request). A user without a role gets the default
    too, for the time zone of their pages; they see nothing of it.
    """
    profile = profile_of(user)
    if profile is not None and profile.election is not None:
        return profile.election
    return default_election()


def elections_for(user: AnyUser) -> QuerySet[Election]:
    """Every election, newest load first, for a user with a role (anyone may switch); else none.

    Each row carries `is_current`: whether it is the user's current election.
    """
    if profile_of(user) is None:
        return Election.objects.none()
    current = current_election(user)
    return Election.objects.annotate(
        is_current=Case(
            When(pk=current.pk if current is not None else None, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    ).order_by("-loaded_at", "-id")


def access_election(user: AnyUser, code: str) -> Election:
    """The election with this code if the user may choose it (every user with a role)."""
    election = elections_for(user).filter(code=code).first()
    if election is None:
        raise NotFound(code)
    return election


def _in(election: Election | None, row: Sector | Agency | Center) -> bool:
    """Whether a profile's scope row belongs to `election` (None: the caller only asks
    whether a scope exists). In another election the scope is the row with the same code:
    a sector keeps its code from one election to the next."""
    return election is None or row.election_id == election.pk


def _center_scope(user: AnyUser, prefix: str = "", election: Election | None = None) -> Q | None:
    """A filter on centers (through `prefix`, e.g. "center__") the user may see; None = none.

    Callers also filter on the election; no query (the profile joins its scope rows).
    """
    profile = profile_of(user)
    if profile is None:
        return None
    role = Role(profile.role)
    if role in _ALL_CENTERS:
        return Q()
    if role is Role.SECTOR_COMMANDER and profile.sector is not None:
        if _in(election, profile.sector):
            return Q(**{f"{prefix}sector_id": profile.sector_id})
        return Q(**{f"{prefix}sector__code": profile.sector.code})
    if role is Role.FIELD_REPORTER and profile.center is not None:
        if _in(election, profile.center):
            return Q(**{f"{prefix}pk": profile.center_id})
        return Q(**{f"{prefix}code": profile.center.code})
    return None


def _unit_scope(user: AnyUser, election: Election | None = None) -> Q | None:
    profile = profile_of(user)
    if profile is None:
        return None
    role = Role(profile.role)
    if role in SEES_ALL_REGISTRY:
        return Q()
    if role is Role.SECTOR_COMMANDER and profile.sector is not None:
        if _in(election, profile.sector):
            return Q(sector_id=profile.sector_id)
        return Q(sector__code=profile.sector.code)
    if role is Role.AGENCY_LIAISON and profile.agency is not None:
        if _in(election, profile.agency):
            return Q(agency_id=profile.agency_id)
        return Q(agency__code=profile.agency.code)
    return None


def _sector_scope(user: AnyUser, election: Election | None = None) -> Q | None:
    profile = profile_of(user)
    if profile is None:
        return None
    role = Role(profile.role)
    if role in _ALL_SECTORS:
        return Q()
    if role is Role.SECTOR_COMMANDER and profile.sector is not None:
        if _in(election, profile.sector):
            return Q(pk=profile.sector_id)
        return Q(code=profile.sector.code)
    if role is Role.FIELD_REPORTER and profile.center is not None:
        if _in(election, profile.center):
            return Q(centers__pk=profile.center_id)
        return Q(centers__code=profile.center.code)
    return None


# --- centers and stations -------------------------------------------------------------


def centers_for(user: AnyUser, election: Election | None = None) -> QuerySet[Center]:
    """Active centers of the (current) election the user may see, sector and districts joined."""
    election = election or current_election(user)
    scope = _center_scope(user, election=election)
    centers = Center.objects.select_related("sector", "district", "subdistrict")
    if election is None or scope is None:
        return centers.none()
    return centers.filter(scope, election=election, active=True)


def access_center(user: AnyUser, code: str) -> Center:
    """The center with this public code if the user may see it; else `NotFound`."""
    center = centers_for(user).filter(code=code).first()
    if center is None:
        raise NotFound(code)
    return center


def can_set_center_status(user: AnyUser, center: Center) -> bool:
    """Chair and operations anywhere; a sector commander in their own sector."""
    profile = profile_of(user)
    if profile is None or Role(profile.role) not in WRITES_CENTER_STATUS:
        return False
    if profile.role == Role.SECTOR_COMMANDER:
        return profile.sector_id is not None and profile.sector_id == center.sector_id
    return True


def access_center_for_status(user: AnyUser, code: str) -> Center:
    """The center if the user may change its status; `NotFound` if unseen, else `Forbidden`."""
    center = access_center(user, code)
    if not can_set_center_status(user, center):
        raise Forbidden(code)
    return center


def status_changes_for(
    user: AnyUser, election: Election | None = None
) -> QuerySet[CenterStatusChange]:
    """Status changes of the centers the user may see, newest first, center and sector joined."""
    election = election or current_election(user)
    scope = _center_scope(user, "center__", election)
    changes = CenterStatusChange.objects.select_related("center", "center__sector")
    if election is None or scope is None:
        return changes.none()
    return changes.filter(scope, center__election=election).order_by("-changed_at", "-id")


def stations_for(user: AnyUser, election: Election | None = None) -> QuerySet[Station]:
    """Stations of the centers the user may see, with their center joined."""
    election = election or current_election(user)
    scope = _center_scope(user, "center__", election)
    stations = Station.objects.select_related("center")
    if election is None or scope is None:
        return stations.none()
    return stations.filter(scope, election=election, active=True, center__active=True)


# --- units ----------------------------------------------------------------------------


def units_for(user: AnyUser, election: Election | None = None) -> QuerySet[Unit]:
    """Active units the user may see, with agency and home sector joined."""
    election = election or current_election(user)
    scope = _unit_scope(user, election)
    units = Unit.objects.select_related("agency", "sector")
    if election is None or scope is None:
        return units.none()
    return units.filter(scope, election=election, active=True)


def access_unit(user: AnyUser, code: str) -> Unit:
    """The unit with this public code if the user may see it; else `NotFound`."""
    unit = units_for(user).filter(code=code).first()
    if unit is None:
        raise NotFound(code)
    return unit


# --- sectors and the overview ---------------------------------------------------------


def sectors_for(user: AnyUser, election: Election | None = None) -> QuerySet[Sector]:
    election = election or current_election(user)
    scope = _sector_scope(user, election)
    if election is None or scope is None:
        return Sector.objects.none()
    return Sector.objects.filter(scope, election=election, active=True).distinct()


def access_sector(user: AnyUser, code: str) -> Sector:
    sector = sectors_for(user).filter(code=code).first()
    if sector is None:
        raise NotFound(code)
    return sector


@dataclass(frozen=True, slots=True)
class SectorSummary:
    """One row of the election overview. `sector` None is the governorate reserve."""

    sector: Sector | None
    centers: int = 0
    stations: int = 0
    voters: int = 0
    units: int = 0
    headcount: int = 0
    personnel: int = 0


def sector_summary(user: AnyUser) -> list[SectorSummary]:
    """Per visible sector: centers, stations, voters, units, headcount and roster size.

    Four queries whatever the size of the election (sectors, then one grouped aggregate
    each for centers, units and personnel). Only what the user may see is counted; a
    reserve row is added when the user sees reserve units.
    """
    election = current_election(user)
    sectors = list(sectors_for(user, election).order_by("code"))
    centers = {
        row["sector_id"]: row
        for row in centers_for(user, election)
        .order_by()
        .values("sector_id")
        .annotate(n=Count("id"), n_stations=Sum("stations_count"), n_voters=Sum("voters"))
    }
    units = {
        row["sector_id"]: row
        for row in units_for(user, election)
        .order_by()
        .values("sector_id")
        .annotate(n=Count("id"), n_headcount=Sum("headcount"))
    }
    visible_units = units_for(user, election)
    personnel = {
        row["unit__sector_id"]: row["n"]
        for row in Person.objects.filter(unit__in=visible_units.values("pk"), active=True)
        .order_by()
        .values("unit__sector_id")
        .annotate(n=Count("id"))
    }

    def row(sector: Sector | None) -> SectorSummary:
        key = sector.pk if sector is not None else None
        c, u = centers.get(key, {}), units.get(key, {})
        return SectorSummary(
            sector=sector,
            centers=c.get("n", 0),
            stations=c.get("n_stations") or 0,
            voters=c.get("n_voters") or 0,
            units=u.get("n", 0),
            headcount=u.get("n_headcount") or 0,
            personnel=personnel.get(key, 0),
        )

    rows = [row(sector) for sector in sectors]
    if None in units:
        rows.append(row(None))
    return rows


# --- intelligence ---------------------------------------------------------------------


def sees_intel(user: AnyUser) -> bool:
    """True for the roles that read raw intelligence reports: chair, intelligence, auditor."""
    profile = profile_of(user)
    return profile is not None and Role(profile.role) in SEES_INTEL


def files_intel(user: AnyUser) -> bool:
    """True for the roles that file and edit reports: chair and intelligence officers."""
    profile = profile_of(user)
    return profile is not None and Role(profile.role) in FILES_INTEL


def intel_reports_for(user: AnyUser, election: Election | None = None) -> QuerySet[IntelReport]:
    """Raw intelligence reports of the (current) election: chair, intelligence, auditor.

    Everyone else gets none, and every single-report helper below answers `NotFound`.
    """
    election = election or current_election(user)
    reports = IntelReport.objects.select_related("center", "center__sector", "filed_by")
    if election is None or not sees_intel(user):
        return reports.none()
    return reports.filter(election=election)


def access_intel_report(user: AnyUser, code: str) -> IntelReport:
    """The report with this code if the user may read it; else `NotFound`."""
    report = intel_reports_for(user).filter(code=code).first()
    if report is None:
        raise NotFound(code)
    return report


def access_intel_report_for_edit(user: AnyUser, code: str) -> IntelReport:
    """The report if the user may edit it: `NotFound` if unseen, `Forbidden` for the auditor
    and for a package report (its source is intel.csv: a reload would undo the edit)."""
    report = access_intel_report(user, code)
    if not files_intel(user) or report.source != IntelSource.FILED:
        raise Forbidden(code)
    return report


def require_file_intel(user: AnyUser) -> Election:
    """The current election if the user may file reports; `NotFound` for roles that may not
    read them (the screen does not exist for them), `Forbidden` for the auditor."""
    election = current_election(user)
    if election is None or not sees_intel(user):
        raise NotFound("intel")
    if not files_intel(user):
        raise Forbidden("intel")
    return election


def intel_center_choices(user: AnyUser) -> QuerySet[Center]:
    """Centers a report may name: every active center of the election (intelligence sees
    all centers, design.md section 2)."""
    return centers_for(user).order_by("code")


# --- the live feed ------------------------------------------------------------------------


def events_for(user: AnyUser) -> QuerySet[Event]:
    """Live events of the user's current election about what the user may see.

    The scope is the registry's own: an event about a center reaches whoever
    `centers_for` shows that center to; one about a sector alone, whoever `sectors_for`
    shows the sector to; an election-wide one (package loaded), every role that sees
    centers. Two subqueries, whatever the role.
    """
    election = current_election(user)
    if election is None or profile_of(user) is None:
        return Event.objects.none()
    scope = Q(center__in=centers_for(user, election).values("pk")) | Q(
        center__isnull=True, sector__in=sectors_for(user, election).values("pk")
    )
    if sees_centers(user):
        scope |= Q(center__isnull=True, sector__isnull=True)
    events = Event.objects.filter(scope, election=election)
    if role_of(user) in _NO_INCIDENT_EVENTS:
        # They see the centers, not the incidents (operations/access.py).
        events = events.exclude(kind__in=_INCIDENT_EVENTS)
    if not sees_job_events(user):
        events = events.exclude(kind=EventKind.JOB)
    if role_of(user) not in SEES_ALL_REGISTRY:
        # Situation reports are for the chair, operations and the auditor (reports.access).
        events = events.exclude(kind=EventKind.REPORT)
    return events


def feed_position(user: AnyUser) -> int:
    """The newest event the user may see: where a page rendered now starts its feed.

    Not the feed's global newest id, which would tell a sector commander how much
    happened in other sectors.
    """
    return events_for(user).aggregate(last=Max("id"))["last"] or 0


# --- page-level visibility (which pages a role has at all; used for navigation) -----------


def sees_centers(user: AnyUser) -> bool:
    """True when the user's role shows any centers (center list, map); no query."""
    return _center_scope(user) is not None


def sees_units(user: AnyUser) -> bool:
    """True when the user's role shows any units (unit list); no query."""
    return _unit_scope(user) is not None
