"""Pages of the printed plan orders: the list, the print page, the PDF job and its file.

Thin: every check is `order_access`, every write `order_actions`. The print page is
rendered here and needs no worker; the PDF is made by the `plan_orders_pdf` job.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from pollguard.common.errors import NotFound
from pollguard.common.printing import LANGS, other_language, print_language, printed
from pollguard.jobs.choices import JobState
from pollguard.jobs.files import finished_file
from pollguard.planning.choices import PlanState
from pollguard.planning.models import Plan
from pollguard.planning.order_access import (
    OrderRef,
    access_order,
    access_order_job,
    access_plan_for_orders,
    approved_plan,
    can_preview_orders,
    orders_for,
    sees_orders,
)
from pollguard.planning.order_actions import do_request_order_pdf
from pollguard.planning.orders import build_order, page_css, render_order_html
from pollguard.registry.access import current_election
from pollguard.registry.views import shell_context


def _lang(value: str | None) -> str:
    return print_language(value)


def _order_url(name: str, ref: OrderRef, *, preview: bool) -> str:
    args: list[Any] = [ref.scope.value, ref.target.code]
    if preview:
        return reverse(f"planning_orders:{name}_version", args=[ref.plan.version, *args])
    return reverse(f"planning_orders:{name}", args=args)


@login_required
@require_GET
def order_index(request: HttpRequest, version: int | None = None) -> HttpResponse:
    """The orders the user may print: of the approved plan, or of version `version`."""
    if not sees_orders(request.user):
        raise NotFound("orders")
    plan: Plan | None
    if version is None:
        plan = approved_plan(current_election(request.user))
    else:
        plan = access_plan_for_orders(request.user, version)
    preview = plan is not None and plan.state != PlanState.APPROVED
    rows = []
    for ref in orders_for(request.user, plan) if plan is not None else []:
        rows.append(
            {
                "ref": ref,
                "print_ar": _order_url("print", ref, preview=preview) + "?lang=ar",
                "print_en": _order_url("print", ref, preview=preview) + "?lang=en",
                "pdf": _order_url("pdf", ref, preview=preview),
            }
        )
    previews: list[Plan] = []
    election = current_election(request.user)
    if can_preview_orders(request.user) and election is not None:
        previews = list(
            Plan.objects.filter(
                election=election, state__in=[PlanState.DRAFT, PlanState.SUBMITTED]
            ).order_by("-version")[:5]
        )
    context = {
        **shell_context(request, "orders"),
        "plan": plan,
        "preview": preview,
        "rows": rows,
        "previews": previews,
    }
    return render(request, "planning/order_index.html", context)


@login_required
@require_GET
def order_print(
    request: HttpRequest, scope: str, code: str, version: int | None = None
) -> HttpResponse:
    """The print page of one order (A4; the browser's print gives the paper copy)."""
    ref = access_order(request.user, scope, code, version)
    lang = _lang(request.GET.get("lang"))
    preview = version is not None
    order = build_order(ref.plan, ref.scope, ref.target, lang)
    html = render_order_html(
        order,
        for_pdf=False,
        request=request,
        extra={
            "index_url": reverse("planning_orders:index"),
            "pdf_url": _order_url("pdf", ref, preview=preview),
            **other_language(request, lang),
        },
    )
    return printed(html, lang)


@login_required
@require_POST
def order_pdf(
    request: HttpRequest, scope: str, code: str, version: int | None = None
) -> HttpResponse:
    """Ask for the order's PDF (a job); the job's page shows its progress and the file."""
    ref = access_order(request.user, scope, code, version)
    job, _created = do_request_order_pdf(
        ref, lang=_lang(request.POST.get("lang")), acting_user=request.user
    )
    return HttpResponseRedirect(reverse("planning_orders:job", args=[job.pk]))


@login_required
@require_GET
def order_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """A PDF job's progress; the fragment alone for the page's poll (every 2 s)."""
    job, ref = access_order_job(request.user, job_id)
    context = {
        **shell_context(request, "orders"),
        "job": job,
        "ref": ref,
        "lang": _lang(str((job.parameters or {}).get("lang"))),
        "message": job.message_in(get_language() or "ar"),
        "done": job.state == JobState.SUCCEEDED,
    }
    if request.headers.get("HX-Request"):
        return render(request, "planning/partials/order_job_state.html", context)
    return render(request, "planning/order_job.html", context)


@login_required
@require_GET
def order_download(request: HttpRequest, job_id: int) -> FileResponse:
    """The PDF a finished job made (`result.url`), under the order's access rules."""
    job, _ref = access_order_job(request.user, job_id)
    path, name = finished_file(job, settings.POLLGUARD_ORDERS_DIR)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
    )


@login_required
@require_GET
def order_page_css(request: HttpRequest, lang: str) -> HttpResponse:
    """The page box with "page X of Y" in the order's language (no inline style: CSP)."""
    if lang not in LANGS:
        raise NotFound(lang)
    return HttpResponse(page_css(lang), content_type="text/css; charset=utf-8")
