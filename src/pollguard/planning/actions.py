"""Every write of the plan workflow: asking for a run, storing its version, the decisions.

Transitions follow `choices.TRANSITIONS` and lock the row: a second decision on the same
version, a decision on a version that is not submitted, or on one made from a package that
has since been reloaded (stale), raises `Conflict` (409). Approval and return are critical
audit entries, hash-chained like every entry; approving supersedes the approved version.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pollguard.accounts.access import AnyUser
from pollguard.audit.actions import record
from pollguard.common.errors import Conflict
from pollguard.core.planning.replan import parse_changes
from pollguard.core.problems import InvalidInput, Problem
from pollguard.jobs.actions import do_request_job
from pollguard.jobs.models import Job
from pollguard.planning.choices import TRANSITIONS, PlanState
from pollguard.planning.jobs import PLAN_RUN
from pollguard.planning.models import Plan
from pollguard.registry.models import Election


def check_changes(election: Election, changes: list[dict[str, Any]]) -> None:
    """Raise `InvalidInput` naming each bad change: its shape, range, or an unknown code."""
    from pollguard.registry.models import Center, Unit

    centers = set(
        Center.objects.filter(election=election, active=True).values_list("code", flat=True)
    )
    units = set(Unit.objects.filter(election=election, active=True).values_list("code", flat=True))
    problems: list[Problem] = []
    for index, entry in enumerate(changes):
        where = f"changes[{index}]"  # the entry, not a line of a file the caller never saw
        try:
            (change,) = parse_changes(json.dumps([entry]), file=where)
        except InvalidInput as invalid:
            problems += [dataclasses.replace(p, line=None) for p in invalid.problems]
            continue
        if change.kind == "unit_out" and change.code not in units:
            problems.append(Problem(where, None, "change_unknown_unit", {"code": change.code}))
        elif change.kind != "unit_out" and change.code not in centers:
            problems.append(Problem(where, None, "change_unknown_center", {"code": change.code}))
    if problems:
        raise InvalidInput(problems)


def do_request_plan_run(
    election: Election,
    *,
    time_limit: float,
    seed: int,
    from_plan: Plan | None,
    changes: list[dict[str, Any]],
    acting_user: AnyUser,
) -> tuple[Job, bool]:
    """The plan-run job (the running one if the same run is already asked for)."""
    check_changes(election, changes)
    parameters = {
        "time_limit": time_limit,
        "seed": seed,
        "from_plan": from_plan.pk if from_plan is not None else None,
        "changes": changes,
        "package_digest": election.package_digest,
    }
    return do_request_job(
        PLAN_RUN, parameters=parameters, election_id=election.pk, acting_user=acting_user
    )


def shortfalls_by_sector(
    document: Mapping[str, Any], sector_of: Mapping[str, str]
) -> dict[str, int]:
    missing: Counter[str] = Counter()
    for s in document.get("shortfalls", []):
        missing[sector_of.get(s["center"], "")] += int(s["missing"])
    return dict(sorted(missing.items()))


def do_store_plan(
    *,
    election: Election,
    document: dict[str, Any],
    sector_of: Mapping[str, str],
    params: Mapping[str, Any],
    based_on: Plan | None,
    job: Job,
    policy: dict[str, Any] | None = None,
) -> Plan:
    """Store a finished run as the next draft version (called by the plan-run job)."""
    with transaction.atomic():
        # Lock the election row: two runs finishing at once get versions n and n+1.
        Election.objects.select_for_update(no_key=True).get(pk=election.pk)
        last = Plan.objects.filter(election=election).aggregate(m=Max("version"))["m"] or 0
        requester = job.requested_by
        plan = Plan.objects.create(
            election=election,
            version=last + 1,
            document=document,
            metrics=document.get("metrics", {}),
            sector_shortfalls=shortfalls_by_sector(document, sector_of),
            based_on=based_on,
            changes=list(params.get("changes") or []),
            time_limit=float(params["time_limit"]),
            seed=int(params["seed"]),
            package_digest=str(params.get("package_digest") or election.package_digest),
            job=job,
            created_by=requester,
            policy=policy or {},
        )
        record(
            "planning.store",
            acting_user=requester,
            object_type="plan",
            object_id=str(plan.pk),
            after={"version": plan.version, "metrics": plan.metrics, "job": job.pk},
        )
    return plan


def _move(plan: Plan, to: PlanState, *, revision: int | None) -> Plan:
    """The locked row, checked for the move; raises `Conflict` when it cannot be made."""
    locked = Plan.objects.select_for_update().select_related("election").get(pk=plan.pk)
    if revision is not None and revision != locked.revision:
        raise Conflict(
            _("This plan version changed since you read it; reload it."),
            current_version=locked.revision,
        )
    if (PlanState(locked.state), to) not in TRANSITIONS:
        raise Conflict(
            _("A %(state)s plan version cannot become %(to)s.")
            % {"state": locked.get_state_display(), "to": PlanState(to).label},
            current_version=locked.revision,
        )
    return locked


def do_submit_plan(plan: Plan, *, acting_user: AnyUser, revision: int | None = None) -> Plan:
    with transaction.atomic():
        locked = _move(plan, PlanState.SUBMITTED, revision=revision)
        locked.state = PlanState.SUBMITTED
        locked.submitted_by = acting_user if isinstance(acting_user, User) else None
        locked.submitted_at = timezone.now()
        locked.revision += 1
        locked.save()
        record(
            "planning.submit",
            acting_user=acting_user,
            object_type="plan",
            object_id=str(locked.pk),
            before={"state": PlanState.DRAFT},
            after={"state": locked.state, "version": locked.version},
        )
    return locked


def do_decide_plan(
    plan: Plan,
    *,
    approve: bool,
    comment: str,
    acting_user: AnyUser,
    revision: int | None = None,
) -> Plan:
    """The chair approves or returns a submitted version (module docstring)."""
    to = PlanState.APPROVED if approve else PlanState.RETURNED
    with transaction.atomic():
        locked = _move(plan, to, revision=revision)
        if approve and locked.package_digest != locked.election.package_digest:
            raise Conflict(
                _(
                    "The election package was loaded again after this plan was made; "
                    "run the planner again and approve the new version."
                ),
                current_version=locked.revision,
            )
        superseded = None
        if approve:
            superseded = (
                Plan.objects.select_for_update()
                .filter(election=locked.election, state=PlanState.APPROVED)
                .first()
            )
            if superseded is not None:
                superseded.state = PlanState.SUPERSEDED
                superseded.revision += 1
                superseded.save(update_fields=["state", "revision"])
                record(
                    "planning.supersede",
                    acting_user=acting_user,
                    object_type="plan",
                    object_id=str(superseded.pk),
                    before={"state": PlanState.APPROVED},
                    after={"state": PlanState.SUPERSEDED, "by": locked.pk},
                    critical=True,
                )
        locked.state = to
        locked.decided_by = acting_user if isinstance(acting_user, User) else None
        locked.decided_at = timezone.now()
        locked.comment = comment
        locked.revision += 1
        locked.save()
        tasks = None
        if approve:
            from pollguard.planning.task_actions import do_generate_tasks

            tasks = do_generate_tasks(locked, superseded=superseded, acting_user=acting_user)
        record(
            "planning.approve" if approve else "planning.return",
            acting_user=acting_user,
            object_type="plan",
            object_id=str(locked.pk),
            before={"state": PlanState.SUBMITTED},
            after={
                "state": locked.state,
                "version": locked.version,
                "comment": comment,
                # What was approved, exactly: the digest of the document in the chain.
                "document_sha256": document_digest(locked.document),
                "superseded": superseded.pk if superseded is not None else None,
                "tasks": tasks,
            },
            critical=True,
        )
    return locked


def document_digest(document: Mapping[str, Any]) -> str:
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
