"""Pages of the accounts app: log in, log out and the user's API tokens.

The language switch is `accounts.views_language.set_language` (it also stores the choice
in the profile); the base template posts to it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from pollguard.accounts.actions import do_create_api_token, do_revoke_api_token
from pollguard.accounts.models import ApiToken
from pollguard.accounts.throttle import client_address, lockout_ends, login_gate, minutes_until
from pollguard.registry.views import shell_context
from pollguard.web.errors import NotFound


class LoginForm(AuthenticationForm):
    """Django's sign-in form, checked inside the sign-in gate and explaining a lockout."""

    locked_out = False

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        address = client_address(self.request) if self.request is not None else None
        # The gate's transaction commits the failure it counts, so the error is raised after.
        with login_gate(username, address):
            self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            if getattr(self.request, "axes_locked_out", False):
                self.locked_out = True
                minutes = minutes_until(lockout_ends(username, address))
                raise ValidationError(
                    ngettext(
                        "Too many failed sign-ins for this account or from this address. "
                        "Wait %(minutes)s minute, then try again.",
                        "Too many failed sign-ins for this account or from this address. "
                        "Wait %(minutes)s minutes, then try again.",
                        minutes,
                    )
                    % {"minutes": minutes},
                    code="locked_out",
                )
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class LoginView(auth_views.LoginView):
    """Django's login with our template; a signed-in user goes straight to the overview."""

    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Log out (POST only, as Django requires) and return to the login page."""


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What is it for?"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("For example: “situation-room dashboard”."),
    )


def _own_tokens(user: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).order_by("-created_at"))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """List the user's API tokens and create a new one (shown once, never stored)."""
    assert isinstance(request.user, User)
    new_token = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = do_create_api_token(
            request.user, name=form.cleaned_data["name"], acting_user=request.user
        )
        new_token = created.raw
        form = TokenForm()
    context = shell_context(request, "tokens")
    context.update({"form": form, "tokens": _own_tokens(request.user), "new_token": new_token})
    return render(request, "accounts/tokens.html", context)


@login_required
@require_POST
def revoke_token(request: HttpRequest, prefix: str) -> HttpResponse:
    """Revoke one of the user's own tokens (another user's token is simply not found)."""
    assert isinstance(request.user, User)
    token = ApiToken.objects.filter(user=request.user, prefix=prefix).first()
    if token is None:
        raise NotFound(prefix)
    do_revoke_api_token(token, acting_user=request.user)
    messages.success(request, _("The token was revoked; it no longer opens the API."))
    return HttpResponseRedirect(reverse("accounts:tokens"))
