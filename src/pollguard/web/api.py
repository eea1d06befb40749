"""API v1 (`/api/v1/`): the NinjaAPI instance, its authentication and error answers.

Two ways in, tried in this order: `Authorization: Bearer <token>` (tokens from
`do_create_api_token`; no CSRF, no cookies) and the browser session (CSRF checked on
writes). Both end with `request.user` set, so the same access helpers apply.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

from pollguard.accounts.access import user_for_token
from pollguard.common.errors import Conflict, Forbidden, NotFound
from pollguard.registry.api import router as registry_router


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer pg_…`; the token's user becomes `request.user`."""

    openapi_description = "An API token created on the account page or with `pollguard_token`."

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


def signed_in_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The API docs and schema are for signed-in users (session or Bearer token) only.

    They list every endpoint and field; an anonymous visitor has no use for them. The
    browser page sends anonymous visitors to the login page, the schema answers 401.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
            user = user_for_token(raw.strip()) if scheme.lower() == "bearer" else None
            if user is None:
                if request.path.endswith(".json"):
                    return JsonResponse({"detail": "Sign in to read the API schema."}, status=401)
                return redirect_to_login(request.get_full_path())
            request.user = user
        return view(request, *args, **kwargs)

    return wrapper


api = NinjaAPI(
    title="pollguard API",
    version="1",
    description="Election security operations: registry of the current election.",
    urls_namespace="api-v1",
    auth=[BearerTokenAuth(), SessionAuth()],
    docs_decorator=signed_in_only,
)
api.add_router("/", registry_router)


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(Forbidden)
def forbidden(request: HttpRequest, exc: Forbidden) -> HttpResponse:
    return api.create_response(request, {"detail": "You may not change this."}, status=403)


@api.exception_handler(Conflict)
def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    body = {"detail": str(exc), "current_version": exc.current_version}
    return api.create_response(request, body, status=409)
