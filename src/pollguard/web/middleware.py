"""Project-wide HTTP middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control

from pollguard.web.api_errors import REFUSALS, plain_refusal


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


class ApiErrorShapeMiddleware:
    """API v1 answers in JSON even where Django answers first: an unknown path (404), a
    method the path does not take (405, its `Allow` kept), a refused CSRF check (403), a
    body too large (413) or a bad request (400) come back as `{"detail", "code"}` in the
    user's language, like every other refusal (design.md section 5), not as an HTML page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code not in REFUSALS
            or not request.path.startswith("/api/")
            or response.headers.get("Content-Type", "").startswith("application/json")
        ):
            return response
        answer = JsonResponse(plain_refusal(response.status_code), status=response.status_code)
        for header in ("Allow", "Cache-Control", "Vary", "Content-Language"):
            if header in response.headers:
                answer.headers[header] = response.headers[header]
        return answer
