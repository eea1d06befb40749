"""Pages of the special vote, under /special-vote/."""

from django.urls import URLPattern, URLResolver, path

from pollguard.specialvote import views

app_name = "specialvote"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.checkin_page, name="checkin"),
    path("check-in", views.checkin_submit, name="checkin_submit"),
    path("check-ins/<str:checkin_id>/undo", views.checkin_undo, name="checkin_undo"),
    path("check-ins/<str:checkin_id>/resolve", views.checkin_resolve, name="checkin_resolve"),
    path("reconciliation/", views.reconciliation_page, name="reconciliation"),
    path("reconciliation/export.csv", views.export_csv, name="export_csv"),
    path("reconciliation/export.xlsx", views.export_xlsx, name="export_xlsx"),
]
