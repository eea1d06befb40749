"""Pages of the registry app. Objects are addressed by their public codes."""

from django.urls import URLPattern, URLResolver, path

from pollguard.registry import intel_views, map_views, views

app_name = "registry"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.overview, name="overview"),
    path("overview/figures", views.overview_figures, name="overview_figures"),
    path("map/", map_views.map_page, name="map"),
    path("map/centers.json", map_views.map_data, name="map_data"),
    path("wall/", map_views.wall, name="wall"),
    path("centers/", views.center_list, name="centers"),
    path("centers/<str:code>/", views.center_detail, name="center"),
    path("centers/<str:code>/status", views.center_set_status, name="center_status"),
    path("units/", views.unit_list, name="units"),
    path("elections/", views.election_list, name="elections"),
    path("elections/choose", views.election_choose, name="election_choose"),
    path("intel/", intel_views.intel_list, name="intel"),
    path("intel/new", intel_views.intel_new, name="intel_new"),
    path("intel/<str:code>/", intel_views.intel_report, name="intel_report"),
]
