"""Pages of the audit trail. Entries are addressed by their chain position."""

from django.urls import URLPattern, URLResolver, path

from pollguard.audit import views

app_name = "audit"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.entry_list, name="entries"),
    path("verify", views.verify_now, name="verify"),
    path("<int:seq>/", views.entry_detail, name="entry"),
]
