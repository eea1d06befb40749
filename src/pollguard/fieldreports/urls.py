"""Pages of field reports, mounted at /board/ and /field/ (webhooks: `hooks_urls`)."""

from __future__ import annotations

from django.urls import path

from pollguard.fieldreports import views

app_name = "fieldreports"

urlpatterns = [
    path("board/", views.board, name="board"),
    path("board/stations/<str:code>/cancel", views.cancel_station, name="cancel_station"),
    path("board/slots/<int:pk>/resolve", views.resolve_conflict, name="resolve_conflict"),
    path("board/notices/<str:notice>/read", views.acknowledge_notice, name="notice_read"),
    path("field/", views.field_page, name="field"),
    path("field/sw.js", views.service_worker, name="service_worker"),
    path("field/manifest.webmanifest", views.manifest, name="manifest"),
    path("field/triage/", views.triage, name="triage"),
    path("field/triage/<str:item>/resolve", views.resolve_triage, name="resolve_triage"),
    path("field/phones/", views.add_phone, name="add_phone"),
]
