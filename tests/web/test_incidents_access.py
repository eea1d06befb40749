"""Role × endpoint matrix of the operations API, for every persona (tests/web/personas.py).

Incidents: RIF (C-0001, reported), SHA (C-0003), and a verified RIF one to dispatch to;
one outside-force request by the chair. Each persona then calls every endpoint.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from pollguard.operations.models import Incident

from .personas import PERSONAS, Personas

pytestmark = pytest.mark.django_db

BODY = {"kind": "crowd", "severity": 2, "text": "", "observed_at": "2010-03-07T09:00:00+03:00"}

# persona: (listed, get RIF, file at C-0001, verify RIF, dispatch U-0005, U-0002 status,
#           request outside force at C-0001, outside-force requests listed)
MATRIX: dict[str, tuple[int, int, int, int, int, int, int, int]] = {
    "chair":        (3, 200, 201, 200, 201, 200, 201, 2),  # its own second request
    "ops":          (3, 200, 201, 200, 201, 200, 403, 1),
    "auditor":      (3, 200, 403, 403, 403, 403, 403, 1),
    "intel":        (3, 200, 403, 403, 403, 404, 403, 0),
    "cmd_rifai":    (2, 200, 201, 200, 201, 200, 403, 0),
    "cmd_shatra":   (1, 404, 422, 404, 404, 404, 404, 0),
    "liaison_army": (0, 404, 403, 404, 404, 200, 404, 0),
    "field":        (1, 404, 422, 404, 404, 404, 404, 0),
    "commission":   (0, 404, 403, 404, 404, 404, 403, 0),
    "outsider":     (0, 404, 404, 404, 404, 404, 404, 0),
}  # fmt: skip


def call(client: Client, method: str, path: str, body: object = None) -> Any:
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(f"/api/v1{path}", data, content_type="application/json")


def test_the_matrix_covers_every_persona() -> None:
    assert set(MATRIX) == set(PERSONAS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_reaches_exactly_its_endpoints(
    client_for: Any, personas: Personas, persona: str
) -> None:
    ops, chair = client_for("ops"), client_for("chair")
    rif = call(ops, "post", "/incidents", {**BODY, "center": "C-0001"}).json()["code"]
    call(ops, "post", "/incidents", {**BODY, "center": "C-0003"})
    target = call(ops, "post", "/incidents", {**BODY, "center": "C-0002", "text": "b"}).json()
    call(ops, "post", f"/incidents/{target['code']}/transitions", {"to": "verified"})
    ofr = {"center": "C-0001", "force": "multinational", "size": 10, "justification": "j"}
    assert call(chair, "post", "/outside-force-requests", ofr).status_code == 201
    expected = MATRIX[persona]
    client = client_for(persona)

    listed = call(client, "get", "/incidents")
    count = listed.json()["count"] if listed.status_code == 200 else 0
    got = (
        count,
        call(client, "get", f"/incidents/{rif}").status_code,
        call(client, "post", "/incidents", {**BODY, "center": "C-0001", "text": "x"}).status_code,
        call(client, "post", f"/incidents/{rif}/transitions", {"to": "verified"}).status_code,
        call(
            client, "post", f"/incidents/{target['code']}/dispatches", {"unit": "U-0005"}
        ).status_code,
        call(
            client, "patch", "/units/U-0002/status", {"status": "at_post", "version": 1}
        ).status_code,
        call(client, "post", "/outside-force-requests", ofr).status_code,
        call(client, "get", "/outside-force-requests").json().get("count", 0),
    )
    assert got == expected
    if expected[2] != 201:
        assert not Incident.objects.filter(text="x").exists()


def test_a_liaison_sees_the_incidents_its_agencys_units_are_sent_to(client_for: Any) -> None:
    ops = client_for("ops")
    code = call(ops, "post", "/incidents", {**BODY, "center": "C-0001"}).json()["code"]
    call(ops, "post", f"/incidents/{code}/transitions", {"to": "verified"})
    liaison = client_for("liaison_army")
    assert call(liaison, "get", f"/incidents/{code}").status_code == 404
    assert call(ops, "post", f"/incidents/{code}/dispatches", {"unit": "U-0002"}).status_code == 201
    assert call(liaison, "get", f"/incidents/{code}").status_code == 200
    assert call(liaison, "get", "/incidents").json()["count"] == 1
    on_scene = call(liaison, "patch", "/units/U-0002/status", {"status": "on_scene", "version": 2})
    assert on_scene.status_code == 200
    assert call(liaison, "get", f"/incidents/{code}").json()["state"] == "on_scene"


def test_a_sector_commander_may_not_send_another_sectors_unit(client_for: Any) -> None:
    ops = client_for("ops")
    code = call(ops, "post", "/incidents", {**BODY, "center": "C-0001"}).json()["code"]
    call(ops, "post", f"/incidents/{code}/transitions", {"to": "verified"})
    answer = call(
        client_for("cmd_rifai"), "post", f"/incidents/{code}/dispatches", {"unit": "U-0003"}
    )
    assert answer.status_code == 403
