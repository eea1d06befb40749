"""Pages of the accounts app: log in, log out, own password and the user's API tokens.

The language switch is `accounts.views_language.set_language` (it also stores the choice
in the profile); the base template posts to it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticToken

from pollguard.accounts.access import access_own_token, tokens_of
from pollguard.accounts.actions import (
    TOKEN_DEFAULT_DAYS,
    do_audit_two_factor_failed,
    do_change_own_password,
    do_confirm_totp_device,
    do_create_api_token,
    do_remove_two_factor,
    do_renew_backup_codes,
    do_revoke_all_api_tokens,
    do_revoke_api_token,
    do_start_totp_enrollment,
)
from pollguard.accounts.sessions import SIGNED_OUT_KEY
from pollguard.accounts.throttle import client_address, lockout_ends, login_gate, minutes_until
from pollguard.accounts.twofactor import (
    BACKUP_CODES_KEY,
    PENDING_KEY,
    has_two_factor,
    is_verified,
    must_use_two_factor,
    pending_of,
    qr_svg,
    secret_of,
    start_pending,
)
from pollguard.registry.views import shell_context


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

    def form_valid(self, form: Any) -> HttpResponse:
        """With a second factor enrolled, the password only opens the code step."""
        user = form.get_user()
        if has_two_factor(user):
            start_pending(self.request, user, self.get_success_url())
            return HttpResponseRedirect(reverse("accounts:otp_verify"))
        return super().form_valid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["two_factor_required"] = settings.POLLGUARD_REQUIRE_2FA
        # Shown once: why this user is on the login page again (idle timeout).
        context["signed_out"] = self.request.session.pop(SIGNED_OUT_KEY, None)
        context["idle_minutes"] = settings.POLLGUARD_IDLE_TIMEOUT_MINUTES
        return context


class LogoutView(auth_views.LogoutView):
    """Log out (POST only, as Django requires) and return to the login page."""


NEW_TOKEN_SESSION_KEY = "pollguard_new_token"  # noqa: S105 - a session key name, not a secret


class PasswordConfirmForm(forms.Form):
    """The signed-in user's password again, before a step that hands out a key or removes one."""

    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("That is not your password."), code="wrong_password")
        return password


class TokenForm(PasswordConfirmForm):
    """A new API token: purpose, lifetime, scope, and the password again."""

    name = forms.CharField(
        label=gettext_lazy("What is it for?"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("For example: “situation-room dashboard”."),
    )
    days = forms.TypedChoiceField(
        label=gettext_lazy("Valid for"),
        coerce=int,
        initial=TOKEN_DEFAULT_DAYS,
        choices=[
            (7, gettext_lazy("7 days")),
            (30, gettext_lazy("30 days")),
            (90, gettext_lazy("90 days (the longest)")),
        ],
    )
    read_only = forms.BooleanField(
        label=gettext_lazy("Read-only: the token may read but never change anything"),
        required=False,
    )
    field_order = ["name", "days", "read_only", "password"]  # the password last, as before

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["password"].help_text = gettext_lazy(
            "A token is a key to your account: confirm it is you."
        )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """List the user's API tokens and create one (POST, then redirect: shown once)."""
    assert isinstance(request.user, User)
    form = TokenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        created = do_create_api_token(
            request.user,
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
            read_only=form.cleaned_data["read_only"],
            acting_user=request.user,
        )
        # Shown from the session once, so a reload of the page neither repeats the POST
        # (no second token) nor shows the secret again.
        request.session[NEW_TOKEN_SESSION_KEY] = created.raw
        return HttpResponseRedirect(reverse("accounts:tokens"))
    context = shell_context(request, "tokens")
    context.update(
        {
            "form": form,
            "tokens": tokens_of(request.user),
            "new_token": request.session.pop(NEW_TOKEN_SESSION_KEY, None),
            "now": timezone.now(),
        }
    )
    return render(request, "accounts/tokens.html", context)


@login_required
@require_POST
def revoke_token(request: HttpRequest, prefix: str) -> HttpResponse:
    """Revoke one of the user's own tokens (another user's token is simply not found)."""
    assert isinstance(request.user, User)
    token = access_own_token(request.user, prefix)
    do_revoke_api_token(token, acting_user=request.user)
    messages.success(request, _("The token was revoked; it no longer opens the API."))
    return HttpResponseRedirect(reverse("accounts:tokens"))


@login_required
@require_POST
def revoke_all_tokens(request: HttpRequest) -> HttpResponse:
    """Revoke every token of the user at once (for example after losing a laptop)."""
    assert isinstance(request.user, User)
    count = do_revoke_all_api_tokens(request.user, acting_user=request.user)
    messages.success(
        request,
        ngettext("%(count)s token was revoked.", "%(count)s tokens were revoked.", count)
        % {"count": count},
    )
    return HttpResponseRedirect(reverse("accounts:tokens"))


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's own password change (old password, Django's validators), as an action.

    The change is audited and revokes all of the user's API tokens; this session stays
    signed in, the user's other sessions end.
    """

    template_name = "accounts/password_change.html"
    success_url = "/accounts/password/"

    def form_valid(self, form: Any) -> HttpResponse:
        user = self.request.user
        assert isinstance(user, User)
        revoked = do_change_own_password(user, form.cleaned_data["new_password1"], acting_user=user)
        update_session_auth_hash(self.request, user)
        messages.success(
            self.request,
            ngettext(
                "Your password was changed. %(count)s API token was revoked.",
                "Your password was changed. %(count)s API tokens were revoked.",
                revoked,
            )
            % {"count": revoked},
        )
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(shell_context(self.request, "password"))
        return context


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """`CSRF_FAILURE_VIEW`: the form was too old (or not from this site): explain, offer a
    reload of the page it came from. Nothing the form carried is kept."""
    referer = str(request.META.get("HTTP_REFERER", ""))
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    context = {"reload_url": referer if referer and safe else reverse("registry:overview")}
    return render(request, "accounts/csrf_failure.html", context, status=403)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        help_text=gettext_lazy("The 6 digits your authenticator app shows, or a backup code."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "dir": "ltr"}
        ),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of sign-in: a code from the authenticator app or a backup code.

    Also verifies a session that is signed in but not verified (see TwoFactorMiddleware).
    django-otp slows down repeated wrong codes per device; each one is audited."""
    if request.user.is_authenticated and not is_verified(request.user):
        assert isinstance(request.user, User)
        user, backend, next_url = request.user, "", reverse("registry:overview")
    else:
        pending = pending_of(request)
        if pending is None:
            return HttpResponseRedirect(reverse("accounts:login"))
        user, backend, next_url = pending
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"].strip().replace(" ", ""))
        if device is not None:
            if backend:
                request.session.pop(PENDING_KEY, None)
                login(request, user, backend=backend)
            otp_login(request, device)
            return HttpResponseRedirect(next_url)
        do_audit_two_factor_failed(user, client_address(request))
        form.add_error("code", _("That code is not right. Try the newest code, or a backup code."))
    return render(request, "accounts/otp_verify.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enroll an authenticator app (QR code and secret, then a code), see and renew backup
    codes, or remove two-factor sign-in (with the password)."""
    user = request.user
    assert isinstance(user, User)
    enrolled = has_two_factor(user)
    code_form = CodeForm(request.POST if request.POST.get("step") == "confirm" else None)
    remove_form = PasswordConfirmForm(
        request.POST if request.POST.get("step") == "remove" else None, user=user
    )
    renew_form = PasswordConfirmForm(
        request.POST if request.POST.get("step") == "renew" else None, user=user
    )
    device = None
    if not enrolled:
        device = do_start_totp_enrollment(user)
        if code_form.is_bound and code_form.is_valid():
            if device.verify_token(code_form.cleaned_data["code"].strip().replace(" ", "")):
                codes = do_confirm_totp_device(device, acting_user=user)
                otp_login(request, device)
                request.session[BACKUP_CODES_KEY] = codes
                return HttpResponseRedirect(reverse("accounts:two_factor"))
            code_form.add_error("code", _("That code is not right. Check the phone's clock."))
    elif remove_form.is_bound and remove_form.is_valid():
        do_remove_two_factor(user, acting_user=user)
        messages.success(request, _("Two-factor sign-in was removed from your account."))
        return HttpResponseRedirect(reverse("accounts:two_factor"))
    elif renew_form.is_bound and renew_form.is_valid():
        request.session[BACKUP_CODES_KEY] = do_renew_backup_codes(user, acting_user=user)
        return HttpResponseRedirect(reverse("accounts:two_factor"))
    context = shell_context(request, "two_factor")
    context.update(
        {
            "enrolled": enrolled,
            "required": must_use_two_factor(user),
            "code_form": code_form,
            "remove_form": remove_form,
            "renew_form": renew_form,
            "backup_codes": request.session.pop(BACKUP_CODES_KEY, None),
            "backup_left": StaticToken.objects.filter(device__user=user).count(),
            "qr_svg": qr_svg(device.config_url) if device is not None else "",
            "secret": secret_of(device) if device is not None else "",
        }
    )
    return render(request, "accounts/two_factor.html", context)
