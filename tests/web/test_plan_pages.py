"""The plan pages: the versions side by side, one version on the map, the comparison, running
the planner and re-planning from the page, submitting and deciding.

Versions are stored through the plan workflow's own action (`do_store_plan`, as the
plan-run job stores them) with documents written here, so each test knows exactly which
unit guards which center; the slow test at the end runs the real planner from the page's
form, in this process as a worker would.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pollguard.accounts.actions import do_set_user_language
from pollguard.accounts.choices import Language
from pollguard.audit.models import AuditEntry
from pollguard.core.package import read_package, write_package
from pollguard.jobs.models import Job
from pollguard.jobs.runner import run
from pollguard.planning.actions import do_request_plan_run, do_store_plan, do_submit_plan
from pollguard.planning.models import Plan
from pollguard.planning.presentation import METRICS, format_delta
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Center, Election

from .personas import Personas, make_package

SEES = ["chair", "ops", "auditor"]
UNSEEN = ["cmd_rifai", "cmd_shatra", "commission", "intel", "liaison_army", "field", "outsider"]
SECTOR_OF = {"C-0001": "RIF", "C-0002": "RIF", "C-0003": "SHA", "C-0004": "SHA"}


def document(
    *,
    first_center: str = "C-0001",
    missing_at_c4: int = 3,
    objective: float = 12.5,
) -> dict[str, Any]:
    """A small plan: U-0001 guards `first_center`, U-0003 and army U-0002 elsewhere."""
    return {
        "schema": "pollguard.plan/1",
        "election": "test-2010",
        "assignments": [
            {"unit": "U-0001", "center": first_center, "role": "inner_cordon", "headcount": 8},
            {"unit": "U-0002", "center": "C-0002", "role": "outer_cordon", "headcount": 20},
            {"unit": "U-0003", "center": "C-0003", "role": "inner_cordon", "headcount": 6},
            {"unit": "U-0003", "center": "C-0004", "role": "inner_cordon", "headcount": 4},
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
                        "end": "2010-03-06T06:40:00+03:00",
                    },
                    {
                        "center": "C-0004",
                        "start": "2010-03-06T07:05:00+03:00",
                        "end": "2010-03-06T07:30:00+03:00",
                    },
                ],
            }
        ],
        "shortfalls": [{"center": "C-0004", "role": "outer_cordon", "missing": missing_at_c4}],
        "sweep_shortfalls": [],
        "risk": {"C-0001": 0.4, "C-0002": 0.7, "C-0003": 0.55, "C-0004": 0.2},
        "metrics": {
            "objective": objective,
            "bound": 11.0,
            "gap": 0.12,
            "greedy_objective": 40.0,
            "risk_weighted_coverage": 0.91,
            "sweep_coverage": 1.0,
            "missing": missing_at_c4,
            "solve_seconds": 2.4,
            "solver": "highs",
            "status": "time_limit",
        },
    }


def store(
    election: Election,
    user: Any,
    doc: dict[str, Any] | None = None,
    *,
    seed: int = 0,
    based_on: Plan | None = None,
    changes: list[dict[str, Any]] | None = None,
) -> Plan:
    """A draft version, stored as the plan-run job stores one (the job is never sent)."""
    job, _created = do_request_plan_run(
        election,
        time_limit=5,
        seed=seed,
        from_plan=based_on,
        changes=changes or [],
        acting_user=user,
    )
    params = dict(job.parameters)
    return do_store_plan(
        election=election,
        document=doc or document(),
        sector_of=SECTOR_OF,
        params=params,
        based_on=based_on,
        job=job,
    )


@pytest.fixture
def two_versions(election: Election, personas: Personas) -> tuple[Plan, Plan]:
    first = store(election, personas.ops)
    second = store(
        election,
        personas.ops,
        document(first_center="C-0002", missing_at_c4=1, objective=9.0),
        seed=1,
        based_on=first,
        changes=[{"unit_out": "U-0005"}],
    )
    return first, second


def english(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def test_only_the_chair_operations_and_the_auditor_see_plan_pages(
    two_versions: tuple[Plan, Plan], client_for: Any
) -> None:
    first, second = two_versions
    job = first.job_id
    pages = [
        "/plans/",
        f"/plans/{first.pk}/",
        f"/plans/{first.pk}/?sector=RIF",
        f"/plans/{first.pk}/map.json",
        f"/plans/compare/?a={first.pk}&b={second.pk}",
        f"/plans/runs/{job}/",
    ]
    for name in SEES:
        for page in pages:
            assert client_for(name).get(page).status_code == 200, (name, page)
    for name in UNSEEN:
        for page in pages:
            assert client_for(name).get(page).status_code == 404, (name, page)
        for page in ["/plans/run", f"/plans/{first.pk}/submit", f"/plans/{first.pk}/decide"]:
            assert client_for(name).post(page, {}).status_code == 404, (name, page)
    assert Client().get("/plans/").status_code == 302  # to the login page
    assert client_for("ops").get("/plans/999999/").status_code == 404


def test_the_menu_offers_plans_only_to_those_who_see_them(
    two_versions: tuple[Plan, Plan], client_for: Any
) -> None:
    for name in SEES:
        assert 'href="/plans/"' in client_for(name).get("/").content.decode(), name
    for name in ["cmd_rifai", "commission", "intel", "liaison_army"]:
        assert 'href="/plans/"' not in client_for(name).get("/").content.decode(), name


def test_the_list_shows_versions_side_by_side_with_metrics_states_and_shortfalls(
    two_versions: tuple[Plan, Plan], client_for: Any, personas: Personas
) -> None:
    first, second = two_versions
    do_submit_plan(second, acting_user=personas.ops)
    html = english(client_for("auditor")).get("/plans/").content.decode()
    # Newest first, each version a column.
    assert html.index(f'data-version="{second.version}"') < html.index(
        f'data-version="{first.version}"'
    )
    for text in (
        "Weighted shortfall (objective)",
        "Proven bound",
        "Gap to the bound",
        "Greedy baseline",
        "Risk-weighted coverage",
        "Sweep coverage",
        "Solve time",
        "12.5",
        "9.0",
        "40.0",
        "91.0%",
        "12.00%",
        "2.4 s",
        "al-Shatra",
    ):
        assert text in html, text
    states = re.findall(r'data-testid="plan-state" data-state="(\w+)"', html)
    assert states == ["submitted", "draft"]
    assert re.findall(r'data-testid="shortfall-SHA">(\d+)<', html) == ["1", "3"]
    assert f'name="plan" value="{first.pk}"' in html
    # Who and when; the re-plan names the version it started from.
    assert "ops" in html
    assert "1 change" in html
    # The auditor reads, but has no run form.
    assert 'data-testid="run-form"' not in html
    assert 'data-testid="run-form"' in client_for("ops").get("/plans/").content.decode()
    assert 'data-testid="run-form"' in client_for("chair").get("/plans/").content.decode()


def test_the_list_runs_the_same_number_of_queries_for_two_and_six_versions(
    election: Election, personas: Personas, client_for: Any
) -> None:
    client = client_for("ops")
    for seed in range(2):
        store(election, personas.ops, seed=seed)
    client.get("/plans/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/plans/").status_code == 200
    for seed in range(2, 6):
        store(election, personas.chair, seed=seed)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/plans/").content.decode()
    assert html.count('data-testid="version-link"') == 6
    assert len(many.captured_queries) == len(few.captured_queries), [
        q["sql"] for q in many.captured_queries
    ]


def test_the_list_pages_older_versions(
    election: Election, personas: Personas, client_for: Any
) -> None:
    for seed in range(8):
        store(election, personas.ops, seed=seed)
    client = client_for("ops")
    assert client.get("/plans/").content.decode().count('data-testid="version-link"') == 6
    assert client.get("/plans/?page=2").content.decode().count('data-testid="version-link"') == 2


def test_running_the_planner_from_the_page_asks_for_a_job_and_shows_it(
    election: Election, client_for: Any
) -> None:
    ops = client_for("ops")
    answer = ops.post("/plans/run", {"time_limit": "4", "seed": "7"})
    job = Job.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/plans/?job={job.pk}"
    assert job.parameters["time_limit"] == 4.0
    assert job.parameters["seed"] == 7
    assert job.requested_by is not None
    assert job.requested_by.username == "ops"
    html = ops.get(answer["Location"]).content.decode()
    assert f'data-job="{job.pk}"' in html
    assert 'data-state="queued"' in html
    # The same run again is the same job, and the page says so.
    again = ops.post("/plans/run", {"time_limit": "4", "seed": "7"}, follow=True)
    assert Job.objects.count() == 1
    assert "يجري" in again.content.decode() or "already" in again.content.decode()
    # The chair runs too; the auditor may not (403); bad numbers are refused, no job.
    assert client_for("chair").post("/plans/run", {"time_limit": "4", "seed": "8"}).status_code
    assert client_for("auditor").post("/plans/run", {"time_limit": "4"}).status_code == 403
    refused = ops.post("/plans/run", {"time_limit": "0", "seed": "-1"}, follow=True)
    assert Job.objects.count() == 2
    assert refused.content.decode().count("pg-message--error") == 2


def test_a_failed_run_shows_the_packages_messages_in_the_users_language(
    election: Election, personas: Personas, client_for: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "package"
    write_package(make_package(), folder)
    do_load_package(read_package(folder), acting_user=None, source=folder)
    # The folder is broken after it was loaded: the run must fail in words.
    centers = folder / "centers.csv"
    centers.write_text(centers.read_text(encoding="utf-8") + "C-9999,x,y,NOPE,91,0,1,1\n")
    ops = client_for("ops")
    ops.post("/plans/run", {"time_limit": "2", "seed": "0"})
    job = Job.objects.get()
    run(job.pk)
    job.refresh_from_db()
    assert job.state == "failed"
    arabic = ops.get(f"/plans/runs/{job.pk}/").content.decode()
    assert 'data-state="failed"' in arabic
    assert "الحزمة" in arabic  # the message in Arabic
    assert "centers.csv:" in arabic
    assert re.search(r"centers\.csv:\d+: [^<]*[\u0600-\u06ff]", arabic)  # the details too
    shown = english(ops).get(f"/plans/?job={job.pk}").content.decode()
    assert "is not valid" in shown
    assert re.search(r"centers\.csv:\d+: [a-z]", shown)
    # A job of another kind is not a plan run.
    other = Job.objects.create(kind="report", election=election)
    assert ops.get(f"/plans/runs/{other.pk}/").status_code == 404


def test_the_version_page_shows_the_plan_per_center_and_its_map_data(
    two_versions: tuple[Plan, Plan], client_for: Any
) -> None:
    first, _second = two_versions
    client = english(client_for("ops"))
    html = client.get(f"/plans/{first.pk}/").content.decode()
    for text in ("Proven bound", "12.5", "Per center", "Inner cordon", "06:00–06:40"):
        assert text in html, text
    # The center short of people is marked, with what it lacks.
    row = re.search(r'<tr id="row-C-0004"[^>]*>', html)
    assert row is not None
    assert "pg-row-short" in row.group(0)
    assert "Outer cordon: 3 missing" in html
    assert 'id="row-C-0001" data-center="C-0001">' in html
    data = client.get(f"/plans/{first.pk}/map.json").json()
    assert {c[0] for c in data["centers"]} == {"C-0001", "C-0002", "C-0003", "C-0004"}
    short = {c[0]: c[6] for c in data["centers"]}
    assert short["C-0004"] == 3
    assert short["C-0001"] == 0
    assert ["U-0003", "C-0004", 4] in data["lines"]
    assert {u[0] for u in data["units"]} == {"U-0001", "U-0002", "U-0003"}
    (route,) = data["routes"]
    assert route["stops"] == [["C-0003", "06:00", "06:40"], ["C-0004", "07:05", "07:30"]]


def test_the_sector_and_agency_views_narrow_the_map_and_the_table(
    two_versions: tuple[Plan, Plan], client_for: Any
) -> None:
    first, _second = two_versions
    client = english(client_for("chair"))
    html = client.get(f"/plans/{first.pk}/?sector=RIF").content.decode()
    assert re.findall(r'<tr id="row-([\w-]+)"', html) == ["C-0001", "C-0002"]
    assert "Sector view: al-Rifai." in html
    data = client.get(f"/plans/{first.pk}/map.json?sector=RIF").json()
    assert {c[0] for c in data["centers"]} == {"C-0001", "C-0002"}
    assert data["routes"] == []
    # The army's liaison view: only the army's unit and the center it guards.
    html = client.get(f"/plans/{first.pk}/?agency=IA").content.decode()
    assert re.findall(r'<tr id="row-([\w-]+)"', html) == ["C-0002"]
    data = client.get(f"/plans/{first.pk}/map.json?agency=IA").json()
    assert data["lines"] == [["U-0002", "C-0002", 20]]
    # Police in al-Shatra: the sweep and the shortfall there.
    data = client.get(f"/plans/{first.pk}/map.json?agency=IP&sector=SHA").json()
    assert {c[0] for c in data["centers"]} == {"C-0003", "C-0004"}
    assert len(data["routes"]) == 1
    # An unknown sector is ignored, not an error.
    assert client.get(f"/plans/{first.pk}/?sector=NOPE").status_code == 200


def test_submitting_and_deciding_from_the_page(
    two_versions: tuple[Plan, Plan], client_for: Any
) -> None:
    first, _second = two_versions
    ops, chair = english(client_for("ops")), english(client_for("chair"))
    page = ops.get(f"/plans/{first.pk}/").content.decode()
    assert 'data-testid="submit"' in page
    assert 'data-testid="approve"' not in page
    assert client_for("auditor").post(f"/plans/{first.pk}/submit", {"revision": 1}).status_code == (
        403
    )
    answer = ops.post(f"/plans/{first.pk}/submit", {"revision": 1}, follow=True)
    assert "was submitted to the committee chair" in answer.content.decode()
    first.refresh_from_db()
    assert (first.state, first.revision) == ("submitted", 2)
    # Submitting again from a page read before: 409, said in words, nothing changes.
    answer = ops.post(f"/plans/{first.pk}/submit", {"revision": 1}, follow=True)
    assert "Not submitted" in answer.content.decode()
    assert "changed since you read it" in answer.content.decode()
    # Operations may not decide (403); the chair's page has the decision form.
    assert ops.post(
        f"/plans/{first.pk}/decide", {"decision": "approve", "revision": 2}
    ).status_code == (403)
    assert 'data-testid="approve"' in chair.get(f"/plans/{first.pk}/").content.decode()
    # A return needs a comment; a stale revision is refused.
    answer = chair.post(
        f"/plans/{first.pk}/decide", {"decision": "return", "revision": 2}, follow=True
    )
    assert "Say why the version goes back." in answer.content.decode()
    answer = chair.post(
        f"/plans/{first.pk}/decide", {"decision": "approve", "revision": 1}, follow=True
    )
    assert "No decision recorded" in answer.content.decode()
    first.refresh_from_db()
    assert first.state == "submitted"
    answer = chair.post(
        f"/plans/{first.pk}/decide",
        {"decision": "approve", "revision": 2, "comment": "Approved for 7 March"},
        follow=True,
    )
    assert "is approved" in answer.content.decode()
    first.refresh_from_db()
    assert (first.state, first.comment, first.decided_by.username) == (
        "approved",
        "Approved for 7 March",
        "chair",
    )
    # Approved: no more decision forms, for anyone.
    assert 'data-testid="decision"' not in chair.get(f"/plans/{first.pk}/").content.decode()


def test_the_chair_returns_a_version_with_a_comment_in_arabic(
    two_versions: tuple[Plan, Plan], client_for: Any, personas: Personas
) -> None:
    _first, second = two_versions
    do_submit_plan(second, acting_user=personas.ops)
    chair = client_for("chair")
    answer = chair.post(
        f"/plans/{second.pk}/decide",
        {"decision": "return", "revision": 2, "comment": "أعيدوا توزيع الجيش"},
        follow=True,
    )
    html = answer.content.decode()
    assert "أُعيدت" in html or "أعيدت" in html
    assert "أعيدوا توزيع الجيش" in html
    second.refresh_from_db()
    assert second.state == "returned"
    # A comment that would make the page read backwards is refused.
    third = store(second.election, personas.ops, seed=9)
    do_submit_plan(third, acting_user=personas.ops)
    chair.post(
        f"/plans/{third.pk}/decide", {"decision": "return", "revision": 2, "comment": "x\u202e"}
    )
    third.refresh_from_db()
    assert third.state == "submitted"


def test_replanning_from_a_version_sends_the_picked_changes(
    two_versions: tuple[Plan, Plan], client_for: Any
) -> None:
    first, _second = two_versions
    ops = client_for("ops")
    page = ops.get(f"/plans/{first.pk}/").content.decode()
    assert 'data-testid="replan-form"' in page
    assert '<option value="U-0003">' in page
    assert (
        'data-testid="replan-form"'
        not in client_for("auditor").get(f"/plans/{first.pk}/").content.decode()
    )
    answer = ops.post(
        "/plans/run",
        {
            "from_plan": first.pk,
            "time_limit": "3",
            "seed": "0",
            "units_out": ["U-0003"],
            "centers_closed": ["C-0004"],
            "risk_center_1": "C-0002",
            "risk_value_1": "0.9",
        },
    )
    assert answer.status_code == 302
    job = Job.objects.latest("id")
    assert answer["Location"] == f"/plans/?job={job.pk}"
    assert job.parameters["from_plan"] == first.pk
    assert job.parameters["changes"] == [
        {"unit_out": "U-0003"},
        {"center_closed": "C-0004"},
        {"risk": {"center": "C-0002", "value": 0.9}},
    ]
    before = Job.objects.count()
    # A risk without its center, a unit not in the list, a risk above 1: refused, no job.
    for body in (
        {"risk_value_1": "0.5"},
        {"units_out": ["NO-SUCH"]},
        {"risk_center_1": "C-0001", "risk_value_1": "1.5"},
    ):
        refused = ops.post(
            "/plans/run", {"from_plan": first.pk, "time_limit": "3", "seed": "0", **body}
        )
        assert refused["Location"] == f"/plans/{first.pk}/"
    assert Job.objects.count() == before
    # A center that closed since the page was read (no longer active) is refused in words.
    Center.objects.filter(code="C-0004").update(active=False)
    answer = english(ops).post(
        "/plans/run",
        {"from_plan": first.pk, "time_limit": "3", "seed": "0", "centers_closed": ["C-0004"]},
        follow=True,
    )
    assert Job.objects.count() == before
    assert "pg-message--error" in answer.content.decode()
    # Re-planning from a version another role may not see: 404.
    assert client_for("cmd_rifai").post("/plans/run", {"from_plan": first.pk}).status_code == 404


def test_the_comparison_names_moved_units_shortfall_changes_and_metric_deltas(
    two_versions: tuple[Plan, Plan], client_for: Any
) -> None:
    first, second = two_versions
    client = english(client_for("auditor"))
    picked = client.get(f"/plans/compare/?plan={second.pk}&plan={first.pk}")
    assert picked["Location"] == f"/plans/compare/?a={first.pk}&b={second.pk}"
    html = client.get(picked["Location"]).content.decode()
    assert "1 unit moved" in html
    moved = re.search(r'<tr data-unit="U-0001">(.*?)</tr>', html, re.S)
    assert moved is not None
    assert moved.group(1).index("C-0001") < moved.group(1).index("C-0002")  # from → to
    sha = re.search(r'<tr data-sector="SHA">(.*?)</tr>', html, re.S)
    assert sha is not None
    assert "pg-trend--better" in sha.group(1)
    assert ">-2<" in sha.group(1)
    assert "-3.5" in html  # the objective went from 12.5 to 9.0
    assert "Version 2 re-planned version 1 after 1 change." in html
    # Exactly two versions; none of another election's; nothing for unseen roles.
    assert client.get(f"/plans/compare/?plan={first.pk}")["Location"] == "/plans/"
    assert client.get("/plans/compare/?a=1").status_code == 404
    assert client.get(f"/plans/compare/?a={first.pk}&b=999999").status_code == 404
    same = client.get(f"/plans/compare/?a={first.pk}&b={first.pk}").content.decode()
    assert 'data-testid="unchanged"' in same


def test_the_pages_are_in_arabic_right_to_left_by_default(
    two_versions: tuple[Plan, Plan], client_for: Any, personas: Personas
) -> None:
    first, second = two_versions
    client = client_for("chair")
    for page in ("/plans/", f"/plans/{first.pk}/", f"/plans/compare/?a={first.pk}&b={second.pk}"):
        html = client.get(page).content.decode()
        assert '<html lang="ar" dir="rtl">' in html, page
    assert "نسخ الخطة" in client.get("/plans/").content.decode()
    do_set_user_language(personas.chair, Language.ENGLISH, acting_user=personas.chair)
    assert '<html lang="en" dir="ltr">' in client.get("/plans/").content.decode()


def test_a_difference_smaller_than_shown_is_no_difference() -> None:
    objective, coverage = METRICS[0], METRICS[4]
    assert format_delta(objective, 170.21391, 170.21390) == ("0.0", "same")
    assert format_delta(objective, 12.5, 9.0) == ("-3.5", "better")
    assert format_delta(coverage, 0.91, 0.95) == ("+4.00%", "better")
    assert format_delta(coverage, 0.95, 0.91)[1] == "worse"
    assert format_delta(objective, None, 9.0) == ("—", "")


@pytest.mark.slow
def test_a_run_from_the_page_becomes_a_version_linked_from_its_line(
    election: Election, client_for: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "package"
    write_package(make_package(), folder)
    do_load_package(read_package(folder), acting_user=None, source=folder)
    ops = client_for("ops")
    location = ops.post("/plans/run", {"time_limit": "2", "seed": "1"})["Location"]
    job = Job.objects.get()
    run(job.pk)  # as a worker would
    plan = Plan.objects.get()
    job.refresh_from_db()
    assert "النسخة" in job.message_ar  # how it ended, in Arabic too
    line = ops.get(f"/plans/runs/{job.pk}/").content.decode()
    assert 'data-state="succeeded"' in line
    assert job.message_ar in line
    assert f'href="/plans/{plan.pk}/"' in line
    html = ops.get(location).content.decode()
    assert f'href="/plans/{plan.pk}/"' in html
    detail = ops.get(f"/plans/{plan.pk}/")
    assert detail.status_code == 200
    assert ops.get(f"/plans/{plan.pk}/map.json").json()["centers"]


def test_a_run_is_stopped_from_its_line_by_those_who_may_cancel_it(
    election: Election, client_for: Any
) -> None:
    ops = client_for("ops")
    ops.post("/plans/run", {"time_limit": "4", "seed": "7"})
    job = Job.objects.get()
    line = f'data-job="{job.pk}"'
    for persona in ("ops", "chair"):
        html = client_for(persona).get(f"/plans/?job={job.pk}").content.decode()
        assert line in html
        assert 'data-testid="run-cancel"' in html, persona
    # The auditor sees the run but does not stop it; a commander does not see it at all.
    auditor_page = client_for("auditor").get(f"/plans/?job={job.pk}").content.decode()
    assert line in auditor_page
    assert 'data-testid="run-cancel"' not in auditor_page
    assert client_for("auditor").post(f"/plans/runs/{job.pk}/cancel").status_code == 403
    assert client_for("cmd_rifai").post(f"/plans/runs/{job.pk}/cancel").status_code == 404
    assert client_for("ops").get(f"/plans/runs/{job.pk}/cancel").status_code == 405
    job.refresh_from_db()
    assert job.state == "queued"

    answer = ops.post(f"/plans/runs/{job.pk}/cancel")
    assert answer.status_code == 302
    assert answer["Location"] == f"/plans/?job={job.pk}"
    job.refresh_from_db()
    assert job.state == "cancelled"  # queued: cancelled at once
    html = ops.get(answer["Location"]).content.decode()
    assert 'data-state="cancelled"' in html
    assert 'data-testid="run-cancel"' not in html
    assert AuditEntry.objects.filter(action="jobs.cancel", object_id=str(job.pk)).exists()
