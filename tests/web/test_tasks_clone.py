"""Cloning the previous election's plan into a draft of another election.

The source is the Dhi Qar 2010 demo with an approved plan; the target is a copy of the demo
package written to a temporary folder with another election code and date, some centers,
units and an agency removed, loaded after it (so it is the current election).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.test import Client

from pollguard.accounts.actions import do_provision_user
from pollguard.accounts.choices import Role
from pollguard.core import model as core
from pollguard.core.package import read_package, write_package
from pollguard.core.tasks import policy_to_json
from pollguard.jobs.actions import do_request_job
from pollguard.planning.actions import do_decide_plan, do_store_plan, do_submit_plan
from pollguard.planning.jobs import PLAN_RUN
from pollguard.planning.models import Plan, Task
from pollguard.planning.task_actions import do_create_task
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Agency, Election, Sector

from .personas import PASSWORD, Personas

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

DEMO = Path(__file__).resolve().parents[2] / "scenarios" / "dhi-qar-2010"


def _document(pkg: core.ElectionPackage) -> dict[str, Any]:
    rifai = [c for c in pkg.centers if c.sector == "RIF" and c.kind is core.CenterKind.GENERAL]
    police = [u for u in pkg.units if u.sector == "RIF" and u.kind is core.UnitKind.POLICE]
    eod = next(u for u in pkg.units if u.kind is core.UnitKind.EOD)
    start = datetime(2010, 3, 6, 3, 0, tzinfo=UTC)
    return {
        "schema": "pollguard.plan/1",
        "election": pkg.election.code,
        "assignments": [
            {"unit": police[i].code, "center": rifai[i].code, "role": "inner_cordon",
             "headcount": 4}
            for i in range(3)
        ],
        "sweeps": [
            {"team": f"{eod.code}#1", "unit": eod.code, "kind": "eod", "stops": [
                {"center": rifai[i].code,
                 "start": (start + timedelta(hours=i)).isoformat(),
                 "end": (start + timedelta(hours=i, minutes=30)).isoformat()}
                for i in range(3)
            ]},
        ],
        "shortfalls": [{"center": rifai[0].code, "role": "outer_cordon", "missing": 10}],
        "sweep_shortfalls": [],
        "risk": {},
        "metrics": {"objective": 20.0},
    }  # fmt: skip


def _approved_plan(election: Election, pkg: core.ElectionPackage, personas: Personas) -> Plan:
    job, _ = do_request_job(
        PLAN_RUN, parameters={"demo": 1}, election_id=election.pk, acting_user=personas.ops
    )
    plan = do_store_plan(
        election=election,
        document=_document(pkg),
        sector_of={c.code: c.sector for c in pkg.centers},
        params={"time_limit": 10, "seed": 0, "package_digest": election.package_digest},
        based_on=None,
        job=job,
        policy=policy_to_json(pkg.policy),
    )
    do_submit_plan(plan, acting_user=personas.ops)
    return do_decide_plan(plan, approve=True, comment="", acting_user=personas.chair)


def _without(
    pkg: core.ElectionPackage, centers: set[str], units: set[str], agency: str
) -> core.ElectionPackage:
    """The package for 2014: another code and date, some rows removed with what names them."""
    election = dataclasses.replace(
        pkg.election,
        code="iq-cor-2014-dhi-qar",
        name_en="Council of Representatives election 2014 - Dhi Qar (test)",
        general_vote_date=date(2014, 4, 30),
        special_vote_date=date(2014, 4, 28),
    )
    sweep = dataclasses.replace(
        pkg.policy.sweep,
        window_start=pkg.policy.sweep.window_start.replace(year=2014, month=4, day=29),
        window_end=pkg.policy.sweep.window_end.replace(year=2014, month=4, day=29),
    )
    return dataclasses.replace(
        pkg,
        election=election,
        policy=dataclasses.replace(pkg.policy, sweep=sweep),
        agencies=tuple(a for a in pkg.agencies if a.code != agency),
        centers=tuple(c for c in pkg.centers if c.code not in centers),
        stations=tuple(s for s in pkg.stations if s.center not in centers),
        units=tuple(u for u in pkg.units if u.code not in units),
        personnel=tuple(p for p in pkg.personnel if p.unit not in units),
        special_register=tuple(
            v
            for v in pkg.special_register
            if v.unit not in units and v.special_center not in centers
        ),
        incidents_history=tuple(i for i in pkg.incidents_history if i.center not in centers),
        intel=tuple(i for i in pkg.intel if i.center not in centers),
    )


def _snapshot(plan: Plan) -> list[dict[str, Any]]:
    plan.refresh_from_db()
    rows = [model_to_dict(plan)]
    rows += [model_to_dict(t) for t in Task.objects.filter(election=plan.election).order_by("pk")]
    return rows


def test_cloning_maps_the_codes_that_exist_lists_the_others_and_keeps_the_source(
    personas: Personas, client_for: Any, tmp_path: Path
) -> None:
    source_pkg = read_package(DEMO)
    do_load_package(source_pkg, acting_user=None, source=DEMO)
    source_election = Election.objects.get(code=source_pkg.election.code)
    source = _approved_plan(source_election, source_pkg, personas)
    do_create_task(
        source_election,
        phase=core.TaskPhase.BEFORE,  # type: ignore[arg-type]
        title="Brief the multinational liaison officer",
        text="",
        language="en",
        starts_at=datetime(2010, 3, 5, 9, 0, tzinfo=UTC),
        due_at=datetime(2010, 3, 5, 10, 0, tzinfo=UTC),
        agency=Agency.objects.get(election=source_election, code="MNF"),
        sector=Sector.objects.get(election=source_election, code="RIF"),
        acting_user=personas.ops,
    )
    document = source.document
    gone_center = document["assignments"][1]["center"]
    gone_unit = document["assignments"][2]["unit"]
    target_pkg = _without(source_pkg, {gone_center}, {gone_unit}, "MNF")
    folder = tmp_path / "dhi-qar-2014"
    write_package(target_pkg, folder)
    do_load_package(read_package(folder), acting_user=None, source=folder)
    target = Election.objects.get(code="iq-cor-2014-dhi-qar")
    before = _snapshot(source)

    ops = client_for("ops")
    form = ops.get("/tasks/clone/").content.decode()
    assert f'value="{source.pk}"' in form
    answer = ops.post("/tasks/clone/", {"plan": source.pk})
    assert answer.status_code == 302, answer.content.decode()[:500]
    draft = Plan.objects.get(election=target)
    assert answer["Location"] == f"/tasks/clone/{draft.pk}/"
    assert (draft.state, draft.version, draft.cloned_from_id) == ("draft", 1, source.pk)
    assert {"kind": "center", "code": gone_center} in draft.clone_missing
    assert {"kind": "unit", "code": gone_unit} in draft.clone_missing
    assert {"kind": "agency", "code": "MNF"} in draft.clone_missing
    assert len(draft.clone_missing) == 3
    page = ops.get(answer["Location"]).content.decode()
    assert gone_center in page
    assert gone_unit in page
    assert "MNF" in page
    # The document keeps what maps: one of three posts, and the sweep without the lost stop.
    assert len(draft.document["assignments"]) == 1
    (sweep,) = draft.document["sweeps"]
    assert [s["center"] for s in sweep["stops"]] == [
        c for c in (a["center"] for a in document["assignments"]) if c != gone_center
    ]
    assert sweep["stops"][0]["start"].startswith("2014-04-29")  # moved by the vote dates
    assert draft.policy["task_templates"] == source.policy["task_templates"]
    # The tasks in force of the source (and its hand-entered one) are the draft's, mapped.
    copies = Task.objects.filter(plan=draft)
    source_live = Task.objects.filter(election=source_election).exclude(state="superseded")
    assert copies.count() == source_live.count()
    assert set(copies.values_list("source", flat=True)) == {"cloned"}
    manual = copies.get(kind="manual")
    assert (manual.agency, manual.sector.code) == (None, "RIF")
    assert manual.starts_at == datetime(2014, 4, 28, 9, 0, tzinfo=UTC)
    lost = copies.get(key=f"post:{document['assignments'][1]['unit']}:{gone_center}:inner_cordon")
    assert lost.center is None
    # The source did not change.
    assert _snapshot(source) == before
    # A draft's tasks are not in force: al-Rifai's commander of 2014 sees none yet.
    commander = Client()
    commander.force_login(
        do_provision_user(
            "cmd-rifai-2014",
            password=PASSWORD,
            role=Role.SECTOR_COMMANDER,
            sector=Sector.objects.get(election=target, code="RIF"),
            acting_user=None,
        )
    )
    assert commander.get("/api/v1/tasks").json()["items"] == []
    # Approved, the draft's tasks come into force; nothing is made twice.
    do_submit_plan(draft, acting_user=personas.ops)
    do_decide_plan(draft, approve=True, comment="", acting_user=personas.chair)
    keys = list(Task.objects.filter(plan=draft).values_list("key", flat=True))
    assert len(keys) == len(set(keys))
    seen = commander.get("/api/v1/tasks?limit=500").json()["items"]
    assert seen
    assert {t["sector"] for t in seen} == {"RIF"}


def test_only_the_chair_and_ops_clone(personas: Personas, client_for: Any) -> None:
    for name in ("cmd_rifai", "auditor", "liaison_army"):
        assert client_for(name).post("/tasks/clone/", {"plan": 1}).status_code == 403
    for name in ("commission", "outsider"):
        assert client_for(name).post("/tasks/clone/", {"plan": 1}).status_code == 404
    # A plan that is not another election's is not found.
    assert client_for("ops").post("/tasks/clone/", {"plan": 999}).status_code == 404
    assert client_for("ops").post("/tasks/clone/", {"plan": "x"}).status_code == 404
