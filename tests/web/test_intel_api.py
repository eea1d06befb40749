"""Intelligence reports through API v1: need-to-know, audit of every read, bad bodies, edits.

Readers: the chair and intelligence officers (file and edit), the auditor (read only).
Every other persona gets 404 from every endpoint, as for a code that does not exist.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from pollguard.accounts.actions import do_set_user_language
from pollguard.accounts.choices import Language
from pollguard.audit.models import AuditEntry
from pollguard.registry.models import IntelReport

from .personas import Personas

READERS = ["chair", "intel", "auditor"]
FILERS = ["chair", "intel"]
OTHERS = ["ops", "cmd_rifai", "cmd_shatra", "commission", "liaison_army", "field", "outsider"]


def future(days: float = 3) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def body(**changes: Any) -> dict[str, Any]:
    return {
        "center": "C-0001",
        "severity": 0.8,
        "reliability": "B",
        "credibility": 2,
        "text": "سيارة مشبوهة متوقفة قرب المركز",
        "valid_until": future(),
        **changes,
    }


def send(client: Client, method: str, path: str, data: object = None) -> Any:
    return client.generic(
        method,
        f"/api/v1{path}",
        json.dumps(data) if data is not None else "",
        content_type="application/json",
    )


def reads() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="registry.read_intel").order_by("id"))


@pytest.fixture
def filed(client_for: Any) -> dict[str, Any]:
    answer = send(client_for("intel"), "POST", "/intel-reports", body())
    assert answer.status_code == 201, answer.content
    return dict(answer.json())


@pytest.mark.parametrize("persona", FILERS)
def test_the_chair_and_intelligence_file_a_report_with_a_public_code(
    client_for: Any, persona: str
) -> None:
    answer = send(client_for(persona), "POST", "/intel-reports", body())
    assert answer.status_code == 201, answer.content
    got = answer.json()
    assert got["code"] == "INT-1"
    assert (got["source"], got["center"], got["version"], got["valid"]) == (
        "filed",
        "C-0001",
        1,
        True,
    )
    assert got["weight"] == pytest.approx(0.64)  # B (0.8) x 2 (0.8)
    assert got["filed_by"] == {"chair": "chair", "intel": "intel"}[persona]
    entry = AuditEntry.objects.get(action="registry.file_intel_report")
    assert (entry.object_id, entry.critical, entry.actor_name) == ("INT-1", True, got["filed_by"])


def test_codes_count_up_per_election(client_for: Any) -> None:
    intel = client_for("intel")
    codes = [send(intel, "POST", "/intel-reports", body()).json()["code"] for _ in range(3)]
    assert codes == ["INT-1", "INT-2", "INT-3"]


def test_a_place_report_is_filed_with_lat_and_lon(client_for: Any) -> None:
    answer = send(
        client_for("intel"), "POST", "/intel-reports", body(center=None, lat=31.72, lon=46.11)
    )
    assert answer.status_code == 201, answer.content
    assert (answer.json()["center"], answer.json()["lat"]) == (None, 31.72)


def test_the_auditor_reads_but_may_not_file_or_edit(client_for: Any, filed: dict[str, Any]) -> None:
    auditor = client_for("auditor")
    assert send(auditor, "POST", "/intel-reports", body()).status_code == 403
    patch = {"severity": 0.1, "version": 1}
    assert send(auditor, "PATCH", f"/intel-reports/{filed['code']}", patch).status_code == 403
    assert send(auditor, "GET", f"/intel-reports/{filed['code']}").status_code == 200
    assert IntelReport.objects.filter(source="filed").count() == 1
    assert IntelReport.objects.get(code=filed["code"]).severity == 0.8


@pytest.mark.parametrize("persona", OTHERS)
def test_everyone_else_gets_404_from_every_endpoint(
    client_for: Any, filed: dict[str, Any], persona: str
) -> None:
    client = client_for(persona)
    code = filed["code"]
    before = AuditEntry.objects.count()
    assert send(client, "GET", "/intel-reports").status_code == 404
    assert send(client, "GET", f"/intel-reports/{code}").status_code == 404
    assert send(client, "GET", "/intel-reports/I-1").status_code == 404
    assert send(client, "POST", "/intel-reports", body()).status_code == 404
    assert send(client, "PATCH", f"/intel-reports/{code}", {"version": 1}).status_code == 404
    # The same answer as for a code that does not exist.
    assert (
        send(client, "GET", "/intel-reports/INT-999").json()
        == send(client, "GET", f"/intel-reports/{code}").json()
    )
    assert AuditEntry.objects.count() == before
    assert IntelReport.objects.count() == 2


def test_anonymous_callers_are_refused(filed: dict[str, Any]) -> None:
    assert send(Client(), "GET", "/intel-reports").status_code == 401
    assert send(Client(), "GET", f"/intel-reports/{filed['code']}").status_code == 401


@pytest.mark.parametrize("persona", READERS)
def test_each_answer_is_one_audit_entry_naming_the_reports_it_carried(
    client_for: Any, filed: dict[str, Any], persona: str
) -> None:
    client = client_for(persona)
    listed = send(client, "GET", "/intel-reports")
    assert listed.status_code == 200
    assert {r["code"] for r in listed.json()["items"]} == {"I-1", filed["code"]}
    one = send(client, "GET", f"/intel-reports/{filed['code']}")
    assert one.status_code == 200
    page = send(client, "GET", "/intel-reports?limit=1&offset=0")
    assert len(page.json()["items"]) == 1
    entries = reads()
    assert [e.actor_name for e in entries] == [_name(persona)] * 3
    assert [e.after["reports"] for e in entries] == [
        sorted(["I-1", filed["code"]]),
        [filed["code"]],
        [page.json()["items"][0]["code"]],
    ]
    assert all(e.critical for e in entries)


def _name(persona: str) -> str:
    return {"chair": "chair", "intel": "intel", "auditor": "auditor"}[persona]


def test_the_list_filters_by_validity_center_severity_and_source(
    client_for: Any, filed: dict[str, Any]
) -> None:
    intel = client_for("intel")
    low = send(intel, "POST", "/intel-reports", body(center="C-0003", severity=0.2)).json()
    IntelReport.objects.filter(code=low["code"]).update(
        valid_until=timezone.now() - timedelta(hours=1)
    )

    def codes(query: str) -> set[str]:
        answer = send(intel, "GET", f"/intel-reports?{query}")
        assert answer.status_code == 200, answer.content
        return {r["code"] for r in answer.json()["items"]}

    assert codes("valid=false") == {low["code"]}
    assert codes("valid=true") == {"I-1", filed["code"]}
    assert codes("center=C-0003") == {"I-1", low["code"]}
    assert codes("severity_min=0.7") == {filed["code"]}
    assert codes("source=package") == {"I-1"}
    assert send(intel, "GET", f"/intel-reports/{low['code']}").json()["valid"] is False


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lat": 31.7, "lon": 46.1}, "center"),
        ({"reliability": "G"}, "reliability"),
        ({"credibility": 7}, "credibility"),
        ({"valid_until": "2010-03-07T18:00:00+03:00"}, "valid_until"),
        ({"center": "C-9999"}, "center"),
        ({"center": None}, "center"),
        ({"center": None, "lat": 31.7}, "lon"),
        ({"severity": 2}, "severity"),
        ({"text": ""}, "text"),
    ],
)
def test_a_bad_body_is_a_422_naming_the_field_and_writes_nothing(
    client_for: Any, changes: dict[str, Any], field: str
) -> None:
    answer = send(client_for("intel"), "POST", "/intel-reports", body(**changes))
    assert answer.status_code == 422, answer.content
    got = answer.json()
    assert got["code"] == "invalid_input"
    assert any(line.startswith(f"{field}: ") for line in got["detail"]), got
    assert not IntelReport.objects.filter(source="filed").exists()
    assert not AuditEntry.objects.filter(action="registry.file_intel_report").exists()


def test_the_422_is_in_the_users_language(client_for: Any, personas: Personas) -> None:
    client = client_for("intel")
    arabic = send(client, "POST", "/intel-reports", body(reliability="G")).json()
    assert arabic["detail"][0].startswith("reliability: ")
    assert "موثوقية المصدر" in arabic["detail"][0]  # Arabic: the profile's default
    do_set_user_language(personas.intel, Language.ENGLISH, acting_user=personas.intel)
    english = send(client_for("intel"), "POST", "/intel-reports", body(reliability="G")).json()
    assert english["detail"] == [
        "reliability: source reliability must be one of A, B, C, D, E, F, got 'G'"
    ]


def test_an_edit_with_the_current_version_changes_the_report(
    client_for: Any, filed: dict[str, Any]
) -> None:
    chair = client_for("chair")
    answer = send(
        chair, "PATCH", f"/intel-reports/{filed['code']}", {"reliability": "A", "version": 1}
    )
    assert answer.status_code == 200, answer.content
    got = answer.json()
    assert (got["reliability"], got["version"], got["severity"]) == ("A", 2, 0.8)
    assert got["weight"] == pytest.approx(0.8)
    entry = AuditEntry.objects.get(action="registry.edit_intel_report")
    assert (entry.before["reliability"], entry.after["reliability"]) == ("B", "A")


def test_a_stale_edit_is_a_409_and_overwrites_nothing(
    client_for: Any, filed: dict[str, Any]
) -> None:
    intel, chair = client_for("intel"), client_for("chair")
    path = f"/intel-reports/{filed['code']}"
    assert send(chair, "PATCH", path, {"severity": 0.3, "version": 1}).status_code == 200
    stale = send(intel, "PATCH", path, {"severity": 0.9, "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert IntelReport.objects.get(code=filed["code"]).severity == 0.3


def test_an_edit_moves_a_report_from_a_center_to_a_place_and_refuses_both(
    client_for: Any, filed: dict[str, Any]
) -> None:
    intel = client_for("intel")
    path = f"/intel-reports/{filed['code']}"
    both = send(intel, "PATCH", path, {"center": "C-0003", "lat": 31.0, "lon": 46.0, "version": 1})
    assert both.status_code == 422
    moved = send(intel, "PATCH", path, {"lat": 31.0, "lon": 46.0, "version": 1}).json()
    assert (moved["center"], moved["lat"], moved["lon"]) == (None, 31.0, 46.0)
    back = send(intel, "PATCH", path, {"center": "C-0003", "version": 2}).json()
    assert (back["center"], back["lat"]) == ("C-0003", None)


def test_an_edit_refuses_a_past_valid_until_but_keeps_an_expired_one(
    client_for: Any, filed: dict[str, Any]
) -> None:
    intel = client_for("intel")
    path = f"/intel-reports/{filed['code']}"
    past = send(intel, "PATCH", path, {"valid_until": "2010-01-01T00:00:00+03:00", "version": 1})
    assert past.status_code == 422
    assert past.json()["detail"][0].startswith("valid_until: ")
    IntelReport.objects.filter(code=filed["code"]).update(
        valid_until=timezone.now() - timedelta(hours=1)
    )
    fixed = send(intel, "PATCH", path, {"text": "تصحيح", "version": 1})
    assert fixed.status_code == 200, fixed.content
    assert fixed.json()["valid"] is False


def test_a_package_report_is_not_edited_in_the_app(client_for: Any) -> None:
    answer = send(client_for("chair"), "PATCH", "/intel-reports/I-1", {"severity": 1, "version": 1})
    assert answer.status_code == 403


def test_the_version_must_be_an_integer(client_for: Any, filed: dict[str, Any]) -> None:
    path = f"/intel-reports/{filed['code']}"
    assert send(client_for("intel"), "PATCH", path, {"version": "1"}).status_code == 422
    assert send(client_for("intel"), "PATCH", path, {"severity": 0.1}).status_code == 422


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"credibility": "high"}, "credibility"),
        ({"credibility": 2.5}, "credibility"),
        ({"credibility": True}, "credibility"),
        ({"severity": "grave"}, "severity"),
        ({"lat": "north", "lon": 46.0, "center": None}, "lat"),
        ({"reliability": 1}, "reliability"),
        ({"text": ["a"]}, "text"),
        ({"valid_until": "tomorrow"}, "valid_until"),
        ({"valid_until": 1700000000}, "valid_until"),
        ({"valid_until": "2030-01-01T00:00:00"}, "valid_until"),
    ],
)
def test_a_wrong_json_type_is_the_same_422_naming_the_field(
    client_for: Any, changes: dict[str, Any], field: str
) -> None:
    answer = send(client_for("intel"), "POST", "/intel-reports", body(**changes))
    assert answer.status_code == 422, answer.content
    got = answer.json()
    assert got["code"] == "invalid_input"
    assert [line.split(": ", 1)[0] for line in got["detail"]] == [field], got
    assert not IntelReport.objects.filter(source="filed").exists()


def test_a_whole_credibility_given_as_a_float_is_accepted(client_for: Any) -> None:
    answer = send(client_for("intel"), "POST", "/intel-reports", body(credibility=2.0))
    assert answer.status_code == 201, answer.content
    assert answer.json()["credibility"] == 2
