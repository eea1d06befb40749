"""`GET /live/events?after=P`: the change feed as JSON, polled by every open page.

Contract (docs/architecture.md): the answer is `{"last": P, "events": [...]}`; the client
remembers `last` and asks again with `after=P`. Positions and event ids are opaque tokens
made for the user (`pollguard.live.cursor`): the feed's row ids are global and would show
how much happened where the user may not look. With `election=CODE` (the election the page
shows), a user who has switched to another election gets `{"reload": true}` instead.
Without `after` the answer holds no events and `last` is the current position, so a client
with no page position starts from now.
The position of a page rendered while the feed was empty is the token for 0, a position
like any other: the page receives every event since, so a change made between rendering and
the first poll is not lost.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pollguard.live.cursor import InvalidCursor, decode_position, encode_position
from pollguard.live.models import Event
from pollguard.registry.access import current_election, events_for, feed_position

BATCH = 200
# An id that is missing right after `after` may belong to a transaction that has not
# committed yet (PostgreSQL hands out ids before commit). We do not move past such a gap
# until it is this old; older gaps are rolled-back transactions and are skipped.
GAP_GRACE = timedelta(seconds=5)
FRESH_LIMIT = 10_000  # events younger than GAP_GRACE looked at per request


def committed_horizon(after: int) -> int:
    """The highest id up to which every event is committed (or rolled back long ago).

    Looks at all events, whoever may see them, because a gap is a gap for everyone; but
    only its own events move a user's position (`events`). A gap counts while the event
    after it is younger than GAP_GRACE. Four queries at most, however far behind `after`.
    """
    newest = Event.objects.aggregate(last=Max("id"))["last"] or 0
    if newest <= after:
        return after
    grace_start = timezone.now() - GAP_GRACE
    fresh = list(
        Event.objects.filter(id__gt=after, created_at__gt=grace_start)
        .order_by("id")
        .values_list("id", flat=True)[:FRESH_LIMIT]
    )
    if not fresh:
        return newest
    present = set(
        Event.objects.filter(id__gte=fresh[0] - 1, id__lte=fresh[-1]).values_list("id", flat=True)
    )
    for event_id in fresh:
        if event_id - 1 > after and event_id - 1 not in present:
            # Everything up to the newest event below the first fresh gap is settled.
            below = [i for i in present if i < event_id]
            if below:
                return max(below)
            settled = Event.objects.filter(id__gt=after, id__lt=event_id).aggregate(m=Max("id"))
            return int(settled["m"] or after)
    return newest


@never_cache
@require_GET
@login_required
def events(request: HttpRequest) -> JsonResponse:
    """The user's events after `after`; `last` moves only over events the user may see.

    A page sends the election it shows (`election=CODE`); once the user has chosen another
    one (in another tab, or through the API) the answer is `{"reload": true}` and the page
    reloads, instead of applying one election's events to another's page.
    """
    shown = request.GET.get("election")
    if shown is not None:
        election = current_election(request.user)
        if election is None or election.code != shown:
            return JsonResponse({"reload": True, "events": []})
    user_id = request.user.pk
    raw = request.GET.get("after", "")
    if not raw:
        position = encode_position(feed_position(request.user), user_id)
        return JsonResponse({"last": position, "events": []})
    try:
        after = decode_position(raw, user_id)
    except InvalidCursor:
        return JsonResponse(
            {"error": "after must be a position this feed gave you", "code": "invalid_cursor"},
            status=400,
        )
    horizon = committed_horizon(after)
    visible = list(
        events_for(request.user)
        .filter(id__gt=after, id__lte=horizon)
        .order_by("id")
        .values("id", "kind", "created_at", "payload", "sector__code")[:BATCH]
    )
    last = visible[-1]["id"] if visible else after
    return JsonResponse(
        {
            "last": encode_position(last, user_id),
            "events": [
                {
                    "id": encode_position(e["id"], user_id),
                    "kind": e["kind"],
                    "time": e["created_at"].isoformat(),
                    "sector": e["sector__code"],
                    **e["payload"],
                }
                for e in visible
            ],
        }
    )
