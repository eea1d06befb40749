"""Every write of tasks: generation at approval, answers, manual tasks, cloning a plan.

- `do_generate_tasks` runs inside the chair's approval (`actions.do_decide_plan`, same
  transaction): one task per post (cordon assignment; traffic and civil-defense ones are
  standbys), one per sweep, and the policy's phase templates. The tasks of the version
  it supersedes become `superseded` (kept, never deleted). A new task whose key and
  content are those of an acknowledged task of the superseded version keeps that
  acknowledgement (`carried_from`); a changed task, or one that was declined, starts open.
- `do_acknowledge_task` / `do_decline_task` lock the row, check the version the user read
  (stale: `Conflict`) and the move (`choices.TASK_ANSWERS`; forbidden: `Conflict`).
- `do_clone_plan` copies a plan of another election into a new draft of the target,
  mapping codes that exist there and listing those that do not; the source is only read.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pollguard.accounts.access import AnyUser
from pollguard.audit.actions import record
from pollguard.common.errors import Conflict
from pollguard.core import tasks as core_tasks
from pollguard.core.problems import InvalidInput, Problem, register_messages
from pollguard.planning.choices import (
    LIVE_TASK_STATES,
    TASK_ANSWERS,
    PlanState,
    TaskKind,
    TaskPhase,
    TaskSource,
    TaskState,
)
from pollguard.planning.models import Plan, Task
from pollguard.registry.models import Agency, Center, Election, Sector, Unit

register_messages(
    {
        "task_reason_required": (
            "give the reason for declining the task",
            "اذكر سبب الاعتذار عن المهمة",
        ),
        "task_title_required": ("the task needs a title", "المهمة تحتاج إلى عنوان"),
        "manual_task_due_before_start": (
            "the task is due before it starts",
            "موعد إنجاز المهمة يسبق موعد بدايتها",
        ),
    }
)

_SPEC_KIND = {
    core_tasks.SpecKind.POST: TaskKind.POST,
    core_tasks.SpecKind.STANDBY: TaskKind.STANDBY,
    core_tasks.SpecKind.SWEEP: TaskKind.SWEEP,
    core_tasks.SpecKind.TEMPLATE: TaskKind.TEMPLATE,
}


@dataclass
class Codes:
    """One election's registry rows by code (what plan documents and packages name)."""

    agencies: dict[str, Agency]
    sectors: dict[str, Sector]
    units: dict[str, Unit]
    centers: dict[str, Center]

    @classmethod
    def of(cls, election: Election) -> Codes:
        return cls(
            agencies={a.code: a for a in Agency.objects.filter(election=election, active=True)},
            sectors={s.code: s for s in Sector.objects.filter(election=election, active=True)},
            units={
                u.code: u
                for u in Unit.objects.filter(election=election, active=True).select_related(
                    "agency", "sector"
                )
            },
            centers={
                c.code: c
                for c in Center.objects.filter(election=election, active=True).select_related(
                    "sector"
                )
            },
        )


def clock_of(election: Election) -> core_tasks.Clock:
    return core_tasks.Clock(
        tz=ZoneInfo(election.timezone),
        general_vote_date=election.general_vote_date,
        special_vote_date=election.special_vote_date,
        polls_open=election.polls_open,
        polls_close=election.polls_close,
    )


def _digest(spec: core_tasks.TaskSpec) -> str:
    text = json.dumps(spec.fingerprint(), default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def task_specs(plan: Plan, codes: Codes) -> list[core_tasks.TaskSpec]:
    """The tasks `plan` makes, from its document and the policy it was made with."""
    policy = plan.policy or {}
    units = {
        code: core_tasks.UnitFacts(
            agency=u.agency.code, sector=u.sector.code if u.sector else None, kind=u.kind
        )
        for code, u in codes.units.items()
    }
    return core_tasks.plan_tasks(
        plan.document,
        duty=core_tasks.duty_from_json(policy),
        templates=core_tasks.templates_from_json(policy),
        clock=clock_of(plan.election),
        units=units,
        center_sectors={code: c.sector.code for code, c in codes.centers.items()},
        sectors=sorted(codes.sectors),
    )


def _task_from_spec(
    spec: core_tasks.TaskSpec, *, plan: Plan, codes: Codes, acting_user: AnyUser
) -> Task:
    generated = spec.kind is not core_tasks.SpecKind.TEMPLATE
    return Task(
        election=plan.election,
        plan=plan,
        source=TaskSource.GENERATED if generated else TaskSource.TEMPLATE,
        kind=_SPEC_KIND[spec.kind],
        key=spec.key,
        phase=TaskPhase(spec.phase.value),
        agency=codes.agencies.get(spec.agency or ""),
        sector=codes.sectors.get(spec.sector or ""),
        unit=codes.units.get(spec.unit or ""),
        center=codes.centers.get(spec.center or ""),
        role=spec.role,
        headcount=spec.headcount,
        stops=[list(stop) for stop in spec.stops],
        template=spec.template,
        title_en=spec.title_en,
        title_ar=spec.title_ar,
        text_en=spec.text_en,
        text_ar=spec.text_ar,
        starts_at=spec.starts_at,
        due_at=spec.due_at,
        content_digest=_digest(spec),
        created_by=acting_user if isinstance(acting_user, User) else None,
    )


def do_generate_tasks(
    plan: Plan, *, superseded: Plan | None, acting_user: AnyUser
) -> dict[str, int]:
    """The approved `plan`'s tasks (module docstring); returns the counts audited."""
    with transaction.atomic():
        codes = Codes.of(plan.election)
        present = set(Task.objects.filter(plan=plan).values_list("key", flat=True))
        previous: dict[str, Task] = {}
        if superseded is not None:
            old = Task.objects.select_for_update().filter(
                plan=superseded, state__in=LIVE_TASK_STATES
            )
            previous = {t.key: t for t in old}
            Task.objects.filter(pk__in=[t.pk for t in previous.values()]).update(
                state=TaskState.SUPERSEDED, version=F("version") + 1, updated_at=timezone.now()
            )
        new: list[Task] = []
        carried = 0
        for spec in task_specs(plan, codes):
            if spec.key in present:  # cloned into this draft already
                continue
            task = _task_from_spec(spec, plan=plan, codes=codes, acting_user=acting_user)
            before = previous.get(spec.key)
            if (
                before is not None
                and before.state == TaskState.ACKNOWLEDGED
                and before.content_digest == task.content_digest
            ):
                task.state = TaskState.ACKNOWLEDGED
                task.acknowledged_by_id = before.acknowledged_by_id
                task.acknowledged_at = before.acknowledged_at
                task.carried_from = before
                carried += 1
            new.append(task)
        Task.objects.bulk_create(new, batch_size=500)
        counts = {
            "created": len(new),
            "posts": sum(t.kind == TaskKind.POST for t in new),
            "standbys": sum(t.kind == TaskKind.STANDBY for t in new),
            "sweeps": sum(t.kind == TaskKind.SWEEP for t in new),
            "templates": sum(t.kind == TaskKind.TEMPLATE for t in new),
            "carried_over": carried,
            "superseded": len(previous),
        }
        record(
            "planning.generate_tasks",
            acting_user=acting_user,
            object_type="plan",
            object_id=str(plan.pk),
            after={"version": plan.version, **counts},
        )
    return counts


# --- answers --------------------------------------------------------------------------


def _locked_for_answer(task: Task, to: TaskState, version: int) -> Task:
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if locked.version != version:
        raise Conflict(
            _("This task changed since you read it; reload it."),
            current_version=locked.version,
        )
    if (TaskState(locked.state), to) not in TASK_ANSWERS:
        raise Conflict(
            _("A task that is %(state)s cannot become %(to)s.")
            % {"state": locked.get_state_display(), "to": TaskState(to).label},
            current_version=locked.version,
        )
    return locked


def _user(acting_user: AnyUser) -> User | None:
    return acting_user if isinstance(acting_user, User) else None


def do_acknowledge_task(task: Task, *, version: int, acting_user: AnyUser) -> Task:
    """The task's sector commander or agency liaison has read it and will carry it out."""
    with transaction.atomic():
        locked = _locked_for_answer(task, TaskState.ACKNOWLEDGED, version)
        before = locked.state
        locked.state = TaskState.ACKNOWLEDGED
        locked.acknowledged_by = _user(acting_user)
        locked.acknowledged_at = timezone.now()
        locked.version += 1
        locked.save(
            update_fields=["state", "acknowledged_by", "acknowledged_at", "version", "updated_at"]
        )
        record(
            "planning.acknowledge_task",
            acting_user=acting_user,
            object_type="task",
            object_id=str(locked.public_id),
            before={"state": before},
            after={"state": locked.state, "key": locked.key},
        )
    return locked


def do_decline_task(task: Task, *, version: int, reason: str, acting_user: AnyUser) -> Task:
    """The assignee cannot carry the task out, and says why (required)."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput([Problem("reason", None, "task_reason_required", {})])
    with transaction.atomic():
        locked = _locked_for_answer(task, TaskState.DECLINED, version)
        before = locked.state
        locked.state = TaskState.DECLINED
        locked.declined_by = _user(acting_user)
        locked.declined_at = timezone.now()
        locked.decline_reason = reason
        locked.version += 1
        locked.save(
            update_fields=[
                "state",
                "declined_by",
                "declined_at",
                "decline_reason",
                "version",
                "updated_at",
            ]
        )
        record(
            "planning.decline_task",
            acting_user=acting_user,
            object_type="task",
            object_id=str(locked.public_id),
            before={"state": before},
            after={"state": locked.state, "key": locked.key, "reason": reason},
        )
    return locked


# --- manual tasks -------------------------------------------------------------------------


def do_create_task(
    election: Election,
    *,
    phase: TaskPhase,
    title: str,
    text: str,
    language: str,
    starts_at: datetime,
    due_at: datetime,
    agency: Agency | None = None,
    sector: Sector | None = None,
    unit: Unit | None = None,
    center: Center | None = None,
    acting_user: AnyUser,
) -> Task:
    """A task entered by hand by the operations room or the chair, in the language it was
    written in; in force at once (it belongs to no plan version)."""
    title = title.strip()
    problems = []
    if not title:
        problems.append(Problem("title", None, "task_title_required", {}))
    if due_at < starts_at:
        problems.append(Problem("due_at", None, "manual_task_due_before_start", {}))
    if problems:
        raise InvalidInput(problems)
    lang = "en" if language.startswith("en") else "ar"
    public_id = uuid.uuid4()
    with transaction.atomic():
        task = Task.objects.create(
            public_id=public_id,
            election=election,
            plan=None,
            source=TaskSource.MANUAL,
            kind=TaskKind.MANUAL,
            key=f"manual:{public_id}",
            phase=phase,
            agency=agency,
            sector=sector or (center.sector if center else None),
            unit=unit,
            center=center,
            language=lang,
            starts_at=starts_at,
            due_at=due_at,
            created_by=_user(acting_user),
            **{f"title_{lang}": title, f"text_{lang}": text.strip()},
        )
        record(
            "planning.create_task",
            acting_user=acting_user,
            object_type="task",
            object_id=str(task.public_id),
            after={
                "phase": phase,
                "title": title,
                "agency": agency.code if agency else None,
                "sector": task.sector.code if task.sector else None,
                "starts_at": starts_at.isoformat(),
                "due_at": due_at.isoformat(),
            },
        )
    return task


def do_cancel_task(task: Task, *, version: int, acting_user: AnyUser) -> Task:
    """The operations room withdraws a task (kept, shown as cancelled)."""
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.version != version:
            raise Conflict(
                _("This task changed since you read it; reload it."),
                current_version=locked.version,
            )
        if locked.state not in LIVE_TASK_STATES:
            raise Conflict(
                _("A task that is %(state)s cannot be cancelled.")
                % {"state": locked.get_state_display()},
                current_version=locked.version,
            )
        before = locked.state
        locked.state = TaskState.CANCELLED
        locked.version += 1
        locked.save(update_fields=["state", "version", "updated_at"])
        record(
            "planning.cancel_task",
            acting_user=acting_user,
            object_type="task",
            object_id=str(locked.public_id),
            before={"state": before},
            after={"state": locked.state},
        )
    return locked


# --- cloning -----------------------------------------------------------------------------


def _shift(text: str, delta: timedelta) -> str:
    return (datetime.fromisoformat(text) + delta).isoformat()


def _missing(
    kind: str, code: str | None, known: Mapping[str, object], out: set[tuple[str, str]]
) -> bool:
    """Whether `code` is missing in the target (and note it); None is never missing."""
    if code is None or code in known:
        return False
    out.add((kind, code))
    return True


def _clone_document(
    document: Mapping[str, Any], codes: Codes, delta: timedelta, missing: set[tuple[str, str]]
) -> dict[str, Any]:
    assignments = []
    for a in document.get("assignments", []):
        gone_unit = _missing("unit", a["unit"], codes.units, missing)
        gone_center = _missing("center", a["center"], codes.centers, missing)
        if not (gone_unit or gone_center):
            assignments.append(dict(a))
    sweeps = []
    for s in document.get("sweeps", []):
        if _missing("unit", s.get("unit") or s["team"], codes.units, missing):
            continue
        stops = [
            {**stop, "start": _shift(stop["start"], delta), "end": _shift(stop["end"], delta)}
            for stop in s.get("stops", [])
            if not _missing("center", stop["center"], codes.centers, missing)
        ]
        if stops:
            sweeps.append({**s, "stops": stops})
    shortfalls = [
        dict(s)
        for s in document.get("shortfalls", [])
        if not _missing("center", s["center"], codes.centers, missing)
    ]
    sweep_gaps = [
        dict(g)
        for g in document.get("sweep_shortfalls", [])
        if not _missing("center", g["center"], codes.centers, missing)
    ]
    risk = {c: r for c, r in (document.get("risk") or {}).items() if c in codes.centers}
    return {
        **document,
        "assignments": assignments,
        "sweeps": sweeps,
        "shortfalls": shortfalls,
        "sweep_shortfalls": sweep_gaps,
        "risk": risk,
        "metrics": {},  # the source's figures do not hold for another election
    }


def _policy_codes(policy: Mapping[str, Any], codes: Codes, missing: set[tuple[str, str]]) -> None:
    for template in policy.get("task_templates") or []:
        _missing("agency", template.get("agency"), codes.agencies, missing)
        sectors = template.get("sectors")
        if isinstance(sectors, list):
            for sector in sectors:
                _missing("sector", sector, codes.sectors, missing)


def _clone_tasks(
    tasks: Iterable[Task],
    *,
    plan: Plan,
    codes: Codes,
    delta: timedelta,
    missing: set[tuple[str, str]],
    acting_user: AnyUser,
) -> list[Task]:
    out = []
    for t in tasks:
        fks = {}
        for field, kind, known in (
            ("agency", "agency", codes.agencies),
            ("sector", "sector", codes.sectors),
            ("unit", "unit", codes.units),
            ("center", "center", codes.centers),
        ):
            row = getattr(t, field)
            code = row.code if row is not None else None
            _missing(kind, code, known, missing)
            fks[field] = known.get(code) if code is not None else None
        stops = [
            [c, _shift(start, delta), _shift(end, delta)]
            for c, start, end in t.stops
            if not _missing("center", c, codes.centers, missing)
        ]
        out.append(
            Task(
                election=plan.election,
                plan=plan,
                source=TaskSource.CLONED,
                kind=t.kind,
                key=t.key,
                phase=t.phase,
                role=t.role,
                headcount=t.headcount,
                stops=stops,
                template=t.template,
                title_en=t.title_en,
                title_ar=t.title_ar,
                text_en=t.text_en,
                text_ar=t.text_ar,
                language=t.language,
                starts_at=t.starts_at + delta,
                due_at=t.due_at + delta,
                content_digest=t.content_digest,
                created_by=_user(acting_user),
                **fks,
            )
        )
    return out


def do_clone_plan(source_plan: Plan, target_election: Election, *, acting_user: AnyUser) -> Plan:
    """A new draft of `target_election` from `source_plan` (another election's plan).

    Copies its document, its policy and its tasks in force plus the source election's tasks
    entered by hand. Codes the target has are mapped (units, centers, agencies, sectors);
    those it lacks are dropped from the document, left empty on the copied tasks, and
    listed on the draft (`clone_missing`). Times move by the days between the two general
    vote dates. The source plan and its tasks are only read.
    """
    if source_plan.election_id == target_election.pk:
        raise Conflict(_("Choose a plan of another election to clone."))
    source_election = source_plan.election
    delta = timedelta(
        days=(target_election.general_vote_date - source_election.general_vote_date).days
    )
    with transaction.atomic():
        Election.objects.select_for_update(no_key=True).get(pk=target_election.pk)
        codes = Codes.of(target_election)
        missing: set[tuple[str, str]] = set()
        document = _clone_document(source_plan.document, codes, delta, missing)
        document["election"] = target_election.code
        policy = dict(source_plan.policy or {})
        _policy_codes(policy, codes, missing)
        last = Plan.objects.filter(election=target_election).aggregate(m=Max("version"))["m"] or 0
        from pollguard.planning.actions import shortfalls_by_sector

        draft = Plan.objects.create(
            election=target_election,
            version=last + 1,
            state=PlanState.DRAFT,
            document=document,
            metrics={},
            sector_shortfalls=shortfalls_by_sector(
                document, {code: c.sector.code for code, c in codes.centers.items()}
            ),
            time_limit=source_plan.time_limit,
            seed=source_plan.seed,
            package_digest=target_election.package_digest,
            created_by=_user(acting_user),
            policy=policy,
            cloned_from=source_plan,
        )
        rows = list(
            Task.objects.filter(election=source_election, state__in=LIVE_TASK_STATES)
            .filter(Q(plan=source_plan) | Q(plan__isnull=True))
            .select_related("agency", "sector", "unit", "center")
            .order_by("starts_at", "key")
        )
        copies = _clone_tasks(
            rows, plan=draft, codes=codes, delta=delta, missing=missing, acting_user=acting_user
        )
        Task.objects.bulk_create(copies, batch_size=500)
        draft.clone_missing = [{"kind": k, "code": c} for k, c in sorted(missing)]
        draft.save(update_fields=["clone_missing"])
        record(
            "planning.clone_plan",
            acting_user=acting_user,
            object_type="plan",
            object_id=str(draft.pk),
            after={
                "version": draft.version,
                "from_plan": source_plan.pk,
                "from_election": source_election.code,
                "tasks": len(copies),
                "missing": draft.clone_missing,
            },
        )
    return draft
