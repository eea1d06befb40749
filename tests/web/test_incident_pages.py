"""The operations pages: queue, incident, report form, unit board, map layer data."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from pollguard.operations.models import Incident, UnitState

pytestmark = pytest.mark.django_db


def report(client: Client, **changes: Any) -> Any:
    data = {"center": "C-0001", "kind": "crowd", "severity": "2", "text": "تجمهر", **changes}
    return client.post("/operations/new/", data)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_an_operator_reports_verifies_and_dispatches_from_the_pages(
    client_for: Any, lang: str
) -> None:
    ops = client_for("ops")
    ops.cookies["django_language"] = lang
    answer = report(ops)
    assert answer.status_code == 302
    code = Incident.objects.get().code
    assert answer["Location"] == f"/operations/{code}/"
    page = ops.get(f"/operations/{code}/")
    assert page.status_code == 200
    assert b'data-testid="move-verified"' in page.content
    assert ops.post(f"/operations/{code}/transition", {"to": "verified"}).status_code == 302
    page = ops.get(f"/operations/{code}/")
    assert b'data-testid="dispatch-suggestions"' in page.content
    assert b'data-unit="U-0001"' in page.content
    assert ops.post(f"/operations/{code}/dispatch", {"unit": "U-0001"}).status_code == 302
    assert Incident.objects.get().state == "dispatched"
    queue = ops.get("/operations/")
    assert code.encode() in queue.content
    assert b'data-testid="shortcuts"' in queue.content


def test_the_queue_puts_overdue_and_new_first_and_filters(client_for: Any) -> None:
    ops = client_for("ops")
    report(ops, text="a")
    report(ops, center="C-0003", kind="fire", text="b")
    first, second = Incident.objects.order_by("id")
    Incident.objects.filter(pk=first.pk).update(due_at="2000-01-01T00:00:00Z")
    page = ops.get("/operations/").content.decode()
    assert page.index(first.code) < page.index(second.code)
    filtered = ops.get("/operations/", {"kind": "fire"}).content.decode()
    assert second.code in filtered
    assert first.code not in filtered
    sector = ops.get("/operations/", {"sector": "SHA"}).content.decode()
    assert first.code not in sector


def test_a_sector_commander_sees_only_the_own_sectors_incidents(client_for: Any) -> None:
    ops = client_for("ops")
    report(ops)
    code = Incident.objects.get().code
    assert client_for("cmd_shatra").get(f"/operations/{code}/").status_code == 404
    assert code.encode() not in client_for("cmd_shatra").get("/operations/").content
    assert client_for("cmd_rifai").get(f"/operations/{code}/").status_code == 200


def test_the_report_form_names_the_bad_field(client_for: Any) -> None:
    ops = client_for("ops")
    answer = report(ops, center="", lat="33.3", lon="44.4")
    assert answer.status_code == 200
    assert b'role="alert"' in answer.content
    assert not Incident.objects.exists()


def test_the_unit_board_sets_a_status_with_its_version(client_for: Any) -> None:
    liaison = client_for("liaison_army")
    page = liaison.get("/operations/units/")
    assert b'data-unit="U-0002"' in page.content
    assert b'data-unit="U-0001"' not in page.content
    liaison.post("/operations/units/", {"unit": "U-0002", "status": "en_route", "version": "1"})
    assert UnitState.objects.get(unit__code="U-0002").status == "en_route"
    stale = liaison.post(
        "/operations/units/", {"unit": "U-0002", "status": "available", "version": "1"}
    )
    assert stale.status_code == 302
    assert UnitState.objects.get(unit__code="U-0002").status == "en_route"


@pytest.mark.parametrize("persona", ["commission", "outsider"])
def test_roles_without_incidents_get_404(client_for: Any, persona: str) -> None:
    assert client_for(persona).get("/operations/").status_code in (404, 302)


def test_the_map_layers_carry_incidents_and_units(client_for: Any) -> None:
    ops = client_for("ops")
    report(ops)
    data = ops.get("/operations/map.json").json()
    assert [i["kind"] for i in data["incidents"]] == ["crowd"]
    assert {u["code"] for u in data["units"]} == {f"U-000{i}" for i in range(1, 6)}
    assert b"pollguard-ops-map" in ops.get("/map/").content
    assert b"pollguard-ops-map" not in client_for("commission").get("/map/").content


def test_only_the_chair_requests_an_outside_force_from_the_incident_page(client_for: Any) -> None:
    from pollguard.operations.models import OutsideForceRequest

    report(client_for("ops"))
    code = Incident.objects.get().code
    body = {"force": "multinational", "size": "40", "justification": "هجوم"}
    assert b"outside-force-form" not in client_for("ops").get(f"/operations/{code}/").content
    assert client_for("ops").post(f"/operations/{code}/outside-force", body).status_code == 403
    answer = client_for("cmd_shatra").post(f"/operations/{code}/outside-force", body)
    assert answer.status_code == 404
    chair = client_for("chair")
    assert b"outside-force-form" in chair.get(f"/operations/{code}/").content
    assert chair.post(f"/operations/{code}/outside-force", body).status_code == 302
    request = OutsideForceRequest.objects.get()
    ops = client_for("ops")
    ops.post(f"/operations/outside-force/{request.code}/state", {"to": "acknowledged"})
    request.refresh_from_db()
    assert request.state == "acknowledged"
    assert request.acknowledged_at is not None
