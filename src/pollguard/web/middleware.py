"""Project-wide HTTP middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy built in settings (`POLLGUARD_CSP`).

    Pages load scripts, styles and Leaflet from our own static files, so `'self'` is
    enough; the only outside source is the optional tile server (`POLLGUARD_TILE_URL`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy: str = settings.POLLGUARD_CSP

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The admin uses inline scripts of its own; it is staff-only and not part of the UI.
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class PrivateNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in user.

    Pages and JSON for a signed-in user carry what their role may see (a sector's centers,
    intelligence); neither the browser's disk cache, a shared computer's back button nor a
    proxy between the operations room and the server may keep a copy. A request with an
    `Authorization` header (API tokens) counts as signed in. Static files (answered by
    whitenoise before authentication runs) stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or "Authorization" in request.headers:
            patch_cache_control(response, private=True, no_store=True)
            if "public" in response.headers.get("Cache-Control", ""):
                response.headers["Cache-Control"] = "private, no-store"
        return response
