"""Tasks: made when the chair approves a plan, seen and answered by whom they concern.

The plan versions here are stored through the plan workflow's actions with a written
`pollguard.plan/1` document (no solver run: the counts must follow from the document, so
the document is spelled out), and approved through `do_decide_plan`, which generates the
tasks in its transaction. tests/web/test_plans.py approves a plan the planner made.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pollguard.audit.models import AuditEntry
from pollguard.core import model as core
from pollguard.core.tasks import policy_to_json
from pollguard.jobs.actions import do_request_job
from pollguard.planning.actions import do_decide_plan, do_store_plan, do_submit_plan
from pollguard.planning.jobs import PLAN_RUN
from pollguard.planning.models import Plan, Task
from pollguard.planning.task_actions import do_create_task
from pollguard.registry.models import Center, Election, Sector

from .personas import PERSONAS, Personas, make_package

pytestmark = pytest.mark.django_db

DOCUMENT: dict[str, Any] = {
    "schema": "pollguard.plan/1",
    "election": "test-2010",
    "assignments": [
        {"unit": "U-0001", "center": "C-0001", "role": "inner_cordon", "headcount": 20},
        {"unit": "U-0001", "center": "C-0002", "role": "inner_cordon", "headcount": 20},
        {"unit": "U-0002", "center": "C-0001", "role": "outer_cordon", "headcount": 40},
        {"unit": "U-0003", "center": "C-0003", "role": "inner_cordon", "headcount": 10},
        {"unit": "U-0003", "center": "C-0004", "role": "traffic", "headcount": 10},
        {"unit": "U-0005", "center": "C-0003", "role": "outer_cordon", "headcount": 100},
        {"unit": "U-0005", "center": "C-0004", "role": "outer_cordon", "headcount": 100},
    ],
    "sweeps": [
        {
            "team": "U-0004#1",
            "unit": "U-0004",
            "kind": "eod",
            "stops": [
                {
                    "center": "C-0003",
                    "start": "2010-03-06T06:00:00+03:00",
                    "end": "2010-03-06T06:35:00+03:00",
                },
                {
                    "center": "C-0004",
                    "start": "2010-03-06T06:40:00+03:00",
                    "end": "2010-03-06T07:05:00+03:00",
                },
            ],
        },
        {"team": "U-0004#2", "unit": "U-0004", "kind": "eod", "stops": []},
    ],
    "shortfalls": [{"center": "C-0001", "role": "inner_cordon", "missing": 4}],
    "sweep_shortfalls": [],
    "risk": {},
    "metrics": {"objective": 12.0, "bound": 12.0, "gap": 0.0},
}
T, P = core.TaskTemplate, core.TaskPhase
TEMPLATES = (
    T("seal-borders", P.BEFORE, "Seal the provincial borders", "غلق حدود المحافظة",
      agency="IA", start_minutes=-14 * 60, due_minutes=-13 * 60),
    T("vehicle-ban", P.BEFORE, "Enforce the vehicle ban", "تطبيق حظر تجوال العجلات",
      kind=core.UnitKind.POLICE, sectors="each", start_minutes=-10 * 60, due_minutes=-9 * 60),
    T("ballots-escort", P.AFTER, "Escort the ballot boxes", "مرافقة صناديق الاقتراع",
      agency="IP", sectors="each", anchor=core.TaskAnchor.POLLS_CLOSE, due_minutes=4 * 60),
    T("ops-room", P.BEFORE, "Open the operations room", "فتح غرفة العمليات",
      start_minutes=-26 * 60, due_minutes=-24 * 60),
)  # fmt: skip

# Who sees how many of the 14 tasks of DOCUMENT and TEMPLATES.
LIST_COUNTS = {
    "chair": 14, "ops": 14, "auditor": 14, "cmd_rifai": 5, "cmd_shatra": 7,
    "liaison_army": 4, "commission": 0, "intel": 0, "field": 0, "outsider": 0,
}  # fmt: skip
SEES_ALL = {"chair", "ops", "auditor"}
UNSEEN = {"commission", "intel", "field", "outsider"}


def store_plan(election: Election, personas: Personas, document: dict[str, Any] = DOCUMENT) -> Plan:
    """A draft version holding `document`, as a finished plan run stores it."""
    job, _ = do_request_job(
        PLAN_RUN,
        parameters={"run": str(uuid.uuid4())},
        election_id=election.pk,
        acting_user=personas.ops,
        dedupe=False,
    )
    policy = dataclasses.replace(make_package().policy, task_templates=TEMPLATES)
    sectors = {
        c.code: c.sector.code
        for c in Center.objects.filter(election=election).select_related("sector")
    }
    return do_store_plan(
        election=election,
        document=copy.deepcopy(document),
        sector_of=sectors,
        params={"time_limit": 2, "seed": 0, "package_digest": election.package_digest},
        based_on=None,
        job=job,
        policy=policy_to_json(policy),
    )


def approve(plan: Plan, personas: Personas) -> Plan:
    do_submit_plan(plan, acting_user=personas.ops)
    return do_decide_plan(plan, approve=True, comment="", acting_user=personas.chair)


@pytest.fixture
def approved(election: Election, personas: Personas) -> Plan:
    return approve(store_plan(election, personas), personas)


def task(plan: Plan, key: str) -> Task:
    return Task.objects.select_related("sector", "agency").get(plan=plan, key=key)


def post(client: Client, path: str, body: object) -> Any:
    return client.post(f"/api/v1{path}", json.dumps(body), content_type="application/json")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


RIF_POST = "post:U-0001:C-0001:inner_cordon"
SHA_POST = "post:U-0003:C-0003:inner_cordon"
ARMY_RESERVE_POST = "post:U-0005:C-0003:outer_cordon"


# --- generation -------------------------------------------------------------------------


def test_approval_makes_one_task_per_post_sweep_and_phase_template(approved: Plan) -> None:
    tasks = list(Task.objects.filter(plan=approved))
    kinds = Counter(t.kind for t in tasks)
    posts = {(a["unit"], a["center"], a["role"]) for a in DOCUMENT["assignments"]}
    standbys = {p for p in posts if p[2] in ("traffic", "civil_defense")}
    assert kinds["post"] == len(posts) - len(standbys) == 6
    assert kinds["standby"] == len(standbys) == 1
    assert kinds["sweep"] == len([s for s in DOCUMENT["sweeps"] if s["stops"]]) == 1
    # seal-borders 1 (army), vehicle-ban 2 (police in each sector), escort 2, ops room 1.
    assert kinds["template"] == 6
    assert {t.state for t in tasks} == {"open"}
    entry = AuditEntry.objects.get(action="planning.generate_tasks")
    assert entry.after["created"] == 14
    assert AuditEntry.objects.get(action="planning.approve").after["tasks"]["posts"] == 6


def test_generated_tasks_carry_codes_times_and_phases(approved: Plan) -> None:
    post_task = task(approved, ARMY_RESERVE_POST)
    # An army reserve posted in al-Shatra: the army's task, in al-Shatra's sector.
    assert (post_task.agency.code, post_task.sector.code, post_task.headcount) == ("IA", "SHA", 100)
    assert post_task.phase == "during"
    # On duty from two hours before polls open (07:00 Baghdad) until two after close.
    assert post_task.starts_at == utc(2010, 3, 7, 2, 0)
    assert post_task.due_at == utc(2010, 3, 7, 16, 0)
    sweep = task(approved, "sweep:U-0004#1")
    assert (sweep.phase, sweep.sector.code, len(sweep.stops)) == ("before", "SHA", 2)
    assert sweep.starts_at == utc(2010, 3, 6, 3, 0)
    assert sweep.due_at == utc(2010, 3, 6, 4, 5)
    borders = task(approved, "template:seal-borders:IA:-")
    assert borders.sector is None
    assert borders.due_at == utc(2010, 3, 6, 15, 0)  # 18:00 on 6 March, Baghdad
    escort = task(approved, "template:ballots-escort:IP:RIF")
    assert escort.phase == "after"
    assert (escort.starts_at, escort.due_at) == (utc(2010, 3, 7, 14, 0), utc(2010, 3, 7, 18, 0))
    assert task(approved, "template:ops-room:-:-").agency is None


def test_generated_tasks_read_in_the_readers_language(approved: Plan, client_for: Any) -> None:
    public_id = task(approved, RIF_POST).public_id
    arabic = client_for("cmd_rifai").get(f"/api/v1/tasks/{public_id}").json()
    assert "الطوق الداخلي" in arabic["title"]
    client = client_for("cmd_rifai")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(f"/api/v1/tasks/{public_id}").json()
    assert english["title"] == "Inner cordon at Rifai Boys School (C-0001): 20 from U-0001"
    assert (english["unit"], english["center"], english["sector"], english["agency"]) == (
        "U-0001",
        "C-0001",
        "RIF",
        "IP",
    )
    sweep = client.get(f"/api/v1/tasks/{task(approved, 'sweep:U-0004#1').public_id}")
    assert sweep.status_code == 404  # al-Shatra's
    borders = client_for("ops").get(
        f"/api/v1/tasks/{task(approved, 'template:seal-borders:IA:-').public_id}"
    )
    assert borders.json()["title"] == "غلق حدود المحافظة"


# --- who sees what ------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_each_role_lists_only_its_tasks(approved: Plan, client_for: Any, name: str) -> None:
    answer = client_for(name).get("/api/v1/tasks?limit=500")
    assert answer.status_code == 200
    items = answer.json()["items"]
    assert len(items) == LIST_COUNTS[name]
    if name == "cmd_rifai":
        assert {t["sector"] for t in items} == {"RIF"}
    if name == "cmd_shatra":
        assert {t["sector"] for t in items} == {"SHA"}
    if name == "liaison_army":
        assert {t["agency"] for t in items} == {"IA"}


def test_the_list_asks_for_a_sign_in(approved: Plan) -> None:
    assert Client().get("/api/v1/tasks").status_code == 401


@pytest.mark.parametrize("name", PERSONAS)
def test_another_sectors_or_agencys_task_is_not_found(
    approved: Plan, client_for: Any, name: str
) -> None:
    expected = {
        RIF_POST: SEES_ALL | {"cmd_rifai"},
        SHA_POST: SEES_ALL | {"cmd_shatra"},
        ARMY_RESERVE_POST: SEES_ALL | {"cmd_shatra", "liaison_army"},
        "template:seal-borders:IA:-": SEES_ALL | {"liaison_army"},
        "template:ops-room:-:-": SEES_ALL,
    }
    client = client_for(name)
    for key, allowed in expected.items():
        public_id = task(approved, key).public_id
        status = client.get(f"/api/v1/tasks/{public_id}").status_code
        assert status == (200 if name in allowed else 404), (key, name)
        page = client.get(f"/tasks/{public_id}/").status_code
        assert page == (200 if name in allowed else 404), (key, name)
    assert client.get("/api/v1/tasks/not-a-uuid").status_code == 404


def test_filters_by_phase_state_sector_and_agency(approved: Plan, client_for: Any) -> None:
    ops = client_for("ops")

    def count(query: str) -> int:
        return len(ops.get(f"/api/v1/tasks?limit=500&{query}").json()["items"])

    assert count("phase=after") == 2
    assert count("phase=during") == 7
    assert count("sector=RIF") == 5
    assert count("agency=IA") == 4
    assert count("sector=SHA&agency=IA") == 2
    assert count("state=acknowledged") == 0
    assert ops.get("/api/v1/tasks?phase=later").status_code == 422


# --- answers ------------------------------------------------------------------------------


def test_cmd_rifai_acknowledges_only_al_rifais_tasks(approved: Plan, client_for: Any) -> None:
    rifai = client_for("cmd_rifai")
    mine, theirs = task(approved, RIF_POST), task(approved, SHA_POST)
    answer = post(rifai, f"/tasks/{mine.public_id}/acknowledge", {"version": mine.version})
    assert answer.status_code == 200, answer.content
    assert (answer.json()["state"], answer.json()["acknowledged_by"]) == (
        "acknowledged",
        "cmd-rifai",
    )
    assert post(rifai, f"/tasks/{theirs.public_id}/acknowledge", {}).status_code == 404
    entry = AuditEntry.objects.get(action="planning.acknowledge_task")
    assert entry.object_id == str(mine.public_id)
    assert entry.actor_name == "cmd-rifai"
    theirs.refresh_from_db()
    assert theirs.state == "open"


@pytest.mark.parametrize("name", PERSONAS)
def test_who_may_answer_a_task(approved: Plan, client_for: Any, name: str) -> None:
    """Only its sector commander or agency liaison; the readers get 403, the others 404."""
    target = task(approved, ARMY_RESERVE_POST)
    expected = {"cmd_shatra": 200, "liaison_army": 200, **dict.fromkeys(SEES_ALL, 403)}
    status = post(client_for(name), f"/tasks/{target.public_id}/acknowledge", {}).status_code
    assert status == expected.get(name, 404)
    status = post(
        client_for(name), f"/tasks/{target.public_id}/decline", {"reason": "x"}
    ).status_code
    assert status in ({200, 409} if expected.get(name) == 200 else {expected.get(name, 404)})


def test_an_agency_liaison_answers_only_his_agencys_tasks(approved: Plan, client_for: Any) -> None:
    army = client_for("liaison_army")
    borders = task(approved, "template:seal-borders:IA:-")
    assert post(army, f"/tasks/{borders.public_id}/acknowledge", {}).status_code == 200
    police = task(approved, RIF_POST)
    assert post(army, f"/tasks/{police.public_id}/acknowledge", {}).status_code == 404


def test_a_stale_version_or_a_forbidden_move_is_409(approved: Plan, client_for: Any) -> None:
    rifai = client_for("cmd_rifai")
    target = task(approved, RIF_POST)
    path = f"/tasks/{target.public_id}"
    assert post(rifai, f"{path}/acknowledge", {"version": 1}).status_code == 200
    stale = post(rifai, f"{path}/decline", {"reason": "no fuel", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    # Acknowledging twice is not a move there is.
    assert post(rifai, f"{path}/acknowledge", {"version": 2}).status_code == 409
    assert post(rifai, f"{path}/acknowledge", {"version": True}).status_code == 422
    target.refresh_from_db()
    assert (target.state, target.version) == ("acknowledged", 2)


def test_declining_needs_a_reason(approved: Plan, client_for: Any) -> None:
    rifai = client_for("cmd_rifai")
    target = task(approved, RIF_POST)
    path = f"/tasks/{target.public_id}/decline"
    assert post(rifai, path, {}).status_code == 422
    assert post(rifai, path, {"reason": "   "}).status_code == 422
    assert post(rifai, path, {"reason": "لا وقود\u202e"}).status_code == 422
    target.refresh_from_db()
    assert (target.state, target.version) == ("open", 1)
    answer = post(rifai, path, {"reason": "العجلات معطلة", "version": 1})
    assert answer.status_code == 200
    assert answer.json()["decline_reason"] == "العجلات معطلة"
    # He may change his mind: a declined task can still be acknowledged.
    again = post(rifai, f"/tasks/{target.public_id}/acknowledge", {"version": 2})
    assert again.json()["state"] == "acknowledged"


# --- versions -----------------------------------------------------------------------------


def test_a_new_version_supersedes_the_old_tasks_and_keeps_unchanged_acknowledgements(
    election: Election, personas: Personas, approved: Plan, client_for: Any
) -> None:
    rifai, shatra = client_for("cmd_rifai"), client_for("cmd_shatra")
    kept, changed = task(approved, RIF_POST), task(approved, "post:U-0001:C-0002:inner_cordon")
    declined = task(approved, SHA_POST)
    post(rifai, f"/tasks/{kept.public_id}/acknowledge", {})
    post(rifai, f"/tasks/{changed.public_id}/acknowledge", {})
    post(shatra, f"/tasks/{declined.public_id}/decline", {"reason": "short of men"})
    document = copy.deepcopy(DOCUMENT)
    document["assignments"][1]["headcount"] = 15
    second = approve(store_plan(election, personas, document), personas)

    assert set(Task.objects.filter(plan=approved).values_list("state", flat=True)) == {"superseded"}
    assert Task.objects.filter(plan=approved).count() == 14  # kept, never deleted
    new_kept = task(second, RIF_POST)
    assert new_kept.state == "acknowledged"
    assert new_kept.carried_from_id == kept.pk
    assert new_kept.acknowledged_by == personas.cmd_rifai
    assert task(second, "post:U-0001:C-0002:inner_cordon").state == "open"  # 15, not 20
    assert task(second, SHA_POST).state == "open"  # a new version asks again
    items = rifai.get("/api/v1/tasks?limit=500").json()["items"]
    assert len(items) == 5
    assert {i["plan"] for i in items} == {second.pk}
    # The superseded tasks stay readable for the operations room.
    ops = client_for("ops").get("/api/v1/tasks?state=superseded&limit=500").json()
    assert len(ops["items"]) == 14
    generated = AuditEntry.objects.filter(action="planning.generate_tasks").order_by("pk")
    assert [e.after["carried_over"] for e in generated] == [0, 1]


# --- manual tasks ---------------------------------------------------------------------------


def make_manual(election: Election, personas: Personas, n: int, sector: str = "RIF") -> None:
    for i in range(n):
        do_create_task(
            election,
            phase=core.TaskPhase.BEFORE,  # type: ignore[arg-type]
            title=f"مهمة {i}",
            text="",
            language="ar",
            starts_at=utc(2010, 3, 6, 15, 0),
            due_at=utc(2010, 3, 6, 16, 0),
            sector=Sector.objects.get(election=election, code=sector),
            acting_user=personas.ops,
        )


def test_ops_enters_a_task_by_hand_and_the_commander_sees_it(
    election: Election, personas: Personas, client_for: Any
) -> None:
    form = {
        "phase": "before",
        "title": "غلق حدود المحافظة",
        "text": "من الساعة 18:00",
        "sector": "RIF",
        "agency": "IP",
        "center": "",
        "unit": "U-0001",
        "starts_at": "2010-03-06T17:00",
        "due_at": "2010-03-06T18:00",
    }
    answer = client_for("ops").post("/tasks/new/", form)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    created = Task.objects.get(source="manual")
    assert (created.title_ar, created.language, created.sector.code) == (form["title"], "ar", "RIF")
    assert created.due_at == utc(2010, 3, 6, 15, 0)  # the form reads election time
    (item,) = client_for("cmd_rifai").get("/api/v1/tasks").json()["items"]
    assert item["title"] == form["title"]
    assert client_for("cmd_shatra").get("/api/v1/tasks").json()["items"] == []
    # Refused: due before start (nothing written), a commander (403), a role without tasks.
    bad = client_for("ops").post("/tasks/new/", {**form, "due_at": "2010-03-06T16:00"})
    assert bad.status_code == 422
    assert Task.objects.count() == 1
    assert client_for("cmd_rifai").post("/tasks/new/", form).status_code == 403
    assert client_for("auditor").get("/tasks/new/").status_code == 403
    assert client_for("commission").get("/tasks/new/").status_code == 404
    # Cancel: the operations room may, the commander may not.
    assert (
        client_for("cmd_rifai")
        .post(f"/tasks/{created.public_id}/cancel", {"version": 1})
        .status_code
        == 403
    )
    assert (
        client_for("ops").post(f"/tasks/{created.public_id}/cancel", {"version": 1}).status_code
        == 302
    )
    created.refresh_from_db()
    assert created.state == "cancelled"


@pytest.mark.parametrize("name", ["chair", "cmd_rifai"])
def test_the_list_runs_a_fixed_number_of_queries(
    election: Election, personas: Personas, client_for: Any, name: str
) -> None:
    client = client_for(name)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/tasks?limit=500").status_code == 200
            assert client.get("/tasks/").status_code == 200
        return len(captured)

    make_manual(election, personas, 5)
    queries()  # the session's first requests write what later ones only read
    few = queries()
    make_manual(election, personas, 45)
    assert queries() == few


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_pages_per_role(approved: Plan, client_for: Any, name: str) -> None:
    client = client_for(name)
    board = client.get("/tasks/board/")
    assert board.status_code == (200 if name in SEES_ALL else 404)
    listing = client.get("/tasks/")
    assert listing.status_code == (404 if name in UNSEEN else 200)
    mine = client.get("/tasks/mine/")
    if name in {"cmd_rifai", "cmd_shatra", "liaison_army"}:
        assert mine.status_code == 200
        assert mine.content.decode().count('data-testid="task-card"') == LIST_COUNTS[name]
    elif name in SEES_ALL:
        assert mine.status_code == 302
    else:
        assert mine.status_code == 404
    clone = client.get("/tasks/clone/")
    assert clone.status_code == {"chair": 200, "ops": 200, "auditor": 403}.get(
        name, 403 if name not in UNSEEN else 404
    )


def test_the_board_counts_per_sector_and_agency_overdue_first(
    approved: Plan, client_for: Any
) -> None:
    post(client_for("cmd_rifai"), f"/tasks/{task(approved, RIF_POST).public_id}/acknowledge", {})
    post(
        client_for("cmd_shatra"),
        f"/tasks/{task(approved, SHA_POST).public_id}/decline",
        {"reason": "short of men"},
    )
    page = client_for("ops").get("/tasks/board/")
    html = page.content.decode()
    sectors = html[html.index('data-testid="board-sectors"') :]
    sectors = sectors[: sectors.index("</table>")]
    # 2010 is long past: every open task is overdue. al-Shatra has 6 open, al-Rifai 4.
    assert sectors.index('data-row="SHA"') < sectors.index('data-row="RIF"')
    assert "/tasks/?sector=SHA&amp;state=declined" in sectors
    assert "/tasks/?sector=RIF&amp;overdue=on" in sectors
    agencies = html[html.index('data-testid="board-agencies"') :]
    assert 'data-row="IA"' in agencies
    filtered = client_for("ops").get("/tasks/?sector=SHA&state=declined")
    assert filtered.content.decode().count("data-task=") == 1
    ops = client_for("ops")
    ops.get("/tasks/board/")
    with CaptureQueriesContext(connection) as captured:
        ops.get("/tasks/board/")
    # session, user, profile, election, the counts, and the escalation banner every page of
    # the room shows (its election and its one query): no per-row query.
    assert len(captured) <= 14


def test_answering_on_the_page(approved: Plan, client_for: Any) -> None:
    rifai = client_for("cmd_rifai")
    target = task(approved, RIF_POST)
    path = f"/tasks/{target.public_id}"
    refused = rifai.post(f"{path}/decline", {"version": 1, "reason": " "})
    assert refused.status_code == 422
    assert "اذكر سبب الاعتذار" in refused.content.decode()
    backwards = rifai.post(f"{path}/decline", {"version": 1, "reason": "لا\u202e"})
    assert backwards.status_code == 422
    target.refresh_from_db()
    assert target.state == "open"
    answer = rifai.post(f"{path}/acknowledge", {"version": 1, "next": "/tasks/mine/"})
    assert answer.status_code == 302
    assert answer["Location"] == "/tasks/mine/"
    stale = rifai.post(f"{path}/decline", {"version": 1, "reason": "x"})
    assert stale.status_code == 409
    assert client_for("ops").post(f"{path}/acknowledge", {"version": 2}).status_code == 403
    assert client_for("cmd_shatra").post(f"{path}/acknowledge", {"version": 2}).status_code == 404
