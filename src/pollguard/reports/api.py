"""API v1 of the reports: `POST /api/v1/reports` asks for a report file (a job).

No `from __future__ import annotations` here: django-ninja reads the annotations at runtime.
"""

from django.http import HttpRequest
from ninja import Router, Status

from pollguard.common.schemas import ErrorOut, InvalidOut
from pollguard.reports import access
from pollguard.reports.actions import do_request_export
from pollguard.reports.choices import ExportFormat, ExportSubject
from pollguard.reports.models import SituationReport
from pollguard.reports.schemas import ReportJobOut, ReportRequestIn

router = Router(tags=["reports"])


@router.post(
    "/reports",
    response={202: ReportJobOut, 404: ErrorOut, 422: InvalidOut},
    summary="Make a report file",
    description="Chair, operations officer and auditor. The finished job's `result.url` "
    "downloads the file under the same rules. Asking again while the same export is "
    "queued or running returns that job.",
)
def create_report(request: HttpRequest, body: ReportRequestIn) -> Status[dict[str, object]]:
    subject = ExportSubject(body.kind)
    election = access.require_export(request.user, subject)
    report: SituationReport | None = None
    if subject is ExportSubject.SITREP:
        if body.number is not None:
            report = access.access_sitrep(request.user, body.number)
        else:
            report = access.sitreps_for(request.user).order_by("-number", "-version").first()
    job, created = do_request_export(
        election,
        subject,
        ExportFormat(body.format),
        lang=body.lang,
        sitrep=report,
        acting_user=request.user,
    )
    return Status(202, {"job": job.pk, "created": created})
