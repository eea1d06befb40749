"""Two-factor sign-in with django-otp: TOTP apps and static backup codes.

Who must use it: under `POLLGUARD_REQUIRE_2FA` (on by default when served over HTTPS
without DEBUG, i.e. a real deployment; off in the local demo, where it is offered) the
committee chair, operations officers and every staff user. Everyone may enroll.

The sign-in is two steps: the password (through the throttled login form), then a code.
Between them the session holds only a pending user id, never a login, so no page opens
on the password alone. `TwoFactorMiddleware` covers every other way into a session (the
admin's login, a session made before enrollment): a user who must use two factors and whose
session is not verified reaches only the enrollment and verification pages.
"""

from __future__ import annotations

import time
from base64 import b32encode
from collections.abc import Callable
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from pollguard.accounts.access import role_of
from pollguard.accounts.choices import Role

PENDING_KEY = "pollguard_2fa_pending"
BACKUP_CODES_KEY = "pollguard_2fa_backup_codes"
# The code must follow the password within this many seconds.
PENDING_SECONDS = 300
REQUIRED_ROLES = frozenset({Role.CHAIR, Role.OPERATIONS})

AnyUser = AbstractBaseUser | AnonymousUser


def must_use_two_factor(user: AnyUser) -> bool:
    """True when this installation requires a second factor of this user."""
    if not settings.POLLGUARD_REQUIRE_2FA or not user.is_authenticated:
        return False
    assert isinstance(user, User)
    return user.is_staff or user.is_superuser or role_of(user) in REQUIRED_ROLES


def has_two_factor(user: AnyUser) -> bool:
    return user.is_authenticated and bool(user_has_device(user, confirmed=True))


def is_verified(user: AnyUser) -> bool:
    """Whether this session's user passed a second factor (set by OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def secret_of(device: TOTPDevice) -> str:
    """The key as the base32 text an authenticator app accepts when typed in."""
    return b32encode(device.bin_key).decode("ascii")


def qr_svg(text: str) -> str:
    """An inline SVG QR code (no image file, no script: fine under our CSP)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg: str = image.to_string(encoding="unicode")
    return svg


def start_pending(request: HttpRequest, user: User, redirect_to: str) -> None:
    """Remember who passed the password step (the session is not signed in)."""
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "at": int(time.time()),
        "next": redirect_to,
    }


def pending_of(request: HttpRequest) -> tuple[User, str, str] | None:
    """(user, backend, next) of a fresh pending sign-in, or None."""
    pending: Any = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or int(time.time()) - pending["at"] > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return None
    return user, str(pending["backend"]), str(pending["next"])


class TwoFactorMiddleware:
    """A user who must use two factors gets nothing but enrollment or verification until
    this session is verified. After django_otp's OTPMiddleware."""

    OPEN_NAMES = frozenset({"two_factor", "otp_verify", "logout", "login", "password_change"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if must_use_two_factor(user) and not is_verified(user):
            path = request.path_info
            open_paths = {reverse(f"accounts:{name}") for name in self.OPEN_NAMES}
            if path not in open_paths and not path.startswith((str(settings.STATIC_URL), "/i18n/")):
                if path.startswith(("/api/", "/live/")):
                    body = {"detail": "Two-factor sign-in is required.", "code": "two_factor"}
                    return JsonResponse(body, status=403)
                target = "accounts:otp_verify" if has_two_factor(user) else "accounts:two_factor"
                return HttpResponseRedirect(reverse(target))
        return self.get_response(request)
