"""Webhooks of SMS gateways and Telegram, mounted at /hooks/ (no session, no CSRF)."""

from __future__ import annotations

from django.urls import path

from pollguard.fieldreports import hooks

app_name = "hooks"

urlpatterns = [
    path("telegram", hooks.telegram, name="telegram"),
    path("sms/<str:gateway>", hooks.sms, name="sms"),
]
