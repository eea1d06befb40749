"""On PostgreSQL, an event whose transaction is still open holds the feed; its end frees it.

PostgreSQL hands out ids before commit, so a page must not move past a missing id while
the transaction that holds it may still commit. Each event lists the write transactions in
flight when it was written; once they have ended the gap is settled, at once: a rolled-back
transaction no longer holds every open page back for the 5 s grace. No waiting in the test:
the first transaction is held open on another connection until the test lets it go.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from pollguard.registry.actions import do_set_center_status
from pollguard.registry.choices import CenterStatus
from pollguard.registry.models import Center

from .personas import Personas

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serializes write transactions: an id is never held by an open one",
    ),
    pytest.mark.django_db(transaction=True),
]
ClientFor = Callable[[str], Client]


class Rollback(Exception):
    pass


def set_status(code: str, status: CenterStatus, personas: Personas) -> None:
    center = Center.objects.get(code=code)
    do_set_center_status(center, status, acting_user=personas.ops, expected_version=center.version)


@pytest.fixture
def held_open(personas: Personas) -> Iterator[Callable[[bool], None]]:
    """A status change of C-0001 whose transaction stays open until `end(commit)`."""
    written, release = threading.Event(), threading.Event()
    outcome: dict[str, bool] = {}

    def writer() -> None:
        try:
            with transaction.atomic():
                set_status("C-0001", CenterStatus.DELAYED, personas)
                written.set()
                release.wait(30)
                if not outcome.get("commit"):
                    raise Rollback
        except Rollback:
            pass
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert written.wait(30), "the first change did not write its event"

    def end(commit: bool) -> None:
        outcome["commit"] = commit
        release.set()
        thread.join(30)

    yield end
    release.set()
    thread.join(30)


@pytest.mark.parametrize("commit", [False, True])
def test_an_open_transaction_holds_the_feed_and_its_end_frees_it_at_once(
    personas: Personas, client_for: ClientFor, held_open: Callable[[bool], None], commit: bool
) -> None:
    ops = client_for("ops")
    after = ops.get("/live/events").json()["last"]
    set_status("C-0003", CenterStatus.OPEN, personas)  # a later id, committed first
    held = ops.get(f"/live/events?after={after}").json()
    assert (held["last"], held["events"]) == (after, [])  # the open one may still commit

    held_open(commit)
    body = ops.get(f"/live/events?after={after}").json()  # no waiting for a grace
    expected = [("C-0001", "delayed"), ("C-0003", "open")] if commit else [("C-0003", "open")]
    assert [(e["center"], e["status"]) for e in body["events"]] == expected


@pytest.fixture
def open_elsewhere() -> Iterator[None]:
    """A write transaction held open in another database of the same server."""
    import psycopg

    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    with psycopg.connect(**params) as other:
        other.execute("SELECT pg_current_xact_id()")  # takes a transaction id, as a writer does
        yield
        other.rollback()


def test_a_transaction_in_another_database_holds_no_page_back(
    personas: Personas, client_for: ClientFor, open_elsewhere: None
) -> None:
    # The server's snapshot lists it, but it cannot hold an id of this feed: a long report
    # in another application's database (or another test worker's) must not stop the map.
    ops = client_for("ops")
    after = ops.get("/live/events").json()["last"]
    try:
        with transaction.atomic():
            set_status("C-0001", CenterStatus.DELAYED, personas)  # its event id becomes a gap
            raise Rollback
    except Rollback:
        pass
    set_status("C-0003", CenterStatus.OPEN, personas)
    body = ops.get(f"/live/events?after={after}").json()
    assert [(e["center"], e["status"]) for e in body["events"]] == [("C-0003", "open")]
