"""Who may see and do what with field reports: the one place these rules live.

Board and check-ins (see): chair, operations, auditor (read-only) and the commission
liaison all stations; a sector commander his sector's; a field reporter his center's;
intelligence officers, agency liaisons and users without a role none (decision).

Report a check-in: chair, operations and the commission liaison for any station they see,
a sector commander in his sector, a field reporter at his center; the auditor never.
Resolve a conflict: chair, operations, the sector's commander. Cancel a station: the
chair only (design.md section 2). Triage and registered numbers: chair and operations;
the auditor reads the triage queue.

Alarms show to those who must act: chair, operations, the sector's commander, the center's
field reporter. Unseen objects are 404, seen but not allowed 403.
"""

from __future__ import annotations

from django.db.models import QuerySet

from pollguard.accounts.access import AnyUser, role_of
from pollguard.accounts.choices import Role
from pollguard.common.errors import Forbidden, NotFound
from pollguard.fieldreports.models import (
    Checkin,
    ExpectedCheckin,
    Notice,
    ReporterPhone,
    TriageItem,
)
from pollguard.registry.access import current_election, stations_for
from pollguard.registry.models import Station

_SEES_BOARD = frozenset(
    {
        Role.CHAIR,
        Role.OPERATIONS,
        Role.AUDITOR,
        Role.COMMISSION,
        Role.SECTOR_COMMANDER,
        Role.FIELD_REPORTER,
    }
)
_REPORTS = frozenset(
    {Role.CHAIR, Role.OPERATIONS, Role.COMMISSION, Role.SECTOR_COMMANDER, Role.FIELD_REPORTER}
)
_RESOLVES = frozenset({Role.CHAIR, Role.OPERATIONS, Role.SECTOR_COMMANDER})
_ACTS_ON_ALARMS = frozenset(
    {Role.CHAIR, Role.OPERATIONS, Role.SECTOR_COMMANDER, Role.FIELD_REPORTER}
)
_SEES_TRIAGE = frozenset({Role.CHAIR, Role.OPERATIONS, Role.AUDITOR})
_WORKS_TRIAGE = frozenset({Role.CHAIR, Role.OPERATIONS})


def sees_board(user: AnyUser) -> bool:
    return role_of(user) in _SEES_BOARD


def board_stations(user: AnyUser) -> QuerySet[Station]:
    """Stations on the user's board (the registry's station scope), center and sector joined."""
    if not sees_board(user):
        return Station.objects.none()
    return stations_for(user).select_related("center__sector", "field_status")


def expected_for(user: AnyUser) -> QuerySet[ExpectedCheckin]:
    return ExpectedCheckin.objects.filter(
        station__in=board_stations(user).values("pk")
    ).select_related("checkin")


def checkins_for(user: AnyUser) -> QuerySet[Checkin]:
    return Checkin.objects.filter(station__in=board_stations(user).values("pk"))


def access_station(user: AnyUser, code: str) -> Station:
    station = board_stations(user).filter(code=code).first()
    if station is None:
        raise NotFound(code)
    return station


def can_report(user: AnyUser) -> bool:
    return role_of(user) in _REPORTS


def access_station_for_checkin(user: AnyUser, code: str) -> Station:
    """The station if the user may report for it: unseen 404, seen but read-only 403."""
    station = access_station(user, code)
    if not can_report(user):
        raise Forbidden(code)
    return station


def can_cancel_station(user: AnyUser) -> bool:
    """Design.md section 2: only the committee chair cancels a station."""
    return role_of(user) is Role.CHAIR


def access_station_for_cancel(user: AnyUser, code: str) -> Station:
    station = access_station(user, code)
    if not can_cancel_station(user):
        raise Forbidden(code)
    return station


def can_resolve_conflicts(user: AnyUser) -> bool:
    return role_of(user) in _RESOLVES


def access_expected_for_resolve(user: AnyUser, pk: int) -> ExpectedCheckin:
    expected = expected_for(user).select_related("station__center").filter(pk=pk).first()
    if expected is None:
        raise NotFound(str(pk))
    if not can_resolve_conflicts(user):
        raise Forbidden(str(pk))
    return expected


def open_alarms_for(user: AnyUser) -> QuerySet[ExpectedCheckin]:
    """Raised, not yet cleared alarms the user must act on (empty for the other roles)."""
    if role_of(user) not in _ACTS_ON_ALARMS:
        return ExpectedCheckin.objects.none()
    return expected_for(user).filter(alarm_raised_at__isnull=False, alarm_cleared_at__isnull=True)


def sees_triage(user: AnyUser) -> bool:
    return role_of(user) in _SEES_TRIAGE


def works_triage(user: AnyUser) -> bool:
    return role_of(user) in _WORKS_TRIAGE


def triage_for(user: AnyUser) -> QuerySet[TriageItem]:
    if not sees_triage(user):
        return TriageItem.objects.none()
    election = current_election(user)
    return TriageItem.objects.filter(election__in=[election] if election else []) | (
        TriageItem.objects.filter(election__isnull=True)
    )


def access_triage_for_work(user: AnyUser, item: str) -> TriageItem:
    found = triage_for(user).filter(uuid=item).first()
    if found is None:
        raise NotFound(item)
    if not works_triage(user):
        raise Forbidden(item)
    return found


def phones_for(user: AnyUser) -> QuerySet[ReporterPhone]:
    if not works_triage(user):
        return ReporterPhone.objects.none()
    return ReporterPhone.objects.select_related("user").order_by("phone")


def notices_for(user: AnyUser) -> QuerySet[Notice]:
    """Notices to the commission liaison; the chair and the auditor read them too."""
    if role_of(user) not in {Role.COMMISSION, Role.CHAIR, Role.AUDITOR}:
        return Notice.objects.none()
    election = current_election(user)
    return Notice.objects.filter(election=election).select_related("station")
