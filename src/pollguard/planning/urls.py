"""Pages of the plan workflow. Plan versions are addressed by their id, as in API v1."""

from django.urls import URLPattern, URLResolver, path

from pollguard.planning import views

app_name = "planning"
urlpatterns: list[URLPattern | URLResolver] = [
    path("plans/", views.plan_list, name="plans"),
    path("plans/run", views.run_plan, name="run"),
    path("plans/runs/<int:job_id>/", views.run_status, name="run_status"),
    path("plans/runs/<int:job_id>/cancel", views.cancel_run, name="cancel_run"),
    path("plans/compare/", views.plan_compare, name="compare"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan"),
    path("plans/<int:plan_id>/map.json", views.plan_map_data, name="map_data"),
    path("plans/<int:plan_id>/submit", views.submit_plan, name="submit"),
    path("plans/<int:plan_id>/decide", views.decide_plan, name="decide"),
]
