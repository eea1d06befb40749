"""Idle sign-out, and keeping the change a signed-out user was sending.

`IdleSessionMiddleware` signs a session out after `POLLGUARD_IDLE_TIMEOUT_MINUTES` without
activity. Background requests (the live feed polled every second, the overview figures it
refreshes, the escalation banner's poll) do not count as activity, or an open dashboard
would never be signed out.

A form sent after the session ended (the officer changed a center's status after lunch) is
not lost and not applied: the view's `login_required` sends it to the login page, and this
middleware keeps the submitted fields in the new anonymous session (Django keeps session
data through `login`) and points `next` at the page the form was on. After sign-in that
page gets the fields back (`request.pollguard_draft`, filled in by accounts/js/draft.js),
to be checked and sent again by hand. The draft is only kept once the CSRF check passed
(the view ran), so another site cannot plant one; it belongs to the user who was signed
out, when known, and is dropped if someone else signs in.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

LAST_ACTIVITY_KEY = "pollguard_last_activity"
SIGNED_OUT_KEY = "pollguard_signed_out"
DRAFT_KEY = "pollguard_draft"
# Activity is written to the session at most this often (seconds), not at every request.
ACTIVITY_RESOLUTION = 60
MAX_DRAFT_FIELDS = 50
MAX_DRAFT_VALUE = 10_000
NOT_KEPT = frozenset({"csrfmiddlewaretoken", "password", "old_password"})


def _is_background(request: HttpRequest) -> bool:
    path = request.path_info
    return path.startswith("/live/") or path in {
        reverse("registry:overview_figures"),
        reverse("operations:escalations"),
    }


def _return_path(request: HttpRequest) -> str:
    """The page the form was on (same site only), else the overview."""
    referer = str(request.META.get("HTTP_REFERER", ""))
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return str(settings.LOGIN_REDIRECT_URL)


def _kept_fields(request: HttpRequest) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for name in list(request.POST.keys())[:MAX_DRAFT_FIELDS]:
        if name not in NOT_KEPT:
            fields[name] = [value[:MAX_DRAFT_VALUE] for value in request.POST.getlist(name)]
    return fields


class IdleSessionMiddleware:
    """Signs idle sessions out; keeps and restores a form sent after the sign-out.

    After AuthenticationMiddleware (it needs `request.user`), before the views.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signed_out_user = self._sign_out_if_idle(request)
        if request.user.is_authenticated and request.method == "GET":
            self._hand_back_draft(request)
        response = self.get_response(request)
        if request.method == "POST" and not request.user.is_authenticated:
            response = self._keep_draft(request, response, signed_out_user)
        return response

    def _sign_out_if_idle(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated or not hasattr(request, "session"):
            return None
        now = int(time.time())
        last = request.session.get(LAST_ACTIVITY_KEY)
        if isinstance(last, int) and now - last > settings.POLLGUARD_IDLE_TIMEOUT_MINUTES * 60:
            if _is_background(request):
                # Refused, but the sign-out itself is left to the next page the user opens:
                # a poll racing a form post would otherwise end the session under the
                # post, which then could not tell whose change it carries.
                request.user = AnonymousUser()
                return None
            username = request.user.get_username()
            logout(request)
            request.session[SIGNED_OUT_KEY] = {"reason": "idle", "user": username}
            return username
        if not _is_background(request) and (
            not isinstance(last, int) or now - last >= ACTIVITY_RESOLUTION
        ):
            request.session[LAST_ACTIVITY_KEY] = now
        return None

    def _keep_draft(
        self, request: HttpRequest, response: HttpResponse, signed_out_user: str | None
    ) -> HttpResponse:
        location = response.get("Location", "") if response.status_code == 302 else ""
        if not location.startswith(str(settings.LOGIN_URL)) or _is_background(request):
            return response
        if request.path_info == reverse("accounts:login"):
            return response
        previous: dict[str, Any] = request.session.get(SIGNED_OUT_KEY) or {}
        owner = signed_out_user or previous.get("user")
        return_to = _return_path(request)
        request.session[DRAFT_KEY] = {
            "action": request.path,
            "return_to": return_to,
            "data": _kept_fields(request),
            "user": owner,
        }
        request.session[SIGNED_OUT_KEY] = {
            "reason": previous.get("reason", "expired"),
            "user": owner,
            "draft": True,
        }
        target = f"{settings.LOGIN_URL}?{urlencode({'next': return_to})}"
        response["Location"] = target
        if request.headers.get("HX-Request"):
            response["HX-Redirect"] = target
        return response

    def _hand_back_draft(self, request: HttpRequest) -> None:
        draft = request.session.get(DRAFT_KEY)
        if not isinstance(draft, dict) or _is_background(request):
            return
        if draft.get("user") not in (None, request.user.get_username()):
            del request.session[DRAFT_KEY]  # someone else's unsent change: not shown
            return
        if request.get_full_path() == draft.get("return_to"):
            del request.session[DRAFT_KEY]
            request.pollguard_draft = {"action": draft["action"], "data": draft["data"]}  # type: ignore[attr-defined]
