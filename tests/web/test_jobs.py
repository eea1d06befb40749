"""Jobs: one run per request, cancellation, failures in words, progress only to those who see it.

The runner is called in this process as a worker calls it; tests/web/test_jobs_worker.py
runs real workers on both brokers.
"""

from __future__ import annotations

from typing import Any

import pytest

from pollguard.jobs import kinds
from pollguard.jobs.actions import do_cancel_job, do_request_job
from pollguard.jobs.models import Job
from pollguard.jobs.runner import JobContext, run
from pollguard.live.models import Event
from pollguard.registry.models import Election

from .personas import Personas

calls: list[int] = []


def _counting(ctx: JobContext) -> dict[str, Any]:
    calls.append(ctx.job.pk)
    ctx.progress(1, 2, "half way")
    return {"answer": 42}


def _failing(ctx: JobContext) -> None:
    raise kinds.JobFailed("no package", details=["a.csv:3: bad"], message_ar="لا حزمة")


def _crashing(ctx: JobContext) -> None:
    raise ZeroDivisionError("secret internals")


def _cancelled_midway(ctx: JobContext) -> None:
    do_cancel_job(ctx.job, acting_user=None)  # someone presses cancel while it runs
    ctx.progress(1, 3, "still going")
    raise AssertionError("progress must stop a cancelled job")


@pytest.fixture(autouse=True)
def test_kinds() -> None:
    calls.clear()
    for name, handler in [
        ("test.count", _counting),
        ("test.fail", _failing),
        ("test.crash", _crashing),
        ("test.cancel", _cancelled_midway),
    ]:
        kinds.register(name, handler)


def request(kind: str, election: Election, user: Any = None, **params: Any) -> tuple[Job, bool]:
    return do_request_job(kind, parameters=params, election_id=election.pk, acting_user=user)


def test_the_same_request_while_active_is_the_same_job(
    personas: Personas, election: Election
) -> None:
    job, created = request("test.count", election, personas.ops, n=1)
    again, created_again = request("test.count", election, personas.chair, n=1)
    assert created
    assert not created_again
    assert again.pk == job.pk
    assert request("test.count", election, personas.ops, n=2)[1]  # other parameters
    run(job.pk)
    run(job.pk)  # the broker delivers the message twice: the work runs once
    assert calls == [job.pk]
    job.refresh_from_db()
    assert (job.state, job.result, job.work_done, job.work_total) == (
        "succeeded",
        {"answer": 42},
        2,
        2,
    )
    # Finished: asking again is a new job.
    assert request("test.count", election, personas.ops, n=1)[1]


def test_a_job_cancelled_while_queued_never_runs(personas: Personas, election: Election) -> None:
    job, _ = request("test.count", election, personas.ops)
    do_cancel_job(job, acting_user=personas.ops)
    run(job.pk)
    job.refresh_from_db()
    assert job.state == "cancelled"
    assert calls == []


def test_a_running_job_stops_at_its_next_report(personas: Personas, election: Election) -> None:
    job, _ = request("test.cancel", election, personas.ops)
    run(job.pk)
    job.refresh_from_db()
    assert job.state == "cancelled"


def test_failures_are_told_in_words_and_never_as_a_traceback(
    personas: Personas, election: Election
) -> None:
    failed, _ = request("test.fail", election, personas.ops)
    crashed, _ = request("test.crash", election, personas.ops)
    run(failed.pk)
    run(crashed.pk)
    failed.refresh_from_db()
    crashed.refresh_from_db()
    assert (failed.state, failed.message, failed.message_ar) == ("failed", "no package", "لا حزمة")
    assert failed.result == {"errors": ["a.csv:3: bad"], "errors_ar": ["a.csv:3: bad"]}
    assert crashed.state == "failed"
    assert "ZeroDivisionError" in crashed.message
    assert "secret internals" not in crashed.message
    assert "Traceback" not in crashed.message


def test_job_progress_reaches_only_those_who_see_jobs(
    personas: Personas, election: Election, client_for: Any
) -> None:
    names = ["ops", "chair", "auditor", "cmd_rifai"]
    # Each page starts from where the feed is now, as a rendered page does.
    positions = {name: client_for(name).get("/live/events").json()["last"] for name in names}
    job, _ = request("test.count", election, personas.ops)
    run(job.pk)
    assert Event.objects.filter(kind="job").count() >= 3  # running, progress, succeeded
    for name, sees in zip(names, [True, True, True, False], strict=True):
        after = positions[name]
        events = client_for(name).get(f"/live/events?after={after}").json()["events"]
        assert any(e["kind"] == "job" for e in events) is sees, name


def test_jobs_api_scopes_and_cancels(
    personas: Personas, election: Election, client_for: Any
) -> None:
    job, _ = request("test.count", election, personas.ops)
    assert client_for("ops").get(f"/api/v1/jobs/{job.pk}").json()["state"] == "queued"
    assert client_for("auditor").get(f"/api/v1/jobs/{job.pk}").status_code == 200
    for name in ("cmd_rifai", "intel", "field", "outsider"):
        assert client_for(name).get(f"/api/v1/jobs/{job.pk}").status_code == 404
    assert client_for("auditor").post(f"/api/v1/jobs/{job.pk}/cancel").status_code == 403
    answer = client_for("chair").post(f"/api/v1/jobs/{job.pk}/cancel")
    assert answer.json()["state"] == "cancelled"


merges: list[int] = []


def _split(ctx: JobContext) -> kinds.SplitInto:
    return kinds.SplitInto("test.part", [(name, {"x": x}) for name, x in ctx.parameters["parts"]])


def _part(ctx: JobContext) -> dict[str, Any]:
    if ctx.parameters["x"] < 0:
        raise kinds.JobFailed("this part has no data", message_ar="لا بيانات لهذا الجزء")
    return {"x": ctx.parameters["x"]}


def _merge(ctx: JobContext, parts: list[Job]) -> dict[str, Any]:
    merges.append(ctx.job.pk)
    done = [p for p in parts if p.state == "succeeded"]
    return {
        "sum": sum(p.result["x"] for p in done if p.result),
        "failed": [p.parameters["name"] for p in parts if p.state != "succeeded"],
    }


@pytest.fixture
def split_kinds() -> None:
    merges.clear()
    kinds.register("test.split", _split, merge=_merge)
    kinds.register("test.part", _part)


@pytest.mark.usefixtures("split_kinds")
def test_a_split_job_merges_once_when_its_last_part_ends_and_names_a_failed_part(
    personas: Personas, election: Election
) -> None:
    parent, _ = request("test.split", election, personas.ops, parts=[["a", 1], ["b", -1], ["c", 5]])
    run(parent.pk)
    parent.refresh_from_db()
    parts = list(parent.parts.order_by("pk"))
    assert [p.parameters["name"] for p in parts] == ["a", "b", "c"]
    assert (parent.state, parent.work_done, parent.work_total) == ("running", 0, 3)
    assert all(p.requested_by == personas.ops and p.state == "queued" for p in parts)
    run(parts[0].pk)
    run(parts[1].pk)
    parent.refresh_from_db()
    assert (parent.state, parent.work_done) == ("running", 2)
    assert merges == []
    run(parts[2].pk)
    parent.refresh_from_db()
    assert parent.state == "succeeded"
    assert parent.result == {"sum": 6, "failed": ["b"]}
    # A part's message delivered again, or a late report of its end, merges nothing twice.
    run(parts[2].pk)
    from pollguard.jobs.runner import part_finished

    part_finished(parts[2])
    assert merges == [parent.pk]


@pytest.mark.usefixtures("split_kinds")
def test_cancelling_a_split_job_cancels_its_parts_and_ends_it(
    personas: Personas, election: Election, django_capture_on_commit_callbacks: Any
) -> None:
    parent, _ = request("test.split", election, personas.ops, parts=[["a", 1], ["b", 2]])
    run(parent.pk)
    with django_capture_on_commit_callbacks(execute=True):
        do_cancel_job(parent, acting_user=personas.chair)
    parent.refresh_from_db()
    assert [p.state for p in parent.parts.all()] == ["cancelled", "cancelled"]
    assert parent.state == "cancelled"
    assert merges == []


@pytest.mark.usefixtures("split_kinds")
def test_a_split_job_waiting_for_its_parts_is_not_reaped(
    personas: Personas, election: Election, settings: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from pollguard.jobs.actions import do_reap_stale_jobs

    parent, _ = request("test.split", election, personas.ops, parts=[["a", 1]])
    run(parent.pk)
    long_ago = timezone.now() - timedelta(minutes=settings.POLLGUARD_JOB_STALE_MINUTES + 1)
    Job.objects.filter(pk=parent.pk).update(updated_at=long_ago)
    assert do_reap_stale_jobs() == 0
    parent.refresh_from_db()
    assert parent.state == "running"
