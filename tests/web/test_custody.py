"""Chain of custody through API v1: one step at a time, witnessed, seals re-entered.

Warehouse WH-1 → center C-0001 → station C-0001-01 → counting center CC-1, for the box
BOX-1 sealed SL-000101 and SL-000102.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from pollguard.audit.models import AuditEntry
from pollguard.custody.models import CustodyException, Handover, Item
from pollguard.live.models import Event
from pollguard.operations.models import Incident

SEES = ["chair", "ops", "commission", "auditor"]
RECORDS = ["ops", "commission"]
READ_ONLY = ["chair", "auditor"]
OTHERS = ["cmd_rifai", "cmd_shatra", "intel", "liaison_army", "field", "outsider"]
SEALS = ["SL-000101", "SL-000102"]


def send(client: Client, method: str, path: str, data: object = None) -> Any:
    return client.generic(
        method,
        f"/api/v1{path}",
        json.dumps(data) if data is not None else "",
        content_type="application/json",
    )


@pytest.fixture
def box(client_for: Any) -> dict[str, Any]:
    ihec = client_for("commission")
    assert (
        send(ihec, "POST", "/custody/depots", {"code": "WH-1", "kind": "warehouse"}).status_code
        == 201
    )
    assert (
        send(ihec, "POST", "/custody/depots", {"code": "CC-1", "kind": "counting"}).status_code
        == 201
    )
    answer = send(
        ihec,
        "POST",
        "/custody/items",
        {
            "code": "BOX-1",
            "kind": "ballot_box",
            "station": "C-0001-01",
            "warehouse": "WH-1",
            "seals": SEALS,
        },
    )
    assert answer.status_code == 201, answer.content
    return dict(answer.json())


def hand(client: Client, frm: str, to: str, **more: Any) -> Any:
    body = {
        "item": "BOX-1",
        "from": frm,
        "to": to,
        "witness": "مراقب الكيان ١",
        "seals": SEALS,
        "given_by": "أمين المخزن",
        "received_by": "مدير المركز",
        **more,
    }
    return send(client, "POST", "/custody/handovers", body)


ROAD = {"vehicle": "ذي قار 12345", "escort": "U-0001"}


def test_a_box_goes_down_the_whole_chain_and_has_a_timeline(client_for: Any, box: Any) -> None:
    ops = client_for("ops")
    assert hand(ops, "WH-1", "C-0001", **ROAD).status_code == 201
    assert hand(ops, "C-0001", "C-0001-01").status_code == 201
    last = hand(ops, "C-0001-01", "CC-1", **ROAD)
    assert last.status_code == 201, last.content
    got = last.json()
    assert (got["from"], got["to"], got["seals_ok"], got["exception"]) == (
        "C-0001-01",
        "CC-1",
        True,
        None,
    )
    assert {s["condition"] for s in got["seals"]} == {"intact"}
    item = send(ops, "GET", "/custody/items/BOX-1").json()
    assert (item["holder"], item["holder_stage"]) == ("CC-1", "counting")
    assert [(h["from"], h["to"]) for h in item["timeline"]] == [
        ("WH-1", "C-0001"),
        ("C-0001", "C-0001-01"),
        ("C-0001-01", "CC-1"),
    ]
    assert not CustodyException.objects.exists()
    assert not Incident.objects.exists()  # an intact chain opens nothing
    assert AuditEntry.objects.filter(action="custody.record_handover", critical=True).count() == 3


def test_a_changed_seal_opens_a_flagged_exception(client_for: Any, box: Any) -> None:
    ops = client_for("ops")
    hand(ops, "WH-1", "C-0001", **ROAD)
    hand(ops, "C-0001", "C-0001-01")
    changed = hand(ops, "C-0001-01", "CC-1", seals=["SL-000101", "SL-000999"], **ROAD)
    assert changed.status_code == 201, changed.content
    got = changed.json()
    assert got["seals_ok"] is False
    assert got["exception"] is not None
    conditions = {s["serial"]: s["condition"] for s in got["seals"]}
    assert conditions == {"SL-000101": "intact", "SL-000999": "mismatch", "SL-000102": "mismatch"}
    exception = CustodyException.objects.get()
    assert (exception.kind, exception.state, str(exception.uuid)) == (
        "seal_mismatch",
        "open",
        got["exception"],
    )
    assert AuditEntry.objects.filter(action="custody.open_exception", critical=True).count() == 1
    assert Event.objects.filter(kind="custody.exception").count() == 1
    listed = send(client_for("auditor"), "GET", "/custody/exceptions").json()["items"]
    assert [e["item"] for e in listed] == ["BOX-1"]
    assert send(ops, "GET", "/custody/items/BOX-1").json()["open_exceptions"] == 1
    # ...and an incident for the operations room, at the item's center, in its queue.
    incident = Incident.objects.get()
    assert exception.incident_id == incident.pk
    assert (incident.kind, incident.source, incident.center.code, incident.state) == (
        "seal_broken",
        "custody",
        "C-0001",
        "reported",
    )
    assert "SL-000999" in incident.text
    assert incident.due_at is not None  # escalation deadlines apply like any other
    shown = send(ops, "GET", f"/incidents/{incident.code}").json()
    assert shown["state"] == "reported"


def test_a_broken_seal_opens_a_broken_seal_exception(client_for: Any, box: Any) -> None:
    answer = hand(client_for("ops"), "WH-1", "C-0001", broken=["SL-000102"], **ROAD)
    assert answer.status_code == 201
    assert CustodyException.objects.get().kind == "seal_broken"
    assert Incident.objects.get().kind == "seal_broken"


def test_seals_in_arabic_indic_digits_are_the_printed_seals(client_for: Any, box: Any) -> None:
    answer = hand(client_for("ops"), "WH-1", "C-0001", seals=["sl-٠٠٠١٠١", "SL-٠٠٠١٠٢"], **ROAD)
    assert answer.status_code == 201, answer.content
    assert answer.json()["seals_ok"] is True
    assert not CustodyException.objects.exists()


@pytest.mark.parametrize(
    ("frm", "to", "more", "field"),
    [
        ("WH-1", "C-0001-01", ROAD, "to"),  # skips the center
        ("WH-1", "CC-1", ROAD, "to"),  # skips center and station
        ("WH-1", "C-0002", ROAD, "to"),  # another center than the box's
        ("WH-1", "C-0001", {**ROAD, "witness": "أمين المخزن"}, "witness"),  # the giver
        ("WH-1", "C-0001", {**ROAD, "witness": "مدير المركز"}, "witness"),  # the receiver
        ("WH-1", "C-0001", {**ROAD, "seals": ["SL-00A1"]}, "seals[0]"),
        ("WH-1", "C-0001", {**ROAD, "seals": ["SL-000101", "??"]}, "seals[1]"),
        ("WH-1", "C-0001", {}, "vehicle"),  # a road leg needs vehicle and escort
        ("WH-1", "C-0001", {**ROAD, "escort": "U-9999"}, "escort"),
        ("WH-9", "C-0001", ROAD, "from"),
        ("WH-1", "C-0001", {**ROAD, "seals": []}, "seals"),
    ],
)
def test_bad_hand_overs_are_422_naming_the_field_and_write_nothing(
    client_for: Any, box: Any, frm: str, to: str, more: dict[str, Any], field: str
) -> None:
    answer = hand(client_for("ops"), frm, to, **more)
    assert answer.status_code == 422, answer.content
    assert any(line.startswith(f"{field}:") for line in answer.json()["detail"]), answer.json()
    assert not Handover.objects.exists()
    assert Item.objects.get().holder_code == "WH-1"


def test_a_hand_over_from_someone_who_no_longer_holds_the_box_is_409(
    client_for: Any, box: Any
) -> None:
    ops = client_for("ops")
    assert hand(ops, "WH-1", "C-0001", **ROAD).status_code == 201
    assert hand(ops, "WH-1", "C-0001", **ROAD).status_code == 409
    assert Handover.objects.count() == 1


def test_a_long_gap_and_missing_boxes_are_reported(client_for: Any, box: Any) -> None:
    ops = client_for("ops")
    received = timezone.now()
    hand(
        ops,
        "WH-1",
        "C-0001",
        released_at=(received - timedelta(hours=3)).isoformat(),
        received_at=received.isoformat(),
        **ROAD,
    )
    report = send(client_for("chair"), "GET", "/custody/report").json()
    assert [(g["from"], g["to"]) for g in report["gaps"]] == [("WH-1", "C-0001")]
    # The test election's vote was in 2010: its counting deadline has long passed.
    assert [m["code"] for m in report["missing"]] == ["BOX-1"]


@pytest.mark.parametrize("persona", SEES)
def test_those_who_see_custody_read_it(client_for: Any, box: Any, persona: str) -> None:
    client = client_for(persona)
    for path in [
        "/custody/items",
        "/custody/items/BOX-1",
        "/custody/handovers",
        "/custody/exceptions",
        "/custody/report",
        "/custody/depots",
    ]:
        assert send(client, "GET", path).status_code == 200, path


@pytest.mark.parametrize("persona", RECORDS)
def test_operations_and_the_commission_record_hand_overs(
    client_for: Any, box: Any, persona: str
) -> None:
    assert hand(client_for(persona), "WH-1", "C-0001", **ROAD).status_code == 201


@pytest.mark.parametrize("persona", READ_ONLY)
def test_the_chair_and_the_auditor_may_not_record(client_for: Any, box: Any, persona: str) -> None:
    client = client_for(persona)
    assert hand(client, "WH-1", "C-0001", **ROAD).status_code == 403
    assert (
        send(client, "POST", "/custody/depots", {"code": "X", "kind": "warehouse"}).status_code
        == 403
    )
    assert not Handover.objects.exists()


@pytest.mark.parametrize("persona", OTHERS)
def test_everyone_else_gets_404(client_for: Any, box: Any, persona: str) -> None:
    client = client_for(persona)
    for method, path, body in [
        ("GET", "/custody/items", None),
        ("GET", "/custody/items/BOX-1", None),
        ("GET", "/custody/handovers", None),
        ("GET", "/custody/exceptions", None),
        ("GET", "/custody/report", None),
        ("GET", "/custody/depots", None),
        ("POST", "/custody/depots", {"code": "X", "kind": "warehouse"}),
        (
            "POST",
            "/custody/items",
            {
                "code": "B2",
                "kind": "ballot_box",
                "station": "C-0001-01",
                "warehouse": "WH-1",
                "seals": ["SL-000001"],
            },
        ),
    ]:
        assert send(client, method, path, body).status_code == 404, (method, path)
    answer = hand(client, "WH-1", "C-0001", **ROAD)
    assert answer.status_code == 404
    assert not Handover.objects.exists()


def test_the_chair_closes_an_exception_saying_how_it_was_settled(client_for: Any, box: Any) -> None:
    ops, chair = client_for("ops"), client_for("chair")
    exception = hand(ops, "WH-1", "C-0001", broken=["SL-000102"], **ROAD).json()["exception"]
    path = f"/custody/exceptions/{exception}/close"
    assert send(ops, "POST", path, {"reason": "x"}).status_code == 403
    assert send(client_for("auditor"), "POST", path, {"reason": "x"}).status_code == 403
    assert send(client_for("cmd_rifai"), "POST", path, {"reason": "x"}).status_code == 404
    assert send(chair, "POST", path, {"reason": "  "}).status_code == 422
    closed = send(chair, "POST", path, {"reason": "الختم طابق محضر الاستلام"})
    assert closed.status_code == 200, closed.content
    assert (closed.json()["state"], closed.json()["closing_reason"]) == (
        "closed",
        "الختم طابق محضر الاستلام",
    )
    assert send(chair, "POST", path, {"reason": "again"}).status_code == 409
    assert AuditEntry.objects.get(action="custody.close_exception").critical
    assert send(ops, "GET", "/custody/items/BOX-1").json()["open_exceptions"] == 0
