"""Pages of the public app: the anonymous page under /public/, notices for the operations room."""

from __future__ import annotations

from django.urls import path

from pollguard.public import api, views

app_name = "public"

urlpatterns = [
    path("", views.search, name="search"),
    path("centers.json", api.centers_json, name="centers_json"),
    path("centers/<str:code>/", views.center, name="center"),
]
