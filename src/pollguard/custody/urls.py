"""Pages of the chain of custody, under /custody/."""

from django.urls import URLPattern, URLResolver, path

from pollguard.custody import views

app_name = "custody"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.custody_index, name="index"),
    path("ballot/", views.ballot_page, name="ballot"),
    path("exceptions/<str:exception_id>/close", views.exception_close, name="exception_close"),
    path("items/<str:code>/", views.item_page, name="item"),
    path("items/<str:code>/handover", views.item_handover, name="handover"),
]
