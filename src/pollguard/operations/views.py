"""Pages of election-day operations: the incident queue, one incident, the report form,
the unit board, and the map layer's data. Thin: parse, call access and actions, render."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pollguard.accounts.access import role_of
from pollguard.accounts.choices import Role
from pollguard.common.errors import Conflict, Forbidden, NotFound
from pollguard.core.problems import InvalidInput, user_language
from pollguard.operations import access
from pollguard.operations.actions import (
    IncidentDraft,
    do_advance_outside_force,
    do_dispatch_unit,
    do_file_incident,
    do_request_outside_force,
    do_set_unit_status,
    do_transition_incident,
    nearest_center,
    point_problem,
)
from pollguard.operations.choices import (
    FINISHED_STATES,
    IncidentKind,
    IncidentState,
    OutsideForce,
    OutsideForceState,
    Severity,
    SourceChannel,
    UnitStatus,
)
from pollguard.operations.dispatch import suggestions_for
from pollguard.operations.duplicates import duplicate_candidates
from pollguard.operations.lifecycle import allowed_targets
from pollguard.operations.metrics import incident_times, summary
from pollguard.operations.models import TEXT_MAX_LENGTH, Incident, UnitState
from pollguard.operations.schemas import clean_text
from pollguard.registry.access import centers_for, current_election, feed_position, sectors_for
from pollguard.registry.templatetags.pollguard_ui import local_name
from pollguard.registry.views import shell_context

NAV_KEY = "incidents"
QUEUE_SIZE = 300


class QueueFilterForm(forms.Form):
    sector = forms.ChoiceField(label=gettext_lazy("Sector"), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), required=False, choices=[("", "—"), *IncidentKind.choices]
    )
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity"),
        required=False,
        choices=[("", "—"), *((str(v), label) for v, label in Severity.choices)],
    )
    state = forms.ChoiceField(
        label=gettext_lazy("State"), required=False, choices=[("", "—"), *IncidentState.choices]
    )
    finished = forms.BooleanField(label=gettext_lazy("Include finished"), required=False)


def _live(request: HttpRequest) -> dict[str, Any]:
    """Where the page's live client starts (as the registry's pages do)."""
    election = current_election(request.user)
    url = reverse("live:events")
    if election is not None:
        url += "?" + urlencode({"election": election.code})
    return {"url": url, "after": feed_position(request.user)}


def _has_role(request: HttpRequest, roles: frozenset[Role]) -> bool:
    role = role_of(request.user)
    return role is not None and role in roles


def _require(request: HttpRequest) -> None:
    if not access.sees_incidents(request.user) or current_election(request.user) is None:
        raise NotFound("incidents")


def queue_order(incidents: QuerySet[Incident], now: datetime) -> QuerySet[Incident]:
    """Overdue first, then new (reported), then the rest; most urgent and newest first."""
    return incidents.annotate(
        urgency=Case(
            When(due_at__lte=now, then=Value(0)),
            When(state=IncidentState.REPORTED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("urgency", "-severity", "-received_at", "-id")


@login_required
@require_GET
def incident_queue(request: HttpRequest) -> HttpResponse:
    """The operations room's queue: overdue and new first, filterable, keyboard-driven."""
    _require(request)
    form = QueueFilterForm(request.GET)
    sector_field = form.fields["sector"]
    assert isinstance(sector_field, forms.ChoiceField)
    sector_field.choices = [
        ("", "—"),
        *((s.code, local_name(s)) for s in sectors_for(request.user).order_by("code")),
    ]
    incidents = access.incidents_for(request.user)
    finished = False
    if form.is_valid():
        data = form.cleaned_data
        finished = bool(data["finished"]) or data["state"] in {s.value for s in FINISHED_STATES}
        if data["sector"]:
            incidents = incidents.filter(sector__code=data["sector"])
        if data["kind"]:
            incidents = incidents.filter(kind=data["kind"])
        if data["severity"]:
            incidents = incidents.filter(severity=int(data["severity"]))
        if data["state"]:
            incidents = incidents.filter(state=data["state"])
    if not finished:
        incidents = incidents.exclude(state__in=[s.value for s in FINISHED_STATES])
    now = timezone.now()
    rows = list(queue_order(incidents, now)[:QUEUE_SIZE])
    for row in rows:
        row.overdue = row.due_at is not None and row.due_at <= now  # type: ignore[attr-defined]
    context = {
        **shell_context(request, NAV_KEY),
        "form": form,
        "incidents": rows,
        "can_file": _has_role(request, access.FILES_INCIDENTS),
        "times": summary(access.incidents_for(request.user)),
        "live": _live(request),
    }
    return render(request, "operations/queue.html", context)


@login_required
@require_GET
def incident_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One incident: timeline, countdown, moves, duplicate and dispatch suggestions."""
    _require(request)
    incident = access.access_incident(request.user, code)
    role = role_of(request.user)
    targets = [
        t
        for t in allowed_targets(IncidentState(incident.state), role)
        if t is not IncidentState.DISPATCHED and access.can_transition(request.user, incident, t)
    ]
    assignments = list(incident.assignments.select_related("unit", "unit__agency"))
    can_dispatch = access.can_dispatch(request.user, incident) and incident.state in {
        IncidentState.VERIFIED,
        IncidentState.DISPATCHED,
        IncidentState.ON_SCENE,
    }
    context = {
        **shell_context(request, NAV_KEY),
        "incident": incident,
        "transitions": list(incident.transitions.all()),
        "escalations": list(incident.escalations.all()),
        "reporters": list(incident.reporters.select_related("via")),
        "duplicates": list(incident.duplicates.all()),
        "targets": targets,
        "candidates": (
            duplicate_candidates(incident, access.incidents_for(request.user))
            if IncidentState.DUPLICATE in targets
            else []
        ),
        "assignments": assignments,
        "times": incident_times(incident, assignments),
        "can_dispatch": can_dispatch,
        "suggestions": suggestions_for(incident) if can_dispatch else [],
        "live": _live(request),
        "forces": OutsideForce.choices,
        "can_request_force": _has_role(request, access.REQUESTS_OUTSIDE_FORCE),
        "can_advance_force": _has_role(request, access.ADVANCES_OUTSIDE_FORCE),
        "force_requests": list(
            access.outside_force_requests_for(request.user).filter(incident=incident)
        ),
        "photos": list(incident.photos.only("uuid", "size", "received_at", "content_type")),
    }
    return render(request, "operations/detail.html", context)


def _redirect_detail(code: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("operations:detail", args=[code]))


def _say_problems(request: HttpRequest, error: InvalidInput) -> None:
    lang = "ar" if (request.LANGUAGE_CODE or "ar").startswith("ar") else "en"
    for line in error.render(lang):
        messages.error(request, line)


@login_required
@require_GET
def incident_photo(request: HttpRequest, code: str, photo: str) -> HttpResponse:
    """A photo of an incident, to those who see the incident (404 for everyone else)."""
    found = access.access_incident_photo(request.user, code, photo)
    response = HttpResponse(bytes(found.data), content_type=found.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{code}-{found.uuid}"'
    return response


@login_required
@require_POST
def incident_transition(request: HttpRequest, code: str) -> HttpResponse:
    _require(request)
    try:
        to = IncidentState(request.POST.get("to", ""))
    except ValueError:
        raise NotFound(code) from None
    incident = access.access_incident_for_transition(request.user, code, to)
    master = None
    if request.POST.get("duplicate_of"):
        master = (
            access.incidents_for(request.user).filter(code=request.POST["duplicate_of"]).first()
        )
    reason = request.POST.get("reason", "")[:500]
    try:
        clean_text(reason, "reason")
        do_transition_incident(
            incident, to, acting_user=request.user, reason=reason, duplicate_of=master
        )
        messages.success(request, _("The incident is now %(state)s.") % {"state": to.label})
    except InvalidInput as error:
        _say_problems(request, error)
    except (Conflict, ValueError) as error:
        messages.error(request, str(error))
    return _redirect_detail(code)


@login_required
@require_POST
def incident_dispatch(request: HttpRequest, code: str) -> HttpResponse:
    _require(request)
    incident = access.access_incident_for_dispatch(request.user, code)
    unit = access.dispatchable_unit(request.user, incident, request.POST.get("unit", ""))
    gap: tuple[str, ...] = ()
    for suggestion in suggestions_for(incident, limit=1000):
        if suggestion.unit == unit.code:
            gap = suggestion.leaves_gap
    try:
        do_dispatch_unit(
            incident, unit, acting_user=request.user,
            override_reason=request.POST.get("override_reason", "")[:500], leaves_gap=gap,
        )  # fmt: skip
        messages.success(request, _("Unit %(unit)s was sent.") % {"unit": unit.code})
    except Conflict as error:
        messages.error(request, str(error))
    return _redirect_detail(code)


class IncidentForm(forms.Form):
    """The report form (phone-friendly): a center, or the device's position."""

    center = forms.ChoiceField(label=gettext_lazy("Center"), required=False)
    lat = forms.FloatField(
        label=gettext_lazy("Latitude"), required=False, min_value=-90, max_value=90
    )
    lon = forms.FloatField(
        label=gettext_lazy("Longitude"), required=False, min_value=-180, max_value=180
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=IncidentKind.choices)
    severity = forms.TypedChoiceField(
        label=gettext_lazy("Severity"), choices=Severity.choices, coerce=int, initial=2
    )
    text = forms.CharField(
        label=gettext_lazy("What happened"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    observed_at = forms.DateTimeField(
        label=gettext_lazy("Seen at"),
        required=False,
        help_text=gettext_lazy("Empty: now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def clean_text(self) -> str:
        try:
            return clean_text(self.cleaned_data["text"], "text")
        except ValueError:
            raise forms.ValidationError(
                _("Control and text-direction characters are not allowed.")
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        point = data.get("lat") is not None and data.get("lon") is not None
        if bool(data.get("center")) == point:
            raise forms.ValidationError(
                _("Give a center or a point (latitude and longitude), exactly one.")
            )
        return data


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest) -> HttpResponse:
    _require(request)
    election = access.require_file_incident(request.user)
    form = IncidentForm(request.POST or None)
    center_field = form.fields["center"]
    assert isinstance(center_field, forms.ChoiceField)
    centers = {c.code: c for c in centers_for(request.user).order_by("code")}
    center_field.choices = [("", "—"), *((c, f"{c} {local_name(x)}") for c, x in centers.items())]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        center = centers.get(data["center"] or "")
        sector_id = center.sector_id if center is not None else None
        problem = None
        if center is None:
            problem = point_problem(election, data["lat"], data["lon"])
            near = nearest_center(election, data["lat"], data["lon"])
            sector_id = near.sector_id if near is not None else None
        if problem is not None:
            form.add_error("lat", problem.message(user_language(request.LANGUAGE_CODE)))
        elif not access.may_file_at(
            request.user, center, sector_id,
            (data["lat"], data["lon"]) if center is None else None,
        ):  # fmt: skip
            form.add_error("center", _("You may not report incidents there."))
        else:
            draft = IncidentDraft(
                kind=IncidentKind(data["kind"]),
                severity=int(data["severity"]),
                text=data["text"],
                observed_at=data["observed_at"] or timezone.now(),
                center=center,
                lat=data["lat"],
                lon=data["lon"],
                source=SourceChannel.WEB,
            )
            incident, _created = do_file_incident(election, draft, acting_user=request.user)
            messages.success(request, _("Incident %(code)s reported.") % {"code": incident.code})
            return _redirect_detail(incident.code)
    context = {**shell_context(request, NAV_KEY), "form": form}
    return render(request, "operations/new.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def unit_board(request: HttpRequest) -> HttpResponse:
    """Units and their status; those who may set a status do it here."""
    _require(request)
    if request.method == "POST":
        unit = access.access_unit_for_status(request.user, request.POST.get("unit", ""))
        try:
            status = UnitStatus(request.POST.get("status", ""))
            version = int(request.POST.get("version", "0"))
            do_set_unit_status(unit, status, acting_user=request.user, expected_version=version)
        except (ValueError, Conflict) as error:
            messages.error(request, str(error))
        return HttpResponseRedirect(reverse("operations:units"))
    units = list(access.unit_board_for(request.user))
    for unit in units:
        state = access.unit_state_of(unit)
        unit.board_status = UnitStatus(state.status if state else UnitStatus.AVAILABLE)  # type: ignore[attr-defined]
        unit.board_version = state.version if state else 1  # type: ignore[attr-defined]
    context = {
        **shell_context(request, NAV_KEY),
        "units": units,
        "statuses": UnitStatus.choices,
        "can_set": _has_role(request, access.SETS_UNIT_STATUS),
        "live": _live(request),
    }
    return render(request, "operations/units.html", context)


@login_required
@require_GET
def escalation_banner(request: HttpRequest) -> HttpResponse:
    """The escalation banner alone, for its poll (an empty, hidden one for other roles)."""
    from pollguard.operations.templatetags.operations_ui import escalation_banner_context

    return render(
        request, "operations/partials/escalations.html", escalation_banner_context(request)
    )


@login_required
@require_GET
def map_layers(request: HttpRequest) -> JsonResponse:
    """Open incidents and unit statuses the user sees, for the live map's layers."""
    if not access.sees_incidents(request.user):
        raise Forbidden("map")
    incidents = access.incidents_for(request.user).exclude(
        state__in=[s.value for s in FINISHED_STATES]
    )
    states = {
        s.unit_id: s for s in UnitState.objects.filter(unit__in=access.unit_board_for(request.user))
    }
    return JsonResponse(
        {
            "incidents": [
                {
                    "code": i.code,
                    "lat": i.lat,
                    "lon": i.lon,
                    "kind": i.kind,
                    "kind_label": IncidentKind(i.kind).label,
                    "icon": IncidentKind(i.kind).icon,
                    "severity": i.severity,
                    "color": i.severity_color,
                    "state": i.state,
                    "url": reverse("operations:detail", args=[i.code]),
                }
                for i in incidents[:1000]
            ],
            "units": [
                {
                    "code": u.code,
                    "lat": u.lat,
                    "lon": u.lon,
                    "status": (states[u.pk].status if u.pk in states else "available"),
                    "color": UnitStatus(
                        states[u.pk].status if u.pk in states else "available"
                    ).color,
                }
                for u in access.unit_board_for(request.user)
            ],
        }
    )


class OutsideForceForm(forms.Form):
    """The chair's request for an outside force (the API's `OutsideForceIn` rules)."""

    force = forms.ChoiceField(label=gettext_lazy("Force"), choices=OutsideForce.choices)
    size = forms.IntegerField(label=gettext_lazy("Size"), min_value=1, max_value=100_000)
    justification = forms.CharField(
        label=gettext_lazy("Justification"), max_length=TEXT_MAX_LENGTH, strip=True
    )

    def clean_justification(self) -> str:
        try:
            return clean_text(self.cleaned_data["justification"], "justification")
        except ValueError:
            raise forms.ValidationError(
                _("Control and text-direction characters are not allowed.")
            ) from None


def _request_outside_force(
    request: HttpRequest, *, incident: str | None, center: str | None
) -> None:
    """Check who asks (404/403), then the form; file the request or say what is wrong."""
    election, found_incident, found_center = access.require_request_outside_force(
        request.user, incident=incident, center=center
    )
    form = OutsideForceForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[name].label}: {error}")
        return
    data = form.cleaned_data
    created = do_request_outside_force(
        election, incident=found_incident, center=found_center,
        force=OutsideForce(data["force"]), size=data["size"],
        justification=data["justification"], acting_user=request.user,
    )  # fmt: skip
    messages.success(request, _("Outside force requested: %(code)s.") % {"code": created.code})


@login_required
@require_POST
def outside_force_request(request: HttpRequest, code: str) -> HttpResponse:
    """The chair's request for an outside force about this incident (others: 403/404)."""
    _require(request)
    _request_outside_force(request, incident=code, center=None)
    return _redirect_detail(code)


@login_required
@require_POST
def center_outside_force_request(request: HttpRequest, code: str) -> HttpResponse:
    """The chair's request for an outside force about a center (others: 403/404)."""
    _request_outside_force(request, incident=None, center=code)
    return HttpResponseRedirect(reverse("registry:center", args=[code]))


@login_required
@require_POST
def outside_force_state(request: HttpRequest, code: str) -> HttpResponse:
    _require(request)
    found = access.access_outside_force_for_change(request.user, code)
    try:
        do_advance_outside_force(
            found, OutsideForceState(request.POST.get("to", "")), acting_user=request.user
        )
    except (ValueError, Conflict) as error:
        messages.error(request, str(error))
    if found.incident is not None:
        return _redirect_detail(found.incident.code)
    if found.center is not None:
        return HttpResponseRedirect(reverse("registry:center", args=[found.center.code]))
    return HttpResponseRedirect(reverse("operations:queue"))
