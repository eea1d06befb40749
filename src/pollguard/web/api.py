"""API v1 (`/api/v1/`): the NinjaAPI instance, its authentication and error answers.

Two ways in, tried in this order: `Authorization: Bearer <token>` (tokens from
`do_create_api_token`; no CSRF, no cookies) and the browser session (CSRF checked on
writes). Both end with `request.user` set, so the same access helpers apply.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

from pollguard.accounts.access import user_for_token
from pollguard.registry.api import router as registry_router
from pollguard.web.errors import Conflict, Forbidden, NotFound


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer pg_…`; the token's user becomes `request.user`."""

    openapi_description = "An API token created on the account page or with `pollguard_token`."

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="pollguard API",
    version="1",
    description="Election security operations: registry of the current election.",
    urls_namespace="api-v1",
    auth=[BearerTokenAuth(), SessionAuth()],
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
