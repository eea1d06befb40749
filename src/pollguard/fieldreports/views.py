"""Pages of field reports: the station board, cancelling a station, resolving a conflict,
the field reporter's check-in page (an installable offline web app), triage and phones.

Thin shells: queries through `fieldreports.access`, writes through `fieldreports.actions`.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db import IntegrityError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from pollguard.accounts.access import profile_of, role_of
from pollguard.accounts.choices import Role
from pollguard.common.errors import Conflict, NotFound
from pollguard.fieldreports import access
from pollguard.fieldreports.actions import (
    CheckinRefused,
    do_acknowledge_notice,
    do_cancel_station,
    do_register_phone,
    do_resolve_conflict,
    do_resolve_triage,
)
from pollguard.fieldreports.board import board_rows, kpis, summary
from pollguard.fieldreports.choices import CheckinStatus, Slot
from pollguard.fieldreports.models import Notice
from pollguard.operations import access as incident_access
from pollguard.operations.choices import IncidentKind, Severity
from pollguard.operations.models import PHOTO_MAX_BYTES
from pollguard.registry.views import shell_context

NAV_KEY = "board"
STATIC = Path(__file__).parent / "static" / "fieldreports"


def _require_board(request: HttpRequest) -> None:
    if not access.sees_board(request.user):
        raise NotFound("board")


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """Per sector and center the exceptions, worst first; below, the stations (filtered)."""
    _require_board(request)
    rows = board_rows(request.user)
    center, exception = request.GET.get("center", ""), request.GET.get("exception", "")
    shown = [
        r
        for r in rows
        if (not center or r["center"] == center or r["sector"] == center)
        and (not exception or exception in r["exceptions"])
    ]
    context = {
        **shell_context(request, NAV_KEY),
        "sectors": summary(rows, request.user),
        "rows": shown[:500],
        "kpis": kpis(rows, request.user),
        "filter_center": center,
        "filter_exception": exception,
        "can_cancel": access.can_cancel_station(request.user),
        "can_resolve": access.can_resolve_conflicts(request.user),
        "notices": list(access.notices_for(request.user).filter(read_at__isnull=True)[:50]),
        "partial": request.headers.get("HX-Request") == "true",
    }
    template = (
        "fieldreports/partials/board.html" if context["partial"] else "fieldreports/board.html"
    )
    return render(request, template, context)


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)


@login_required
@require_POST
def cancel_station(request: HttpRequest, code: str) -> HttpResponse:
    station = access.access_station_for_cancel(request.user, code)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for cancelling the station."))
    else:
        try:
            do_cancel_station(station, reason=form.cleaned_data["reason"], acting_user=request.user)
            messages.success(request, _("Station %(code)s is cancelled.") % {"code": code})
        except Conflict as error:
            messages.error(request, str(error))
    return HttpResponseRedirect(reverse("fieldreports:board"))


@login_required
@require_POST
def resolve_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    expected = access.access_expected_for_resolve(request.user, pk)
    chosen = (
        access.checkins_for(request.user).filter(uuid=request.POST.get("checkin", "")).first()
        if _is_uuid(request.POST.get("checkin", ""))
        else None
    )
    if chosen is None:
        raise NotFound("checkin")
    try:
        do_resolve_conflict(expected, chosen, acting_user=request.user)
        messages.success(request, _("The conflict is resolved."))
    except (Conflict, CheckinRefused) as error:
        messages.error(request, str(error))
    return HttpResponseRedirect(reverse("fieldreports:board"))


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@login_required
@require_POST
def acknowledge_notice(request: HttpRequest, notice: str) -> HttpResponse:
    found = (
        access.notices_for(request.user).filter(uuid=notice).first() if _is_uuid(notice) else None
    )
    if found is None:
        raise NotFound(notice)
    do_acknowledge_notice(found, acting_user=request.user)
    return HttpResponseRedirect(reverse("fieldreports:board"))


# --- the field reporter's page (offline web app) --------------------------------------


@login_required
@require_GET
def field_page(request: HttpRequest) -> HttpResponse:
    """The check-in and incident forms; a field reporter lands on his own center."""
    if not access.can_report(request.user):
        raise NotFound("field")
    profile = profile_of(request.user)
    stations = access.board_stations(request.user).order_by("center__code", "number")
    if profile is not None and profile.role == Role.FIELD_REPORTER:
        center = profile.center
    else:
        center = None
        stations = stations.filter(center__code=request.GET.get("center", ""))
    context = {
        **shell_context(request, "field"),
        "center": center or (stations[0].center if stations else None),
        "stations": list(stations[:200]),
        "slots": Slot.choices,
        "statuses": CheckinStatus.choices,
        "files_incidents": role_of(request.user) in incident_access.FILES_INCIDENTS,
        "kinds": IncidentKind.choices,
        "severities": Severity.choices,
        "photo_max_bytes": PHOTO_MAX_BYTES,
    }
    return render(request, "fieldreports/field.html", context)


@require_GET
def service_worker(request: HttpRequest) -> FileResponse:
    """The service worker, from the app's static folder, at /field/ so its scope covers it."""
    response = FileResponse((STATIC / "sw.js").open("rb"), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> FileResponse:
    return FileResponse(
        (STATIC / "manifest.webmanifest").open("rb"), content_type="application/manifest+json"
    )


# --- triage and phones -----------------------------------------------------------------


@login_required
@require_GET
def triage(request: HttpRequest) -> HttpResponse:
    if not access.sees_triage(request.user):
        raise NotFound("triage")
    items = access.triage_for(request.user).filter(resolved_at__isnull=True)
    context = {
        **shell_context(request, "triage"),
        "items": list(items.select_related("message", "station")[:200]),
        "can_work": access.works_triage(request.user),
        "phones": list(access.phones_for(request.user)[:500]),
        "form": PhoneForm(),
    }
    return render(request, "fieldreports/triage.html", context)


@login_required
@require_POST
def resolve_triage(request: HttpRequest, item: str) -> HttpResponse:
    if not _is_uuid(item):
        raise NotFound(item)
    do_resolve_triage(access.access_triage_for_work(request.user, item), acting_user=request.user)
    return HttpResponseRedirect(reverse("fieldreports:triage"))


class PhoneForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Field reporter (user name)"), max_length=150)
    phone = forms.RegexField(
        label=gettext_lazy("Phone number"),
        regex=r"^\+\d{8,15}$",
        required=False,
        help_text=gettext_lazy("International form, e.g. +9647801234567."),
    )
    telegram_user = forms.IntegerField(
        label=gettext_lazy("Telegram user id"), required=False, min_value=1
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Reply language"), choices=[("ar", "العربية"), ("en", "English")]
    )


@login_required
@require_POST
def add_phone(request: HttpRequest) -> HttpResponse:
    if not access.works_triage(request.user):
        raise NotFound("phones")
    form = PhoneForm(request.POST)
    reporter = None
    if form.is_valid():
        reporter = User.objects.filter(
            username=form.cleaned_data["username"], profile__role=Role.FIELD_REPORTER
        ).first()
    if reporter is None or not (
        form.cleaned_data.get("phone") or form.cleaned_data.get("telegram_user")
    ):
        messages.error(
            request, _("Give a field reporter's user name and a phone number or Telegram id.")
        )
        return HttpResponseRedirect(reverse("fieldreports:triage"))
    try:
        do_register_phone(
            reporter,
            phone=form.cleaned_data.get("phone") or None,
            telegram_user=form.cleaned_data.get("telegram_user"),
            language=form.cleaned_data["language"],
            acting_user=request.user,
        )
        messages.success(request, _("The number is registered."))
    except IntegrityError:
        messages.error(request, _("This number is already registered."))
    return HttpResponseRedirect(reverse("fieldreports:triage"))


__all__ = ["Notice"]
