"""Pages of the accounts app: log in and out, API tokens."""

from django.urls import URLPattern, URLResolver, path

from pollguard.accounts import views

app_name = "accounts"
urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<str:prefix>/revoke", views.revoke_token, name="revoke_token"),
]
