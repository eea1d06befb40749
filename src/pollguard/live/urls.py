"""URLs of the live change feed (JSON, polled by pages)."""

from django.urls import path

from pollguard.live import views

app_name = "live"
urlpatterns = [path("events", views.events, name="events")]
