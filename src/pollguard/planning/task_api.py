"""API v1 of tasks: list, read, acknowledge, decline (design.md section 5).

Thin: parse, call an access helper or an action, return. No `from __future__ import
annotations` here: django-ninja reads the annotations at runtime.
"""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from pollguard.common.pagination import Pagination
from pollguard.common.schemas import ConflictOut, ErrorOut, InvalidOut
from pollguard.planning import task_access
from pollguard.planning.choices import TaskPhase, TaskState
from pollguard.planning.models import Task
from pollguard.planning.task_actions import do_acknowledge_task, do_decline_task
from pollguard.planning.task_schemas import AcknowledgeIn, DeclineIn, TaskOut

router = Router(tags=["tasks"])


class TaskFilter(Schema):
    phase: TaskPhase | None = None
    state: TaskState | None = None
    sector: str | None = None
    agency: str | None = None


def filter_tasks(tasks: QuerySet[Task], filters: TaskFilter) -> QuerySet[Task]:
    """The filters of the list (API and page); superseded tasks only when asked for."""
    if filters.state is not None:
        tasks = tasks.filter(state=filters.state)
    else:
        tasks = tasks.exclude(state=TaskState.SUPERSEDED)
    if filters.phase is not None:
        tasks = tasks.filter(phase=filters.phase)
    if filters.sector:
        tasks = tasks.filter(sector__code=filters.sector)
    if filters.agency:
        tasks = tasks.filter(agency__code=filters.agency)
    return tasks


@router.get(
    "/tasks",
    response=list[TaskOut],
    summary="List tasks",
    description="Scoped: a sector commander gets his sector's tasks, an agency liaison his "
    "agency's; the chair, operations officers and the auditor all. Superseded tasks only "
    "with `state=superseded`.",
)
@paginate(Pagination)
def list_tasks(request: HttpRequest, filters: Query[TaskFilter]) -> QuerySet[Task]:
    return filter_tasks(task_access.tasks_for(request.user), filters).order_by("starts_at", "key")


@router.get("/tasks/{task_id}", response={200: TaskOut, 404: ErrorOut}, summary="Get a task")
def get_task(request: HttpRequest, task_id: str) -> Task:
    return task_access.access_task(request.user, task_id)


@router.post(
    "/tasks/{task_id}/acknowledge",
    response={200: TaskOut, 403: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: InvalidOut},
    summary="Acknowledge a task (its sector commander or agency liaison)",
    description="409 when the task changed since `version`, or cannot be acknowledged now.",
)
def acknowledge_task(request: HttpRequest, task_id: str, body: AcknowledgeIn) -> Task:
    task = task_access.access_task_for_answer(request.user, task_id)
    version = body.version if body.version is not None else task.version
    return do_acknowledge_task(task, version=version, acting_user=request.user)


@router.post(
    "/tasks/{task_id}/decline",
    response={200: TaskOut, 403: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: InvalidOut},
    summary="Decline a task with a reason (its sector commander or agency liaison)",
)
def decline_task(request: HttpRequest, task_id: str, body: DeclineIn) -> Task:
    task = task_access.access_task_for_answer(request.user, task_id)
    version = body.version if body.version is not None else task.version
    return do_decline_task(task, version=version, reason=body.reason, acting_user=request.user)
