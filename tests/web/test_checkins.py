"""Expected check-ins, check-ins through the API, conflicts, order and alarms (issue 14)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from pollguard.fieldreports.actions import (
    CheckinReport,
    do_generate_expected_checkins,
    do_raise_missing_alarms,
    do_record_checkin,
)
from pollguard.fieldreports.choices import Channel
from pollguard.fieldreports.models import Checkin, ExpectedCheckin, StationStatus
from pollguard.live.models import Event
from pollguard.registry.models import Election, Station

from .personas import BAGHDAD, Personas

OPENS = datetime(2010, 3, 7, 7, 0, tzinfo=BAGHDAD)


@pytest.fixture
def expected(election: Election) -> Election:
    do_generate_expected_checkins(election, acting_user=None)
    return election


def post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(
        "/api/v1/checkins", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def body(station: str = "C-0003-01", **changes: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "id": str(uuid.uuid4()),
        "station": station,
        "slot": "opening",
        "status": "open",
        "voters": None,
        "observed_at": now.isoformat(),
        **changes,
    }


def test_expected_rows_are_made_once_per_station_and_slot(election: Election) -> None:
    added = do_generate_expected_checkins(election, acting_user=None)
    stations = Station.objects.filter(election=election).count()
    # 07:00-17:00: opening, hourly at 08..16 (9), closing.
    assert added == stations * 11
    assert do_generate_expected_checkins(election, acting_user=None) == 0
    opening = ExpectedCheckin.objects.get(station__code="C-0003-01", slot="opening")
    assert opening.due_at == OPENS
    closing = ExpectedCheckin.objects.get(station__code="C-0003-01", slot="closing")
    assert closing.due_at == datetime(2010, 3, 7, 18, 0, tzinfo=BAGHDAD)


def test_a_resend_is_200_and_the_same_id_with_other_content_is_409(
    expected: Election, client_for: Any
) -> None:
    client = client_for("field")
    sent = body()
    first = post(client, sent)
    assert first.status_code == 201, first.content
    again = post(client, sent)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Checkin.objects.filter(uuid=sent["id"]).count() == 1
    clash = post(client, {**sent, "status": "suspended", "slot": "hourly"})
    assert clash.status_code == 409
    assert Checkin.objects.get(uuid=sent["id"]).status == "open"


def test_field_reporters_report_only_for_their_own_center(
    expected: Election, client_for: Any
) -> None:
    assert post(client_for("field"), body("C-0001-01")).status_code == 404
    assert post(client_for("cmd_shatra"), body("C-0001-01")).status_code == 404
    assert post(client_for("cmd_rifai"), body("C-0001-01")).status_code == 201
    assert post(client_for("auditor"), body("C-0001-01")).status_code == 403
    assert post(client_for("intel"), body("C-0001-01")).status_code == 404
    assert Checkin.objects.count() == 1


def test_impossible_voters_and_future_device_times_are_refused_by_field(
    expected: Election, client_for: Any
) -> None:
    client = client_for("field")
    answer = post(client, body(slot="closing", status="closed", voters=99999))
    assert answer.status_code == 422
    assert answer.json()["detail"][0].startswith("voters:")
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    answer = post(client, body(observed_at=future))
    assert answer.status_code == 422
    assert answer.json()["code"] == "future_time"
    assert post(client, body(slot="closing", status="closed")).status_code == 422
    assert post(client, body(observed_at="2010-03-07T07:00:00")).status_code == 422
    assert Checkin.objects.count() == 0
    ahead = (timezone.now() + timedelta(minutes=5)).isoformat()
    answer = post(client, body(observed_at=ahead))
    assert answer.status_code == 201
    assert answer.json()["clock_off"] is True


def _report(
    station: Station,
    *,
    key: str,
    status: str,
    at: datetime,
    slot: str = "hourly",
    voters: int | None = None,
    now: datetime | None = None,
) -> Checkin:
    report = CheckinReport(uuid.uuid4(), slot, status, voters, at)
    checkin, _ = do_record_checkin(
        station, report, channel=Channel.SMS, reporter_key=key, acting_user=None, now=now or at
    )
    return checkin


def test_an_older_report_arriving_late_never_overrides_a_newer_one(expected: Election) -> None:
    station = Station.objects.get(code="C-0003-01")
    ten = OPENS + timedelta(hours=3)
    _report(station, key="a", status="suspended", at=ten + timedelta(minutes=20))
    # Sent at 10:05, delivered after the 10:20 one (a weak signal).
    _report(
        station,
        key="a",
        status="ok",
        at=ten + timedelta(minutes=5),
        now=ten + timedelta(minutes=30),
    )
    assert StationStatus.objects.get(station=station).state == "suspended"


def test_two_reporters_who_disagree_make_a_conflict(expected: Election, client_for: Any) -> None:
    station = Station.objects.get(code="C-0003-01")
    at = OPENS + timedelta(hours=2)
    first = _report(station, key="a", status="ok", at=at)
    _report(station, key="b", status="ok", at=at + timedelta(minutes=1))
    row = ExpectedCheckin.objects.get(pk=first.expected_id)
    assert row.state == "received"
    _report(station, key="c", status="suspended", at=at + timedelta(minutes=2))
    row.refresh_from_db()
    assert row.state == "conflict"
    chosen = Checkin.objects.filter(status="suspended").get()
    answer = client_for("field").post(
        f"/board/slots/{row.pk}/resolve", {"checkin": str(chosen.uuid)}
    )
    assert answer.status_code == 403
    answer = client_for("cmd_shatra").post(
        f"/board/slots/{row.pk}/resolve", {"checkin": str(chosen.uuid)}
    )
    assert answer.status_code == 302
    row.refresh_from_db()
    assert row.state == "received"
    assert row.checkin == chosen


def test_a_missing_opening_raises_one_alarm_after_grace_and_the_report_clears_it(
    expected: Election,
) -> None:
    station = Station.objects.get(code="C-0003-01")
    assert do_raise_missing_alarms(now=OPENS + timedelta(minutes=14)) == 0
    stations = Station.objects.filter(election=expected).count()
    assert do_raise_missing_alarms(now=OPENS + timedelta(minutes=15)) == stations
    assert do_raise_missing_alarms(now=OPENS + timedelta(minutes=16)) == 0
    assert Event.objects.filter(kind="checkin.alarm").count() == 5  # one per center
    _report(station, key="a", status="open", slot="opening", at=OPENS + timedelta(minutes=20))
    row = ExpectedCheckin.objects.get(station=station, slot="opening")
    assert row.state == "late"
    assert row.alarm_cleared_at is not None


def test_an_unreachable_station_raises_no_alarm_and_shows_unreachable(
    expected: Election, client_for: Any
) -> None:
    station = Station.objects.get(code="C-0003-01")
    _report(
        station, key="ops", status="unreachable", slot="opening", at=OPENS - timedelta(minutes=5)
    )
    hourly = ExpectedCheckin.objects.get(station=station, slot="hourly", sequence=1)
    do_raise_missing_alarms(now=hourly.due_at + timedelta(hours=1))
    hourly.refresh_from_db()
    assert hourly.alarm_raised_at is None
    board = client_for("ops").get("/api/v1/board?limit=100").json()["items"]
    mine = next(r for r in board if r["station"] == "C-0003-01")
    assert mine["status"] == "unreachable"


def test_the_board_is_scoped_and_puts_exceptions_first(expected: Election, client_for: Any) -> None:
    codes = [r["station"] for r in client_for("field").get("/api/v1/board").json()["items"]]
    assert codes
    assert all(c.startswith("C-0003-") for c in codes)
    rifai = client_for("cmd_rifai").get("/api/v1/board?limit=100").json()["items"]
    assert {r["sector"] for r in rifai} == {"RIF"}
    assert client_for("intel").get("/api/v1/board").json()["items"] == []
    station = Station.objects.get(code="C-0001-02")
    _report(station, key="a", status="suspended", at=timezone.now())
    first = client_for("ops").get("/api/v1/board?limit=100").json()["items"]
    # Election day 2010 is past: every station has missing slots; the suspended one too.
    assert "suspended" in next(r for r in first if r["station"] == "C-0001-02")["status"]
    assert all(r["slots"] for r in first)


def test_only_the_chair_cancels_a_station_and_the_commission_is_told(
    expected: Election, client_for: Any, personas: Personas
) -> None:
    assert (
        client_for("ops").post("/board/stations/C-0003-01/cancel", {"reason": "x"}).status_code
        == 403
    )
    assert (
        client_for("field").post("/board/stations/C-0001-01/cancel", {"reason": "x"}).status_code
        == 404
    )
    answer = client_for("chair").post(
        "/board/stations/C-0003-01/cancel", {"reason": "ballot box burnt"}
    )
    assert answer.status_code == 302
    assert StationStatus.objects.get(station__code="C-0003-01").state == "cancelled"
    page = client_for("commission").get("/board/", HTTP_ACCEPT_LANGUAGE="en")
    assert "ballot box burnt" in page.content.decode()


BOARD_PAGES = {
    "chair": 200, "ops": 200, "auditor": 200, "commission": 200, "cmd_rifai": 200,
    "cmd_shatra": 200, "field": 200, "intel": 404, "liaison_army": 404, "outsider": 404,
}  # fmt: skip
FIELD_PAGE = {**BOARD_PAGES, "auditor": 404}
TRIAGE_PAGE = dict.fromkeys(BOARD_PAGES, 404) | {"chair": 200, "ops": 200, "auditor": 200}
CHECKIN_C0003 = {
    "chair": 201, "ops": 201, "commission": 201, "cmd_shatra": 201, "field": 201,
    "auditor": 403, "cmd_rifai": 404, "intel": 404, "liaison_army": 404, "outsider": 404,
}  # fmt: skip


@pytest.mark.parametrize("persona", sorted(BOARD_PAGES))
def test_every_role_against_every_field_report_endpoint(
    expected: Election, client_for: Any, persona: str
) -> None:
    client = client_for(persona)
    assert client.get("/board/").status_code == BOARD_PAGES[persona]
    assert client.get("/field/").status_code == FIELD_PAGE[persona]
    assert client.get("/field/triage/").status_code == TRIAGE_PAGE[persona]
    assert post(client, body("C-0003-02")).status_code == CHECKIN_C0003[persona]
    board = client.get("/api/v1/board?limit=100")
    assert board.status_code == 200  # an empty board for roles without stations
    sectors = {r["sector"] for r in board.json()["items"]}
    expected_sectors = {
        "cmd_rifai": {"RIF"}, "cmd_shatra": {"SHA"}, "field": {"SHA"},
        "intel": set(), "liaison_army": set(), "outsider": set(),
    }.get(persona, {"RIF", "SHA"})  # fmt: skip
    assert sectors == expected_sectors


def test_open_alarms_show_on_every_page_of_those_who_must_act(
    expected: Election, client_for: Any
) -> None:
    do_raise_missing_alarms(now=OPENS + timedelta(minutes=30))
    for persona in ("ops", "chair", "cmd_shatra", "field"):
        page = client_for(persona).get("/", HTTP_ACCEPT_LANGUAGE="en", follow=True).content.decode()
        assert 'data-testid="alarm-banner"' in page, persona
    for persona in ("auditor", "commission", "intel"):
        page = client_for(persona).get("/", HTTP_ACCEPT_LANGUAGE="en", follow=True).content.decode()
        assert 'data-testid="alarm-banner"' not in page, persona
    # The field reporter counts his own center's stations only (C-0003 has 3).
    page = client_for("field").get("/", HTTP_ACCEPT_LANGUAGE="en", follow=True).content.decode()
    assert 'data-count="3"' in page


def test_the_board_page_lists_exceptions_first_with_counts_that_click_through(
    expected: Election, client_for: Any
) -> None:
    station = Station.objects.get(code="C-0003-01")
    _report(station, key="a", status="suspended", at=timezone.now())
    page = client_for("ops").get("/board/?exception=suspended", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert 'data-station="C-0003-01"' in text
    assert 'data-station="C-0001-01"' not in text
    assert "?center=SHA&amp;exception=suspended" in text


def test_the_demo_preparation_is_deterministic_and_idempotent(personas: Personas) -> None:
    from pollguard.commands.demo import DEMO_PHONE, prepare_field_reports
    from pollguard.fieldreports.models import ReporterPhone

    prepare_field_reports()
    count = ExpectedCheckin.objects.count()
    prepare_field_reports()
    assert ExpectedCheckin.objects.count() == count > 0
    assert ReporterPhone.objects.get(phone=DEMO_PHONE).user == personas.field


def test_check_in_events_never_read_as_a_center_status_change(expected: Election) -> None:
    station = Station.objects.get(code="C-0003-01")
    _report(station, key="a", status="suspended", at=timezone.now())
    event = Event.objects.filter(kind="checkin").get()
    # live.js and map.js recolor a center from any event carrying "center" and "status".
    assert "status" not in event.payload
    assert event.payload["reported"] == "suspended"


def test_one_run_raises_every_overdue_alarm_beyond_one_batch(
    expected: Election, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pollguard.fieldreports import actions

    monkeypatch.setattr(actions, "ALARM_BATCH", 7)
    rows = ExpectedCheckin.objects.filter(due_at__lte=OPENS + timedelta(hours=3)).count()
    assert rows > 7 * 3
    assert do_raise_missing_alarms(now=OPENS + timedelta(hours=3, minutes=15)) == rows
    assert ExpectedCheckin.objects.filter(alarm_raised_at__isnull=False).count() == rows
