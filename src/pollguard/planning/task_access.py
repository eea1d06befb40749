"""Who sees tasks, who acknowledges or declines them, who enters, cancels and clones.

| role              | tasks                   | acknowledge, decline | enter, cancel, clone |
|-------------------|-------------------------|----------------------|----------------------|
| chair, operations | all                     | no (403)             | yes                  |
| auditor           | all                     | no (403)             | no (403)             |
| sector commander  | his sector's, in force  | yes                  | no (403)             |
| agency liaison    | his agency's, in force  | yes                  | no (403)             |
| everyone else     | none (404)              | none (404)           | none (404)           |

"In force": entered by hand, or from the approved version; a draft's (cloned) tasks and
superseded ones stay with the operations room. A task in a commander's sector that
belongs to another agency (an army reserve posted there) is seen, and may be answered, by
both its sector commander and its agency's liaison.
"""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from pollguard.accounts.access import SEES_ALL_REGISTRY, AnyUser, profile_of, role_of
from pollguard.accounts.choices import Role
from pollguard.common.errors import Forbidden, NotFound
from pollguard.planning.choices import PlanState, TaskState
from pollguard.planning.models import Plan, Task
from pollguard.registry.access import current_election
from pollguard.registry.models import Agency, Election, Sector

SEES_ALL_TASKS = SEES_ALL_REGISTRY
ANSWERS_TASKS = frozenset({Role.SECTOR_COMMANDER, Role.AGENCY_LIAISON})
MANAGES_TASKS = frozenset({Role.CHAIR, Role.OPERATIONS})


def _task_scope(user: AnyUser) -> Q | None:
    """The filter on tasks the user may see; None for none."""
    profile = profile_of(user)
    if profile is None:
        return None
    role = Role(profile.role)
    if role in SEES_ALL_TASKS:
        return Q()
    in_force = (Q(plan__isnull=True) | Q(plan__state=PlanState.APPROVED)) & ~Q(
        state=TaskState.SUPERSEDED
    )
    if role is Role.SECTOR_COMMANDER and profile.sector_id is not None:
        return in_force & Q(sector_id=profile.sector_id)
    if role is Role.AGENCY_LIAISON and profile.agency_id is not None:
        return in_force & Q(agency_id=profile.agency_id)
    return None


def sees_tasks(user: AnyUser) -> bool:
    return _task_scope(user) is not None


def tasks_for(user: AnyUser, election: Election | None = None) -> QuerySet[Task]:
    """The tasks the user may see, with what lists show already joined."""
    election = election or current_election(user)
    scope = _task_scope(user)
    if election is None or scope is None:
        return Task.objects.none()
    return (
        Task.objects.filter(election=election)
        .filter(scope)
        .select_related(
            "election",
            "agency",
            "sector",
            "unit",
            "center",
            "plan",
            "acknowledged_by",
            "declined_by",
        )
    )


def access_task(user: AnyUser, public_id: uuid.UUID | str) -> Task:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(str(public_id)) from None
    task = tasks_for(user).filter(public_id=key).first()
    if task is None:
        raise NotFound(str(public_id))
    return task


def can_answer_tasks(user: AnyUser) -> bool:
    return role_of(user) in ANSWERS_TASKS


def access_task_for_answer(user: AnyUser, public_id: uuid.UUID | str) -> Task:
    """A task the user acknowledges or declines: his own (404 otherwise), and he must be
    its sector commander or agency liaison (403 for the roles that only read it)."""
    task = access_task(user, public_id)
    if not can_answer_tasks(user):
        raise Forbidden(str(public_id))
    return task


def can_manage_tasks(user: AnyUser) -> bool:
    return role_of(user) in MANAGES_TASKS


def require_manage_tasks(user: AnyUser) -> Election:
    """The election whose tasks the user may enter, cancel and clone into; 404 or 403."""
    election = current_election(user)
    if election is None or not sees_tasks(user):
        raise NotFound("tasks")
    if not can_manage_tasks(user):
        raise Forbidden("tasks")
    return election


def access_task_for_cancel(user: AnyUser, public_id: uuid.UUID | str) -> Task:
    task = access_task(user, public_id)
    if not can_manage_tasks(user):
        raise Forbidden(str(public_id))
    return task


def clone_sources_for(user: AnyUser, target: Election) -> QuerySet[Plan]:
    """Plans of other elections the chair or an operations officer may clone from: each
    election's approved (or last superseded) versions."""
    if not can_manage_tasks(user):
        return Plan.objects.none()
    return (
        Plan.objects.exclude(election=target)
        .filter(state__in=[PlanState.APPROVED, PlanState.SUPERSEDED])
        .select_related("election")
        .order_by("-election__general_vote_date", "-version")
    )


def access_clone_source(user: AnyUser, target: Election, plan_id: int) -> Plan:
    plan = clone_sources_for(user, target).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(str(plan_id))
    return plan


def sees_all_tasks(user: AnyUser) -> bool:
    """The board and cloning are for the roles that see every task."""
    return role_of(user) in SEES_ALL_TASKS


def in_force(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Tasks entered by hand or from the approved version (what the board counts)."""
    return tasks.filter(Q(plan__isnull=True) | Q(plan__state=PlanState.APPROVED))


def access_cloned_draft(user: AnyUser, plan_id: int) -> Plan:
    """A plan version of the current election made by cloning; 404 for other roles."""
    election = current_election(user)
    if election is None or not sees_all_tasks(user):
        raise NotFound(str(plan_id))
    plan = (
        Plan.objects.filter(election=election, pk=plan_id, cloned_from__isnull=False)
        .select_related("cloned_from__election")
        .first()
    )
    if plan is None:
        raise NotFound(str(plan_id))
    return plan


def task_count_of(plan: Plan) -> int:
    return Task.objects.filter(plan=plan).count()


def task_form_choices(election: Election | None) -> tuple[list[Sector], list[Agency]]:
    """The election's active sectors and agencies, for the task filters and the task form
    (codes and names only: which tasks a user sees is decided by `tasks_for`)."""
    if election is None:
        return [], []
    sectors = list(Sector.objects.filter(election=election, active=True).order_by("code"))
    agencies = list(Agency.objects.filter(election=election, active=True).order_by("code"))
    return sectors, agencies
