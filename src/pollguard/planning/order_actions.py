"""Writes of the plan orders: asking for an order's PDF (a background job)."""

from __future__ import annotations

from pollguard.accounts.access import AnyUser
from pollguard.jobs.actions import do_request_job
from pollguard.jobs.models import Job
from pollguard.planning.order_access import PLAN_ORDERS_PDF, OrderRef


def do_request_order_pdf(ref: OrderRef, *, lang: str, acting_user: AnyUser) -> tuple[Job, bool]:
    """The PDF job for one order in one language (the running one if asked again).

    The requester is part of the parameters: each user follows the job they asked for
    (`GET /api/v1/jobs/{id}` shows a user their own jobs), even when two ask at once.
    The job and its audit row are written by `do_request_job`.
    """
    parameters = {
        "plan": ref.plan.pk,
        "version": ref.plan.version,
        "revision": ref.plan.revision,
        "scope": ref.scope.value,
        "code": ref.target.code,
        "lang": lang,
        "for": acting_user.pk,
    }
    return do_request_job(
        PLAN_ORDERS_PDF,
        parameters=parameters,
        election_id=ref.plan.election_id,
        acting_user=acting_user,
    )
