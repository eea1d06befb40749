"""`GET /live/events?after=N`: the change feed as JSON, polled by every open page.

Contract (docs/architecture.md): the answer is `{"last": L, "events": [...]}`; the client
remembers `last` and asks again with `after=L`. Without `after` the answer holds no events
and `last` is the current position, so a client with no page position starts from now.
`after=0` is a position like any other: a page rendered while the feed was empty receives
every event since, so a change made between rendering and the first poll is not lost.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pollguard.live.access import events_for
from pollguard.live.models import Event

BATCH = 200
# An id that is missing right after `after` may belong to a transaction that has not
# committed yet (PostgreSQL hands out ids before commit). We do not move past such a gap
# until it is this old; older gaps are rolled-back transactions and are skipped.
GAP_GRACE = timedelta(seconds=5)


@never_cache
@require_GET
@login_required
def events(request: HttpRequest) -> JsonResponse:
    raw = request.GET.get("after", "")
    if not raw:
        last = Event.objects.aggregate(last=Max("id"))["last"] or 0
        return JsonResponse({"last": last, "events": []})
    try:
        after = max(0, int(raw))
    except ValueError:
        return JsonResponse({"error": "after must be an integer"}, status=400)
    # Read every event (not only the user's) to see gaps; the user's filter applies after.
    window = list(
        Event.objects.filter(id__gt=after).order_by("id").values_list("id", "created_at")[:BATCH]
    )
    last = after
    grace_start = timezone.now() - GAP_GRACE
    for event_id, created_at in window:
        if event_id != last + 1 and created_at > grace_start:
            break
        last = event_id
    visible = (
        events_for(request.user)
        .filter(id__gt=after, id__lte=last)
        .order_by("id")
        .values("id", "kind", "created_at", "payload", "sector__code")
    )
    return JsonResponse(
        {
            "last": last,
            "events": [
                {
                    "id": e["id"],
                    "kind": e["kind"],
                    "time": e["created_at"].isoformat(),
                    "sector": e["sector__code"],
                    **e["payload"],
                }
                for e in visible
            ],
        }
    )
