"""API v1 of the plan workflow: plan runs, plan versions, submit, approve, return.

Thin: parse, call an access helper or an action, return. No `from __future__ import
annotations` here: django-ninja reads the annotations at runtime.
"""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from pollguard.common.pagination import Pagination
from pollguard.common.schemas import ConflictOut, ErrorOut, InvalidOut
from pollguard.planning import access
from pollguard.planning.actions import do_decide_plan, do_request_plan_run, do_submit_plan
from pollguard.planning.models import Plan
from pollguard.planning.schemas import (
    DecisionIn,
    PlanDetailOut,
    PlanOut,
    PlanRunIn,
    PlanRunOut,
    ReturnIn,
    SubmitIn,
)

router = Router(tags=["plans"])


@router.post(
    "/plan-runs",
    response={202: PlanRunOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="Run the planner",
    description="Operations officer and chair. Asking again for the same run while it is "
    "queued or running returns that job.",
)
def create_plan_run(request: HttpRequest, body: PlanRunIn) -> Status[dict[str, object]]:
    election = access.require_run_plans(request.user)
    from_plan = access.access_plan(request.user, body.from_plan) if body.from_plan else None
    job, created = do_request_plan_run(
        election,
        time_limit=body.time_limit,
        seed=body.seed,
        from_plan=from_plan,
        changes=body.changes,
        acting_user=request.user,
    )
    return Status(202, {"job": job.pk, "created": created})


@router.get("/plans", response=list[PlanDetailOut], summary="List plan versions")
@paginate(Pagination)
def list_plans(request: HttpRequest) -> QuerySet[Plan]:
    return access.plans_for(request.user).order_by("-version")


@router.get("/plans/{plan_id}", response={200: PlanDetailOut, 404: ErrorOut}, summary="Get a plan")
def get_plan(request: HttpRequest, plan_id: int) -> Plan:
    return access.access_plan(request.user, plan_id)


@router.post(
    "/plans/{plan_id}/submit",
    response={200: PlanOut, 403: ErrorOut, 404: ErrorOut, 409: ConflictOut},
    summary="Submit a draft for the chair's decision",
)
def submit_plan(request: HttpRequest, plan_id: int, body: SubmitIn) -> Plan:
    plan = access.access_plan_for_submit(request.user, plan_id)
    return do_submit_plan(plan, acting_user=request.user, revision=body.revision)


@router.post(
    "/plans/{plan_id}/approve",
    response={200: PlanOut, 403: ErrorOut, 404: ErrorOut, 409: ConflictOut},
    summary="Approve a submitted version (committee chair)",
    description="409 when the version is not submitted, changed since you read it "
    "(`revision`), or was made from a package that has been loaded again since.",
)
def approve_plan(request: HttpRequest, plan_id: int, body: DecisionIn) -> Plan:
    plan = access.access_plan_for_decision(request.user, plan_id)
    return do_decide_plan(
        plan, approve=True, comment=body.comment, acting_user=request.user, revision=body.revision
    )


@router.post(
    "/plans/{plan_id}/return",
    response={200: PlanOut, 403: ErrorOut, 404: ErrorOut, 409: ConflictOut},
    summary="Return a submitted version with a comment (committee chair)",
)
def return_plan(request: HttpRequest, plan_id: int, body: ReturnIn) -> Plan:
    plan = access.access_plan_for_decision(request.user, plan_id)
    return do_decide_plan(
        plan, approve=False, comment=body.comment, acting_user=request.user, revision=body.revision
    )
