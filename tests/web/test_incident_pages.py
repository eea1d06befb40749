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


FORCE = {"force": "multinational", "size": "40", "justification": "تهديد مسلح للمركز"}
# Who asks about C-0001 (al-Rifai): the chair files; those who see the center get 403,
# those who do not see it 404 (the API's rule).
CENTER_FORCE = {
    "chair": 302, "ops": 403, "auditor": 403, "intel": 403, "cmd_rifai": 403,
    "commission": 403, "liaison_army": 404, "cmd_shatra": 404, "field": 404, "outsider": 404,
}  # fmt: skip


@pytest.mark.parametrize(("persona", "status"), sorted(CENTER_FORCE.items()))
def test_only_the_chair_requests_an_outside_force_from_the_center_page(
    client_for: Any, persona: str, status: int
) -> None:
    from pollguard.operations.models import OutsideForceRequest

    client = client_for(persona)
    page = client.get("/centers/C-0001/")
    if page.status_code == 200:
        assert (b"outside-force-form" in page.content) == (persona == "chair")
    answer = client.post("/operations/centers/C-0001/outside-force", FORCE)
    assert answer.status_code == status
    if status == 302:
        assert answer["Location"] == "/centers/C-0001/"
        request = OutsideForceRequest.objects.get()
        assert request.center is not None
        assert request.center.code == "C-0001"
        assert request.incident is None
        assert (request.force, request.size) == ("multinational", 40)
        shown = client.get("/centers/C-0001/").content.decode()
        assert request.code in shown
        assert request.code in client_for("ops").get("/centers/C-0001/").content.decode()
    else:
        assert not OutsideForceRequest.objects.exists()


@pytest.mark.parametrize(
    ("lang", "change", "message"),
    [
        ("en", {"size": "0"}, "Size: Ensure this value is greater than or equal to 1."),
        ("ar", {"size": "0"}, "العدد: تحقق من أن تكون هذه القيمة أكثر من 1 أو مساوية لها."),
        ("en", {"justification": "  "}, "Justification: This field is required."),
        ("en", {"force": "navy"}, "Force: Select a valid choice."),
        (
            "en",
            {"justification": "a\u202eb"},
            "Justification: Control and text-direction characters are not allowed.",
        ),
    ],
)
def test_a_bad_center_request_says_which_field_and_files_nothing(
    client_for: Any, personas: Any, lang: str, change: dict[str, str], message: str
) -> None:
    from pollguard.accounts.models import Profile
    from pollguard.operations.models import OutsideForceRequest

    Profile.objects.filter(user=personas.chair).update(language=lang)
    chair = client_for("chair")
    answer = chair.post(
        "/operations/centers/C-0001/outside-force", {**FORCE, **change}, follow=True
    )
    assert answer.status_code == 200
    assert message in answer.content.decode()
    assert not OutsideForceRequest.objects.exists()


def test_a_center_request_is_advanced_from_the_center_page(client_for: Any) -> None:
    from pollguard.operations.models import OutsideForceRequest

    client_for("chair").post("/operations/centers/C-0003/outside-force", FORCE)
    request = OutsideForceRequest.objects.get()
    answer = client_for("ops").post(
        f"/operations/outside-force/{request.code}/state", {"to": "acknowledged"}
    )
    assert answer["Location"] == "/centers/C-0003/"
    request.refresh_from_db()
    assert request.state == "acknowledged"
