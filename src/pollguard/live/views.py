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
from django.db import connection
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
# committed yet (PostgreSQL hands out ids before commit). On PostgreSQL each event lists
# the write transactions in flight when it was written (`Event.in_flight`): a gap below it
# is settled once none of them is still running, so a rolled-back transaction holds no
# page back. An event without that list (SQLite, where writes are serialized and a gap is
# never an open transaction, or rows written before the list existed) holds a gap until
# the event after it is GAP_GRACE old.
GAP_GRACE = timedelta(seconds=5)
FRESH_LIMIT = 10_000  # events younger than GAP_GRACE looked at per request


def _still_running(txids: list[int]) -> bool:
    """Whether any of these PostgreSQL transactions is still in progress (one query)."""
    if not txids:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM unnest(%s::bigint[]) AS x"
            " WHERE pg_xact_status(x::text::xid8) = 'in progress'",
            [txids],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _gap_settled(in_flight: object) -> bool | None:
    """A gap below an event: settled (True), open (False), or unknown (None: use the grace)."""
    if not isinstance(in_flight, list) or connection.vendor != "postgresql":
        return None
    return not _still_running([int(x) for x in in_flight])


def committed_horizon(after: int) -> int:
    """The highest id up to which every event is committed (or rolled back).

    Looks at all events, whoever may see them, because a gap is a gap for everyone; but
    only its own events move a user's position (`events`). Only events younger than
    GAP_GRACE are examined (an older gap is settled whatever it was); a gap below a fresh
    event is settled when that event's in-flight transactions have ended (PostgreSQL), or
    else not before GAP_GRACE. A few queries, however far behind `after`.
    """
    newest = Event.objects.aggregate(last=Max("id"))["last"] or 0
    if newest <= after:
        return after
    grace_start = timezone.now() - GAP_GRACE
    fresh = list(
        Event.objects.filter(id__gt=after, created_at__gt=grace_start)
        .order_by("id")
        .values_list("id", "in_flight")[:FRESH_LIMIT]
    )
    if not fresh:
        return newest
    present = set(
        Event.objects.filter(id__gte=fresh[0][0] - 1, id__lte=fresh[-1][0]).values_list(
            "id", flat=True
        )
    )
    for event_id, in_flight in fresh:
        if event_id - 1 > after and event_id - 1 not in present:
            if _gap_settled(in_flight):
                continue
            # Everything up to the newest event below this open gap is settled.
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
