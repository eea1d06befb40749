"""Who may read which printed plan order (print page and PDF alike).

| role                        | approved plan's orders     | a version not approved (preview) |
|-----------------------------|----------------------------|----------------------------------|
| chair, operations           | every sector and agency    | yes, watermarked "DRAFT"         |
| auditor                     | every sector and agency    | no (403: sees versions, no preview) |
| sector commander            | his own sector's only      | none (404)                       |
| agency liaison              | his own agency's only      | none (404)                       |
| everyone else               | none (404)                 | none (404)                       |

Another sector's or agency's order is 404, as missing ones are. A PDF job is read and
its file downloaded under the same rules, from the job's parameters, whoever asked for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from pollguard.accounts.access import SEES_ALL_REGISTRY, AnyUser, profile_of, role_of
from pollguard.accounts.choices import Role
from pollguard.common.errors import Forbidden, NotFound
from pollguard.jobs.models import Job
from pollguard.planning.choices import OrderScope, PlanState
from pollguard.planning.models import Plan
from pollguard.registry.access import current_election
from pollguard.registry.models import Agency, Election, Sector

PLAN_ORDERS_PDF = "plan_orders_pdf"

SEES_ALL_ORDERS = SEES_ALL_REGISTRY
PREVIEWS_ORDERS = frozenset({Role.CHAIR, Role.OPERATIONS})
GETS_OWN_ORDER = frozenset({Role.SECTOR_COMMANDER, Role.AGENCY_LIAISON})


@dataclass(frozen=True)
class OrderRef:
    """One order: a plan version and whom it is for."""

    plan: Plan
    scope: OrderScope
    target: Sector | Agency


def sees_orders(user: AnyUser) -> bool:
    return role_of(user) in SEES_ALL_ORDERS | GETS_OWN_ORDER


def can_preview_orders(user: AnyUser) -> bool:
    return role_of(user) in PREVIEWS_ORDERS


def _may_read(user: AnyUser, scope: OrderScope, target: Sector | Agency) -> bool:
    role = role_of(user)
    if role in SEES_ALL_ORDERS:
        return True
    profile = profile_of(user)
    if profile is None:
        return False
    if role is Role.SECTOR_COMMANDER:
        return scope is OrderScope.SECTOR and target.pk == profile.sector_id
    if role is Role.AGENCY_LIAISON:
        return scope is OrderScope.AGENCY and target.pk == profile.agency_id
    return False


def _plans(election: Election) -> QuerySet[Plan]:
    return Plan.objects.filter(election=election).select_related("election", "decided_by")


def approved_plan(election: Election | None) -> Plan | None:
    if election is None:
        return None
    return _plans(election).filter(state=PlanState.APPROVED).first()


def access_plan_for_orders(
    user: AnyUser, version: int | None, election: Election | None = None
) -> Plan:
    """The plan whose orders the user asks for: the approved one, or version `version`,
    of `election` (default: the election the user's pages show)."""
    election = election or current_election(user)
    if election is None or not sees_orders(user):
        raise NotFound("orders")
    if version is None:
        plan = approved_plan(election)
    else:
        plan = _plans(election).filter(version=version).first()
    if plan is None:
        raise NotFound("orders")
    if plan.state != PlanState.APPROVED:
        if role_of(user) not in SEES_ALL_ORDERS:
            raise NotFound("orders")  # commanders receive approved orders only
        if not can_preview_orders(user):
            raise Forbidden("orders")
    return plan


def access_order(
    user: AnyUser,
    scope: str,
    code: str,
    version: int | None = None,
    election: Election | None = None,
) -> OrderRef:
    """The order for sector or agency `code` of the approved plan (or of `version`)."""
    try:
        kind = OrderScope(scope)
    except ValueError:
        raise NotFound(scope) from None
    plan = access_plan_for_orders(user, version, election)
    model = Sector if kind is OrderScope.SECTOR else Agency
    target = model.objects.filter(election=plan.election, code=code).first()
    if target is None or not _may_read(user, kind, target):
        raise NotFound(code)
    return OrderRef(plan=plan, scope=kind, target=target)


def orders_for(user: AnyUser, plan: Plan) -> list[OrderRef]:
    """The orders of `plan` the user may read: every sector and every agency with a unit
    in the plan for those who see all, their own for commanders and liaisons."""
    election = plan.election
    used_units = {a["unit"] for a in plan.document.get("assignments", [])} | {
        s.get("unit", "") for s in plan.document.get("sweeps", [])
    }
    refs = [
        OrderRef(plan, OrderScope.SECTOR, s)
        for s in Sector.objects.filter(election=election, active=True).order_by("code")
        if _may_read(user, OrderScope.SECTOR, s)
    ]
    refs += [
        OrderRef(plan, OrderScope.AGENCY, a)
        for a in Agency.objects.filter(election=election, units__code__in=used_units)
        .distinct()
        .order_by("code")
        if _may_read(user, OrderScope.AGENCY, a)
    ]
    return refs


def access_order_job(user: AnyUser, job_id: int) -> tuple[Job, OrderRef]:
    """A plan-order PDF job and its order, if the user may read that order."""
    job = Job.objects.filter(pk=job_id, kind=PLAN_ORDERS_PDF).first()
    if job is None or not sees_orders(user):
        raise NotFound(str(job_id))
    params = job.parameters or {}
    plan = Plan.objects.select_related("election").filter(pk=int(params.get("plan") or 0)).first()
    if plan is None:
        raise NotFound(str(job_id))
    # The job's own election: the user may have chosen another one since.
    return job, access_order(
        user, str(params.get("scope")), str(params.get("code")), plan.version, plan.election
    )
