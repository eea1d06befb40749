"""API v1 of the special vote: check-ins, voter look-up, tallies, reconciliation.

Thin: parse, call an access helper or an action, return. No `from __future__ import
annotations` here: django-ninja reads the annotations at runtime.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from pollguard.common.pagination import Pagination
from pollguard.common.schemas import ConflictOut, ErrorOut, InvalidOut
from pollguard.specialvote import access
from pollguard.specialvote.actions import do_check_in, do_resolve_conflict, do_undo_checkin
from pollguard.specialvote.lookup import VoterMatch, lookup_voters, tallies
from pollguard.specialvote.models import SpecialCheckin
from pollguard.specialvote.reconciliation import reconcile
from pollguard.specialvote.schemas import (
    AlreadyVotedOut,
    CheckinFilters,
    CheckinIn,
    CheckinOut,
    ReconciliationOut,
    ResolveIn,
    TallyOut,
    UndoIn,
    VoterFilters,
    VoterOut,
)

router = Router(tags=["special vote"])


@router.post(
    "/special-checkins",
    response={
        200: CheckinOut,
        201: CheckinOut,
        403: ErrorOut,
        404: ErrorOut,
        409: AlreadyVotedOut | ConflictOut,
        422: InvalidOut,
    },
    summary="Check a voter in at a special station",
    description="Commission liaison only (others who see the special vote: 403). 201 with "
    "the check-in; a person with a counted vote anywhere in the election: 409 naming the "
    "station, center and time, nothing stored. `conditional: true` with a `reason` for "
    "personnel not on the register (counted apart). Offline devices send their own `id` and "
    "`observed_at`: a resend of the same id and content is 200; a person who voted meanwhile "
    "is stored as state `conflict` (201) for the committee. Outside the special-vote day "
    "and hours, an unknown voter or station: 422 naming the field.",
)
def check_in(request: HttpRequest, body: CheckinIn) -> Status[SpecialCheckin]:
    election = access.require_check_in(request.user)
    result = do_check_in(
        election,
        voter=body.voter,
        station=body.station,
        conditional=body.conditional,
        reason=body.reason,
        client_id=body.id,
        observed_at=body.observed_at,
        acting_user=request.user,
    )
    # The action's row already carries what the answer shows (station, center, who).
    return Status(201 if result.created else 200, result.checkin)


@router.get("/special-checkins", response=list[CheckinOut], summary="List special-vote check-ins")
@paginate(Pagination)
def list_checkins(request: HttpRequest, filters: Query[CheckinFilters]) -> QuerySet[SpecialCheckin]:
    access.special_vote_election(request.user)
    checkins = access.checkins_for(request.user)
    if filters.center:
        checkins = checkins.filter(center__code=filters.center)
    if filters.station:
        checkins = checkins.filter(station__code=filters.station)
    if filters.state:
        checkins = checkins.filter(state=filters.state)
    if filters.kind:
        checkins = checkins.filter(kind=filters.kind)
    if filters.voter:
        checkins = checkins.filter(person_code=filters.voter)
    return checkins.order_by("-observed_at", "-id")


@router.get(
    "/special-checkins/{checkin_id}",
    response={200: CheckinOut, 404: ErrorOut},
    summary="Get a special-vote check-in",
)
def get_checkin(request: HttpRequest, checkin_id: str) -> SpecialCheckin:
    return access.access_checkin(request.user, checkin_id)


@router.post(
    "/special-checkins/{checkin_id}/undo",
    response={200: CheckinOut, 403: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: InvalidOut},
    summary="Undo a check-in (supervisor)",
    description="The committee chair only, with a reason (audited, hash-chained); the person "
    "may then be checked in again. Only a counted check-in can be undone (else 409).",
)
def undo_checkin(request: HttpRequest, checkin_id: str, body: UndoIn) -> SpecialCheckin:
    checkin = access.access_checkin_for_undo(request.user, checkin_id)
    do_undo_checkin(checkin, reason=body.reason, acting_user=request.user)
    return access.access_checkin(request.user, checkin_id)


@router.post(
    "/special-checkins/{checkin_id}/resolve",
    response={200: CheckinOut, 403: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: InvalidOut},
    summary="Decide a double-vote conflict (committee)",
    description="The committee chair only, with a reason (hash-chained audit). `keep: "
    "offline` counts the offline record and undoes the other check-in; `keep: counted` "
    "dismisses the offline record. 409 if it was decided already or the counted check-in "
    "changed meanwhile.",
)
def resolve_conflict(request: HttpRequest, checkin_id: str, body: ResolveIn) -> SpecialCheckin:
    conflict = access.access_conflict_for_resolve(request.user, checkin_id)
    do_resolve_conflict(
        conflict, keep_offline=body.keep == "offline", reason=body.reason, acting_user=request.user
    )
    return access.access_checkin(request.user, checkin_id)


@router.get(
    "/special-voters",
    response={200: list[VoterOut], 404: ErrorOut},
    summary="Look a voter up by id or name",
    description="The register first, then roster personnel not on it (conditional ballot). "
    "Arabic spelling variants and digits are folded. At most 20 matches.",
)
def find_voters(request: HttpRequest, filters: Query[VoterFilters]) -> list[VoterMatch]:
    election = access.special_vote_election(request.user)
    return lookup_voters(election, filters.q)


@router.get(
    "/special-vote/tallies",
    response={200: list[TallyOut], 404: ErrorOut},
    summary="Tallies per special center",
)
def list_tallies(request: HttpRequest) -> list[dict[str, Any]]:
    election = access.special_vote_election(request.user)
    return [
        {
            "center": t.center.code,
            "name_en": t.center.name_en,
            "name_ar": t.center.name_ar,
            "registered": t.registered,
            "voted": t.voted,
            "conditional": t.conditional,
            "conflicts": t.conflicts,
        }
        for t in tallies(election)
    ]


@router.get(
    "/special-vote/reconciliation",
    response={200: ReconciliationOut, 404: ErrorOut},
    summary="Reconcile the special register with the deployment",
    description="The register against the approved plan's deployment roster (personnel of "
    "the units the plan assigns to centers; with no approved plan, the whole roster, said "
    "in `basis`): deployed and registered, deployed but not registered (flagged), "
    "registered but not deployed, registered but not yet voted; per unit, agency and sector.",
)
def get_reconciliation(request: HttpRequest) -> Any:
    election = access.special_vote_election(request.user)
    return reconcile(election).as_json()
