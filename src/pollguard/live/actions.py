"""Writing the change feed. Actions call `emit` inside their transaction."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from pollguard.accounts.access import AnyUser
from pollguard.audit.actions import jsonable, record
from pollguard.live.choices import EventKind
from pollguard.live.models import Event

# The transactions that may still commit an event with a lower id than this one: those in
# this transaction's snapshot that hold a lock on the feed's table in this database. Every
# writer of an event takes that lock (its INSERT) before it draws an id, and its own
# transaction id before that (see `emit`), so none is missed. The lock, not the snapshot
# alone: the snapshot lists every transaction on the server, and one long transaction in
# another database (another application, a parallel test run) would hold every page of
# this one back for the whole grace. pg_locks is readable by every role, and keeps 32-bit
# ids: a snapshot id matches by its low 32 bits.
IN_FLIGHT_SQL = """
UPDATE live_event SET in_flight = (
    SELECT coalesce(jsonb_agg(x::text::bigint), '[]'::jsonb)
    FROM pg_snapshot_xip(pg_current_snapshot()) AS x
    WHERE x <> pg_current_xact_id()
      AND x::text::bigint %% 4294967296 IN (
          SELECT own.transactionid::text::bigint
          FROM pg_locks AS feed
          JOIN pg_locks AS own ON own.pid = feed.pid
          WHERE feed.locktype = 'relation'
            AND feed.relation = 'live_event'::regclass
            AND feed.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND own.locktype = 'transactionid'
            AND own.mode = 'ExclusiveLock'
            AND own.granted
      )
) WHERE id = %s
"""


def emit(
    kind: EventKind,
    *,
    election_id: int | None,
    payload: dict[str, object],
    sector_id: int | None = None,
    center_id: int | None = None,
) -> Event:
    """Append one event to the feed; it becomes visible when the caller's transaction commits.

    `sector_id` and `center_id` decide who receives it (see `registry.access.events_for`); an event
    with neither goes to every role that sees the whole election.

    On PostgreSQL the event also keeps the write transactions that were running when it got
    its id (`in_flight`): only they can still commit an event with a lower id, so the feed
    moves past a gap below this event as soon as they have ended, instead of waiting.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Take this transaction's id before the event's: a transaction that holds a
            # lower event id then always shows in a later event's in-flight list.
            cursor.execute("SELECT pg_current_xact_id()")
    event = Event.objects.create(
        kind=kind,
        election_id=election_id,
        sector_id=sector_id,
        center_id=center_id,
        payload=jsonable(payload),
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(IN_FLIGHT_SQL, [event.pk])
    return event


def do_prune_events(*, older_than: timedelta | None = None, acting_user: AnyUser | None) -> int:
    """Delete events older than the retention (default `POLLGUARD_EVENT_RETENTION_HOURS`).

    A page that was offline longer than that reloads instead of replaying the feed. The
    newest event is always kept: a page renders with the newest id as its position, and an
    empty feed would leave new pages starting from 0, where the first change arrives only
    after the feed's gap grace (views.GAP_GRACE) because pruned ids look like a gap.
    """
    age = older_than or timedelta(hours=settings.POLLGUARD_EVENT_RETENTION_HOURS)
    cutoff = timezone.now() - age
    with transaction.atomic():
        old = Event.objects.filter(created_at__lt=cutoff)
        newest = Event.objects.order_by("-id").values_list("id", flat=True).first()
        if newest is not None:
            old = old.exclude(id=newest)
        deleted, _ = old.delete()
        record(
            "live.prune_events",
            acting_user=acting_user,
            object_type="event",
            after={"deleted": deleted, "cutoff": cutoff},
        )
    return deleted
