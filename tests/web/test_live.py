"""The live change feed: `GET /live/events?after=P`, filtered by what the user may see."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pollguard.live.actions import do_prune_events
from pollguard.live.cursor import decode_position, encode_position
from pollguard.live.models import Event
from pollguard.registry.access import default_election, request_election_cache
from pollguard.registry.actions import do_set_center_status
from pollguard.registry.choices import CenterStatus
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Center

from .personas import Personas, make_package

pytestmark = pytest.mark.django_db
ClientFor = Callable[[str], Client]


def set_status(code: str, status: CenterStatus, personas: Personas) -> None:
    center = Center.objects.get(code=code)
    do_set_center_status(center, status, acting_user=personas.ops, expected_version=center.version)


def start(client: Client) -> str:
    response = client.get("/live/events")
    assert response.json()["events"] == []
    last = response.json()["last"]
    assert isinstance(last, str)
    return last


def position_of(client: Client, token: str) -> int:
    """The feed id behind a token (the test may look; the client cannot)."""
    return decode_position(token, client.session["_auth_user_id"])


def test_a_page_starts_from_now_and_then_receives_changes(
    personas: Personas, client_for: ClientFor
) -> None:
    client = client_for("chair")
    after = start(client)
    set_status("C-0001", CenterStatus.OPEN, personas)
    body = client.get(f"/live/events?after={after}").json()
    assert [(e["kind"], e["center"], e["status"]) for e in body["events"]] == [
        ("center.status", "C-0001", "open")
    ]
    assert position_of(client, body["last"]) > position_of(client, after)
    assert body["events"][0]["id"] == body["last"]  # the same token for the same position
    assert client.get(f"/live/events?after={body['last']}").json()["events"] == []


def test_a_sector_commander_receives_only_their_sectors_events(
    personas: Personas, client_for: ClientFor
) -> None:
    rifai, shatra = client_for("cmd_rifai"), client_for("cmd_shatra")
    after, shatra_after = start(rifai), start(shatra)
    set_status("C-0001", CenterStatus.OPEN, personas)  # RIF
    set_status("C-0003", CenterStatus.DELAYED, personas)  # SHA
    assert [e["center"] for e in rifai.get(f"/live/events?after={after}").json()["events"]] == [
        "C-0001"
    ]
    seen = shatra.get(f"/live/events?after={shatra_after}").json()
    assert [e["center"] for e in seen["events"]] == ["C-0003"]
    # Each position is the user's own newest event, not the feed's.
    assert seen["last"] == seen["events"][-1]["id"]


def test_a_sector_commander_cannot_count_other_sectors_events(
    personas: Personas, client_for: ClientFor
) -> None:
    rifai = client_for("cmd_rifai")
    set_status("C-0001", CenterStatus.OPEN, personas)  # RIF: seen by al-Rifai
    position = start(rifai)
    page = rifai.get("/centers/")
    for status in (CenterStatus.DELAYED, CenterStatus.OPEN, CenterStatus.CLOSED):
        set_status("C-0003", status, personas)  # SHA: three events al-Rifai must not count
    assert rifai.get(f"/live/events?after={position}").json() == {"last": position, "events": []}
    assert start(rifai) == position
    assert page.context["live"]["after"] == position


@pytest.mark.parametrize(
    ("persona", "centers"),
    [
        ("ops", ["C-0001", "C-0003"]),
        ("intel", ["C-0001", "C-0003"]),
        ("auditor", ["C-0001", "C-0003"]),
        ("commission", ["C-0001", "C-0003"]),
        ("field", ["C-0003"]),
        ("liaison_army", []),
        ("outsider", []),
    ],
)
def test_other_roles_receive_what_they_may_see(
    personas: Personas, client_for: ClientFor, persona: str, centers: list[str]
) -> None:
    client = client_for(persona)
    after = start(client)
    set_status("C-0001", CenterStatus.OPEN, personas)
    set_status("C-0003", CenterStatus.OPEN, personas)
    events = client.get(f"/live/events?after={after}").json()["events"]
    assert [e["center"] for e in events] == centers


def test_the_feed_needs_a_login(personas: Personas) -> None:
    assert Client().get("/live/events?after=x").status_code == 302


def test_the_feed_takes_a_fixed_number_of_queries(
    personas: Personas, client_for: ClientFor
) -> None:
    client = client_for("ops")
    after = start(client)
    counts = []
    for n in (1, 10):
        for _ in range(n):
            set_status("C-0001", CenterStatus.OPEN, personas)
        with CaptureQueriesContext(connection) as queries:
            body = client.get(f"/live/events?after={after}").json()
        after = body["last"]
        assert len(body["events"]) == n
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_poll_reads_the_default_election_once(personas: Personas, client_for: ClientFor) -> None:
    """The middleware, the view and the feed's filter all ask for it: one query serves them."""
    client = client_for("ops")
    after = start(client)
    election = Center.objects.get(code="C-0001").election
    set_status("C-0001", CenterStatus.OPEN, personas)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"/live/events?election={election.code}&after={after}").json()
    assert len(body["events"]) == 1
    elections = [q for q in queries if 'FROM "registry_election"' in q["sql"]]
    assert len(elections) == 1


def test_a_package_loaded_during_a_request_is_the_default_election_at_once(
    personas: Personas,
) -> None:
    with request_election_cache():
        first = default_election()
        package = make_package()
        other = dataclasses.replace(package.election, code="test-2011")
        do_load_package(dataclasses.replace(package, election=other), acting_user=None)
        assert first is not None
        assert first.code != "test-2011"
        newest = default_election()
        assert newest is not None
        assert newest.code == "test-2011"


def test_a_fresh_gap_holds_the_feed_back_and_an_old_gap_does_not(
    personas: Personas, client_for: ClientFor
) -> None:
    client = client_for("ops")
    after = start(client)
    set_status("C-0001", CenterStatus.OPEN, personas)
    set_status("C-0001", CenterStatus.CLOSED, personas)
    first, second = Event.objects.filter(id__gt=position_of(client, after)).order_by("id")
    # As if the first event's transaction had not committed yet: a fresh gap, below an event
    # that does not say which transactions were in flight (SQLite; older rows): the grace
    # decides (test_live_gaps.py has PostgreSQL's exact rule).
    first.delete()
    Event.objects.filter(pk=second.pk).update(in_flight=None)
    body = client.get(f"/live/events?after={after}").json()
    assert (body["last"], body["events"]) == (after, [])
    # Seconds later the gap is a rolled-back transaction: skip it.
    Event.objects.filter(pk=second.pk).update(created_at=timezone.now() - timedelta(seconds=30))
    body = client.get(f"/live/events?after={after}").json()
    assert position_of(client, body["last"]) == second.pk
    assert [e["status"] for e in body["events"]] == ["closed"]


def test_old_events_are_pruned(personas: Personas) -> None:
    set_status("C-0001", CenterStatus.OPEN, personas)
    set_status("C-0002", CenterStatus.OPEN, personas)
    Event.objects.filter(payload__center="C-0001").update(
        created_at=timezone.now() - timedelta(days=3)
    )
    Event.objects.filter(kind="package.loaded").delete()
    assert do_prune_events(acting_user=None) == 1
    assert list(Event.objects.values_list("payload__center", flat=True)) == ["C-0002"]


def test_a_page_rendered_on_an_empty_feed_does_not_lose_the_first_change(
    personas: Personas, client_for: ClientFor
) -> None:
    Event.objects.all().delete()  # an empty feed: the page renders with after=0
    client = client_for("chair")
    page_position = client.get("/centers/").context["live"]["after"]
    assert position_of(client, page_position) == 0
    set_status("C-0001", CenterStatus.OPEN, personas)  # before the page's first poll
    # Its id follows deleted ones, which the feed holds back as a possible uncommitted
    # gap for GAP_GRACE; once that has passed it must arrive, not be skipped.
    Event.objects.update(created_at=timezone.now() - timedelta(seconds=30))
    body = client.get(f"/live/events?after={page_position}").json()
    assert [(e["center"], e["status"]) for e in body["events"]] == [("C-0001", "open")]


def test_pruning_keeps_the_newest_event_so_the_feed_is_never_empty(personas: Personas) -> None:
    set_status("C-0001", CenterStatus.OPEN, personas)
    set_status("C-0002", CenterStatus.OPEN, personas)
    Event.objects.update(created_at=timezone.now() - timedelta(days=3))
    do_prune_events(acting_user=None)
    assert list(Event.objects.values_list("payload__center", flat=True)) == ["C-0002"]


def test_a_position_beyond_any_id_is_answered_not_a_500(
    personas: Personas, client_for: ClientFor
) -> None:
    client = client_for("ops")
    far = encode_position(2**63 - 1, client.session["_auth_user_id"])
    response = client.get(f"/live/events?after={far}")
    assert response.status_code == 200
    assert response.json()["events"] == []


@pytest.mark.parametrize("raw", ["1", "0", str(2**70), "-5", "abc", "A" * 65, "٣"])
def test_a_position_the_feed_did_not_make_is_refused(
    personas: Personas, client_for: ClientFor, raw: str
) -> None:
    # A plain number would let a commander probe where their own events sit among everyone's
    # (and so count the others): only tokens the feed made are taken.
    response = client_for("ops").get("/live/events", {"after": raw})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


def test_positions_and_event_ids_are_opaque_and_bound_to_their_user(
    personas: Personas, client_for: ClientFor
) -> None:
    rifai, ops = client_for("cmd_rifai"), client_for("ops")
    after = start(rifai)
    for status in (CenterStatus.OPEN, CenterStatus.DELAYED):
        set_status("C-0001", status, personas)
        set_status("C-0003", status, personas)  # SHA: between al-Rifai's two events
    body = rifai.get(f"/live/events?after={after}").json()
    ids = [e["id"] for e in body["events"]]
    assert len(ids) == 2
    # Nothing in what al-Rifai holds is a number (the gap between two feed ids would show
    # how many events other sectors had)...
    for token in [*ids, body["last"]]:
        assert isinstance(token, str)
        assert not token.isdigit()
    # ...and another user cannot use al-Rifai's position, nor al-Rifai an edited one.
    assert ops.get("/live/events", {"after": after}).status_code == 400
    edited = after[:-1] + ("A" if after[-1] != "A" else "B")
    assert rifai.get("/live/events", {"after": edited}).status_code == 400
