"""Pages of the plan workflow: the versions side by side, one version on the map, a
comparison of two, running the planner (and re-planning after a change) and the decisions.

Thin shells over `planning.access` (chair, operations and the auditor see plan versions;
everyone else gets 404, the auditor 403 on every write) and `planning.actions`. A plan run
is a job: the page asks for it, then follows its progress through the live feed (job
events), never through the broker; when it ends the page reads the job's row
(`run_status`) for the link to the new version or the package's messages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_POST

from pollguard.common.errors import Conflict, NotFound
from pollguard.core.package.reader import BIDI_CONTROLS
from pollguard.core.problems import InvalidInput
from pollguard.jobs.access import access_job, access_job_for_cancel, jobs_for, may_cancel
from pollguard.jobs.actions import do_cancel_job
from pollguard.jobs.choices import ACTIVE_STATES, JobState
from pollguard.jobs.models import Job
from pollguard.planning import access
from pollguard.planning.actions import do_decide_plan, do_request_plan_run, do_submit_plan
from pollguard.planning.choices import PlanState
from pollguard.planning.jobs import PLAN_RUN, STAGES
from pollguard.planning.models import Plan
from pollguard.planning.presentation import (
    METRICS,
    CenterFact,
    Scope,
    UnitFact,
    center_rows,
    compare,
    format_metric,
    map_data,
    metric_rows,
)
from pollguard.registry.access import centers_for, current_election, sectors_for, units_for
from pollguard.registry.map_views import DEFAULT_VIEW
from pollguard.registry.models import Election
from pollguard.registry.views import _live_config, sector_colors, shell_context

VERSIONS_PER_PAGE = 6  # columns side by side; older versions are on the next pages
CENTERS_PER_PAGE = 100
RISK_ROWS = 3  # "risk raised" lines of the re-plan form


def _arabic() -> bool:
    return (get_language() or "ar").startswith("ar")


def _require_plans(request: HttpRequest) -> Election:
    """The election whose plans the user may read; 404 for roles that see no plans."""
    election = current_election(request.user)
    if election is None or not access.sees_plans(request.user):
        raise NotFound("plans")
    return election


def _state(plan: Plan) -> dict[str, str]:
    state = PlanState(plan.state)
    return {"value": state.value, "label": str(state.label), "color": state.color}


# --- forms ---------------------------------------------------------------------------------


def _plain(value: str) -> None:
    if any(char in BIDI_CONTROLS for char in value):
        raise ValidationError(_("Text-direction control characters are not allowed."))


class PlanRunForm(forms.Form):
    """Time limit and seed of a run; for a re-plan also the version and the changes."""

    time_limit = forms.FloatField(
        label=gettext_lazy("Time limit (seconds)"),
        min_value=1.0,
        max_value=600.0,
        initial=10,
        help_text=gettext_lazy("The whole run; a province plans well in 10 seconds."),
        widget=forms.NumberInput(attrs={"step": "1"}),
    )
    seed = forms.IntegerField(
        label=gettext_lazy("Seed"),
        min_value=0,
        max_value=2**31 - 1,
        initial=0,
        help_text=gettext_lazy("Another seed may find another plan of the same quality."),
    )
    from_plan = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReplanForm(PlanRunForm):
    """A run from a version after changes, picked from the units and centers in the view."""

    units_out = forms.MultipleChoiceField(
        label=gettext_lazy("Units out of service"),
        required=False,
        help_text=gettext_lazy("Hold Ctrl (or ⌘) to pick several."),
    )
    centers_closed = forms.MultipleChoiceField(
        label=gettext_lazy("Centers closed"),
        required=False,
        help_text=gettext_lazy("Hold Ctrl (or ⌘) to pick several."),
    )

    def __init__(
        self,
        *args: Any,
        units: list[tuple[str, str]],
        centers: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_limit"].widget = forms.NumberInput(attrs={"step": "1"})
        units_field = self.fields["units_out"]
        closed_field = self.fields["centers_closed"]
        assert isinstance(units_field, forms.MultipleChoiceField)
        assert isinstance(closed_field, forms.MultipleChoiceField)
        units_field.choices = units
        closed_field.choices = centers
        for i in range(1, RISK_ROWS + 1):
            # A text field over one shared list of centers: three selects of every center
            # made the page three times heavier (a province has 500).
            self.fields[f"risk_center_{i}"] = forms.ChoiceField(
                label=_("Center whose risk changed"),
                required=False,
                choices=[("", "—"), *centers],
                widget=forms.TextInput(attrs={"list": "pg-center-codes", "autocomplete": "off"}),
            )
            self.fields[f"risk_value_{i}"] = forms.FloatField(
                label=_("New risk (0 to 1)"),
                required=False,
                min_value=0.0,
                max_value=1.0,
                widget=forms.NumberInput(attrs={"step": "0.05"}),
            )

    def risk_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"risk_center_{i}"], self[f"risk_value_{i}"]) for i in range(1, RISK_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(1, RISK_ROWS + 1):
            center, value = data.get(f"risk_center_{i}"), data.get(f"risk_value_{i}")
            if bool(center) != (value is not None):
                self.add_error(
                    f"risk_value_{i}", _("Give both the center and its new risk, or neither.")
                )
        return data

    def changes(self) -> list[dict[str, Any]]:
        """The changes in the API's (and CHANGES.yaml's) shape, in the form's order."""
        data = self.cleaned_data
        changes: list[dict[str, Any]] = [{"unit_out": code} for code in data["units_out"]]
        changes += [{"center_closed": code} for code in data["centers_closed"]]
        for i in range(1, RISK_ROWS + 1):
            center, value = data.get(f"risk_center_{i}"), data.get(f"risk_value_{i}")
            if center and value is not None:
                changes.append({"risk": {"center": center, "value": value}})
        return changes


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[_plain],
        help_text=gettext_lazy("Required when you return the version: say what must change."),
    )
    revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[("approve", gettext_lazy("Approve")), ("return", gettext_lazy("Return"))]
    )


class SubmitForm(forms.Form):
    revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class ScopeForm(forms.Form):
    """The per-sector and per-agency view of one version."""

    sector = forms.ChoiceField(label=gettext_lazy("Sector"), required=False)
    agency = forms.ChoiceField(label=gettext_lazy("Agency"), required=False)

    def __init__(
        self, data: Any, sectors: list[tuple[str, str]], agencies: list[tuple[str, str]]
    ) -> None:
        super().__init__(data)
        sector_field, agency_field = self.fields["sector"], self.fields["agency"]
        assert isinstance(sector_field, forms.ChoiceField)
        assert isinstance(agency_field, forms.ChoiceField)
        sector_field.choices = [("", _("All sectors")), *sectors]
        agency_field.choices = [("", _("All agencies")), *agencies]

    def scope(self) -> Scope:
        if not self.is_valid():
            return Scope()
        return Scope(self.cleaned_data["sector"] or "", self.cleaned_data["agency"] or "")


# --- registry facts the plan pages read --------------------------------------------------------


def _name(ar: str | None, en: str | None, code: str) -> str:
    return (ar or en or code) if _arabic() else (en or ar or code)


def _center_facts(request: HttpRequest, election: Election) -> dict[str, CenterFact]:
    rows = centers_for(request.user, election).values_list(
        "code", "name_ar", "name_en", "sector__code", "lat", "lon"
    )
    return {
        code: CenterFact(code, _name(ar, en, code), sector, lat, lon)
        for code, ar, en, sector, lat, lon in rows
    }


def _unit_facts(request: HttpRequest, election: Election) -> dict[str, UnitFact]:
    rows = units_for(request.user, election).values_list(
        "code", "agency__code", "kind", "sector__code", "lat", "lon"
    )
    return {
        code: UnitFact(code, agency, kind, sector or "", lat, lon)
        for code, agency, kind, sector, lat, lon in rows
    }


def _sector_names(request: HttpRequest, election: Election) -> list[tuple[str, str]]:
    rows = sectors_for(request.user, election).order_by("code")
    return [(s.code, _name(s.name_ar, s.name_en, s.code)) for s in rows]


def _agency_names(request: HttpRequest, election: Election) -> list[tuple[str, str]]:
    rows = (
        units_for(request.user, election)
        .order_by("agency__code")
        .values_list("agency__code", "agency__name_ar", "agency__name_en")
        .distinct()
    )
    return [(code, _name(ar, en, code)) for code, ar, en in rows]


# --- plan runs ---------------------------------------------------------------------------------


def _run_info(job: Job, user: Any) -> dict[str, Any]:
    """A plan run as the list shows it; its errors in the user's language."""
    arabic = _arabic()
    result = job.result or {}
    errors = result.get("errors_ar" if arabic else "errors") or result.get("errors") or []
    return {
        "job": job,
        "state": JobState(job.state),
        "active": job.state in ACTIVE_STATES,
        "message": job.message_in("ar" if arabic else "en"),
        "errors": [str(e) for e in errors][:100],
        "plan_id": result.get("plan"),
        "version": result.get("version"),
        "total": job.work_total or len(STAGES),
        "status_url": reverse("planning:run_status", args=[job.pk]),
        "cancellable": job.state in ACTIVE_STATES
        and not job.cancel_requested
        and may_cancel(user, job),
    }


def _runs(request: HttpRequest, election: Election) -> list[dict[str, Any]]:
    """Plan runs under way, and the one the user just asked for (`?job=`)."""
    jobs = (
        jobs_for(request.user)
        .filter(election=election, kind=PLAN_RUN)
        .select_related("requested_by")
    )
    wanted = request.GET.get("job", "")
    shown = jobs.filter(state__in=ACTIVE_STATES)
    if wanted.isdigit():
        shown = shown | jobs.filter(pk=int(wanted))
    return [_run_info(job, request.user) for job in shown.order_by("-created_at", "-id")[:10]]


@never_cache
@login_required
@require_GET
def run_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """One plan run's row (fragment): read when its live events say it ended."""
    _require_plans(request)
    job = access_job(request.user, job_id)
    if job.kind != PLAN_RUN:
        raise NotFound(str(job_id))
    return render(request, "planning/partials/run.html", {"run": _run_info(job, request.user)})


@login_required
@require_POST
def cancel_run(request: HttpRequest, job_id: int) -> HttpResponse:
    """Stop a plan run: a queued one at once, a running one at its next progress report."""
    _require_plans(request)
    job = access_job_for_cancel(request.user, job_id)
    if job.kind != PLAN_RUN:
        raise NotFound(str(job_id))
    do_cancel_job(job, acting_user=request.user)
    messages.success(
        request, _("Run %(job)s is being stopped; its line says when it has.") % {"job": job.pk}
    )
    return HttpResponseRedirect(f"{reverse('planning:plans')}?{urlencode({'job': job.pk})}")


def _problems_message(invalid: InvalidInput) -> str:
    return "; ".join(invalid.render("ar" if _arabic() else "en"))


@login_required
@require_POST
def run_plan(request: HttpRequest) -> HttpResponse:
    """Ask for a plan run (or a re-plan from `from_plan` with changes); then follow it."""
    election = access.require_run_plans(request.user)
    base: Plan | None = None
    raw_from = request.POST.get("from_plan", "")
    if raw_from.isdigit():
        base = access.access_plan(request.user, int(raw_from))
    back = reverse("planning:plan", args=[base.pk]) if base else reverse("planning:plans")
    if base is not None:
        form: PlanRunForm = ReplanForm(
            request.POST,
            units=_unit_choices(request, election),
            centers=_center_choices(request, election),
        )
    else:
        form = PlanRunForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
        return HttpResponseRedirect(back)
    changes = form.changes() if isinstance(form, ReplanForm) else []
    try:
        job, created = do_request_plan_run(
            election,
            time_limit=form.cleaned_data["time_limit"],
            seed=form.cleaned_data["seed"],
            from_plan=base,
            changes=changes,
            acting_user=request.user,
        )
    except InvalidInput as invalid:
        messages.error(
            request,
            _("The changes were refused: %(problems)s") % {"problems": _problems_message(invalid)},
        )
        return HttpResponseRedirect(back)
    if created:
        messages.success(request, _("The planner is running (job %(job)s).") % {"job": job.pk})
    else:
        messages.info(
            request,
            _("The same run is already under way (job %(job)s); here is its progress.")
            % {"job": job.pk},
        )
    return HttpResponseRedirect(reverse("planning:plans") + "?" + urlencode({"job": job.pk}))


# --- the list: versions side by side -----------------------------------------------------------


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    """The versions side by side (newest first), plan runs under way, the run form.

    A fixed number of queries whatever the number of versions (tested).
    """
    election = _require_plans(request)
    plans = access.plans_for(request.user, election).select_related("based_on").order_by("-version")
    page = Paginator(plans, VERSIONS_PER_PAGE).get_page(request.GET.get("page"))
    sectors = _sector_names(request, election)
    columns = []
    for plan in page.object_list:
        metrics = plan.metrics or {}
        columns.append(
            {
                "plan": plan,
                "state": _state(plan),
                "metrics": [format_metric(m, metrics.get(m.key)) for m in METRICS],
                "shortfalls": [int(plan.sector_shortfalls.get(code, 0)) for code, _n in sectors],
                "reserve_shortfall": int(plan.sector_shortfalls.get("", 0)),
            }
        )
    rows = [
        {"label": str(m.label), "values": [c["metrics"][i] for c in columns]}
        for i, m in enumerate(METRICS)
    ]
    sector_rows = [
        {"code": code, "name": name, "values": [c["shortfalls"][i] for c in columns]}
        for i, (code, name) in enumerate(sectors)
    ]
    context = shell_context(request, "plans")
    context.update(
        {
            "page": page,
            "columns": columns,
            "metric_rows": rows,
            "sector_rows": sector_rows,
            "runs": _runs(request, election),
            "can_run": access.can_run_plans(request.user),
            "run_form": PlanRunForm(),
            "live": _live_config(request),
            "run_labels": {state.value: str(state.label) for state in JobState},
        }
    )
    return render(request, "planning/plan_list.html", context)


# --- one version --------------------------------------------------------------------------


def _unit_choices(request: HttpRequest, election: Election) -> list[tuple[str, str]]:
    rows = (
        units_for(request.user, election)
        .order_by("code")
        .values_list("code", "name_ar", "name_en", "agency__code")
    )
    return [
        (code, f"{code} · {agency} {_name(ar, en, '')}".strip()) for code, ar, en, agency in rows
    ]


def _center_choices(request: HttpRequest, election: Election) -> list[tuple[str, str]]:
    rows = (
        centers_for(request.user, election)
        .order_by("code")
        .values_list("code", "name_ar", "name_en")
    )
    return [(code, f"{code} · {_name(ar, en, code)}") for code, ar, en in rows]


def _scope_query(scope: Scope) -> str:
    query = {k: v for k, v in (("sector", scope.sector), ("agency", scope.agency)) if v}
    return f"?{urlencode(query)}" if query else ""


def _scope_filters(
    scope: Scope, sectors: dict[str, str], agencies: dict[str, str]
) -> list[dict[str, str]]:
    """The view in effect, for the print header."""
    shown = []
    if scope.sector in sectors:
        shown.append({"label": str(_("Sector")), "value": sectors[scope.sector]})
    if scope.agency in agencies:
        shown.append({"label": str(_("Agency")), "value": agencies[scope.agency]})
    return shown


@login_required
@require_GET
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    """One version: the map, the metrics, a table per center, the decisions and actions.

    `?sector=` and `?agency=` narrow the map and the tables to one sector or agency.
    """
    plan = access.access_plan(request.user, plan_id)
    election = plan.election
    sectors = _sector_names(request, election)
    agencies = _agency_names(request, election)
    scope_form = ScopeForm(request.GET, sectors, agencies)
    scope = scope_form.scope()
    centers = _center_facts(request, election)
    units = _unit_facts(request, election)
    sector_names = dict(sectors)
    rows = center_rows(plan.document, centers, units, scope)
    for row in rows:
        row.sector_name = sector_names.get(row.sector, row.sector)
    if request.GET.get("all") == "1":
        page = Paginator(rows, max(len(rows), 1)).page(1)
    else:
        page = Paginator(rows, CENTERS_PER_PAGE).get_page(request.GET.get("page"))
    can_run = access.can_run_plans(request.user)
    can_decide = access.can_decide_plans(request.user)
    state = PlanState(plan.state)
    previous = (
        access.plans_for(request.user, election)
        .filter(version__lt=plan.version)
        .order_by("-version")
        .first()
    )
    based_on = (
        plan.based_on_id
        and access.plans_for(request.user, election).filter(pk=plan.based_on_id).first()
    )
    colors = sector_colors(election)
    context = shell_context(request, "plans")
    context.update(
        {
            "plan": plan,
            "state": _state(plan),
            "metrics": metric_rows(plan.metrics or {}),
            "extra": {
                "solver": (plan.metrics or {}).get("solver") or "—",
                "status": (plan.metrics or {}).get("status") or "—",
            },
            "sector_shortfalls": [
                {"code": code, "name": name, "missing": int(plan.sector_shortfalls.get(code, 0))}
                for code, name in sectors
            ],
            "scope_form": scope_form,
            "scope": scope,
            "scope_name": {
                "sector": sector_names.get(scope.sector, ""),
                "agency": dict(agencies).get(scope.agency, ""),
            },
            "page": page,
            "row_count": len(rows),
            "sector_names": sector_names,
            "previous": previous,
            "based_on": based_on or None,
            "can_submit": can_run and state is PlanState.DRAFT,
            "can_decide": can_decide and state is PlanState.SUBMITTED,
            "can_replan": can_run,
            "submit_form": SubmitForm(initial={"revision": plan.revision}),
            "decision_form": DecisionForm(initial={"revision": plan.revision}),
            "replan_form": ReplanForm(
                initial={"from_plan": plan.pk, "time_limit": plan.time_limit, "seed": plan.seed},
                units=_unit_choices(request, election),
                centers=_center_choices(request, election),
            )
            if can_run
            else None,
            "print_all_url": request.path + "?" + urlencode({**request.GET.dict(), "all": "1"}),
            "print_all": request.GET.get("all") == "1",
            "pg_filters": _scope_filters(scope, sector_names, dict(agencies)),
            "map_config": {
                "dataUrl": reverse("planning:map_data", args=[plan.pk]) + _scope_query(scope),
                "scoped": not scope.everything,
                "center": DEFAULT_VIEW,
                "sectorColors": colors,
                "sectorNames": sector_names,
                "labels": {
                    "guards": _("Guards (people)"),
                    "missing": _("Missing (people)"),
                    "sweeps": _("Sweeps"),
                    "unitBase": _("Unit base"),
                    "sector": _("Sector"),
                    "covered": _("Fully covered"),
                    "row": _("Details in the table"),
                    "stop": _("Stop"),
                },
            },
        }
    )
    return render(request, "planning/plan_detail.html", context)


@login_required
@require_GET
@gzip_page
def plan_map_data(request: HttpRequest, plan_id: int) -> JsonResponse:
    """What the plan map draws (`presentation.map_data`), narrowed by `?sector=`/`?agency=`."""
    plan = access.access_plan(request.user, plan_id)
    election = plan.election
    sectors = _sector_names(request, election)
    agencies = _agency_names(request, election)
    scope = ScopeForm(request.GET, sectors, agencies).scope()
    data = map_data(
        plan.document, _center_facts(request, election), _unit_facts(request, election), scope
    )
    return JsonResponse(data)


@login_required
@require_POST
def submit_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access.access_plan_for_submit(request.user, plan_id)
    target = reverse("planning:plan", args=[plan.pk])
    form = SubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return HttpResponseRedirect(target)
    try:
        do_submit_plan(plan, acting_user=request.user, revision=form.cleaned_data["revision"])
    except Conflict as conflict:
        messages.error(request, _("Not submitted: %(reason)s") % {"reason": conflict})
        return HttpResponseRedirect(target)
    messages.success(
        request,
        _("Version %(version)s was submitted to the committee chair.") % {"version": plan.version},
    )
    return HttpResponseRedirect(target)


@login_required
@require_POST
def decide_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The chair approves or returns a submitted version (a return needs a comment)."""
    plan = access.access_plan_for_decision(request.user, plan_id)
    target = reverse("planning:plan", args=[plan.pk])
    form = DecisionForm(request.POST)
    returning = form.is_valid() and form.cleaned_data["decision"] == "return"
    if returning and not form.cleaned_data["comment"].strip():
        form.add_error("comment", _("Say why the version goes back."))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return HttpResponseRedirect(target)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        decided = do_decide_plan(
            plan,
            approve=approve,
            comment=form.cleaned_data["comment"].strip(),
            acting_user=request.user,
            revision=form.cleaned_data["revision"],
        )
    except Conflict as conflict:
        messages.error(request, _("No decision recorded: %(reason)s") % {"reason": conflict})
        return HttpResponseRedirect(target)
    if approve:
        messages.success(
            request, _("Version %(version)s is approved.") % {"version": decided.version}
        )
    else:
        messages.success(
            request, _("Version %(version)s was returned.") % {"version": decided.version}
        )
    return HttpResponseRedirect(target)


# --- two versions ------------------------------------------------------------------------------


@login_required
@require_GET
def plan_compare(request: HttpRequest) -> HttpResponse:
    """Version a against version b: units moved, assignments added and removed, shortfall
    per sector, metric deltas. The list's checkboxes send `?plan=&plan=`; the older one
    becomes a."""
    election = _require_plans(request)
    picked = [p for p in request.GET.getlist("plan") if p.isdigit()]
    if picked:
        if len(picked) != 2:
            messages.error(request, _("Tick exactly two versions to compare."))
            return HttpResponseRedirect(reverse("planning:plans"))
        first, second = (access.access_plan(request.user, int(p)) for p in picked)
        a, b = sorted((first, second), key=lambda p: p.version)
        return HttpResponseRedirect(
            reverse("planning:compare") + "?" + urlencode({"a": a.pk, "b": b.pk})
        )
    raw_a, raw_b = request.GET.get("a", ""), request.GET.get("b", "")
    if not (raw_a.isdigit() and raw_b.isdigit()):
        raise NotFound("compare")
    a = access.access_plan(request.user, int(raw_a))
    b = access.access_plan(request.user, int(raw_b))
    sectors = _sector_names(request, election)
    centers = _center_facts(request, election)
    diff = compare(
        a.document,
        b.document,
        a.metrics or {},
        b.metrics or {},
        a.sector_shortfalls,
        b.sector_shortfalls,
        [code for code, _n in sectors],
    )
    names = dict(sectors)
    for row in diff["sectors"]:
        row["name"] = names.get(row["sector"]) or (row["sector"] or _("Governorate reserve"))
    for group in ("moved", "added", "removed"):
        for entry in diff[group]:
            for side in ("before", "after"):
                for item in entry[side]:
                    fact = centers.get(item["center"])
                    item["name"] = fact.name if fact else ""
    for item in diff["resized"]:
        fact = centers.get(item["center"])
        item["name"] = fact.name if fact else ""
    context = shell_context(request, "plans")
    context.update(
        {
            "a": a,
            "b": b,
            "state_a": _state(a),
            "state_b": _state(b),
            "diff": diff,
            "changes_b": b.changes if b.based_on_id == a.pk else [],
        }
    )
    return render(request, "planning/plan_compare.html", context)
