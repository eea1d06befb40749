"""API v1 of field reports: `POST /checkins`, `GET /board` (design.md section 5).

Thin: parse, call an access helper or an action, return. No `from __future__ import
annotations` here: django-ninja reads the annotations at runtime.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from pollguard.common.pagination import Pagination
from pollguard.common.schemas import ConflictOut, ErrorOut, InvalidOut
from pollguard.fieldreports import access
from pollguard.fieldreports.actions import CheckinRefused, CheckinReport, do_record_checkin
from pollguard.fieldreports.board import board_rows
from pollguard.fieldreports.choices import Channel
from pollguard.fieldreports.schemas import BoardStationOut, CheckinIn, CheckinOut

router = Router(tags=["field reports"])


@router.post(
    "/checkins",
    response={
        200: CheckinOut,
        201: CheckinOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ConflictOut,
        422: InvalidOut,
    },
    summary="Report a station check-in",
    description="201 when new; the same `id` and content again → 200 with the same check-in; "
    "the same `id` with other content → 409. 422 for an impossible voter count or a device "
    "time too far ahead, naming the field. Field reporters report for their own center's "
    "stations only (404 for the others).",
)
def post_checkin(request: HttpRequest, body: CheckinIn) -> Status[Any]:
    station = access.access_station_for_checkin(request.user, body.station)
    report = CheckinReport(body.id, body.slot, body.status, body.voters, body.observed_at)
    try:
        checkin, created = do_record_checkin(
            station,
            report,
            channel=Channel.API,
            reporter_key=f"user:{request.user.pk}",
            acting_user=request.user,
        )
    except CheckinRefused as refused:
        return Status(
            422, {"detail": [f"{refused.field}: {refused.message}"], "code": refused.code}
        )
    return Status(201 if created else 200, checkin)


@router.get(
    "/board",
    response=list[BoardStationOut],
    summary="The station board",
    description="Per station the caller may see: its status and expected slots with their "
    "state (missing, received, late, conflict). Stations with exceptions come first.",
)
@paginate(Pagination)
def get_board(request: HttpRequest) -> list[dict[str, Any]]:
    return board_rows(request.user)
