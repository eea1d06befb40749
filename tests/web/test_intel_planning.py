"""Intelligence in planning and loading: what a plan run counts, reloads, concurrent filing.

`registry.intel.intel_for_planning` is what a plan run uses: the package's reports and
those filed in the app, not the expired ones. A package reload keeps the package's
reports equal to intel.csv and never touches a filed report.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from pollguard.core import model as core
from pollguard.core.intel import IntelDraft
from pollguard.core.package import read_package, write_package
from pollguard.core.problems import InvalidInput
from pollguard.core.risk import scores
from pollguard.jobs.models import Job
from pollguard.jobs.runner import run
from pollguard.planning.jobs import load_package, with_current_intel
from pollguard.planning.models import Plan
from pollguard.registry import actions
from pollguard.registry.actions import do_file_intel_report
from pollguard.registry.intel import center_risk, intel_for_planning
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Center, Election, IntelReport

from .personas import BAGHDAD, Personas, make_package


def draft(**changes: Any) -> IntelDraft:
    values: dict[str, Any] = {
        "center": "C-0001",
        "severity": 1.0,
        "reliability": "A",
        "credibility": 1,
        "text": "تهديد مؤكد",
        "valid_until": timezone.now() + timedelta(days=2),
        **changes,
    }
    return IntelDraft(**values)


@pytest.fixture
def package_folder(election: Election, personas: Personas, tmp_path: Path) -> Path:
    folder = tmp_path / "package"
    write_package(make_package(), folder)
    do_load_package(read_package(folder), acting_user=None, source=folder)
    return folder


def test_planning_counts_package_and_valid_filed_reports_but_not_expired_ones(
    election: Election, personas: Personas
) -> None:
    filed = do_file_intel_report(election, draft(), acting_user=personas.intel)
    place = do_file_intel_report(
        election, draft(center=None, lat=31.0, lon=46.0), acting_user=personas.intel
    )
    gone = do_file_intel_report(election, draft(center="C-0004"), acting_user=personas.intel)
    IntelReport.objects.filter(pk=gone.pk).update(valid_until=timezone.now())
    got = {r.code: r for r in intel_for_planning(election)}
    assert set(got) == {"I-1", filed.code, place.code}
    assert (got[filed.code].center, got[filed.code].credibility) == ("C-0001", 1.0)
    assert (got[place.code].center, got[place.code].lat) == (None, 31.0)
    assert got["I-1"].credibility == 0.5  # the package's own weight
    later = timezone.now() + timedelta(days=3)
    assert {r.code for r in intel_for_planning(election, now=later)} == {"I-1"}


def test_a_filed_report_raises_the_centers_risk_in_the_next_plan_runs_input(
    package_folder: Path, election: Election, personas: Personas
) -> None:
    election.refresh_from_db()
    before = scores(with_current_intel(election, load_package(election)))
    do_file_intel_report(election, draft(center="C-0004"), acting_user=personas.intel)
    after = scores(with_current_intel(election, load_package(election)))
    assert after["C-0004"] > before["C-0004"]
    assert {k: v for k, v in after.items() if k != "C-0004"} == {
        k: v for k, v in before.items() if k != "C-0004"
    }


def test_the_center_page_scores_a_center_exactly_as_the_plan_run_does(
    package_folder: Path, election: Election, personas: Personas
) -> None:
    do_file_intel_report(election, draft(center="C-0004"), acting_user=personas.intel)
    do_file_intel_report(
        election, draft(center=None, lat=31.41, lon=46.17, severity=0.5), acting_user=None
    )
    election.refresh_from_db()
    planned = scores(with_current_intel(election, load_package(election)))
    for center in Center.objects.filter(election=election, active=True):
        assert center_risk(center).score == pytest.approx(planned[center.code]), center.code


def _run_plan(client: Client) -> Plan:
    answer = client.post(
        "/api/v1/plan-runs", json.dumps({"time_limit": 2}), content_type="application/json"
    )
    assert answer.status_code == 202, answer.content
    run(answer.json()["job"])
    job = Job.objects.get(pk=answer.json()["job"])
    assert job.state == "succeeded", (job.message, job.result)
    assert job.result is not None
    return Plan.objects.get(pk=job.result["plan"])


@pytest.mark.slow
def test_a_plan_run_after_filing_plans_with_the_raised_risk(
    package_folder: Path, client_for: Any, election: Election, personas: Personas
) -> None:
    ops = client_for("ops")
    first = _run_plan(ops)
    report = do_file_intel_report(election, draft(center="C-0004"), acting_user=personas.intel)
    second = _run_plan(ops)
    assert second.document["risk"]["C-0004"] > first.document["risk"]["C-0004"]
    # It stops counting when it expires: the next run is back to the first risk.
    IntelReport.objects.filter(pk=report.pk).update(valid_until=timezone.now())
    third = _run_plan(ops)
    assert third.document["risk"]["C-0004"] == first.document["risk"]["C-0004"]


# --- reloading the package ---------------------------------------------------------------


def test_a_reload_syncs_package_reports_and_never_touches_filed_ones(
    election: Election, personas: Personas
) -> None:
    filed = do_file_intel_report(election, draft(), acting_user=personas.intel)
    place = do_file_intel_report(
        election, draft(center=None, lat=31.0, lon=46.0), acting_user=personas.intel
    )

    def state() -> list[tuple[Any, ...]]:
        return list(
            IntelReport.objects.order_by("code").values_list(
                "code", "source", "severity", "weight", "text", "version", "updated_at"
            )
        )

    before = state()
    summary = do_load_package(make_package(), acting_user=None)
    assert not summary.changed
    assert state() == before  # a second load of the same package changes no row

    base = make_package()
    changed = dataclasses.replace(base.intel[0], severity=0.9)
    extra = core.IntelReport("I-2", base.intel[0].when, "C-0004", 0.4, 0.5, "تقرير ثان")
    do_load_package(make_package(intel=(changed, extra)), acting_user=None)
    rows = {r.code: r for r in IntelReport.objects.all()}
    assert rows["I-1"].severity == 0.9
    assert rows["I-2"].source == "package"
    for kept in (filed, place):
        assert (rows[kept.code].version, rows[kept.code].updated_at) == (1, kept.updated_at)

    do_load_package(make_package(intel=()), acting_user=None)
    assert set(IntelReport.objects.values_list("code", flat=True)) == {filed.code, place.code}


def test_a_package_may_not_reuse_a_filed_reports_code(
    election: Election, personas: Personas
) -> None:
    filed = do_file_intel_report(election, draft(), acting_user=personas.intel)
    clash = dataclasses.replace(make_package().intel[0], code=filed.code)
    with pytest.raises(InvalidInput) as refused:
        do_load_package(make_package(intel=(clash,)), acting_user=None)
    assert refused.value.problems[0].file == "intel.csv"
    assert filed.code in refused.value.render("en")[0]
    assert set(IntelReport.objects.values_list("code", "source")) == {
        ("I-1", "package"),
        (filed.code, "filed"),
    }


def test_the_election_keeps_the_packages_risk_policy(election: Election) -> None:
    assert election.risk_policy["intel_radius_km"] == 3.0
    policy = make_package().policy
    wider = dataclasses.replace(policy, risk=dataclasses.replace(policy.risk, intel_radius_km=8))
    do_load_package(make_package(policy=wider), acting_user=None)
    election.refresh_from_db()
    assert election.risk_policy["intel_radius_km"] == 8


# --- two officers filing at the same instant ---------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serializes whole write transactions (BEGIN IMMEDIATE): no such race",
)
@pytest.mark.django_db(transaction=True)
def test_two_officers_filing_at_once_get_two_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second filing starts while the first holds its number uncommitted; it must wait
    for the first and take the next number (without the election lock it would take the
    same one and fail on the unique index)."""
    do_load_package(make_package(), acting_user=None)
    election = Election.objects.get(code="test-2010")
    original = actions.record
    second: list[object] = []

    def second_officer() -> None:
        try:
            second.append(do_file_intel_report(election, draft(), acting_user=None))
        except Exception as error:
            second.append(error)
        finally:
            connections.close_all()

    def record_then_let_another_file(action: str, **kwargs: Any) -> Any:
        entry = original(action, **kwargs)
        if action == "registry.file_intel_report" and not second:
            thread = threading.Thread(target=second_officer)
            thread.start()
            _wait_until_another_backend_waits_on_a_lock(second)
            monkeypatch.setattr(actions, "record", original)
            record_then_let_another_file.thread = thread  # type: ignore[attr-defined]
        return entry

    monkeypatch.setattr(actions, "record", record_then_let_another_file)
    first = do_file_intel_report(election, draft(), acting_user=None)
    record_then_let_another_file.thread.join(timeout=30)  # type: ignore[attr-defined]
    assert isinstance(second[0], IntelReport), second
    assert (first.code, second[0].code) == ("INT-1", "INT-2")


def _wait_until_another_backend_waits_on_a_lock(second: list[object]) -> None:
    """Until another connection of this database is blocked on a lock (bounded: 30 s)."""
    import time

    deadline = time.monotonic() + 30
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            if second:
                raise AssertionError(f"the second filing ended without waiting: {second[0]!r}")
            # This runs inside the first filing's transaction, where PostgreSQL would
            # otherwise answer every poll from the snapshot of the first one.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the second filing never waited for the first")


def test_times_are_stored_in_utc_whatever_the_filer_typed(
    election: Election, personas: Personas
) -> None:
    until = timezone.now().astimezone(BAGHDAD) + timedelta(days=1)
    report = do_file_intel_report(election, draft(valid_until=until), acting_user=None)
    report.refresh_from_db()
    assert report.valid_until == until
