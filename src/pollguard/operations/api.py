"""API v1 of election-day operations (design.md section 5). Thin: parse, access, act.

No `from __future__ import annotations`: django-ninja reads the annotations at runtime.
"""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from pollguard.common.pagination import Pagination
from pollguard.common.schemas import InvalidOut
from pollguard.core.problems import InvalidInput, Problem
from pollguard.operations import access
from pollguard.operations.actions import (
    IncidentDraft,
    do_advance_outside_force,
    do_attach_photo,
    do_dispatch_unit,
    do_file_incident,
    do_request_outside_force,
    do_set_unit_status,
    do_transition_incident,
)
from pollguard.operations.choices import IncidentState, SourceChannel
from pollguard.operations.dispatch import suggestions_for
from pollguard.operations.models import (
    PHOTO_TYPES,
    Assignment,
    Incident,
    IncidentPhoto,
    OutsideForceRequest,
    UnitState,
)
from pollguard.operations.schemas import (
    AssignmentOut,
    ConflictOut,
    CreatedOut,
    DispatchIn,
    ErrorOut,
    IncidentDetailOut,
    IncidentFilters,
    IncidentIn,
    IncidentOut,
    OutsideForceIn,
    OutsideForceOut,
    OutsideForceStateIn,
    PhotoOut,
    SuggestionOut,
    TransitionIn,
    UnitStatusIn,
    UnitStatusOut,
)
from pollguard.registry.access import centers_for

router = Router(tags=["operations"])

_WRITE = {403: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: InvalidOut}


def _draft(request: HttpRequest, body: IncidentIn) -> IncidentDraft:
    center = None
    if body.center is not None:
        # Only centers the caller sees: another sector's center reads as unknown.
        center = centers_for(request.user).filter(code=body.center).first()
        if center is None:
            raise InvalidInput(
                [Problem("center", None, "incident_unknown_center", {"value": body.center})]
            )
    return IncidentDraft(
        kind=body.kind,
        severity=body.severity,
        text=body.text,
        observed_at=body.observed_at,
        center=center,
        lat=float(body.lat) if body.lat is not None else None,
        lon=float(body.lon) if body.lon is not None else None,
        source=SourceChannel.API,
    )


def _idempotency_key(request: HttpRequest, *, required: bool) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if (required and not key) or len(key) > 200 or not key.isprintable():
        raise InvalidInput([Problem("Idempotency-Key", None, "incident_bad_key", {})])
    return key


@router.post(
    "/incidents",
    response={200: CreatedOut, 201: CreatedOut, **_WRITE},
    summary="Report an incident",
    description="At a center or a point (lat/lon) inside the governorate. With an "
    "`Idempotency-Key` header a retry with the same body answers 200 with the same code; "
    "the same key with another body is 409.",
)
def file_incident(
    request: HttpRequest,
    body: IncidentIn,
) -> Status[Incident]:
    idempotency_key = _idempotency_key(request, required=False)
    election = access.require_file_incident(request.user)
    draft = _draft(request, body)
    sector_id = draft.center.sector_id if draft.center is not None else None
    if draft.center is None:
        from pollguard.operations.actions import nearest_center, point_problem

        assert draft.lat is not None
        assert draft.lon is not None
        outside = point_problem(election, draft.lat, draft.lon)
        if outside is not None:
            raise InvalidInput([outside])
        near = nearest_center(election, draft.lat, draft.lon)
        sector_id = near.sector_id if near is not None else None
    point = (draft.lat, draft.lon) if draft.lat is not None and draft.lon is not None else None
    if not access.may_file_at(request.user, draft.center, sector_id, point):
        raise InvalidInput([Problem("center", None, "incident_not_your_area", {})])
    incident, created = do_file_incident(
        election, draft, acting_user=request.user, idempotency_key=idempotency_key
    )
    return Status(201 if created else 200, incident)


@router.post(
    "/incidents/{code}/photos",
    response={200: PhotoOut, 201: PhotoOut, **_WRITE},
    summary="Add a photo to an incident",
    description="The request body is the image itself (JPEG, PNG or WebP, at most 2 MiB; "
    "`Content-Type` says which), with an `Idempotency-Key` header: a resend with the same "
    "key and bytes answers 200 with the same photo, the same key with other bytes is 409. "
    "Those who could file the incident where it is may add one (others who see it 403).",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in PHOTO_TYPES},
        }
    },
)
def add_photo(request: HttpRequest, code: str) -> Status[IncidentPhoto]:
    key = _idempotency_key(request, required=True)
    incident = access.access_incident_for_photo(request.user, code)
    photo, created = do_attach_photo(
        incident, request.body, content_type=request.content_type or "",
        client_key=key, acting_user=request.user,
    )  # fmt: skip
    return Status(201 if created else 200, photo)


@router.get("/incidents", response=list[IncidentOut], summary="List incidents")
@paginate(Pagination)
def list_incidents(request: HttpRequest, filters: Query[IncidentFilters]) -> QuerySet[Incident]:
    incidents = access.incidents_for(request.user)
    if filters.state:
        incidents = incidents.filter(state=filters.state)
    if filters.kind:
        incidents = incidents.filter(kind=filters.kind)
    if filters.severity:
        incidents = incidents.filter(severity=filters.severity)
    if filters.sector:
        incidents = incidents.filter(sector__code=filters.sector)
    return incidents.order_by("-received_at", "-id")


@router.get(
    "/incidents/{code}",
    response={200: IncidentDetailOut, 404: ErrorOut},
    summary="Get an incident with its transitions",
)
def get_incident(request: HttpRequest, code: str) -> Incident:
    return access.access_incident(request.user, code)


@router.post(
    "/incidents/{code}/transitions",
    response={200: IncidentDetailOut, **_WRITE},
    summary="Move an incident in its lifecycle",
    description="`to` one of the lifecycle's states (docs/operations.md); a move the "
    "lifecycle does not allow from the current state is 409; `duplicate` needs "
    "`duplicate_of`, `rejected` and reopening (`reported`) need a `reason`.",
)
def transition_incident(request: HttpRequest, code: str, body: TransitionIn) -> Incident:
    to = IncidentState(body.to)
    incident = access.access_incident_for_transition(request.user, code, to)
    master = None
    if body.duplicate_of:
        master = access.incidents_for(request.user).filter(code=body.duplicate_of).first()
        if master is None:
            raise InvalidInput(
                [
                    Problem(
                        "duplicate_of",
                        None,
                        "incident_unknown_incident",
                        {"value": body.duplicate_of},
                    )
                ]
            )
    do_transition_incident(
        incident, to, acting_user=request.user, reason=body.reason, duplicate_of=master
    )
    return access.access_incident(request.user, code)


@router.get(
    "/incidents/{code}/suggestions",
    response={200: list[SuggestionOut], 404: ErrorOut},
    summary="Suggested units for an incident",
    description="Free units ranked by the core dispatch index on the approved plan: "
    "reserves first; `leaves_gap` names the centers a unit's departure leaves under guard.",
)
def incident_suggestions(request: HttpRequest, code: str) -> list[dict[str, object]]:
    incident = access.access_incident(request.user, code)
    return [
        {
            "unit": s.unit,
            "eta_minutes": round(s.eta_minutes, 1),
            "distance_km": round(s.distance_km, 2),
            "is_reserve": s.is_reserve,
            "leaves_gap": list(s.leaves_gap),
            "reason": s.reason.value,
        }
        for s in suggestions_for(incident)
    ]


@router.post(
    "/incidents/{code}/dispatches",
    response={201: AssignmentOut, **_WRITE},
    summary="Send a unit to an incident",
    description="A unit with another open assignment is 409 unless `override_reason` "
    "says why; a unit already on this incident is 409.",
)
def dispatch_unit(request: HttpRequest, code: str, body: DispatchIn) -> Status[Assignment]:
    incident = access.access_incident_for_dispatch(request.user, code)
    unit = access.dispatchable_unit(request.user, incident, body.unit)
    gap: tuple[str, ...] = ()
    for suggestion in suggestions_for(incident, limit=1000):
        if suggestion.unit == unit.code:
            gap = suggestion.leaves_gap
    assignment = do_dispatch_unit(
        incident, unit, acting_user=request.user, override_reason=body.override_reason,
        leaves_gap=gap,
    )  # fmt: skip
    return Status(201, Assignment.objects.select_related("unit").get(pk=assignment.pk))


@router.patch(
    "/units/{code}/status",
    response={200: UnitStatusOut, **_WRITE},
    summary="Change a unit's status",
    description="Send the `version` you read (1 for a unit never set); 409 if it moved on.",
)
def set_unit_status(request: HttpRequest, code: str, body: UnitStatusIn) -> dict[str, object]:
    unit = access.access_unit_for_status(request.user, code)
    state: UnitState = do_set_unit_status(
        unit, body.status, acting_user=request.user, expected_version=body.version
    )
    return {
        "unit": unit.code,
        "status": state.status,
        "version": state.version,
        "changed_at": state.changed_at,
    }


@router.post(
    "/outside-force-requests",
    response={201: OutsideForceOut, **_WRITE},
    summary="Request an outside force (committee chair only)",
    description="About an incident or a center; every other role 403 (404 where it "
    "cannot see the incident or center). Hash-chained in the audit trail.",
)
def request_outside_force(
    request: HttpRequest, body: OutsideForceIn
) -> Status[OutsideForceRequest]:
    election, incident, center = access.require_request_outside_force(
        request.user, incident=body.incident, center=body.center
    )
    created = do_request_outside_force(
        election,
        incident=incident,
        center=center,
        force=body.force,
        size=body.size,
        justification=body.justification,
        acting_user=request.user,
    )
    return Status(201, access.access_outside_force_request(request.user, created.code))


@router.get(
    "/outside-force-requests", response=list[OutsideForceOut], summary="List outside-force requests"
)
@paginate(Pagination)
def list_outside_force(request: HttpRequest) -> QuerySet[OutsideForceRequest]:
    return access.outside_force_requests_for(request.user)


@router.get(
    "/outside-force-requests/{code}",
    response={200: OutsideForceOut, 404: ErrorOut},
    summary="Get an outside-force request",
)
def get_outside_force(request: HttpRequest, code: str) -> OutsideForceRequest:
    return access.access_outside_force_request(request.user, code)


@router.post(
    "/outside-force-requests/{code}/state",
    response={200: OutsideForceOut, **_WRITE},
    summary="Record an outside-force request's next state",
    description="requested → acknowledged → arrived → released, one step at a time, each "
    "timed (chair and operations); anything else is 409.",
)
def advance_outside_force(
    request: HttpRequest, code: str, body: OutsideForceStateIn
) -> OutsideForceRequest:
    found = access.access_outside_force_for_change(request.user, code)
    do_advance_outside_force(found, body.to, acting_user=request.user)
    return access.access_outside_force_request(request.user, code)
