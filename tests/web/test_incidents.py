"""Election-day incidents through the API: filing, idempotency, bad input, the lifecycle,
duplicates, dispatch, unit status, escalation and the chair's outside-force request."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from pollguard.accounts.choices import Role
from pollguard.audit.models import AuditEntry
from pollguard.core.tasks import policy_to_json
from pollguard.jobs.actions import do_request_job
from pollguard.live.choices import EventKind
from pollguard.live.models import Event
from pollguard.operations.actions import (
    IncidentDraft,
    do_escalate_overdue,
    do_file_incident,
    do_transition_incident,
)
from pollguard.operations.choices import IncidentKind, IncidentState
from pollguard.operations.lifecycle import TRANSITIONS
from pollguard.operations.models import Incident, IncidentEscalation, IncidentReporter
from pollguard.operations.policy import deadline_minutes
from pollguard.planning.actions import do_decide_plan, do_store_plan, do_submit_plan
from pollguard.planning.jobs import PLAN_RUN
from pollguard.planning.models import Plan
from pollguard.registry.models import Area, Center, Election

from .personas import Personas, make_package

pytestmark = pytest.mark.django_db

OBSERVED = "2010-03-07T09:00:00+03:00"


def call(client: Client, method: str, path: str, body: object = None, **headers: str) -> Any:
    data = json.dumps(body) if body is not None else None
    answer = getattr(client, method)(
        f"/api/v1{path}", data, content_type="application/json", headers=headers
    )
    return answer


def report(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "center": "C-0001",
        "kind": "shooting",
        "severity": 3,
        "text": "إطلاق نار قرب المركز",
        "observed_at": OBSERVED,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def file(client: Client, **changes: Any) -> str:
    answer = call(client, "post", "/incidents", report(**changes))
    assert answer.status_code == 201, answer.content
    return str(answer.json()["code"])


def move(client: Client, code: str, to: str, **extra: Any) -> Any:
    return call(client, "post", f"/incidents/{code}/transitions", {"to": to, **extra})


# --- filing ------------------------------------------------------------------------------


def test_an_operator_files_an_incident_and_gets_a_public_code(client_for: Any) -> None:
    ops = client_for("ops")
    answer = call(ops, "post", "/incidents", report())
    assert answer.status_code == 201
    body = answer.json()
    year = timezone.now().astimezone(UTC).year
    assert body["code"].startswith(f"INC-{year}-")
    assert body["state"] == "reported"
    detail = call(ops, "get", f"/incidents/{body['code']}").json()
    assert detail["center"] == "C-0001"
    assert detail["sector"] == "RIF"
    assert detail["due_at"] is not None
    assert detail["escalation_level"] == 0
    assert detail["reporters"] == ["ops"]


def test_codes_follow_each_other_and_never_repeat(client_for: Any) -> None:
    ops = client_for("ops")
    codes = [file(ops, text=f"t{i}") for i in range(3)]
    numbers = [int(c.rsplit("-", 1)[1]) for c in codes]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


def test_a_point_takes_the_sector_of_the_nearest_center(client_for: Any) -> None:
    ops = client_for("ops")
    code = file(ops, center=None, lat=31.405, lon=46.171)
    assert call(ops, "get", f"/incidents/{code}").json()["sector"] == "SHA"


def test_with_sector_outlines_a_point_must_be_in_or_near_one_of_them(
    election: Election, client_for: Any
) -> None:
    # The package's areas.geojson: one square around al-Shatra. The box of the centers
    # would take any point between them; the outline takes only what is in it, or 3 km off.
    ring = [[46.10, 31.35], [46.25, 31.35], [46.25, 31.46], [46.10, 31.46], [46.10, 31.35]]
    Area.objects.create(
        election=election, code="sector:SHA", kind="sector", ref="SHA",
        geometry={"type": "Polygon", "coordinates": [ring]},
    )  # fmt: skip
    ops = client_for("ops")
    assert call(ops, "get", f"/incidents/{file(ops, center=None, lat=31.405, lon=46.171)}")
    near = call(ops, "post", "/incidents", report(center=None, lat=31.47, lon=46.17))  # ~1 km
    assert near.status_code == 201, near.content
    far = call(ops, "post", "/incidents", report(center=None, lat=31.60, lon=46.17))  # ~15 km
    assert far.status_code == 422
    assert "lat" in json.dumps(far.json())


def test_the_same_idempotency_key_and_body_is_stored_once(client_for: Any) -> None:
    ops = client_for("ops")
    key = str(uuid.uuid4())
    first = call(ops, "post", "/incidents", report(), **{"Idempotency-Key": key})
    again = call(ops, "post", "/incidents", report(), **{"Idempotency-Key": key})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["code"] == again.json()["code"]
    other = call(ops, "post", "/incidents", report(severity=4), **{"Idempotency-Key": key})
    assert other.status_code == 409
    assert Incident.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"center": "C-9999"}, "center"),
        ({"kind": "alien_landing"}, "kind"),
        ({"severity": 5}, "severity"),
        ({"severity": 0}, "severity"),
        ({"severity": True}, "severity"),
        ({"severity": "3"}, "severity"),
        ({"center": None, "lat": 33.3, "lon": 44.4}, "lat"),  # Baghdad: not Dhi Qar
        ({"center": None, "lat": 31.4}, "center"),
        ({"text": "x" * 2001}, "text"),
        ({"text": "abc\u202edef"}, "text"),
        ({"text": "abc\x00def"}, "text"),
        ({"observed_at": "2010-03-07T09:00:00"}, "observed_at"),
        ({"observed_at": "2099-03-07T09:00:00+03:00"}, "observed_at"),  # a wrong device clock
    ],
)
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(
    client_for: Any, changes: dict[str, Any], field: str
) -> None:
    answer = call(client_for("ops"), "post", "/incidents", report(**changes))
    assert answer.status_code == 422, answer.content
    assert field in json.dumps(answer.json(), ensure_ascii=False)
    assert Incident.objects.count() == 0


def test_a_bad_body_is_explained_in_arabic_for_an_arabic_user(client_for: Any) -> None:
    answer = call(
        client_for("ops"),
        "post",
        "/incidents",
        report(center="C-9999"),
        **{"Accept-Language": "ar"},
    )
    assert answer.status_code == 422
    assert "مركز غير معروف" in json.dumps(answer.json(), ensure_ascii=False)


def test_sector_commanders_and_field_reporters_file_only_in_their_area(client_for: Any) -> None:
    assert call(client_for("cmd_rifai"), "post", "/incidents", report()).status_code == 201
    refused = call(client_for("cmd_shatra"), "post", "/incidents", report())
    assert refused.status_code == 422
    assert (
        call(client_for("field"), "post", "/incidents", report(center="C-0003")).status_code == 201
    )
    assert call(client_for("field"), "post", "/incidents", report()).status_code == 422


# --- lifecycle ---------------------------------------------------------------------------


def test_the_lifecycle_moves_and_every_move_is_recorded_audited_and_announced(
    client_for: Any,
) -> None:
    ops = client_for("ops")
    code = file(ops)
    assert move(ops, code, "verified").status_code == 200
    answer = move(ops, code, "resolved")
    assert answer.status_code == 200
    answer = move(ops, code, "closed")
    body = answer.json()
    assert body["state"] == "closed"
    assert [(t["from_state"], t["to"], t["actor"]) for t in body["transitions"]] == [
        ("reported", "verified", "ops"),
        ("verified", "resolved", "ops"),
        ("resolved", "closed", "ops"),
    ]
    audited = AuditEntry.objects.filter(action="operations.transition_incident", object_id=code)
    assert audited.count() == 3
    assert audited.filter(critical=True).count() == 1  # closing is critical
    events = Event.objects.filter(kind=EventKind.INCIDENT, payload__incident=code)
    assert events.count() == 4  # filed + three moves


def test_a_forbidden_move_is_409_with_a_message(client_for: Any) -> None:
    ops = client_for("ops")
    code = file(ops)
    answer = move(ops, code, "closed")
    assert answer.status_code == 409
    # In the user's language (Arabic by default), naming both states.
    assert "مُبلَّغ عنه" in answer.json()["detail"]
    assert "مغلق" in answer.json()["detail"]
    assert Incident.objects.get(code=code).state == "reported"


def test_rejecting_and_reopening_need_a_reason(client_for: Any) -> None:
    ops = client_for("ops")
    code = file(ops)
    assert move(ops, code, "rejected").status_code == 422
    assert move(ops, code, "rejected", reason="hoax call").status_code == 200
    assert move(ops, code, "reported").status_code == 422
    assert move(ops, code, "reported", reason="a second report").status_code == 200


def test_every_row_of_the_lifecycle_table_is_enforced(
    election: Election, personas: Personas
) -> None:
    """From every state, every target: allowed exactly when the table says so."""
    for to, rule in TRANSITIONS.items():
        for state in IncidentState:
            draft = IncidentDraft(
                kind=IncidentKind.OTHER, severity=1, text="", observed_at=timezone.now(),
                center=Center.objects.get(code="C-0003"),
            )  # fmt: skip
            incident, _ = do_file_incident(election, draft, acting_user=personas.ops)
            Incident.objects.filter(pk=incident.pk).update(state=state)
            master, _ = do_file_incident(election, draft, acting_user=personas.ops)
            allowed = state in rule.sources and "assignment" not in rule.guards
            try:
                do_transition_incident(
                    incident, to, acting_user=personas.ops, reason="r", duplicate_of=master
                )
                moved = True
            except Exception:
                moved = False
            assert moved == allowed, (state, to)


def test_a_duplicate_points_at_its_master_keeps_existing_and_gives_it_its_reporters(
    client_for: Any,
) -> None:
    master = file(client_for("ops"))
    copy_code = file(client_for("cmd_rifai"), text="إطلاق نار قرب المركز الآن")
    suggestions = call(client_for("ops"), "get", f"/incidents/{copy_code}").json()
    assert suggestions["state"] == "reported"
    answer = move(client_for("ops"), copy_code, "duplicate", duplicate_of=master)
    assert answer.status_code == 200
    assert answer.json()["duplicate_of"] == master
    assert Incident.objects.filter(code=copy_code).exists()
    names = set(
        IncidentReporter.objects.filter(incident__code=master).values_list("name", flat=True)
    )
    assert names == {"ops", "cmd-rifai"}
    assert move(client_for("ops"), master, "duplicate", duplicate_of=copy_code).status_code == 422


def test_near_duplicates_are_suggested_by_place_kind_time_and_normalized_text(
    election: Election, personas: Personas
) -> None:
    from pollguard.operations.duplicates import duplicate_candidates

    center = Center.objects.get(code="C-0001")
    now = timezone.now()

    def incident(text: str, kind: IncidentKind = IncidentKind.SHOOTING, **kw: Any) -> Incident:
        draft = IncidentDraft(kind=kind, severity=2, text=text, observed_at=now, center=center)
        return do_file_incident(election, draft, acting_user=personas.ops, **kw)[0]

    first = incident("إطلاق نار قرب المدرسة")
    # Other spelling of the same words (hamza on the alef, ta marbuta as ha): still a match.
    second = incident("اطلاق نار قرب المدرسه")
    incident("إطلاق نار قرب المدرسة", kind=IncidentKind.FIRE)
    incident("إطلاق نار قرب المدرسة", now=now + timedelta(hours=2))
    incident("حريق في السوق")
    found = [c.incident.code for c in duplicate_candidates(second, Incident.objects.all())]
    assert found == [first.code]


def test_two_operators_moving_one_incident_never_both_succeed(client_for: Any) -> None:
    code = file(client_for("ops"))
    assert move(client_for("ops"), code, "verified").status_code == 200
    assert move(client_for("chair"), code, "verified").status_code == 409


# --- dispatch ----------------------------------------------------------------------------

PLAN = {
    "schema": "pollguard.plan/1",
    "election": "test-2010",
    "assignments": [
        {"unit": "U-0001", "center": "C-0001", "role": "inner_cordon", "headcount": 40},
    ],
    "sweeps": [],
    "shortfalls": [],
    "sweep_shortfalls": [],
    "risk": {},
    "metrics": {"objective": 1.0, "bound": 1.0, "gap": 0.0},
}


@pytest.fixture
def approved(election: Election, personas: Personas) -> Plan:
    job, _ = do_request_job(
        PLAN_RUN, parameters={"run": "x"}, election_id=election.pk, acting_user=personas.ops,
        dedupe=False,
    )  # fmt: skip
    plan = do_store_plan(
        election=election,
        document=copy.deepcopy(PLAN),
        sector_of={c.code: c.sector.code for c in Center.objects.select_related("sector")},
        params={"time_limit": 2, "seed": 0, "package_digest": election.package_digest},
        based_on=None,
        job=job,
        policy=policy_to_json(make_package().policy),
    )
    do_submit_plan(plan, acting_user=personas.ops)
    return do_decide_plan(plan, approve=True, comment="", acting_user=personas.chair)


def verified(client: Client, **changes: Any) -> str:
    code = file(client, **changes)
    assert move(client, code, "verified").status_code == 200
    return code


def test_suggestions_prefer_reserves_and_say_when_a_center_loses_its_guard(
    client_for: Any, approved: Plan
) -> None:
    ops = client_for("ops")
    army = verified(ops, kind="armed_group", center="C-0001")
    units = {u["unit"]: u for u in call(ops, "get", f"/incidents/{army}/suggestions").json()}
    # Army units only (the kind's capability); the reserve is marked as one.
    assert set(units) == {"U-0002", "U-0005"}
    assert (units["U-0005"]["reason"], units["U-0002"]["reason"]) == ("reserve", "spare")
    police = verified(ops, kind="intimidation", center="C-0004", text="تهديد")
    ranked = call(ops, "get", f"/incidents/{police}/suggestions").json()
    by_unit = {u["unit"]: u for u in ranked}
    # U-0001 puts all 40 of its people on C-0001's post: sending it leaves a gap, said so.
    assert by_unit["U-0001"]["leaves_gap"] == ["C-0001"]
    assert by_unit["U-0001"]["reason"] == "gap"
    # U-0003 has no post in the plan: spare, and ranked first.
    assert by_unit["U-0003"]["leaves_gap"] == []
    assert ranked.index(by_unit["U-0003"]) < ranked.index(by_unit["U-0001"])


def test_dispatch_times_follow_the_unit_status_and_response_times_add_up(
    client_for: Any, approved: Plan
) -> None:
    ops = client_for("ops")
    code = verified(ops)
    sent = call(ops, "post", f"/incidents/{code}/dispatches", {"unit": "U-0003"})
    assert sent.status_code == 201, sent.content
    assert call(ops, "get", f"/incidents/{code}").json()["state"] == "dispatched"
    for status, version in [("en_route", 2), ("on_scene", 3), ("returning", 4)]:
        answer = call(ops, "patch", "/units/U-0003/status", {"status": status, "version": version})
        assert answer.status_code == 200, answer.content
    detail = call(ops, "get", f"/incidents/{code}").json()
    assert detail["state"] == "on_scene"
    times = detail["assignments"][0]
    assert times["en_route_at"]
    assert times["on_scene_at"]
    assert times["cleared_at"]
    assert set(detail["response_times"]) == {"to_verify", "to_dispatch", "to_scene", "to_clear"}
    assert all(v is not None and v >= 0 for v in detail["response_times"].values())


def test_a_unit_with_an_open_assignment_needs_an_override_reason(
    client_for: Any, approved: Plan
) -> None:
    ops = client_for("ops")
    first, second = verified(ops), verified(ops, text="آخر", center="C-0002")
    assert (
        call(ops, "post", f"/incidents/{first}/dispatches", {"unit": "U-0001"}).status_code == 201
    )
    busy = call(ops, "post", f"/incidents/{second}/dispatches", {"unit": "U-0001"})
    assert busy.status_code == 409
    again = call(ops, "post", f"/incidents/{first}/dispatches", {"unit": "U-0001"})
    assert again.status_code == 409  # one assignment per (incident, unit)
    forced = call(
        ops, "post", f"/incidents/{second}/dispatches",
        {"unit": "U-0001", "override_reason": "nearest unit, life at risk"},
    )  # fmt: skip
    assert forced.status_code == 201
    entry = AuditEntry.objects.filter(action="operations.dispatch_unit").latest("id")
    assert entry.critical
    assert entry.after["override_reason"] == "nearest unit, life at risk"


def test_a_stale_unit_status_version_is_409(client_for: Any) -> None:
    ops = client_for("ops")
    ok = call(ops, "patch", "/units/U-0002/status", {"status": "at_post", "version": 1})
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    stale = call(ops, "patch", "/units/U-0002/status", {"status": "available", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2


def test_agency_liaisons_set_only_their_agencys_units(client_for: Any) -> None:
    liaison = client_for("liaison_army")
    body = {"status": "out_of_service", "version": 1}
    assert call(liaison, "patch", "/units/U-0002/status", body).status_code == 200
    assert call(liaison, "patch", "/units/U-0001/status", body).status_code == 404
    assert call(client_for("cmd_shatra"), "patch", "/units/U-0002/status", body).status_code == 404


# --- escalation --------------------------------------------------------------------------


def test_an_unanswered_incident_climbs_sector_room_chair_on_a_controlled_clock(
    election: Election, personas: Personas
) -> None:
    start = datetime(2010, 3, 7, 6, 0, tzinfo=UTC)
    draft = IncidentDraft(
        kind=IncidentKind.CROWD, severity=2, text="", observed_at=start,
        center=Center.objects.get(code="C-0003"),
    )  # fmt: skip
    incident, _ = do_file_incident(election, draft, acting_user=personas.ops, now=start)
    step = timedelta(minutes=deadline_minutes(2, "crowd"))
    assert incident.due_at == start + step
    assert do_escalate_overdue(now=start + step - timedelta(seconds=1)) == 0
    assert do_escalate_overdue(now=start + step) == 1
    assert do_escalate_overdue(now=start + step) == 0  # a retried beat raises once
    assert do_escalate_overdue(now=start + 2 * step) == 1
    assert do_escalate_overdue(now=start + 3 * step) == 1
    assert do_escalate_overdue(now=start + 10 * step) == 0  # the chair is the top
    incident.refresh_from_db()
    assert incident.escalation_level == 3
    assert incident.due_at is None
    assert list(IncidentEscalation.objects.values_list("level", flat=True)) == [1, 2, 3]
    banners = Event.objects.filter(kind=EventKind.INCIDENT_ESCALATED).order_by("id")
    assert [e.payload["roles"] for e in banners][-1] == [Role.CHAIR, Role.OPERATIONS]
    assert AuditEntry.objects.filter(action="operations.escalate_incident").count() == 3


def test_verifying_starts_a_new_deadline_and_dispatching_stops_the_clock(
    client_for: Any, approved: Plan
) -> None:
    ops = client_for("ops")
    code = verified(ops)
    assert call(ops, "get", f"/incidents/{code}").json()["due_at"] is not None
    call(ops, "post", f"/incidents/{code}/dispatches", {"unit": "U-0005"})
    assert call(ops, "get", f"/incidents/{code}").json()["due_at"] is None
    assert do_escalate_overdue(now=timezone.now() + timedelta(days=1)) == 0


# --- outside force -----------------------------------------------------------------------


def force(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "center": "C-0001", "force": "multinational", "size": 40,
        "justification": "هجوم مسلح مستمر",
    }  # fmt: skip
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def test_only_the_chair_requests_outside_forces_and_each_step_is_timed_and_chained(
    client_for: Any,
) -> None:
    chair = client_for("chair")
    answer = call(chair, "post", "/outside-force-requests", force())
    assert answer.status_code == 201, answer.content
    code = answer.json()["code"]
    for to in ("acknowledged", "arrived", "released"):
        step = call(chair, "post", f"/outside-force-requests/{code}/state", {"to": to})
        assert step.status_code == 200
        assert step.json()[f"{to}_at"] is not None
    again = call(chair, "post", f"/outside-force-requests/{code}/state", {"to": "arrived"})
    assert again.status_code == 409
    entries = AuditEntry.objects.filter(object_type="outside_force_request", object_id=code)
    assert entries.count() == 4
    assert all(e.critical for e in entries)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("ops", 403), ("auditor", 403), ("cmd_rifai", 403), ("cmd_shatra", 404),
        ("commission", 403), ("intel", 403), ("liaison_army", 404), ("field", 404),
        ("outsider", 404),
    ],
)  # fmt: skip
def test_every_other_role_gets_403_or_404_where_it_cannot_see(
    client_for: Any, persona: str, expected: int
) -> None:
    # About a center: 403 for those who see C-0001, 404 for those who do not.
    answer = call(client_for(persona), "post", "/outside-force-requests", force())
    assert answer.status_code == expected
    code = file(client_for("ops"))
    about_incident = call(
        client_for(persona), "post", "/outside-force-requests", force(center=None, incident=code)
    )
    sees = persona in {"ops", "auditor", "intel", "cmd_rifai"}
    assert about_incident.status_code == (403 if sees else 404)


def test_the_incident_list_runs_the_same_queries_for_two_or_ten_incidents(client_for: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ops = client_for("ops")
    counts = []
    for total in (2, 10):
        while Incident.objects.count() < total:
            file(ops, text=f"t{Incident.objects.count()}")
        with CaptureQueriesContext(connection) as queries:
            assert call(ops, "get", "/incidents?limit=50").json()["count"] == total
        counts.append(len(queries))
    assert counts[0] == counts[1]
