"""URLs of the printed plan orders, mounted at /plans/ (next to the plan pages)."""

from __future__ import annotations

from django.urls import path

from pollguard.planning import order_views

app_name = "planning_orders"

urlpatterns = [
    path("orders/", order_views.order_index, name="index"),
    path("orders/page-<str:lang>.css", order_views.order_page_css, name="page_css"),
    path("orders/jobs/<int:job_id>/", order_views.order_job, name="job"),
    path("orders/jobs/<int:job_id>/pdf", order_views.order_download, name="download"),
    path("orders/<str:scope>/<str:code>/", order_views.order_print, name="print"),
    path("orders/<str:scope>/<str:code>/pdf", order_views.order_pdf, name="pdf"),
    # A version that is not (or no longer) the approved one: chair and operations preview.
    path("v<int:version>/orders/", order_views.order_index, name="index_version"),
    path(
        "v<int:version>/orders/<str:scope>/<str:code>/",
        order_views.order_print,
        name="print_version",
    ),
    path(
        "v<int:version>/orders/<str:scope>/<str:code>/pdf",
        order_views.order_pdf,
        name="pdf_version",
    ),
]
