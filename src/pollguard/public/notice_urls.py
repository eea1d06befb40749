"""The notices page of the operations room (signed in; not part of the public site)."""

from __future__ import annotations

from django.urls import path

from pollguard.public import views

app_name = "public_notices"

urlpatterns = [
    path("", views.notices, name="list"),
    path("<str:notice_id>/published", views.set_published, name="set_published"),
]
