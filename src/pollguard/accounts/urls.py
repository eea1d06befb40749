"""Pages of the accounts app: log in and out, two-factor, own password, API tokens."""

from django.urls import URLPattern, URLResolver, path

from pollguard.accounts import views

app_name = "accounts"
urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/revoke-all", views.revoke_all_tokens, name="revoke_all_tokens"),
    path("tokens/<str:prefix>/revoke", views.revoke_token, name="revoke_token"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/verify", views.otp_verify, name="otp_verify"),
]
