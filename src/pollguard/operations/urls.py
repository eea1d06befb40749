"""Pages of election-day operations (`/operations/…`); incidents by their public code."""

from django.urls import URLPattern, URLResolver, path

from pollguard.operations import views

app_name = "operations"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.incident_queue, name="queue"),
    path("new/", views.incident_new, name="new"),
    path("units/", views.unit_board, name="units"),
    path("map.json", views.map_layers, name="map_layers"),
    path("escalations/banner", views.escalation_banner, name="escalations"),
    path("outside-force/<str:code>/state", views.outside_force_state, name="outside_force_state"),
    path(
        "centers/<str:code>/outside-force",
        views.center_outside_force_request,
        name="center_outside_force",
    ),
    path("<str:code>/", views.incident_detail, name="detail"),
    path("<str:code>/photos/<str:photo>", views.incident_photo, name="photo"),
    path("<str:code>/outside-force", views.outside_force_request, name="outside_force"),
    path("<str:code>/transition", views.incident_transition, name="transition"),
    path("<str:code>/dispatch", views.incident_dispatch, name="dispatch"),
]
