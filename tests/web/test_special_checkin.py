"""Special-vote check-in through API v1: one counted vote per person, whatever happens.

The clock stands on the special-vote day (4 March 2010, 07:00-17:00 Baghdad) unless a test
moves it: `pollguard.specialvote.clock.now` is the one place the actions read the time.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from threading import Barrier
from typing import Any

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pollguard.accounts.actions import do_set_user_language
from pollguard.accounts.choices import Language
from pollguard.audit.models import AuditEntry
from pollguard.core import model as core
from pollguard.live.models import Event
from pollguard.registry.models import Election, Station
from pollguard.specialvote import clock
from pollguard.specialvote.actions import AlreadyVoted, do_check_in
from pollguard.specialvote.models import SpecialCheckin

from .personas import BAGHDAD, Personas, make_package

ON_THE_DAY = datetime(2010, 3, 4, 9, 30, tzinfo=BAGHDAD)
SEES = ["chair", "ops", "commission", "auditor"]
CANNOT_CHECK_IN = ["chair", "ops", "auditor"]
OTHERS = ["cmd_rifai", "cmd_shatra", "intel", "liaison_army", "field", "outsider"]


@pytest.fixture
def small_package() -> core.ElectionPackage:
    """The web tests' package with a register of five (P-3, R-1..R-4) at C-0101."""
    base = make_package()
    register = base.special_register + tuple(
        core.SpecialVoter(f"R-{n}", name, "C-0101", unit="U-0003")
        for n, name in enumerate(["أحمد علي", "إبراهيم حسن", "فاطمة كاظم", "يحيى موسى"], start=1)
    )
    personnel = base.personnel + tuple(
        core.Person(v.id, v.name_ar, "U-0003") for v in register if v.id.startswith("R-")
    )
    return dataclasses.replace(base, special_register=register, personnel=personnel)


@pytest.fixture(autouse=True)
def special_day(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The controlled clock; tests change `now[0]`."""
    now = [ON_THE_DAY]
    monkeypatch.setattr(clock, "now", lambda: now[0])
    return now


def send(client: Client, method: str, path: str, data: object = None) -> Any:
    return client.generic(
        method,
        f"/api/v1{path}",
        json.dumps(data) if data is not None else "",
        content_type="application/json",
    )


def check_in(client: Client, voter: str = "R-1", station: str = "C-0101-01", **more: Any) -> Any:
    return send(client, "POST", "/special-checkins", {"voter": voter, "station": station, **more})


def counted(voter: str) -> int:
    return SpecialCheckin.objects.filter(person_code=voter, state="counted").count()


def test_the_commission_checks_a_registered_voter_in(client_for: Any) -> None:
    answer = check_in(client_for("commission"))
    assert answer.status_code == 201, answer.content
    got = answer.json()
    assert (got["voter"], got["station"], got["center"], got["kind"], got["state"]) == (
        "R-1",
        "C-0101-01",
        "C-0101",
        "register",
        "counted",
    )
    assert got["recorded_by"] == "ihec"
    entry = AuditEntry.objects.get(action="specialvote.check_in")
    assert (entry.object_id, entry.critical) == (got["id"], True)


def test_a_second_check_in_anywhere_is_409_naming_where_and_when(client_for: Any) -> None:
    ihec = client_for("commission")
    first = check_in(ihec, station="C-0101-01")
    assert first.status_code == 201
    again = check_in(ihec, station="C-0101-02")
    assert again.status_code == 409, again.content
    body = again.json()
    assert body["code"] == "already_voted"
    assert body["voted"]["station"] == "C-0101-01"
    assert body["voted"]["center"] == "C-0101"
    assert datetime.fromisoformat(body["voted"]["at"]) == ON_THE_DAY
    assert body["checkin"] == first.json()["id"]
    assert "C-0101-01" in body["detail"]
    assert "09:30" in body["detail"]
    assert counted("R-1") == 1
    assert SpecialCheckin.objects.count() == 1


def test_the_refusal_is_in_the_users_language(client_for: Any, personas: Personas) -> None:
    ihec = client_for("commission")
    check_in(ihec)
    do_set_user_language(personas.commission, Language.ARABIC, acting_user=personas.commission)
    detail = check_in(ihec, station="C-0101-02").json()["detail"]
    assert "صوّت" in detail or "اقترع" in detail, detail


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database serializes every writer; the constraint "
    "itself is tested on SQLite below",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_check_ins_of_one_voter_at_two_stations_count_once(
    election: Election, personas: Personas
) -> None:
    """Eight threads, each with its own database connection, check R-2 in at once at two
    stations: the unique rule lets exactly one through and the others hear where."""
    barrier = Barrier(8)

    def attempt(n: int) -> str:
        try:
            barrier.wait()
            do_check_in(
                election,
                voter="R-2",
                station=f"C-0101-0{n % 2 + 1}",
                acting_user=personas.commission,
            )
            return "counted"
        except AlreadyVoted:
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = sorted(pool.map(attempt, range(8)))
    assert outcomes == ["counted"] + ["refused"] * 7
    assert counted("R-2") == 1
    assert SpecialCheckin.objects.filter(person_code="R-2").count() == 1


def test_the_database_itself_refuses_a_second_counted_vote(election: Election) -> None:
    """The rule is a unique constraint, not a check in Python: a raw second row fails."""
    station = Station.objects.get(election=election, code="C-0101-01")
    values = {
        "election": election,
        "person_code": "R-3",
        "name_ar": "x",
        "station": station,
        "center": station.center,
        "kind": "register",
        "observed_at": ON_THE_DAY,
    }
    SpecialCheckin.objects.create(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        SpecialCheckin.objects.create(**values)
    SpecialCheckin.objects.create(**{**values, "state": "conflict"})  # kept beside it
    SpecialCheckin.objects.create(**{**values, "state": "undone"})


@pytest.mark.parametrize(
    ("when", "ok"),
    [
        (datetime(2010, 3, 4, 7, 0, tzinfo=BAGHDAD), True),
        (datetime(2010, 3, 4, 17, 0, tzinfo=BAGHDAD), True),
        (datetime(2010, 3, 4, 6, 59, tzinfo=BAGHDAD), False),
        (datetime(2010, 3, 4, 17, 1, tzinfo=BAGHDAD), False),
        (datetime(2010, 3, 7, 9, 0, tzinfo=BAGHDAD), False),  # general polling day
        (datetime(2010, 3, 3, 9, 0, tzinfo=BAGHDAD), False),
    ],
)
def test_a_check_in_outside_the_special_vote_day_and_hours_is_refused(
    client_for: Any, special_day: list[datetime], when: datetime, ok: bool
) -> None:
    special_day[0] = when
    answer = check_in(client_for("commission"))
    assert answer.status_code == (201 if ok else 422), answer.content
    if not ok:
        assert answer.json()["detail"][0].startswith("time:")
        assert SpecialCheckin.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"voter": "NOBODY", "station": "C-0101-01"}, "voter"),
        ({"voter": "R-1", "station": "C-0101-09"}, "station"),
        ({"voter": "R-1", "station": "C-0001-01"}, "station"),  # a general center's station
        ({"voter": "P-1", "station": "C-0101-01"}, "voter"),  # on the roster, not the register
        ({"voter": "P-1", "station": "C-0101-01", "conditional": True}, "reason"),
        ({"voter": "R-1", "station": "C-0101-01", "conditional": True, "reason": "x"}, "voter"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_writes_nothing(
    client_for: Any, body: dict[str, Any], field: str
) -> None:
    answer = send(client_for("commission"), "POST", "/special-checkins", body)
    assert answer.status_code == 422, answer.content
    assert answer.json()["code"] == "invalid_input"
    assert any(line.startswith(f"{field}:") for line in answer.json()["detail"])
    assert SpecialCheckin.objects.count() == 0
    assert not AuditEntry.objects.filter(action="specialvote.check_in").exists()


@pytest.mark.parametrize(
    "body",
    [
        {"voter": "R-1"},
        {"voter": "R-1", "station": "C-0101-01", "conditional": 1},
        {"voter": "R-1", "station": "C-0101-01", "observed_at": "2010-03-04T09:00:00"},
        {"voter": "R-1\u202e", "station": "C-0101-01"},
        {"voter": "x" * 65, "station": "C-0101-01"},
        {"voter": "R-1", "station": "C-0101-01", "id": "not-a-uuid"},
    ],
)
def test_malformed_bodies_are_422(client_for: Any, body: dict[str, Any]) -> None:
    answer = send(client_for("commission"), "POST", "/special-checkins", body)
    assert answer.status_code == 422, answer.content
    assert SpecialCheckin.objects.count() == 0


def test_personnel_not_on_the_register_cast_a_conditional_ballot_counted_apart(
    client_for: Any,
) -> None:
    ihec = client_for("commission")
    answer = check_in(ihec, voter="P-1", conditional=True, reason="نقل حديث إلى الوحدة")
    assert answer.status_code == 201, answer.content
    assert (answer.json()["kind"], answer.json()["reason"]) == (
        "conditional",
        "نقل حديث إلى الوحدة",
    )
    assert check_in(ihec, voter="R-1").status_code == 201
    tally = {t["center"]: t for t in send(ihec, "GET", "/special-vote/tallies").json()}
    assert (tally["C-0101"]["voted"], tally["C-0101"]["conditional"]) == (1, 1)
    assert tally["C-0101"]["registered"] == 5
    # A conditional voter votes once too.
    again = check_in(ihec, voter="P-1", station="C-0101-02", conditional=True, reason="x")
    assert again.status_code == 409


def test_undo_needs_the_chair_and_a_reason_and_frees_the_voter(client_for: Any) -> None:
    ihec, chair = client_for("commission"), client_for("chair")
    made = check_in(ihec).json()
    path = f"/special-checkins/{made['id']}/undo"
    assert send(ihec, "POST", path, {"reason": "wrong person"}).status_code == 403
    assert send(client_for("auditor"), "POST", path, {"reason": "x"}).status_code == 403
    assert send(chair, "POST", path, {"reason": "   "}).status_code == 422
    assert counted("R-1") == 1
    undone = send(chair, "POST", path, {"reason": "الموظف اختار الاسم الخطأ"})
    assert undone.status_code == 200, undone.content
    assert (undone.json()["state"], undone.json()["undo_reason"]) == (
        "undone",
        "الموظف اختار الاسم الخطأ",
    )
    entry = AuditEntry.objects.get(action="specialvote.undo_checkin")
    assert (entry.critical, entry.actor_name) == (True, "chair")
    assert send(chair, "POST", path, {"reason": "again"}).status_code == 409
    assert check_in(ihec, station="C-0101-02").status_code == 201
    assert counted("R-1") == 1
    steps = [
        (e.payload["field"], e.payload["step"])
        for e in Event.objects.filter(kind="specialvote.tally").order_by("id")
    ]
    assert steps == [("voted", 1), ("voted", -1), ("voted", 1)]


def test_an_offline_check_in_of_someone_who_voted_meanwhile_is_kept_as_a_conflict(
    client_for: Any,
) -> None:
    ihec = client_for("commission")
    online = check_in(ihec, station="C-0101-01").json()
    device_id = str(uuid.uuid4())
    offline_at = (ON_THE_DAY - timedelta(hours=1)).isoformat()
    synced = check_in(ihec, station="C-0101-02", id=device_id, observed_at=offline_at)
    assert synced.status_code == 201, synced.content
    got = synced.json()
    assert (got["id"], got["state"], got["source"]) == (device_id, "conflict", "offline")
    assert got["conflict_with"]["station"] == "C-0101-01"
    # Both records kept; the counted one is not replaced by the later write.
    assert counted("R-1") == 1
    first = send(ihec, "GET", f"/special-checkins/{online['id']}").json()
    assert first["state"] == "counted"
    conflicts = send(ihec, "GET", "/special-checkins?state=conflict").json()["items"]
    assert [c["id"] for c in conflicts] == [device_id]
    tally = {t["center"]: t for t in send(ihec, "GET", "/special-vote/tallies").json()}
    assert tally["C-0101"]["conflicts"] == 1


def test_an_offline_resend_is_stored_once_and_a_reused_id_is_409(client_for: Any) -> None:
    ihec = client_for("commission")
    device_id = str(uuid.uuid4())
    at = (ON_THE_DAY - timedelta(minutes=20)).isoformat()
    first = check_in(ihec, voter="R-4", id=device_id, observed_at=at)
    again = check_in(ihec, voter="R-4", id=device_id, observed_at=at)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == device_id
    assert SpecialCheckin.objects.count() == 1
    other = check_in(ihec, voter="R-3", id=device_id, observed_at=at)
    assert other.status_code == 409
    assert SpecialCheckin.objects.count() == 1


def test_an_offline_record_from_the_future_is_refused(client_for: Any) -> None:
    at = (ON_THE_DAY + timedelta(hours=2)).isoformat()
    answer = check_in(client_for("commission"), id=str(uuid.uuid4()), observed_at=at)
    assert answer.status_code == 422
    assert answer.json()["detail"][0].startswith("observed_at:")


def test_each_check_in_updates_the_centers_live_tally(client_for: Any) -> None:
    ihec = client_for("commission")
    check_in(ihec, voter="R-1")
    check_in(ihec, voter="R-2", station="C-0101-02")
    events = list(Event.objects.filter(kind="specialvote.tally").order_by("id"))
    assert [(e.payload["field"], e.payload["step"]) for e in events] == [("voted", 1)] * 2
    assert events[-1].payload["center"] == "C-0101"
    assert "R-2" not in json.dumps(events[-1].payload)  # counts only, never who


def test_voters_are_found_by_id_or_by_a_name_spelled_differently(client_for: Any) -> None:
    ihec = client_for("commission")
    by_id = send(ihec, "GET", "/special-voters?q=R-2").json()
    assert [v["voter"] for v in by_id] == ["R-2"]
    # Written with a plain alef and ha for ta marbuta: still إبراهيم and فاطمة.
    assert [v["voter"] for v in send(ihec, "GET", "/special-voters?q=ابراهيم").json()] == ["R-2"]
    assert [v["voter"] for v in send(ihec, "GET", "/special-voters?q=فاطمه").json()] == ["R-3"]
    roster = send(ihec, "GET", "/special-voters?q=P-1").json()
    assert [(v["voter"], v["registered"]) for v in roster] == [("P-1", False)]
    check_in(ihec, voter="R-2")
    assert send(ihec, "GET", "/special-voters?q=R-2").json()[0]["voted"]["station"] == "C-0101-01"


@pytest.mark.parametrize("persona", SEES)
def test_those_who_see_the_special_vote_read_it(client_for: Any, persona: str) -> None:
    made = check_in(client_for("commission")).json()
    client = client_for(persona)
    assert send(client, "GET", "/special-checkins").status_code == 200
    assert send(client, "GET", f"/special-checkins/{made['id']}").status_code == 200
    assert send(client, "GET", "/special-voters?q=R").status_code == 200
    assert send(client, "GET", "/special-vote/tallies").status_code == 200
    assert send(client, "GET", "/special-vote/reconciliation").status_code == 200


@pytest.mark.parametrize("persona", CANNOT_CHECK_IN)
def test_only_the_commission_checks_voters_in(client_for: Any, persona: str) -> None:
    assert check_in(client_for(persona)).status_code == 403
    assert SpecialCheckin.objects.count() == 0


@pytest.mark.parametrize("persona", OTHERS)
def test_everyone_else_gets_404_from_every_endpoint(client_for: Any, persona: str) -> None:
    made = check_in(client_for("commission")).json()
    client = client_for(persona)
    for method, path, body in [
        ("GET", "/special-checkins", None),
        ("GET", f"/special-checkins/{made['id']}", None),
        ("POST", f"/special-checkins/{made['id']}/undo", {"reason": "x"}),
        ("POST", f"/special-checkins/{made['id']}/resolve", {"keep": "counted", "reason": "x"}),
        ("POST", "/special-checkins", {"voter": "R-2", "station": "C-0101-01"}),
        ("GET", "/special-voters?q=R", None),
        ("GET", "/special-vote/tallies", None),
        ("GET", "/special-vote/reconciliation", None),
    ]:
        assert send(client, method, path, body).status_code == 404, (method, path)
    assert SpecialCheckin.objects.count() == 1


def test_anonymous_callers_are_refused(db: None) -> None:
    assert check_in(Client()).status_code == 401
    assert send(Client(), "GET", "/special-vote/reconciliation").status_code == 401


def test_the_check_in_list_takes_the_same_number_of_queries_for_5_and_50_rows(
    client_for: Any, election: Election
) -> None:
    station = Station.objects.get(election=election, code="C-0101-01")

    def queries_for(n: int) -> int:
        SpecialCheckin.objects.all().delete()
        SpecialCheckin.objects.bulk_create(
            SpecialCheckin(
                election=election,
                person_code=f"Q-{i}",
                name_ar="x",
                station=station,
                center=station.center,
                kind="register",
                observed_at=ON_THE_DAY,
            )
            for i in range(n)
        )
        client = client_for("auditor")
        with CaptureQueriesContext(connection) as queries:
            answer = send(client, "GET", "/special-checkins?limit=100")
        assert len(answer.json()["items"]) == n
        return len(queries)

    assert queries_for(5) == queries_for(50)


def test_a_demo_clock_starts_on_the_special_vote_morning(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pollguard.commands.demo import special_vote_morning

    monkeypatch.undo()  # the real clock function, not the test's
    clock._shift.cache_clear()
    settings.POLLGUARD_SPECIAL_VOTE_CLOCK = special_vote_morning(make_package())
    try:
        now = clock.now()
        assert datetime(2010, 3, 4, 8, 0, tzinfo=BAGHDAD) <= now
        assert now < datetime(2010, 3, 4, 8, 1, tzinfo=BAGHDAD)
    finally:
        clock._shift.cache_clear()


@pytest.fixture
def conflict(client_for: Any) -> tuple[str, str]:
    """R-1 voted online at C-0101-01; an offline record at C-0101-02 arrived later."""
    ihec = client_for("commission")
    online = check_in(ihec, station="C-0101-01").json()["id"]
    offline = check_in(
        ihec,
        station="C-0101-02",
        id=str(uuid.uuid4()),
        observed_at=(ON_THE_DAY - timedelta(hours=1)).isoformat(),
    ).json()["id"]
    return online, offline


def test_the_committee_counts_the_offline_record_and_the_other_is_undone(
    client_for: Any, conflict: tuple[str, str]
) -> None:
    online, offline = conflict
    chair = client_for("chair")
    path = f"/special-checkins/{offline}/resolve"
    assert (
        send(client_for("commission"), "POST", path, {"keep": "offline", "reason": "x"}).status_code
        == 403
    )
    assert send(chair, "POST", path, {"keep": "offline", "reason": " "}).status_code == 422
    decided = send(chair, "POST", path, {"keep": "offline", "reason": "السجل الورقي يثبت الأسبق"})
    assert decided.status_code == 200, decided.content
    assert (decided.json()["state"], decided.json()["resolution"]) == (
        "counted",
        "السجل الورقي يثبت الأسبق",
    )
    assert send(chair, "GET", f"/special-checkins/{online}").json()["state"] == "undone"
    assert counted("R-1") == 1
    assert SpecialCheckin.objects.get(state="counted").station.code == "C-0101-02"
    assert send(chair, "POST", path, {"keep": "offline", "reason": "again"}).status_code == 409
    entry = AuditEntry.objects.get(action="specialvote.resolve_conflict")
    assert entry.critical
    tally = {t["center"]: t for t in send(chair, "GET", "/special-vote/tallies").json()}
    assert (tally["C-0101"]["voted"], tally["C-0101"]["conflicts"]) == (1, 0)


def test_the_committee_dismisses_the_offline_record(
    client_for: Any, conflict: tuple[str, str]
) -> None:
    online, offline = conflict
    chair = client_for("chair")
    decided = send(
        chair,
        "POST",
        f"/special-checkins/{offline}/resolve",
        {"keep": "counted", "reason": "جهاز خاطئ"},
    )
    assert decided.json()["state"] == "dismissed"
    assert send(chair, "GET", f"/special-checkins/{online}").json()["state"] == "counted"
    assert counted("R-1") == 1


def test_a_counted_check_in_is_not_a_conflict_to_decide(
    client_for: Any, conflict: tuple[str, str]
) -> None:
    online, _ = conflict
    answer = send(
        client_for("chair"),
        "POST",
        f"/special-checkins/{online}/resolve",
        {"keep": "offline", "reason": "x"},
    )
    assert answer.status_code == 409
    assert counted("R-1") == 1
