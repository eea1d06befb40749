"""Project-wide HTTP middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


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
