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
from django.utils.translation import get_language
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from pollguard.accounts.access import token_for
from pollguard.accounts.actions import do_note_token_use
from pollguard.common.errors import Conflict, Forbidden, NotFound
from pollguard.core.problems import InvalidInput
from pollguard.custody.api import router as custody_router
from pollguard.fieldreports.api import router as fieldreports_router
from pollguard.jobs.api import router as jobs_router
from pollguard.operations.api import router as operations_router
from pollguard.planning.api import router as planning_router
from pollguard.planning.task_api import router as task_router
from pollguard.registry.api import router as registry_router
from pollguard.reports.api import router as reports_router
from pollguard.specialvote.actions import AlreadyVoted
from pollguard.specialvote.api import router as specialvote_router
from pollguard.web.api_errors import plain_refusal, refusal_body, unreadable_body

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer pg_…`; the token's user becomes `request.user`.

    Expired and revoked tokens open nothing (401); a read-only token may only read, any
    other method is refused with 403 before the endpoint runs.
    """

    openapi_description = (
        "An API token created on the tokens page or with `pollguard_token`; it expires "
        "(at most 90 days) and may be read-only."
    )

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = token_for(token)
        if found is None:
            return None
        if found.read_only and request.method not in SAFE_METHODS:
            raise Forbidden(found.prefix)
        do_note_token_use(found)
        request.user = found.user
        return found.user


def signed_in_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The API docs and schema are for signed-in users (session or Bearer token) only.

    They list every endpoint and field; an anonymous visitor has no use for them. The
    browser page sends anonymous visitors to the login page, the schema answers 401.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
            found = token_for(raw.strip()) if scheme.lower() == "bearer" else None
            user = found.user if found is not None else None
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
    description="Election security operations: the registry of the current election, "
    "background jobs, the plan workflow and election-day operations.",
    urls_namespace="api-v1",
    auth=[BearerTokenAuth(), SessionAuth()],
    docs_decorator=signed_in_only,
)
api.add_router("/", registry_router)
api.add_router("/", jobs_router)
api.add_router("/", planning_router)
api.add_router("/", task_router)
api.add_router("/", operations_router)
api.add_router("/", specialvote_router)
api.add_router("/", custody_router)
api.add_router("/", fieldreports_router)
api.add_router("/", reports_router)


# Every refusal has one shape, `{"detail": ..., "code": ...}`, in the user's language
# (design.md section 5): `detail` for people, `code` for programs.


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return api.create_response(request, plain_refusal(404), status=404)


@api.exception_handler(Forbidden)
def forbidden(request: HttpRequest, exc: Forbidden) -> HttpResponse:
    return api.create_response(request, plain_refusal(403), status=403)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, plain_refusal(401), status=401)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """django-ninja's own refusals; a body that is not JSON is a bad body (422)."""
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        return api.create_response(request, unreadable_body(), status=422)
    body = {"detail": str(exc), "code": f"http_{exc.status_code}"}
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(ValidationError)
def refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A body or query the schemas refuse: each field named, in the user's language."""
    return api.create_response(request, refusal_body(exc.errors), status=422)


@api.exception_handler(InvalidInput)
def invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    """Bad input found by the core's readers (a change list): every problem, in words."""
    lang = "en" if (get_language() or "ar").startswith("en") else "ar"
    body = {"detail": exc.render(lang), "code": "invalid_input"}
    return api.create_response(request, body, status=422)


@api.exception_handler(AlreadyVoted)
def already_voted(request: HttpRequest, exc: AlreadyVoted) -> HttpResponse:
    """A second special-vote check-in: 409 naming where and when the person voted."""
    existing = exc.existing
    body = {
        "detail": str(exc),
        "code": "already_voted",
        "voted": {
            "station": existing.station.code,
            "center": existing.center.code,
            "at": existing.observed_at.isoformat(),
        },
        "checkin": str(existing.uuid),
    }
    return api.create_response(request, body, status=409)


@api.exception_handler(Conflict)
def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    body = {"detail": str(exc), "code": exc.code, "current_version": exc.current_version}
    return api.create_response(request, body, status=409)
