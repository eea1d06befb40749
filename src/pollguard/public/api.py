"""`GET /public/centers.json?q=&limit=&offset=`: the public search as JSON (design.md section 5).

Anonymous, cached and rate-limited like the pages (`views.public_response`). The answer is
`{"count", "items"}` as every paginated list of the API; each item has exactly the keys of
`projection.PUBLISHED_FIELDS`. An empty `q` lists every center by code. Bad input is a 422
in the API's error shape (`{"detail", "code"}`) in the asked language (`lang=en`, else
Arabic).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pollguard.public.projection import Projection
from pollguard.public.views import MAX_QUERY, clean_query, public_response

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 100_000


def _bounded(raw: str | None, default: int, low: int, high: int) -> int | None:
    """The whole number in `raw` if inside [low, high]; None when it is not."""
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if low <= value <= high else None


@require_GET
def centers_json(request: HttpRequest) -> HttpResponse:
    query = clean_query(request.GET.get("q", ""))
    limit = _bounded(request.GET.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _bounded(request.GET.get("offset"), 0, 0, MAX_OFFSET)

    def make(projection: Projection, lang: str) -> HttpResponse:
        if len(query) > MAX_QUERY:
            detail = _("The search text is too long: at most %(max)d characters.") % {
                "max": MAX_QUERY
            }
            return JsonResponse({"detail": detail, "code": "query_too_long"}, status=422)
        if limit is None:
            detail = _("limit must be a whole number from 1 to %(max)d.") % {"max": MAX_LIMIT}
            return JsonResponse({"detail": detail, "code": "invalid_limit"}, status=422)
        if offset is None:
            detail = _("offset must be a whole number from 0 to %(max)d.") % {"max": MAX_OFFSET}
            return JsonResponse({"detail": detail, "code": "invalid_offset"}, status=422)
        found = projection.search(query)
        items = found[offset : offset + limit]
        return JsonResponse(
            {"count": len(found), "items": items},
            json_dumps_params={"ensure_ascii": False},
        )

    return public_response(
        request, "json", (query, request.GET.get("limit"), request.GET.get("offset")), make
    )
