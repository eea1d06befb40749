"""Intelligence pages: the list of reports, filing a report, one report (read, edit).

Need-to-know (`registry.access`): the chair and intelligence officers read, file and
edit; the auditor reads; every other role gets 404 on every page, as for a report that
does not exist. Every page that shows reports writes one audit entry naming them
(`do_record_intel_read`). Edits carry the report's `version`: a stale one is answered
409 with the stored values next to what the user typed, never saved over them.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from pollguard.common.errors import Conflict, NotFound
from pollguard.core.intel import IntelDraft
from pollguard.core.problems import InvalidInput
from pollguard.registry.access import (
    access_intel_report,
    access_intel_report_for_edit,
    files_intel,
    intel_center_choices,
    intel_reports_for,
    require_file_intel,
    sees_intel,
)
from pollguard.registry.actions import (
    do_edit_intel_report,
    do_file_intel_report,
    do_record_intel_read,
)
from pollguard.registry.choices import InfoCredibility, IntelSource, SourceReliability
from pollguard.registry.intel import filter_reports
from pollguard.registry.models import IntelReport
from pollguard.registry.templatetags.pollguard_ui import local_name
from pollguard.registry.views import shell_context

PAGE_SIZE = 50
SEVERITY_STEPS = (
    ("", gettext_lazy("Any severity")),
    ("0.25", gettext_lazy("0.25 or more")),
    ("0.5", gettext_lazy("0.5 or more")),
    ("0.75", gettext_lazy("0.75 or more")),
)


def _lang() -> str:
    return "en" if (get_language() or "ar").startswith("en") else "ar"


class IntelFilterForm(forms.Form):
    """The list's filters (the same ones the API takes)."""

    valid = forms.ChoiceField(
        label=gettext_lazy("Validity"),
        required=False,
        choices=(
            ("", gettext_lazy("All")),
            ("yes", gettext_lazy("Still counting")),
            ("no", gettext_lazy("Expired")),
        ),
    )
    center = forms.ChoiceField(label=gettext_lazy("Center"), required=False)
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity"), required=False, choices=SEVERITY_STEPS
    )

    def __init__(self, data: Any, centers: list[tuple[str, str]]) -> None:
        super().__init__(data)
        self.fields["center"].choices = [("", _("All centers")), *centers]  # type: ignore[attr-defined]


class IntelReportForm(forms.Form):
    """Filing or editing a report. Fields are optional here on purpose: the core's check
    (`pollguard.core.intel.check_draft`) decides, so the page and the API give the same
    messages."""

    center = forms.ChoiceField(
        label=gettext_lazy("Center"),
        required=False,
        help_text=gettext_lazy("Either a center, or a place by its coordinates."),
    )
    lat = forms.FloatField(label=gettext_lazy("Latitude"), required=False)
    lon = forms.FloatField(label=gettext_lazy("Longitude"), required=False)
    severity = forms.FloatField(
        label=gettext_lazy("Severity"),
        required=False,
        help_text=gettext_lazy("0 (minor) to 1 (grave)."),
        widget=forms.NumberInput(attrs={"step": "0.05", "min": "0", "max": "1"}),
    )
    reliability = forms.ChoiceField(
        label=gettext_lazy("Source reliability"),
        required=False,
        choices=[("", "—"), *SourceReliability.choices],
    )
    credibility = forms.TypedChoiceField(
        label=gettext_lazy("Information credibility"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *InfoCredibility.choices],
    )
    text = forms.CharField(
        label=gettext_lazy("Report"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
    )
    valid_until = forms.DateTimeField(
        label=gettext_lazy("Valid until"),
        required=False,
        help_text=gettext_lazy("Election time. After this the report no longer counts."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, centers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["center"].choices = [("", _("— a place (coordinates) —")), *centers]  # type: ignore[attr-defined]

    def draft(self) -> IntelDraft:
        data = self.cleaned_data
        return IntelDraft(
            center=data["center"] or None,
            lat=data["lat"],
            lon=data["lon"],
            severity=data["severity"],
            reliability=data["reliability"] or None,
            credibility=data["credibility"],
            text=data["text"],
            valid_until=data["valid_until"],
        )

    def show_problems(self, invalid: InvalidInput) -> None:
        lang = _lang()
        for problem in invalid.problems:
            field = problem.file if problem.file in self.fields else None
            self.add_error(field, problem.message(lang))


def _center_options(request: HttpRequest) -> list[tuple[str, str]]:
    return [(c.code, f"{c.code} · {local_name(c)}") for c in intel_center_choices(request.user)]


def _initial(report: IntelReport) -> dict[str, Any]:
    return {
        "center": report.center.code if report.center is not None else "",
        "lat": report.lat,
        "lon": report.lon,
        "severity": report.severity,
        "reliability": report.reliability,
        "credibility": report.credibility,
        "text": report.text,
        "valid_until": timezone.localtime(report.valid_until) if report.valid_until else None,
        "version": report.version,
    }


def _same_minute(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return False
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def _require_reader(request: HttpRequest) -> None:
    if not sees_intel(request.user):
        raise NotFound("intel")


@never_cache
@login_required
def intel_list(request: HttpRequest) -> HttpResponse:
    """The reports with filters; the view is audited with the codes it showed."""
    _require_reader(request)
    centers = _center_options(request)
    form = IntelFilterForm(request.GET, centers)
    reports = intel_reports_for(request.user)
    if form.is_valid():
        data = form.cleaned_data
        reports = filter_reports(
            reports,
            valid={"yes": True, "no": False}.get(data["valid"]),
            center=data["center"] or None,
            severity_min=float(data["severity"]) if data["severity"] else None,
        )
    page = Paginator(reports.order_by("-reported_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    do_record_intel_read([r.code for r in rows], acting_user=request.user, where="page /intel/")
    now = timezone.now()
    context = shell_context(request, "intel")
    context.update(
        {
            "form": form,
            "page": page,
            "rows": [{"report": r, "valid": r.is_valid_at(now)} for r in rows],
            "can_file": files_intel(request.user),
        }
    )
    return render(request, "registry/intel_list.html", context)


@never_cache
@login_required
def intel_new(request: HttpRequest) -> HttpResponse:
    """The form to file a report (chair, intelligence; the auditor: 403)."""
    election = require_file_intel(request.user)
    centers = _center_options(request)
    status = 200
    if request.method == "POST":
        form = IntelReportForm(request.POST, centers=centers)
        if form.is_valid():
            try:
                report = do_file_intel_report(election, form.draft(), acting_user=request.user)
            except InvalidInput as invalid:
                form.show_problems(invalid)
            else:
                messages.success(request, _("Report %(code)s filed.") % {"code": report.code})
                return HttpResponseRedirect(reverse("registry:intel_report", args=[report.code]))
        status = 422
    else:
        form = IntelReportForm(centers=centers)
    context = shell_context(request, "intel")
    context.update({"form": form, "report": None})
    return render(request, "registry/intel_form.html", context, status=status)


@never_cache
@login_required
def intel_report(request: HttpRequest, code: str) -> HttpResponse:
    """One report; filers edit a filed report here (version-guarded)."""
    if request.method == "POST":
        report = access_intel_report_for_edit(request.user, code)
    else:
        report = access_intel_report(request.user, code)
    editable = files_intel(request.user) and report.source == IntelSource.FILED
    centers = _center_options(request) if editable else []
    status = 200
    conflict = False
    form: IntelReportForm | None = None
    if request.method == "POST":
        form = IntelReportForm(request.POST, centers=centers)
        if form.is_valid():
            draft = form.draft()
            if _same_minute(draft.valid_until, report.valid_until):
                # The form always sends the time; unchanged, it may have passed (an expired
                # report being corrected), which only a new time given must not.
                draft = dataclasses.replace(draft, valid_until=None)
            try:
                do_edit_intel_report(
                    report,
                    draft,
                    acting_user=request.user,
                    expected_version=form.cleaned_data["version"] or 0,
                )
            except Conflict:
                conflict = True
                status = 409
                report = access_intel_report(request.user, code)
                # The user's text stays in the form; the version becomes the stored one, so
                # saving again is a choice made after seeing the other change below.
                data = request.POST.copy()
                data["version"] = str(report.version)
                form = IntelReportForm(data, centers=centers)
                form.is_valid()
            except InvalidInput as invalid:
                form.show_problems(invalid)
                status = 422
            else:
                messages.success(request, _("Report %(code)s saved.") % {"code": report.code})
                return HttpResponseRedirect(reverse("registry:intel_report", args=[report.code]))
        else:
            status = 422
    elif editable:
        form = IntelReportForm(initial=_initial(report), centers=centers)
    do_record_intel_read(
        [report.code], acting_user=request.user, where=f"page /intel/{report.code}/"
    )
    context = shell_context(request, "intel")
    context.update(
        {
            "report": report,
            "valid": report.is_valid_at(timezone.now()),
            "form": form,
            "conflict": conflict,
        }
    )
    return render(request, "registry/intel_form.html", context, status=status)
