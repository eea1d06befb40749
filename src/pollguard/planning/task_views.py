"""Pages of tasks: the acknowledgement board, the lists, "my tasks", a task, manual tasks,
and cloning another election's plan.

Thin shells: every query goes through `planning.task_access`, every write through
`planning.task_actions`. URLs carry the task's public id (a UUID). A role that sees no
tasks gets 404 on every page here, as for an object it may not see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pollguard.common.errors import Conflict, NotFound
from pollguard.core.package.reader import BIDI_CONTROLS
from pollguard.core.problems import InvalidInput
from pollguard.planning import task_access
from pollguard.planning.choices import LIVE_TASK_STATES, TaskPhase, TaskState
from pollguard.planning.models import Task
from pollguard.planning.task_actions import (
    do_acknowledge_task,
    do_cancel_task,
    do_clone_plan,
    do_create_task,
    do_decline_task,
)
from pollguard.planning.task_api import TaskFilter, filter_tasks
from pollguard.planning.task_text import task_text, task_title
from pollguard.registry.access import current_election
from pollguard.registry.models import Agency, Center, Sector, Unit
from pollguard.registry.templatetags.pollguard_ui import local_name
from pollguard.registry.views import shell_context

PAGE_SIZE = 50
NAV_KEY = "tasks"


def _require_tasks(request: HttpRequest) -> None:
    if not task_access.sees_tasks(request.user):
        raise NotFound("tasks")


def _require_all_tasks(request: HttpRequest) -> None:
    """The board and the clone page: the roles that see every task (chair, ops, auditor)."""
    if not task_access.sees_all_tasks(request.user):
        raise NotFound("tasks")


def _overdue_q(now: Any) -> Q:
    # Awaiting acknowledgement when the work should already have started.
    return Q(state=TaskState.OPEN, starts_at__lte=now)


def _decorate(tasks: list[Task], now: Any) -> list[Task]:
    for task in tasks:
        task.title_text = task_title(task)  # type: ignore[attr-defined]
        task.body_text = task_text(task)  # type: ignore[attr-defined]
        task.overdue = task.state == TaskState.OPEN and task.starts_at <= now  # type: ignore[attr-defined]
        task.state_color = TaskState(task.state).color  # type: ignore[attr-defined]
    return tasks


# --- the board ----------------------------------------------------------------------------


@dataclass
class BoardRow:
    """One sector's or agency's counts; `code` empty for tasks without one."""

    code: str
    name: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def overdue(self) -> int:
        return self.counts.get("overdue", 0)


def _board_rows(tasks: QuerySet[Task], by: str, now: Any) -> list[BoardRow]:
    """Counts per sector or agency in one query, overdue first."""
    rows = (
        tasks.filter(state__in=LIVE_TASK_STATES)
        .values(f"{by}__code", f"{by}__name_ar", f"{by}__name_en")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(state=TaskState.OPEN)),
            acknowledged=Count("pk", filter=Q(state=TaskState.ACKNOWLEDGED)),
            declined=Count("pk", filter=Q(state=TaskState.DECLINED)),
            overdue=Count("pk", filter=_overdue_q(now)),
        )
        .order_by()
    )
    arabic = (get_language() or "ar").startswith("ar")
    out = []
    for row in rows:
        code = row[f"{by}__code"] or ""
        names = (row[f"{by}__name_ar"], row[f"{by}__name_en"])
        name = (names[0] or names[1]) if arabic else (names[1] or names[0])
        if not code:
            name = _("Governorate (no sector)") if by == "sector" else _("Operations room")
        counts = {k: row[k] for k in ("total", "open", "acknowledged", "declined", "overdue")}
        out.append(BoardRow(code, name or code, counts))
    out.sort(key=lambda r: (-r.overdue, -r.counts["open"], -r.counts["declined"], r.code))
    return out


@login_required
@require_GET
def task_board(request: HttpRequest) -> HttpResponse:
    """The operations room's acknowledgement board: per sector and per agency."""
    _require_all_tasks(request)
    now = timezone.now()
    tasks = task_access.in_force(task_access.tasks_for(request.user))
    sectors = _board_rows(tasks, "sector", now)
    agencies = _board_rows(tasks, "agency", now)
    totals = tasks.filter(state__in=LIVE_TASK_STATES).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(state=TaskState.OPEN)),
        acknowledged=Count("pk", filter=Q(state=TaskState.ACKNOWLEDGED)),
        declined=Count("pk", filter=Q(state=TaskState.DECLINED)),
        overdue=Count("pk", filter=_overdue_q(now)),
    )
    context = {
        **shell_context(request, NAV_KEY),
        "tables": [
            (_("Per sector"), sectors, "sector", "board-sectors"),
            (_("Per agency"), agencies, "agency", "board-agencies"),
        ],
        "totals": totals,
        "columns": [
            ("overdue", _("Overdue")),
            ("open", _("Awaiting")),
            ("declined", _("Declined")),
            ("acknowledged", _("Acknowledged")),
            ("total", _("All")),
        ],
        "can_manage": task_access.can_manage_tasks(request.user),
    }
    return render(request, "planning/task_board.html", context)


# --- lists --------------------------------------------------------------------------------


class TaskFilterForm(forms.Form):
    phase = forms.ChoiceField(
        label=gettext_lazy("Phase"), required=False, choices=[("", "—"), *TaskPhase.choices]
    )
    state = forms.ChoiceField(
        label=gettext_lazy("State"), required=False, choices=[("", "—"), *TaskState.choices]
    )
    sector = forms.ChoiceField(label=gettext_lazy("Sector"), required=False)
    agency = forms.ChoiceField(label=gettext_lazy("Agency"), required=False)
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)

    def __init__(self, data: Any, sectors: list[Sector], agencies: list[Agency]) -> None:
        super().__init__(data)
        sector_field = self.fields["sector"]
        agency_field = self.fields["agency"]
        assert isinstance(sector_field, forms.ChoiceField)
        assert isinstance(agency_field, forms.ChoiceField)
        sector_field.choices = [("", "—"), *((s.code, local_name(s)) for s in sectors)]
        agency_field.choices = [("", "—"), *((a.code, local_name(a)) for a in agencies)]


def _filtered(request: HttpRequest) -> tuple[QuerySet[Task], TaskFilterForm]:
    user = request.user
    sectors, agencies = task_access.task_form_choices(current_election(user))
    form = TaskFilterForm(request.GET, sectors, agencies)
    tasks = task_access.tasks_for(user)
    if form.is_valid():
        data = form.cleaned_data
        filters = TaskFilter(
            phase=data["phase"] or None,
            state=data["state"] or None,
            sector=data["sector"] or None,
            agency=data["agency"] or None,
        )
        tasks = filter_tasks(tasks, filters)
        if data["overdue"]:
            tasks = tasks.filter(_overdue_q(timezone.now()))
    else:
        tasks = tasks.exclude(state=TaskState.SUPERSEDED)
    return tasks.order_by("starts_at", "key"), form


@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    """Every task the user sees, with the board's filters (phase, state, sector, agency)."""
    _require_tasks(request)
    tasks, form = _filtered(request)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        **shell_context(request, NAV_KEY),
        "form": form,
        "page": page,
        "tasks": _decorate(list(page.object_list), timezone.now()),
        "can_manage": task_access.can_manage_tasks(request.user),
        "sees_all": task_access.sees_all_tasks(request.user),
    }
    return render(request, "planning/task_list.html", context)


@login_required
@require_GET
def task_mine(request: HttpRequest) -> HttpResponse:
    """A sector commander's or agency liaison's tasks as cards, open ones first."""
    _require_tasks(request)
    if not task_access.can_answer_tasks(request.user):
        return HttpResponseRedirect(reverse("tasks:list"))
    tasks, form = _filtered(request)
    now = timezone.now()
    rows = _decorate(list(tasks[:500]), now)
    rows.sort(key=lambda t: (t.state != TaskState.OPEN, not t.overdue, t.starts_at))  # type: ignore[attr-defined]
    context = {
        **shell_context(request, NAV_KEY),
        "form": form,
        "tasks": rows,
        "counts": {
            "open": sum(t.state == TaskState.OPEN for t in rows),
            "overdue": sum(bool(t.overdue) for t in rows),  # type: ignore[attr-defined]
        },
    }
    return render(request, "planning/task_mine.html", context)


# --- one task -----------------------------------------------------------------------------


def _plain(value: object) -> str:
    """Text without direction overrides, which would make it read backwards for everyone."""
    text = str(value or "")
    if any(char in BIDI_CONTROLS for char in text):
        raise forms.ValidationError(_("Text-direction control characters are not allowed."))
    return text


class DeclineForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Required: why your unit cannot carry the task out."),
        error_messages={"required": gettext_lazy("Give the reason for declining.")},
    )

    def clean_reason(self) -> str:
        reason = _plain(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for declining."))
        return reason


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _detail(
    request: HttpRequest, task: Task, *, decline_form: DeclineForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    can_answer = task_access.can_answer_tasks(user)
    context = {
        **shell_context(request, NAV_KEY),
        "task": _decorate([task], timezone.now())[0],
        "can_answer": can_answer,
        "can_manage": task_access.can_manage_tasks(user),
        "decline_form": decline_form or DeclineForm(initial={"version": task.version}),
        "stops": [
            {"center": c, "start": _parse(s), "end": _parse(e)} for c, s, e in task.stops or []
        ],
        "next": request.GET.get("next", ""),
    }
    return render(request, "planning/task_detail.html", context, status=status)


def _parse(iso: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(iso)


@login_required
@require_GET
def task_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    task = task_access.access_task(request.user, public_id)
    return _detail(request, task)


def _back(request: HttpRequest, task: Task) -> HttpResponseRedirect:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(reverse("tasks:detail", args=[task.public_id]))


@login_required
@require_POST
def task_acknowledge(request: HttpRequest, public_id: str) -> HttpResponse:
    task = task_access.access_task_for_answer(request.user, public_id)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _detail(request, task, status=422)
    try:
        do_acknowledge_task(task, version=form.cleaned_data["version"], acting_user=request.user)
    except Conflict as conflict:
        messages.error(request, str(conflict))
        return _detail(request, task_access.access_task(request.user, public_id), status=409)
    messages.success(request, _("Task acknowledged."))
    return _back(request, task)


@login_required
@require_POST
def task_decline(request: HttpRequest, public_id: str) -> HttpResponse:
    task = task_access.access_task_for_answer(request.user, public_id)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _detail(request, task, decline_form=form, status=422)
    try:
        do_decline_task(
            task,
            version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
        )
    except Conflict as conflict:
        messages.error(request, str(conflict))
        return _detail(request, task_access.access_task(request.user, public_id), status=409)
    messages.success(request, _("Task declined; the operations room sees your reason."))
    return _back(request, task)


@login_required
@require_POST
def task_cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    task = task_access.access_task_for_cancel(request.user, public_id)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _detail(request, task, status=422)
    try:
        do_cancel_task(task, version=form.cleaned_data["version"], acting_user=request.user)
    except Conflict as conflict:
        messages.error(request, str(conflict))
        return _detail(request, task_access.access_task(request.user, public_id), status=409)
    messages.success(request, _("Task cancelled."))
    return _back(request, task)


# --- manual tasks -------------------------------------------------------------------------


class TaskForm(forms.Form):
    phase = forms.ChoiceField(label=gettext_lazy("Phase"), choices=TaskPhase.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    text = forms.CharField(
        label=gettext_lazy("Instructions"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    agency = forms.ChoiceField(label=gettext_lazy("Agency"), required=False)
    sector = forms.ChoiceField(label=gettext_lazy("Sector"), required=False)
    center = forms.CharField(label=gettext_lazy("Center code"), required=False, max_length=64)
    unit = forms.CharField(label=gettext_lazy("Unit code"), required=False, max_length=64)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts at (election time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    due_at = forms.DateTimeField(
        label=gettext_lazy("Due at (election time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, data: Any, election: Any) -> None:
        super().__init__(data)
        self.election = election
        sectors, agencies = task_access.task_form_choices(election)
        self.sectors = {s.code: s for s in sectors}
        self.agencies = {a.code: a for a in agencies}
        agency_field = self.fields["agency"]
        sector_field = self.fields["sector"]
        assert isinstance(agency_field, forms.ChoiceField)
        assert isinstance(sector_field, forms.ChoiceField)
        agency_field.choices = [("", "—"), *((a.code, local_name(a)) for a in agencies)]
        sector_field.choices = [
            ("", _("Whole governorate")),
            *((s.code, local_name(s)) for s in sectors),
        ]

    def clean_title(self) -> str:
        return _plain(self.cleaned_data["title"])

    def clean_text(self) -> str:
        return _plain(self.cleaned_data["text"])

    def clean_center(self) -> Center | None:
        code = str(self.cleaned_data.get("center") or "").strip()
        if not code:
            return None
        center = Center.objects.filter(election=self.election, code=code, active=True).first()
        if center is None:
            raise forms.ValidationError(_("No center has this code."))
        return center

    def clean_unit(self) -> Unit | None:
        code = str(self.cleaned_data.get("unit") or "").strip()
        if not code:
            return None
        unit = Unit.objects.filter(election=self.election, code=code, active=True).first()
        if unit is None:
            raise forms.ValidationError(_("No unit has this code."))
        return unit

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, due = data.get("starts_at"), data.get("due_at")
        if starts is not None and due is not None and due < starts:
            self.add_error("due_at", _("The task is due before it starts."))
        return data


@login_required
def task_new(request: HttpRequest) -> HttpResponse:
    """A task entered by hand (operations officer, chair), e.g. sealing the borders."""
    election = task_access.require_manage_tasks(request.user)
    form = TaskForm(request.POST if request.method == "POST" else None, election)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = do_create_task(
                election,
                phase=TaskPhase(data["phase"]),
                title=data["title"],
                text=data["text"],
                language=get_language() or "ar",
                starts_at=data["starts_at"],
                due_at=data["due_at"],
                agency=form.agencies.get(data["agency"]),
                sector=form.sectors.get(data["sector"]),
                center=data["center"],
                unit=data["unit"],
                acting_user=request.user,
            )
        except InvalidInput as invalid:
            lang = "en" if (get_language() or "ar").startswith("en") else "ar"
            for line in invalid.render(lang):
                form.add_error(None, line)
        else:
            messages.success(request, _("Task created."))
            return HttpResponseRedirect(reverse("tasks:detail", args=[task.public_id]))
    status = 422 if request.method == "POST" else 200
    context = {**shell_context(request, NAV_KEY), "form": form}
    return render(request, "planning/task_new.html", context, status=status)


# --- cloning ------------------------------------------------------------------------------


@login_required
def task_clone(request: HttpRequest) -> HttpResponse:
    """Clone the previous election's plan into a new draft of the current election."""
    election = task_access.require_manage_tasks(request.user)
    if request.method == "POST":
        try:
            plan_id = int(request.POST.get("plan", ""))
        except ValueError:
            raise NotFound("plan") from None
        source = task_access.access_clone_source(request.user, election, plan_id)
        draft = do_clone_plan(source, election, acting_user=request.user)
        messages.success(request, _("The plan was cloned into a new draft version."))
        return HttpResponseRedirect(reverse("tasks:clone_result", args=[draft.pk]))
    context = {
        **shell_context(request, NAV_KEY),
        "sources": list(task_access.clone_sources_for(request.user, election)[:50]),
        "election": election,
    }
    return render(request, "planning/task_clone.html", context)


@login_required
@require_GET
def task_clone_result(request: HttpRequest, plan_id: int) -> HttpResponse:
    """A cloned draft: where it came from, how many tasks it copied, the codes not found."""
    draft = task_access.access_cloned_draft(request.user, plan_id)
    context = {
        **shell_context(request, NAV_KEY),
        "draft": draft,
        "task_count": task_access.task_count_of(draft),
        "missing": draft.clone_missing,
    }
    return render(request, "planning/task_clone_result.html", context)
