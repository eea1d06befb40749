"""Pages of the reports: the index (issue a sitrep, export), a report's print page, the
export job's progress and its file.

Thin: every check is `reports.access`, every write `reports.actions`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pollguard.common.errors import NotFound
from pollguard.common.printing import LANG_NAMES, LANGS, other_language, print_language, printed
from pollguard.core.problems import InvalidInput
from pollguard.jobs.choices import JobState
from pollguard.jobs.files import finished_file
from pollguard.registry.models import Election
from pollguard.registry.views import shell_context
from pollguard.reports import access
from pollguard.reports.actions import do_issue_sitrep, do_record_download, do_request_export
from pollguard.reports.choices import (
    CONTENT_TYPES,
    LIST_FORMATS,
    LIST_SUBJECTS,
    ExportFormat,
    ExportSubject,
)
from pollguard.reports.jobs import build_content
from pollguard.reports.models import SituationReport
from pollguard.reports.writers import to_html

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def _lang(value: str | None) -> str:
    return print_language(value)


class SitrepForm(forms.Form):
    """The issue form; times are typed in the election's time zone."""

    period_from = forms.DateTimeField(
        label=_("Period from"), input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"]
    )
    period_to = forms.DateTimeField(
        label=_("Period to"), input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"]
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=4000, widget=forms.Textarea({"rows": 4})
    )
    next_report_at = forms.DateTimeField(
        label=_("Next report at"), required=False, input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"]
    )


def _aware(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=tz) if timezone.is_naive(value) else value


def _index_context(request: HttpRequest, election: Election, form: SitrepForm) -> dict[str, Any]:
    reports = list(access.sitreps_for(request.user).order_by("-number", "-version"))
    return {
        **shell_context(request, "reports"),
        "election": election,
        "reports": reports,
        "form": form,
        "may_issue": access.issues_sitreps(request.user),
        "previous": access.previous_election(election),
        "formats": list(ExportFormat),
        "langs": [(code, LANG_NAMES[code]) for code in LANGS],
        "lang": _lang(None),
    }


def _default_form(election: Election) -> SitrepForm:
    tz = ZoneInfo(election.timezone)
    now = timezone.now()
    last = SituationReport.objects.filter(election=election).order_by("-period_to").first()
    start = (
        last.period_to if last is not None and last.period_to < now else now - timedelta(hours=2)
    )
    return SitrepForm(
        initial={
            "period_from": start.astimezone(tz).strftime(LOCAL_FORMAT),
            "period_to": now.astimezone(tz).strftime(LOCAL_FORMAT),
        }
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """Every issued situation report, the issue form and the exports."""
    election = access.reports_election(request.user)
    if request.method == "GET":
        return render(
            request,
            "reports/index.html",
            _index_context(request, election, _default_form(election)),
        )
    access.require_issue_sitrep(request.user)
    form = SitrepForm(request.POST)
    if form.is_valid():
        tz = ZoneInfo(election.timezone)
        data = form.cleaned_data
        try:
            report = do_issue_sitrep(
                election,
                period_from=_aware(data["period_from"], tz),  # type: ignore[arg-type]
                period_to=_aware(data["period_to"], tz),  # type: ignore[arg-type]
                summary=data["summary"] or "",
                next_report_at=_aware(data["next_report_at"], tz),
                acting_user=request.user,
            )
        except InvalidInput as invalid:
            lang = _lang(None)
            for problem in invalid.problems:
                field = problem.file if problem.file in form.fields else None
                form.add_error(field, problem.message("ar" if lang == "ar" else "en"))
        else:
            return HttpResponseRedirect(reverse("reports:sitrep", args=[report.number]))
    answer = render(request, "reports/index.html", _index_context(request, election, form))
    answer.status_code = 422
    return answer


def _print(request: HttpRequest, subject: ExportSubject, params: dict[str, Any]) -> HttpResponse:
    election = access.reports_election(request.user)
    lang = _lang(request.GET.get("lang"))
    content = build_content(subject, {**params, "lang": lang}, election, None)
    extra = {"back_url": reverse("reports:index"), **other_language(request, lang)}
    return printed(to_html(content, for_pdf=False, extra=extra), lang)


@never_cache
@login_required
@require_GET
def sitrep(request: HttpRequest, number: int, version: int | None = None) -> HttpResponse:
    """A situation report as issued (its newest version, or `version`)."""
    report = access.access_sitrep(request.user, number, version)
    return _print(request, ExportSubject.SITREP, {"sitrep": report.pk})


@never_cache
@login_required
@require_GET
def after_action(request: HttpRequest) -> HttpResponse:
    """The after-action report from the data as it is now."""
    return _print(request, ExportSubject.AFTER_ACTION, {})


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    """Ask for an export (a job); the job's page shows its progress and the file."""
    try:
        subject = ExportSubject(request.POST.get("subject", ""))
        fmt = ExportFormat(request.POST.get("format", ""))
    except ValueError:
        raise NotFound("export") from None
    election = access.require_export(request.user, subject)
    if subject in LIST_SUBJECTS and fmt not in LIST_FORMATS:
        raise NotFound("export")
    report = None
    if subject is ExportSubject.SITREP and request.POST.get("number"):
        report = access.access_sitrep(
            request.user, int(request.POST["number"]), int(request.POST.get("version") or 0) or None
        )
    job, _created = do_request_export(
        election, subject, fmt, lang=_lang(request.POST.get("lang")), sitrep=report,
        acting_user=request.user,
    )  # fmt: skip
    return HttpResponseRedirect(reverse("reports:job", args=[job.pk]))


@never_cache
@login_required
@require_GET
def job(request: HttpRequest, job_id: int) -> HttpResponse:
    """An export job's progress; the fragment alone for the page's poll (every 2 s)."""
    found = access.access_export_job(request.user, job_id)
    params = found.parameters or {}
    context = {
        **shell_context(request, "reports"),
        "job": found,
        "subject": ExportSubject(params["subject"]).label,
        "format": ExportFormat(params["format"]).label,
        "lang_name": LANG_NAMES[_lang(str(params.get("lang")))],
        "message": found.message_in(get_language() or "ar"),
        "done": found.state == JobState.SUCCEEDED,
    }
    if request.headers.get("HX-Request"):
        return render(request, "reports/partials/job_state.html", context)
    return render(request, "reports/job.html", context)


@never_cache
@login_required
@require_GET
def download(request: HttpRequest, job_id: int) -> FileResponse:
    """The file a finished export made (`result.url`), under the export's access rules."""
    found = access.access_export_job(request.user, job_id)
    path, name = finished_file(found, settings.POLLGUARD_REPORTS_DIR)
    do_record_download(found, acting_user=request.user)
    fmt = ExportFormat(str((found.parameters or {}).get("format")))
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=name, content_type=CONTENT_TYPES[fmt]
    )
