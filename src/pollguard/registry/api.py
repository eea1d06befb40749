"""API v1 endpoints of the registry: elections (and choosing one), sectors, centers,
stations, units.

Thin: parse, call an access helper or an action, return. Lists are paginated
(`limit`/`offset`) and run a fixed number of queries whatever their length. No
`from __future__ import annotations` here: django-ninja reads the annotations at runtime.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from pollguard.accounts.actions import do_choose_election
from pollguard.common.errors import NotFound
from pollguard.common.pagination import Pagination
from pollguard.common.schemas import InvalidOut
from pollguard.core.arabic import normalize
from pollguard.registry import access
from pollguard.registry.actions import (
    do_edit_intel_report,
    do_file_intel_report,
    do_record_intel_read,
    do_set_center_status,
)
from pollguard.registry.filters import CenterFilter
from pollguard.registry.intel import filter_reports
from pollguard.registry.models import Center, Election, IntelReport, Sector, Station, Unit
from pollguard.registry.schemas import (
    CenterFilters,
    CenterOut,
    CenterStatusIn,
    ConflictOut,
    ElectionOut,
    ErrorOut,
    IntelReportFilters,
    IntelReportIn,
    IntelReportOut,
    IntelReportPatch,
    SectorOut,
    StationFilters,
    StationOut,
    UnitFilters,
    UnitOut,
)

router = Router(tags=["registry"])


@router.get(
    "/elections",
    response=list[ElectionOut],
    summary="List elections",
    description="Every election in the database, newest load first; `current` marks the one "
    "the caller's answers are about.",
)
@paginate(Pagination)
def list_elections(request: HttpRequest) -> QuerySet[Election]:
    return access.elections_for(request.user)


@router.post(
    "/elections/{code}/choose",
    response={200: ElectionOut, 404: ErrorOut},
    summary="Choose the election to work on",
    description="From now on the caller's pages, API answers and live feed show this "
    "election (audited). Open pages of the previous one reload.",
)
def choose_election(request: HttpRequest, code: str) -> Election:
    election = access.access_election(request.user, code)
    do_choose_election(request.user, election, acting_user=request.user)
    return access.access_election(request.user, code)


@router.get("/sectors", response=list[SectorOut], summary="List sectors")
@paginate(Pagination)
def list_sectors(request: HttpRequest) -> QuerySet[Sector]:
    return access.sectors_for(request.user).order_by("code")


@router.get("/sectors/{code}", response={200: SectorOut, 404: ErrorOut}, summary="Get a sector")
def get_sector(request: HttpRequest, code: str) -> Sector:
    return access.access_sector(request.user, code)


@router.get("/centers", response=list[CenterOut], summary="List polling centers")
@paginate(Pagination)
def list_centers(request: HttpRequest, filters: Query[CenterFilters]) -> QuerySet[Center]:
    centers = access.centers_for(request.user)
    return CenterFilter(**filters.dict(exclude_none=True)).apply(centers).order_by("code")


@router.get("/centers/{code}", response={200: CenterOut, 404: ErrorOut}, summary="Get a center")
def get_center(request: HttpRequest, code: str) -> Center:
    return access.access_center(request.user, code)


@router.patch(
    "/centers/{code}/status",
    response={200: CenterOut, 403: ErrorOut, 404: ErrorOut, 409: ConflictOut},
    summary="Change a center's status",
    description="Send the `version` you read; 409 means someone else changed the center.",
)
def set_center_status(request: HttpRequest, code: str, body: CenterStatusIn) -> Center:
    center = access.access_center_for_status(request.user, code)
    return do_set_center_status(
        center,
        body.status,
        acting_user=request.user,
        expected_version=body.version,
        remark=body.remark,
    )


@router.get(
    "/centers/{code}/stations",
    response={200: list[StationOut], 404: ErrorOut},
    summary="List a center's stations",
)
def list_center_stations(request: HttpRequest, code: str) -> QuerySet[Station]:
    center = access.access_center(request.user, code)
    return access.stations_for(request.user).filter(center=center).order_by("number")


@router.get("/stations", response=list[StationOut], summary="List polling stations")
@paginate(Pagination)
def list_stations(request: HttpRequest, filters: Query[StationFilters]) -> QuerySet[Station]:
    stations = access.stations_for(request.user)
    if filters.center:
        stations = stations.filter(center__code=filters.center)
    return stations.order_by("code")


@router.get("/units", response=list[UnitOut], summary="List units")
@paginate(Pagination)
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> QuerySet[Unit]:
    units = access.units_for(request.user)
    if filters.sector:
        units = units.filter(sector__code=filters.sector)
    if filters.agency:
        units = units.filter(agency__code=filters.agency)
    if filters.kind:
        units = units.filter(kind=filters.kind)
    if filters.search and normalize(filters.search):
        units = units.filter(search_name__contains=normalize(filters.search))
    return units.order_by("code")


@router.get("/units/{code}", response={200: UnitOut, 404: ErrorOut}, summary="Get a unit")
def get_unit(request: HttpRequest, code: str) -> Unit:
    return access.access_unit(request.user, code)


# --- intelligence reports (need-to-know: everyone but chair, intelligence, auditor: 404) ---


class AuditedIntelPagination(Pagination):
    """`Pagination` that records, for each answer, which reports it carried (audit)."""

    def paginate_queryset(
        self, queryset: QuerySet[IntelReport], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request=request, **params)
        items = list(page["items"])
        do_record_intel_read(
            [r.code for r in items], acting_user=request.user, where="GET /api/v1/intel-reports"
        )
        return {**page, "items": items}


@router.get(
    "/intel-reports",
    response={200: list[IntelReportOut], 404: ErrorOut},
    summary="List intelligence reports",
    description="Chair, intelligence officers and the auditor; everyone else 404. Each "
    "answer is recorded in the audit trail with the reports it carried.",
    tags=["intelligence"],
)
@paginate(AuditedIntelPagination)
def list_intel_reports(
    request: HttpRequest, filters: Query[IntelReportFilters]
) -> QuerySet[IntelReport]:
    if not access.sees_intel(request.user):
        raise NotFound("intel")
    reports = access.intel_reports_for(request.user)
    return filter_reports(reports, **filters.dict()).order_by("-reported_at", "-id")


@router.post(
    "/intel-reports",
    response={201: IntelReportOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="File an intelligence report",
    description="Chair and intelligence officers (the auditor: 403). About a center or a "
    "place (lat/lon), exactly one; reliability A-F, credibility 1-6, valid_until in the "
    "future. 422 names each bad field, in the user's language.",
    tags=["intelligence"],
)
def file_intel_report(request: HttpRequest, body: IntelReportIn) -> Status[IntelReport]:
    election = access.require_file_intel(request.user)
    report = do_file_intel_report(election, body.draft(), acting_user=request.user)
    return Status(201, access.access_intel_report(request.user, report.code))


@router.get(
    "/intel-reports/{code}",
    response={200: IntelReportOut, 404: ErrorOut},
    summary="Get an intelligence report",
    description="Recorded in the audit trail.",
    tags=["intelligence"],
)
def get_intel_report(request: HttpRequest, code: str) -> IntelReport:
    report = access.access_intel_report(request.user, code)
    do_record_intel_read(
        [report.code], acting_user=request.user, where="GET /api/v1/intel-reports/{code}"
    )
    return report


@router.patch(
    "/intel-reports/{code}",
    response={200: IntelReportOut, 403: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: InvalidOut},
    summary="Edit an intelligence report",
    description="Send the `version` you read; 409 means someone else edited it. Fields "
    "left out stay as they are. Package reports (source `package`) are edited in intel.csv "
    "(403 here); the auditor: 403.",
    tags=["intelligence"],
)
def edit_intel_report(request: HttpRequest, code: str, body: IntelReportPatch) -> IntelReport:
    report = access.access_intel_report_for_edit(request.user, code)
    do_edit_intel_report(
        report, body.draft(), acting_user=request.user, expected_version=body.version
    )
    return access.access_intel_report(request.user, code)
