"""Who may see and do what in election-day operations: the one place these rules live.

| role             | sees incidents            | files      | moves, dispatches | unit status |
|------------------|---------------------------|------------|-------------------|-------------|
| chair            | all                       | anywhere   | all               | all units   |
| operations       | all                       | anywhere   | all               | all units   |
| auditor          | all (read-only)           | 403        | 403               | 403         |
| intelligence     | all (read-only; decision) | 403        | 403               | none        |
| sector commander | own sector                | own sector | own sector        | own sector  |
| agency liaison   | where its units are sent  | 403        | on scene, resolve | own agency  |
| field reporter   | own center, own reports   | own center*| 403               | none        |
| commission, none | none (404)                | 404        | 404               | none        |

* or a point within `policy.REPORTER_POINT_RADIUS_KM` of it (the phone's position).

Outside-force requests: only the chair files them (403 for every other role that sees the
incident or center, 404 for those that do not); chair and operations record the force's
acknowledgement, arrival and release; chair, operations and the auditor read them.

`access_<thing>(user, code)` returns the object or raises `NotFound` for both missing and
not visible; `require_*` raise `Forbidden` for what the user sees but may not do.
"""

from __future__ import annotations

import uuid as uuidlib

from django.db.models import Q, QuerySet

from pollguard.accounts.access import AnyUser, profile_of, role_of
from pollguard.accounts.choices import Role
from pollguard.common.errors import Forbidden, NotFound
from pollguard.core.geo import haversine_km
from pollguard.operations.choices import WAITING_STATES, IncidentState
from pollguard.operations.lifecycle import TRANSITIONS
from pollguard.operations.models import Incident, IncidentPhoto, OutsideForceRequest, UnitState
from pollguard.operations.policy import ESCALATION_ROLES, REPORTER_POINT_RADIUS_KM
from pollguard.registry.access import access_center, current_election, units_for
from pollguard.registry.models import Center, Election, Unit

SEES_ALL_INCIDENTS = frozenset({Role.CHAIR, Role.OPERATIONS, Role.AUDITOR, Role.INTELLIGENCE})
FILES_INCIDENTS = frozenset(
    {Role.CHAIR, Role.OPERATIONS, Role.SECTOR_COMMANDER, Role.FIELD_REPORTER}
)
DISPATCHES = frozenset({Role.CHAIR, Role.OPERATIONS, Role.SECTOR_COMMANDER})
SETS_UNIT_STATUS = frozenset(
    {Role.CHAIR, Role.OPERATIONS, Role.SECTOR_COMMANDER, Role.AGENCY_LIAISON}
)
REQUESTS_OUTSIDE_FORCE = frozenset({Role.CHAIR})
ADVANCES_OUTSIDE_FORCE = frozenset({Role.CHAIR, Role.OPERATIONS})
SEES_OUTSIDE_FORCE = frozenset({Role.CHAIR, Role.OPERATIONS, Role.AUDITOR})


def _incident_scope(user: AnyUser, election: Election) -> Q | None:
    profile = profile_of(user)
    if profile is None:
        return None
    role = Role(profile.role)
    if role in SEES_ALL_INCIDENTS:
        return Q()
    if role is Role.SECTOR_COMMANDER and profile.sector is not None:
        return Q(sector__code=profile.sector.code)
    if role is Role.FIELD_REPORTER and profile.center is not None:
        return Q(center__code=profile.center.code) | Q(reporter_id=profile.user_id)
    if role is Role.AGENCY_LIAISON and profile.agency is not None:
        return Q(assignments__unit__agency__code=profile.agency.code)
    return None


def sees_incidents(user: AnyUser) -> bool:
    """Whether the role shows any incidents (menu entries, the queue); no query."""
    role = role_of(user)
    return role is not None and role not in {Role.COMMISSION}


def incidents_for(user: AnyUser, election: Election | None = None) -> QuerySet[Incident]:
    """The (current) election's incidents the user may see, center and sector joined."""
    election = election or current_election(user)
    incidents = Incident.objects.select_related("center", "sector", "duplicate_of")
    if election is None:
        return incidents.none()
    scope = _incident_scope(user, election)
    if scope is None:
        return incidents.none()
    visible = incidents.filter(scope, election=election)
    if role_of(user) is Role.AGENCY_LIAISON:
        visible = visible.distinct()
    return visible


def escalation_levels_for(user: AnyUser) -> list[int]:
    """The escalation levels at which this user must act; no query."""
    role = role_of(user)
    return [int(level) for level, roles in ESCALATION_ROLES.items() if role in roles]


def open_escalations_for(user: AnyUser) -> QuerySet[Incident]:
    """Escalated incidents still waiting for someone, at a level this user must act on,
    in his scope (a sector commander his sector's), most urgent first."""
    levels = escalation_levels_for(user)
    if not levels:
        return Incident.objects.none()
    return (
        incidents_for(user)
        .filter(escalation_level__in=levels, state__in=[s.value for s in WAITING_STATES])
        .order_by("-escalation_level", "-severity", "due_at", "id")
    )


def access_incident(user: AnyUser, code: str) -> Incident:
    incident = incidents_for(user).filter(code=code).first()
    if incident is None:
        raise NotFound(code)
    return incident


def _in_sector(user: AnyUser, incident: Incident) -> bool:
    profile = profile_of(user)
    if profile is None or profile.role != Role.SECTOR_COMMANDER:
        return True
    return profile.sector is not None and incident.sector_id == profile.sector_id


def can_attach_photo(user: AnyUser, incident: Incident) -> bool:
    """Those who could file the incident where it is may add its photo."""
    role = role_of(user)
    return role in FILES_INCIDENTS and may_file_at(
        user, incident.center, incident.sector_id, (incident.lat, incident.lon)
    )


def access_incident_for_photo(user: AnyUser, code: str) -> Incident:
    incident = access_incident(user, code)
    if not can_attach_photo(user, incident):
        raise Forbidden(code)
    return incident


def access_incident_photo(user: AnyUser, code: str, photo: str) -> IncidentPhoto:
    """A photo of an incident the user sees (`NotFound` otherwise, and for a bad id)."""
    incident = access_incident(user, code)
    try:
        found = incident.photos.filter(uuid=uuidlib.UUID(photo)).first()
    except ValueError:
        found = None
    if found is None:
        raise NotFound(photo)
    return found


def can_transition(user: AnyUser, incident: Incident, to: IncidentState) -> bool:
    """Whether the role may make this move at all (the from-state is checked by the action)."""
    role = role_of(user)
    rule = TRANSITIONS.get(to)
    return (
        role is not None and rule is not None and role in rule.roles and _in_sector(user, incident)
    )


def access_incident_for_transition(user: AnyUser, code: str, to: IncidentState) -> Incident:
    incident = access_incident(user, code)
    if not can_transition(user, incident, to):
        raise Forbidden(code)
    return incident


def can_dispatch(user: AnyUser, incident: Incident) -> bool:
    role = role_of(user)
    return role in DISPATCHES and _in_sector(user, incident)


def access_incident_for_dispatch(user: AnyUser, code: str) -> Incident:
    incident = access_incident(user, code)
    if not can_dispatch(user, incident):
        raise Forbidden(code)
    return incident


def dispatchable_unit(user: AnyUser, incident: Incident, code: str) -> Unit:
    """A unit of the incident's election; sector commanders send their own or reserves."""
    unit = (
        Unit.objects.select_related("agency", "sector")
        .filter(election_id=incident.election_id, code=code, active=True)
        .first()
    )
    if unit is None:
        raise NotFound(code)
    profile = profile_of(user)
    if (
        profile is not None
        and profile.role == Role.SECTOR_COMMANDER
        and unit.sector_id not in (None, profile.sector_id)
    ):
        raise Forbidden(code)
    return unit


def require_file_incident(user: AnyUser) -> Election:
    """The election a new incident goes to; `Forbidden` for roles that do not file (where
    is checked by `may_file_at` once the center or point is known)."""
    election = current_election(user)
    role = role_of(user)
    if election is None or role is None:
        raise NotFound("election")
    if role not in FILES_INCIDENTS:
        raise Forbidden("incident")
    return election


def may_file_at(
    user: AnyUser,
    center: Center | None,
    sector_id: int | None,
    point: tuple[float, float] | None = None,
) -> bool:
    """Sector commanders file in their sector; field reporters at their center, or at a
    point (the phone's position) within `policy.REPORTER_POINT_RADIUS_KM` of it."""
    profile = profile_of(user)
    if profile is None:
        return False
    if profile.role == Role.SECTOR_COMMANDER:
        return sector_id is not None and sector_id == profile.sector_id
    if profile.role == Role.FIELD_REPORTER:
        own = profile.center
        if center is not None or point is None or own is None:
            return center is not None and center.pk == profile.center_id
        return haversine_km(point[0], point[1], own.lat, own.lon) <= REPORTER_POINT_RADIUS_KM
    return profile.role in FILES_INCIDENTS


def unit_board_for(user: AnyUser) -> QuerySet[Unit]:
    """Units the user sees, with their day status joined (None until first set)."""
    return units_for(user).select_related("day_status").order_by("code")


def access_unit_for_status(user: AnyUser, code: str) -> Unit:
    """A unit whose status the user may set: liaisons their agency's, commanders their
    sector's, the room every unit; others who see it get `Forbidden`."""
    unit = units_for(user).filter(code=code).first()
    if unit is None:
        raise NotFound(code)
    if role_of(user) not in SETS_UNIT_STATUS:
        raise Forbidden(code)
    return unit


def unit_state_of(unit: Unit) -> UnitState | None:
    try:
        return unit.day_status
    except UnitState.DoesNotExist:
        return None


# --- outside-force requests ------------------------------------------------------------


def outside_force_requests_for(user: AnyUser) -> QuerySet[OutsideForceRequest]:
    election = current_election(user)
    requests = OutsideForceRequest.objects.select_related("incident", "center")
    if election is None or role_of(user) not in SEES_OUTSIDE_FORCE:
        return requests.none()
    return requests.filter(election=election)


def access_outside_force_request(user: AnyUser, code: str) -> OutsideForceRequest:
    found = outside_force_requests_for(user).filter(code=code).first()
    if found is None:
        raise NotFound(code)
    return found


def require_request_outside_force(
    user: AnyUser, *, incident: str | None, center: str | None
) -> tuple[Election, Incident | None, Center | None]:
    """The chair's target (incident or center); 404 where the user cannot see it, 403 for
    every other role that can."""
    found_incident = access_incident(user, incident) if incident else None
    found_center = access_center(user, center) if center else None
    if role_of(user) not in REQUESTS_OUTSIDE_FORCE:
        raise Forbidden("outside-force")
    election = current_election(user)
    assert election is not None  # the target was found in it
    return election, found_incident, found_center


def access_outside_force_for_change(user: AnyUser, code: str) -> OutsideForceRequest:
    found = access_outside_force_request(user, code)
    if role_of(user) not in ADVANCES_OUTSIDE_FORCE:
        raise Forbidden(code)
    return found


def sees_unit_board(user: AnyUser) -> bool:
    return role_of(user) in SETS_UNIT_STATUS | {Role.AUDITOR}
