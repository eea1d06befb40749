"""The plan workflow through API v1: who may run, see, submit and decide plan versions.

The plan-run job runs in this process (`jobs.runner.run`, as a worker would run it), on a
package written to a folder and loaded from there, so the test needs no broker;
tests/web/test_jobs_worker.py runs the same path through real workers and brokers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from pollguard.audit.models import AuditEntry
from pollguard.core.package import read_package, write_package
from pollguard.jobs.models import Job
from pollguard.jobs.runner import run
from pollguard.planning.models import Plan, Task
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Election

from .personas import Personas, make_package

ALL = ["chair", "ops", "auditor", "cmd_rifai", "commission", "intel", "liaison_army", "field"]
UNSEEN = ["cmd_rifai", "commission", "intel", "liaison_army", "field", "outsider"]


@pytest.fixture
def package_folder(election: Election, personas: Personas, tmp_path: Path) -> Path:
    """The tests' election, loaded again from a folder (plan runs read the package there)."""
    folder = tmp_path / "package"
    write_package(make_package(), folder)
    do_load_package(read_package(folder), acting_user=None, source=folder)
    return folder


def post(client: Client, path: str, body: object) -> Any:
    return client.post(f"/api/v1{path}", json.dumps(body), content_type="application/json")


def run_plan(client: Client, **body: Any) -> Plan:
    answer = post(client, "/plan-runs", {"time_limit": 2, **body})
    assert answer.status_code == 202, answer.content
    run(answer.json()["job"])
    job = Job.objects.get(pk=answer.json()["job"])
    assert job.state == "succeeded", (job.message, job.result)
    assert job.result is not None
    return Plan.objects.get(pk=job.result["plan"])


@pytest.mark.slow
def test_the_whole_workflow_from_run_to_approval(package_folder: Path, client_for: Any) -> None:
    ops, chair = client_for("ops"), client_for("chair")
    first = run_plan(ops, seed=1)
    assert (first.version, first.state) == (1, "draft")
    assert first.document["schema"] == "pollguard.plan/1"
    assert set(first.sector_shortfalls) <= {"RIF", "SHA"}
    assert post(ops, f"/plans/{first.pk}/submit", {}).status_code == 200
    # Locked while submitted: it cannot be submitted again.
    assert post(ops, f"/plans/{first.pk}/submit", {}).status_code == 409
    answer = post(chair, f"/plans/{first.pk}/approve", {"comment": "موافق", "revision": 2})
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == "approved"
    entry = AuditEntry.objects.get(action="planning.approve")
    assert entry.critical
    assert entry.actor_name == "chair"
    assert len(entry.after["document_sha256"]) == 64
    # The approval made the version's tasks: one per post and per sweep with stops.
    posts = {(a["unit"], a["center"], a["role"]) for a in first.document["assignments"]}
    sweeps = [s for s in first.document["sweeps"] if s["stops"]]
    assert Task.objects.filter(plan=first).count() == len(posts) + len(sweeps)
    assert first.policy["duty"] == {"start_minutes": -120, "end_minutes": 120}

    # Re-planning from the web after a unit is lost: a new version, based on the first.
    lost = first.document["assignments"][0]["unit"]
    second = run_plan(ops, seed=1, from_plan=first.pk, changes=[{"unit_out": lost}])
    assert second.based_on_id == first.pk
    assert second.version == 2
    assert lost not in {a["unit"] for a in second.document["assignments"]}
    post(ops, f"/plans/{second.pk}/submit", {})
    assert post(chair, f"/plans/{second.pk}/approve", {}).status_code == 200
    first.refresh_from_db()
    assert first.state == "superseded"
    assert set(Task.objects.filter(plan=first).values_list("state", flat=True)) == {"superseded"}


@pytest.mark.slow
def test_decisions_are_refused_when_wrong_stale_or_not_the_chairs(
    package_folder: Path, client_for: Any
) -> None:
    ops, chair = client_for("ops"), client_for("chair")
    plan = run_plan(ops)
    # Not submitted yet.
    assert post(chair, f"/plans/{plan.pk}/approve", {}).status_code == 409
    # The auditor reads plans but submits nothing; roles that do not see plans get 404.
    assert post(client_for("auditor"), f"/plans/{plan.pk}/submit", {}).status_code == 403
    for name in UNSEEN:
        assert post(client_for(name), f"/plans/{plan.pk}/submit", {}).status_code == 404
    # The list carries each version's document, as design.md section 5 names it.
    (listed,) = client_for("auditor").get("/api/v1/plans").json()["items"]
    assert listed["document"]["schema"] == "pollguard.plan/1"
    post(ops, f"/plans/{plan.pk}/submit", {})
    for name in ("ops", "auditor"):
        assert post(client_for(name), f"/plans/{plan.pk}/approve", {}).status_code == 403
        assert (
            post(client_for(name), f"/plans/{plan.pk}/return", {"comment": "x"}).status_code == 403
        )
    for name in UNSEEN:
        assert post(client_for(name), f"/plans/{plan.pk}/approve", {}).status_code == 404
    # A stale revision, a return without a reason, a comment that reads backwards.
    assert post(chair, f"/plans/{plan.pk}/approve", {"revision": 1}).status_code == 409
    assert post(chair, f"/plans/{plan.pk}/return", {}).status_code == 422
    assert post(chair, f"/plans/{plan.pk}/return", {"comment": "ok\u202e"}).status_code == 422
    # The package is loaded again with a change: the plan was made for the old one.
    changed = make_package()
    write_package(changed, package_folder, comment="reloaded")
    do_load_package(read_package(package_folder), acting_user=None, source=package_folder)
    answer = post(chair, f"/plans/{plan.pk}/approve", {})
    assert answer.status_code == 409
    assert "أُعيد تحميل حزمة الانتخابات" in answer.json()["detail"]  # the chair's language
    answer = post(chair, f"/plans/{plan.pk}/return", {"comment": "أعيدوا التشغيل"})
    assert answer.json()["state"] == "returned"


def test_who_may_run_the_planner_and_see_plans(package_folder: Path, client_for: Any) -> None:
    for name in ("ops", "chair"):
        answer = post(client_for(name), "/plan-runs", {"time_limit": 2, "seed": 5})
        assert answer.status_code == 202, name
    assert post(client_for("auditor"), "/plan-runs", {}).status_code == 403
    for name in UNSEEN:
        assert post(client_for(name), "/plan-runs", {}).status_code == 404, name
        assert client_for(name).get("/api/v1/plans").json()["count"] == 0
    # The same run asked twice while queued is one job; another seed is another job.
    one = post(client_for("ops"), "/plan-runs", {"time_limit": 2, "seed": 5}).json()
    assert one["created"] is False
    assert Job.objects.count() == 1
    assert post(client_for("ops"), "/plan-runs", {"time_limit": 2, "seed": 6}).json()["created"]


def test_bad_plan_run_bodies_are_refused_naming_the_entry(
    package_folder: Path, client_for: Any
) -> None:
    ops = client_for("ops")
    for body in (
        {"time_limit": 0},
        {"time_limit": 10_000},
        {"seed": True},
        {"seed": "3"},
        {"changes": "unit_out"},
    ):
        assert post(ops, "/plan-runs", body).status_code == 422, body
    answer = post(
        ops,
        "/plan-runs",
        {
            "changes": [
                {"unit_out": "U-0001"},
                {"unit_out": "NO-SUCH"},
                {"risk": {"center": "C-0001", "value": 7}},
                {"fly": 1},
            ]
        },
    )
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert [line.split(":")[0] for line in detail] == ["changes[1]", "changes[2]", "changes[3]"]
    assert "NO-SUCH" in detail[0]
    assert Job.objects.count() == 0
    assert post(ops, "/plan-runs", {"from_plan": 999}).status_code == 404


@pytest.mark.slow
def test_a_national_run_plans_each_governorate_as_a_part_and_names_a_failed_one(
    election: Election, personas: Personas, client_for: Any, tmp_path: Path, settings: Any
) -> None:
    import random

    from pollguard.core.planning.checker import check_plan
    from pollguard.core.planning.plan import from_json
    from pollguard.core.synthetic.scaled import Scale, build

    settings.POLLGUARD_PLAN_SPLIT_MIN_CENTERS = 0
    folder = tmp_path / "national"
    write_package(build(random.Random(4), Scale(3, 2, 25, 2, 2, national=True), "nat-4"), folder)
    pkg = read_package(folder)
    do_load_package(pkg, acting_user=None, source=folder)
    answer = post(client_for("ops"), "/plan-runs", {"time_limit": 1, "seed": 2})
    assert answer.status_code == 202, answer.content
    parent = Job.objects.get(pk=answer.json()["job"])
    run(parent.pk)
    parts = list(parent.parts.order_by("pk"))
    assert len(parts) == 3
    assert post(client_for("ops"), "/plan-runs", {"time_limit": 1, "seed": 2}).json()["job"] == (
        parent.pk  # asked again while its parts run: the same job
    )
    # One part's worker is lost before it starts (reaped or cancelled: it ended unplanned).
    Job.objects.filter(pk=parts[1].pk).update(state="failed", message="worker lost")
    from pollguard.jobs.runner import part_finished

    part_finished(Job.objects.get(pk=parts[1].pk))
    run(parts[0].pk)
    run(parts[2].pk)
    parent.refresh_from_db()
    assert parent.state == "succeeded", (parent.message, parent.result)
    assert parent.result is not None
    name = parts[1].parameters["name"]
    assert parent.result["failed_parts"][0]["name"] == name
    assert name in parent.message
    plan = Plan.objects.get(pk=parent.result["plan"])
    assert plan.election.code == "nat-4"
    assert plan.metrics["parts"] == 3
    assert plan.metrics["failed_part_names"] == name
    document = from_json(json.dumps(plan.document), file="stored")
    risks = dict(document.risk.items())
    assert check_plan(pkg, document, risks=risks) == []
    lost = set(parts[1].parameters["sectors"])
    assert not any(
        a.center in {c.code for c in pkg.centers if c.sector in lost} for a in document.assignments
    )
