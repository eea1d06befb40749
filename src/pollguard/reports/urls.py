"""URLs of the reports, mounted at /reports/."""

from __future__ import annotations

from django.urls import path

from pollguard.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("after-action/", views.after_action, name="after_action"),
    path("sitreps/<int:number>/", views.sitrep, name="sitrep"),
    path("sitreps/<int:number>/v<int:version>/", views.sitrep, name="sitrep_version"),
    path("export", views.export, name="export"),
    path("jobs/<int:job_id>/", views.job, name="job"),
    path("jobs/<int:job_id>/file", views.download, name="download"),
]
