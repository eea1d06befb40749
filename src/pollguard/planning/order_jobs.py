"""The `plan_orders_pdf` job: one plan order as a PDF file in the data folder.

Runs in a Celery worker (chromium is never started from a web thread). The file is kept
at `POLLGUARD_ORDERS_DIR/<job id>/<name>.pdf` and downloaded through the order download
view (`result.url`), which applies the order's access rules again.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse

from pollguard.jobs.files import job_file
from pollguard.jobs.kinds import JobFailed
from pollguard.jobs.runner import JobContext
from pollguard.planning.choices import OrderScope
from pollguard.planning.models import Plan
from pollguard.planning.order_pdf import PdfEngineError, html_to_pdf, page_count
from pollguard.planning.orders import build_order, render_order_html
from pollguard.registry.models import Agency, Sector

STEPS = 3


def order_file(job_id: int, filename: str) -> Path:
    return job_file(settings.POLLGUARD_ORDERS_DIR, job_id, filename)


def run_plan_orders_pdf(ctx: JobContext) -> dict[str, Any]:
    """The handler (module docstring). Result: `{"url", "file", "pages", "bytes", "seconds"}`."""
    params = ctx.parameters
    ctx.progress(0, STEPS, "reading the plan", "قراءة الخطة")
    plan = (
        Plan.objects.select_related("election", "decided_by")
        .filter(pk=int(params.get("plan") or 0))
        .first()
    )
    if plan is None:
        raise JobFailed("this plan version no longer exists", message_ar="لم تعد نسخة الخطة موجودة")
    scope = OrderScope(params["scope"])
    model = Sector if scope is OrderScope.SECTOR else Agency
    target = model.objects.filter(election=plan.election, code=params["code"]).first()
    if target is None:
        raise JobFailed(
            f"{params['code']} is not in this election any more",
            message_ar=f"لم يعد {params['code']} ضمن هذه الانتخابات",
        )
    lang = "en" if params.get("lang") == "en" else "ar"
    order = build_order(plan, scope, target, lang)
    html = render_order_html(order, for_pdf=True)
    ctx.progress(1, STEPS, "printing the PDF", "طباعة ملف PDF")
    started = time.monotonic()
    try:
        pdf = html_to_pdf(html)
    except PdfEngineError as exc:
        raise JobFailed(
            f"the PDF could not be made: {exc}", message_ar=f"تعذر إنشاء ملف PDF: {exc}"
        ) from exc
    seconds = round(time.monotonic() - started, 2)
    ctx.progress(2, STEPS, "storing the file", "حفظ الملف")
    path = order_file(ctx.job.pk, order.filename)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf)
    return {
        "url": reverse("planning_orders:download", args=[ctx.job.pk]),
        "file": order.filename,
        "pages": page_count(pdf),
        "bytes": len(pdf),
        "seconds": seconds,
    }
