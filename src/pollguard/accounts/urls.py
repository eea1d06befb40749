"""Pages of the accounts app (owned by the UI work; empty until its views land)."""

from django.urls import URLPattern, URLResolver

app_name = "accounts"
urlpatterns: list[URLPattern | URLResolver] = []
