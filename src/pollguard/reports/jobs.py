"""The `report_export` job: a report or a list as a PDF, XLSX or CSV file.

Runs in a Celery worker (chromium is never started from a web thread). The file is kept
at `POLLGUARD_REPORTS_DIR/<job id>/<name>` and downloaded through the export download view
(`result.url`), which applies `reports.access.access_export_job` again. A list holds what
the requester's own list holds at the time the job runs (their access helpers).
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pollguard.jobs.files import job_file
from pollguard.jobs.kinds import JobFailed
from pollguard.jobs.runner import JobContext
from pollguard.operations.access import incidents_for
from pollguard.planning.order_pdf import PdfEngineError, html_to_pdf, page_count
from pollguard.registry.access import centers_for
from pollguard.registry.models import Election
from pollguard.registry.templatetags.pollguard_ui import local_name
from pollguard.reports.access import previous_election
from pollguard.reports.choices import ExportFormat, ExportSubject
from pollguard.reports.content import (
    Cell,
    ReportContent,
    after_action_content,
    list_content,
    sitrep_content,
)
from pollguard.reports.figures import after_action_figures, sitrep_figures
from pollguard.reports.models import SituationReport
from pollguard.reports.writers import to_csv, to_html, to_xlsx

STEPS = 3


def export_file(job_id: int, filename: str) -> Path:
    return job_file(settings.POLLGUARD_REPORTS_DIR, job_id, filename)


def _local(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""


def incidents_content(user: User, election: Election, lang: str, now: datetime) -> ReportContent:
    tz = ZoneInfo(election.timezone)
    with translation.override(lang):
        rows: list[list[Cell]] = [
            [
                i.code,
                _local(i.received_at, tz),
                i.get_kind_display(),
                i.severity,
                i.get_state_display(),
                local_name(i.sector) if i.sector else "",
                i.center.code if i.center else "",
                local_name(i.center) if i.center else "",
                i.text,
            ]
            for i in incidents_for(user, election)
            .select_related("sector", "center")
            .order_by("received_at", "pk")
        ]
        columns = [
            _("Code"), _("Received"), _("Kind"), _("Severity"), _("State"), _("Sector"),
            _("Center code"), _("Center"), _("Text"),
        ]  # fmt: skip
        return list_content(
            _("Incident list"), "incidents", columns, rows, lang=lang, election=election, now=now
        )


def centers_content(user: User, election: Election, lang: str, now: datetime) -> ReportContent:
    with translation.override(lang):
        rows: list[list[Cell]] = [
            [
                c.code,
                local_name(c),
                local_name(c.sector),
                local_name(c.district) if c.district else "",
                c.get_kind_display(),
                c.stations_count,
                c.voters,
                c.get_status_display(),
            ]
            for c in centers_for(user, election)
            .select_related("sector", "district")
            .order_by("code")
        ]
        columns = [
            _("Code"), _("Name"), _("Sector"), _("District"), _("Kind"), _("Stations"),
            _("Registered voters"), _("Status"),
        ]  # fmt: skip
        return list_content(
            _("Center list"), "centers", columns, rows, lang=lang, election=election, now=now
        )


def build_content(
    subject: ExportSubject, params: dict[str, Any], election: Election, user: User | None
) -> ReportContent:
    """The content a job's parameters ask for (shared with the print page)."""
    lang = "en" if params.get("lang") == "en" else "ar"
    now = timezone.now()
    if subject is ExportSubject.AFTER_ACTION:
        figures = after_action_figures(election)
        return after_action_content(election, figures, previous_election(election), lang, now=now)
    if subject is ExportSubject.SITREP:
        report = None
        if params.get("sitrep"):
            report = SituationReport.objects.filter(
                pk=int(params["sitrep"]), election=election
            ).first()
            if report is None:
                raise JobFailed(
                    "this situation report no longer exists",
                    message_ar="لم يعد تقرير الموقف هذا موجوداً",
                )
            figures = report.figures
        else:
            start = datetime.fromisoformat(str(params["period_from"]))
            end = datetime.fromisoformat(str(params["period_to"]))
            figures = sitrep_figures(election, start, end)
        return sitrep_content(election, figures, lang, report=report, now=now)
    if user is None:
        raise JobFailed(
            "the account that asked for this list is gone", message_ar="الحساب غير موجود"
        )
    if subject is ExportSubject.INCIDENTS:
        return incidents_content(user, election, lang, now)
    return centers_content(user, election, lang, now)


def run_report_export(ctx: JobContext) -> dict[str, Any]:
    """The handler. Result: `{"url", "file", "format", "bytes", "pages", "seconds"}`."""
    params = ctx.parameters
    job = ctx.job
    ctx.progress(0, STEPS, "reading the figures", "قراءة الأرقام")
    election = Election.objects.filter(pk=job.election_id or 0).first()
    if election is None:
        raise JobFailed("this election no longer exists", message_ar="لم تعد هذه الانتخابات موجودة")
    subject = ExportSubject(params["subject"])
    fmt = ExportFormat(params["format"])
    user = User.objects.filter(pk=job.requested_by_id or 0).first()
    started = time.monotonic()
    content = build_content(subject, params, election, user)
    ctx.progress(1, STEPS, "writing the file", "كتابة الملف")
    pages = None
    if fmt is ExportFormat.PDF:
        try:
            data = html_to_pdf(to_html(content, for_pdf=True))
        except PdfEngineError as exc:
            raise JobFailed(
                f"the PDF could not be made: {exc}", message_ar=f"تعذر إنشاء ملف PDF: {exc}"
            ) from exc
        pages = page_count(data)
    elif fmt is ExportFormat.XLSX:
        data = to_xlsx(content)
    else:
        data = to_csv(content)
    ctx.progress(2, STEPS, "storing the file", "حفظ الملف")
    name = f"{content.filename_stem}.{fmt.value}"
    path = export_file(job.pk, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {
        "url": reverse("reports:download", args=[job.pk]),
        "file": name,
        "format": fmt.value,
        "bytes": len(data),
        "pages": pages,
        "seconds": round(time.monotonic() - started, 2),
    }
