"""The URL map of the whole site. Apps own their pages; the project only mounts them."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from pollguard.accounts.views_language import set_language
from pollguard.web.api import api

urlpatterns = [
    path("", include("pollguard.registry.urls")),
    path("", include("pollguard.planning.urls")),
    path("accounts/", include("pollguard.accounts.urls")),
    path("live/", include("pollguard.live.urls")),
    path("audit/", include("pollguard.audit.urls")),
    path("tasks/", include("pollguard.planning.task_urls")),
    path("operations/", include("pollguard.operations.urls")),
    path("plans/", include("pollguard.planning.order_urls")),
    path("public/", include("pollguard.public.urls")),
    path("public-notices/", include("pollguard.public.notice_urls")),
    path("special-vote/", include("pollguard.specialvote.urls")),
    path("custody/", include("pollguard.custody.urls")),
    path("", include("pollguard.fieldreports.urls")),
    path("hooks/", include("pollguard.fieldreports.hooks_urls")),
    path("reports/", include("pollguard.reports.urls")),
    # Before Django's own set_language: ours also stores the choice in the user's profile.
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
