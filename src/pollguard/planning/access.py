"""Who sees plan versions and who may run, submit and decide them.

| role                         | plan versions | run the planner, submit | approve, return |
|------------------------------|---------------|-------------------------|-----------------|
| chair                        | all           | yes                     | yes             |
| operations                   | all           | yes                     | no (403)        |
| auditor                      | all           | no (403)                | no (403)        |
| everyone else                | none (404)    | none (404)              | none (404)      |

Sector commanders and agency liaisons receive the approved plan as their tasks and as
printed plan orders, not as versions (decision: a commander has nothing to decide about
versions the chair has not approved).
"""

from __future__ import annotations

from django.db.models import QuerySet

from pollguard.accounts.access import SEES_ALL_REGISTRY, AnyUser, role_of
from pollguard.accounts.choices import Role
from pollguard.common.errors import Forbidden, NotFound
from pollguard.planning.models import Plan
from pollguard.registry.access import current_election
from pollguard.registry.models import Election

SEES_PLANS = SEES_ALL_REGISTRY
RUNS_PLANS = frozenset({Role.CHAIR, Role.OPERATIONS})
DECIDES_PLANS = frozenset({Role.CHAIR})


def sees_plans(user: AnyUser) -> bool:
    return role_of(user) in SEES_PLANS


def plans_for(user: AnyUser, election: Election | None = None) -> QuerySet[Plan]:
    election = election or current_election(user)
    if election is None or not sees_plans(user):
        return Plan.objects.none()
    return Plan.objects.filter(election=election).select_related(
        "created_by", "submitted_by", "decided_by", "job"
    )


def access_plan(user: AnyUser, plan_id: int) -> Plan:
    plan = plans_for(user).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(str(plan_id))
    return plan


def can_run_plans(user: AnyUser) -> bool:
    return role_of(user) in RUNS_PLANS


def require_run_plans(user: AnyUser) -> Election:
    """The election to plan for if the user may run the planner; 404 if unseen, else 403."""
    election = current_election(user)
    if election is None or not sees_plans(user):
        raise NotFound("plan-runs")
    if not can_run_plans(user):
        raise Forbidden("plan-runs")
    return election


def access_plan_for_submit(user: AnyUser, plan_id: int) -> Plan:
    plan = access_plan(user, plan_id)
    if not can_run_plans(user):
        raise Forbidden(str(plan_id))
    return plan


def can_decide_plans(user: AnyUser) -> bool:
    return role_of(user) in DECIDES_PLANS


def access_plan_for_decision(user: AnyUser, plan_id: int) -> Plan:
    plan = access_plan(user, plan_id)
    if not can_decide_plans(user):
        raise Forbidden(str(plan_id))
    return plan
