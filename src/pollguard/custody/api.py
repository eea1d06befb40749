"""API v1 of the chain of custody: depots, items with their timeline, hand-overs,
exceptions and the report. No `from __future__ import annotations`: ninja reads them."""

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from pollguard.common.pagination import Pagination
from pollguard.common.schemas import ConflictOut, ErrorOut, InvalidOut
from pollguard.custody import access
from pollguard.custody.actions import (
    HandoverDraft,
    ItemDraft,
    do_add_depot,
    do_close_custody_exception,
    do_record_handover,
    do_register_item,
)
from pollguard.custody.choices import ExceptionState
from pollguard.custody.models import CustodyException, Depot, Handover, Item
from pollguard.custody.report import custody_report
from pollguard.custody.schemas import (
    CloseIn,
    DepotIn,
    DepotOut,
    ExceptionOut,
    HandoverIn,
    HandoverOut,
    ItemDetailOut,
    ItemIn,
    ItemOut,
    ReportOut,
)

router = Router(tags=["custody"])


def _items(request: HttpRequest) -> QuerySet[Item]:
    return access.items_for(request.user).annotate(
        open_exceptions=Count("exceptions", filter=Q(exceptions__state=ExceptionState.OPEN))
    )


@router.post(
    "/custody/depots",
    response={201: DepotOut, 403: ErrorOut, 404: ErrorOut},
    summary="Add (or rename) a warehouse or counting center",
)
def add_depot(request: HttpRequest, body: DepotIn) -> Status[Depot]:
    election = access.require_record(request.user)
    depot = do_add_depot(
        election,
        code=body.code,
        kind=body.kind,
        name_en=body.name_en,
        name_ar=body.name_ar,
        acting_user=request.user,
    )
    return Status(201, depot)


@router.get("/custody/depots", response=list[DepotOut], summary="List depots")
@paginate(Pagination)
def list_depots(request: HttpRequest) -> QuerySet[Depot]:
    access.custody_election(request.user)
    return access.depots_for(request.user).order_by("code")


@router.post(
    "/custody/items",
    response={201: ItemOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="Register an item at its warehouse",
    description="A ballot box, a sensitive-material packet or ballot papers (serial range) "
    "meant for one station, with the seals it leaves with.",
)
def register_item(request: HttpRequest, body: ItemIn) -> Status[Item]:
    election = access.require_record(request.user)
    item = do_register_item(
        election,
        ItemDraft(
            code=body.code,
            kind=body.kind,
            station=body.station,
            warehouse=body.warehouse,
            seals=body.seals,
            ballots_from=body.ballots_from,
            ballots_to=body.ballots_to,
        ),
        acting_user=request.user,
    )
    return Status(201, _items(request).get(pk=item.pk))


@router.get("/custody/items", response=list[ItemOut], summary="List custody items")
@paginate(Pagination)
def list_items(request: HttpRequest) -> QuerySet[Item]:
    access.custody_election(request.user)
    return _items(request).order_by("code")


@router.get(
    "/custody/items/{code}",
    response={200: ItemDetailOut, 404: ErrorOut},
    summary="An item with its timeline",
    by_alias=True,
)
def get_item(request: HttpRequest, code: str) -> Any:
    item = access.access_item(request.user, code)
    item = _items(request).get(pk=item.pk)
    exceptions = {e.handover_id: e.uuid for e in CustodyException.objects.filter(item=item)}
    timeline = list(
        access.handovers_for(request.user).filter(item=item).order_by("received_at", "id")
    )
    for h in timeline:
        h.exception = exceptions.get(h.pk)  # type: ignore[attr-defined]
    item.timeline = timeline  # type: ignore[attr-defined]
    return item


@router.post(
    "/custody/handovers",
    response={201: HandoverOut, 403: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: InvalidOut},
    summary="Record a hand-over",
    description="The receiver records taking an item from its holder, one step along "
    "warehouse → center → station → counting center, with a witness other than giver and "
    "receiver and the seals as found (Arabic-Indic digits accepted). A broken or changed "
    "seal opens a custody exception (`exception` in the answer). Road legs need `vehicle` "
    "and `escort`. Bad input: 422 naming each field; a `from` that no longer holds the item: 409.",
    by_alias=True,
)
def record_handover(request: HttpRequest, body: HandoverIn) -> Status[Handover]:
    access.require_record(request.user)
    item = access.access_item(request.user, body.item)
    result = do_record_handover(
        item,
        HandoverDraft(
            item=body.item,
            frm=body.from_,
            to=body.to,
            witness=body.witness,
            seals=body.seals,
            broken=body.broken,
            given_by=body.given_by,
            received_by=body.received_by,
            released_at=body.released_at,
            received_at=body.received_at,
            place=body.place,
            vehicle=body.vehicle,
            escort=body.escort,
        ),
        acting_user=request.user,
    )
    handover = result.handover
    handover.exception = result.exception.uuid if result.exception else None  # type: ignore[attr-defined]
    return Status(201, handover)


@router.get(
    "/custody/handovers", response=list[HandoverOut], summary="List hand-overs", by_alias=True
)
@paginate(Pagination)
def list_handovers(request: HttpRequest) -> QuerySet[Handover]:
    access.custody_election(request.user)
    return access.handovers_for(request.user).order_by("-received_at", "-id")


@router.get("/custody/exceptions", response=list[ExceptionOut], summary="List custody exceptions")
@paginate(Pagination)
def list_exceptions(request: HttpRequest) -> QuerySet[CustodyException]:
    access.custody_election(request.user)
    return access.exceptions_for(request.user).order_by("-opened_at", "-id")


@router.post(
    "/custody/exceptions/{exception_id}/close",
    response={200: ExceptionOut, 403: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: InvalidOut},
    summary="Close (settle) a custody exception",
    description="The committee chair only, saying how it was settled (hash-chained audit); "
    "409 if it is closed already.",
)
def close_exception(request: HttpRequest, exception_id: str, body: CloseIn) -> CustodyException:
    exception = access.access_exception_for_close(request.user, exception_id)
    return do_close_custody_exception(exception, reason=body.reason, acting_user=request.user)


@router.get(
    "/custody/report",
    response={200: ReportOut, 404: ErrorOut},
    summary="Gaps, late and missing items",
    by_alias=True,
)
def get_report(request: HttpRequest) -> Any:
    election = access.custody_election(request.user)
    report = custody_report(election, _items(request), access.handovers_for(request.user))
    return {
        "deadline": report.deadline,
        "gaps": report.gaps,
        "late": report.late,
        "missing": report.missing,
    }
