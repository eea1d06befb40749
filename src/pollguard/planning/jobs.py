"""The plan run job: read the loaded package again, plan, check, store a draft version.

Runs in a Celery worker (never a web thread). The package is read from the folder it was
loaded from and must still be the loaded one (same digest); its intelligence is replaced
by `registry.intel.intel_for_planning` (the package's reports and those filed in the app,
not expired), so a plan run picks up every report filed until it starts. An
invalid or changed package fails the job with the package's own messages, in English and
Arabic, never a traceback.

A package with independent parts (governorates that no unit can cross between, found by
`core.planning.parts.split_parts`) of at least `POLLGUARD_PLAN_SPLIT_MIN_CENTERS` planned
centers is planned as one `plan_part` job per part, spread over the workers, each with the
run's time limit; the last part to finish merges them into one version (`merge_parts`).
Risks are scored once on the whole package and handed to the parts, so a part plans with
exactly the figures the merged plan is checked against. A failed part is named in the
job's message and the plan's metrics, and its centers stand in the plan as shortfalls.
Re-planning from a version (fewest moves) always runs as one job.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from pollguard.core.model import ElectionPackage
from pollguard.core.package import package_digest
from pollguard.core.package.reader import read_package_or_problems
from pollguard.core.planning.checker import check_plan
from pollguard.core.planning.engine import PlanOptions, make_plan
from pollguard.core.planning.parts import FailedPart, Part, merge_plans, split_parts
from pollguard.core.planning.plan import from_json, to_json
from pollguard.core.planning.replan import parse_changes, replan
from pollguard.core.problems import InvalidInput
from pollguard.core.risk import scores
from pollguard.core.tasks import policy_to_json
from pollguard.jobs.choices import JobState
from pollguard.jobs.kinds import JobFailed, SplitInto
from pollguard.jobs.models import Job
from pollguard.jobs.runner import JobContext
from pollguard.registry.models import Election

PLAN_RUN = "plan_run"
PLAN_PART = "plan_part"

# Stages of a plan run, in the order the page shows them; work_total is their number.
STAGES = ("package", "risk", "requirements", "greedy", "cordon", "sweeps", "check", "save")
_STAGE_AR = {
    "package": "قراءة الحزمة",
    "risk": "تقدير الخطورة",
    "requirements": "الاحتياجات",
    "greedy": "الخطة الأولية",
    "cordon": "توزيع الأطواق",
    "sweeps": "مسارات التفتيش",
    "check": "فحص الخطة",
    "save": "حفظ النسخة",
}


def _report(ctx: JobContext, stage: str, detail: str = "") -> None:
    done = STAGES.index(stage)
    message = f"{stage}: {detail}" if detail else stage
    arabic = f"{_STAGE_AR[stage]}: {detail}" if detail else _STAGE_AR[stage]
    ctx.progress(done, len(STAGES), message, arabic)


def load_package(election: Election) -> ElectionPackage:
    """The election's package as loaded, or `JobFailed` saying what to do."""
    if not election.package_path:
        raise JobFailed(
            "this election was loaded without a package folder; load it with "
            "`pollguard load PACKAGE` to plan from the web",
            message_ar="حُمّلت هذه الانتخابات من دون مجلد حزمة؛ حمّلها بالأمر "
            "`pollguard load PACKAGE` للتخطيط من الواجهة",
        )
    folder = Path(election.package_path)
    digest = package_digest(folder)
    cached = _PACKAGES.get(folder)
    if cached is not None and cached[0] == digest == election.package_digest:
        # The parts of a national run read the same package: one parse per worker.
        return cached[1]
    pkg, problems = read_package_or_problems(folder)
    if pkg is None:
        raise JobFailed(
            f"the package {folder} is not valid ({len(problems)} problem(s))",
            details=[p.render("en") for p in problems],
            message_ar=f"الحزمة {folder} غير صالحة ({len(problems)} مشكلة)",
            details_ar=[p.render("ar") for p in problems],
        )
    if digest != election.package_digest:
        raise JobFailed(
            f"the package {folder} changed since it was loaded; load it again "
            "(`pollguard load`) so that the registry and the plan agree",
            message_ar=f"تغيّرت الحزمة {folder} منذ تحميلها؛ حمّلها من جديد "
            "(`pollguard load`) ليتطابق السجل والخطة",
        )
    if pkg.election.code != election.code:
        raise JobFailed(
            f"the folder {folder} now holds election {pkg.election.code}",
            message_ar=f"المجلد {folder} يحوي الآن الانتخابات {pkg.election.code}",
        )
    _PACKAGES.clear()
    _PACKAGES[folder] = (digest, pkg)
    return pkg


# The last package this worker process read, by folder: (digest, package), and its parts.
_PACKAGES: dict[Path, tuple[str, ElectionPackage]] = {}
_SPLITS: dict[tuple[str, str], list[Part]] = {}


def with_current_intel(election: Election, pkg: ElectionPackage) -> ElectionPackage:
    """The package with the intelligence that counts now (`registry.intel.intel_for_planning`):
    the package's own reports and those filed in the app, without the expired ones."""
    from pollguard.registry.intel import intel_for_planning

    return dataclasses.replace(pkg, intel=intel_for_planning(election))


def run_plan(ctx: JobContext) -> dict[str, Any] | SplitInto:
    """The `plan_run` handler (module docstring). Result: `{"plan": id, "version": n}`."""
    from pollguard.planning.actions import do_store_plan
    from pollguard.planning.models import Plan

    params = ctx.parameters
    assert ctx.job.election_id is not None  # plan runs are always for an election
    election = Election.objects.get(pk=ctx.job.election_id)
    _report(ctx, "package", election.package_path)
    pkg = with_current_intel(election, load_package(election))
    options = PlanOptions(time_limit=float(params["time_limit"]), seed=int(params["seed"]))
    if not params.get("from_plan"):
        parts = split_parts(pkg)
        planned = sum(p.centers for p in parts)
        if len(parts) > 1 and planned >= settings.POLLGUARD_PLAN_SPLIT_MIN_CENTERS:
            return _split(ctx, pkg, parts, options)

    def progress(line: str) -> None:
        stage = line.split(":", 1)[0].strip()
        if stage in STAGES:
            _report(ctx, stage, line.split(":", 1)[1].strip())
        else:
            ctx.check_cancelled()

    base: Plan | None = None
    try:
        if params.get("from_plan"):
            base = Plan.objects.get(pk=params["from_plan"], election=election)
            current = from_json(json.dumps(base.document), file=f"plan v{base.version}")
            changes = parse_changes(json.dumps(params.get("changes") or []), file="changes")
            checked, plan = replan(
                pkg,
                current,
                changes,
                time_limit=options.time_limit,
                options=options,
                progress=progress,
                file="changes",
            )
            risks: dict[str, float] | None = dict(plan.risk)
        else:
            plan = make_plan(pkg, options, progress=progress)
            checked, risks = pkg, None
    except InvalidInput as invalid:
        raise JobFailed(
            "the plan run's input is not valid",
            details=invalid.render("en"),
            message_ar="مدخلات تشغيل الخطة غير صالحة",
            details_ar=invalid.render("ar"),
        ) from invalid
    _report(ctx, "check")
    violations = check_plan(checked, plan, risks=risks)
    if violations:
        raise JobFailed(
            f"the plan checker refused the plan ({len(violations)} violation(s))",
            details=[str(v) for v in violations][:50],
            message_ar=f"رفض فاحص الخطط الخطة ({len(violations)} مخالفة)",
        )
    _report(ctx, "save")
    sectors = {c.code: c.sector for c in checked.centers}
    stored = do_store_plan(
        election=election,
        document=json.loads(to_json(plan)),
        sector_of=sectors,
        params=params,
        based_on=base,
        job=ctx.job,
        policy=policy_to_json(pkg.policy),
    )
    _stored(ctx, stored.version)
    return {"plan": stored.pk, "version": stored.version}


def _stored(ctx: JobContext, version: int) -> None:
    ctx.job.message = f"version {version} stored as a draft"
    ctx.job.message_ar = f"حُفظت النسخة {version} مسودةً"


def _split(
    ctx: JobContext, pkg: ElectionPackage, parts: list[Part], options: PlanOptions
) -> SplitInto:
    _report(ctx, "risk", f"{len(parts)} independent parts")
    risks = scores(pkg)
    entries = [
        (
            part.name,
            {
                "sectors": list(part.sectors),
                "time_limit": options.time_limit,
                "seed": options.seed,
                "risks": {c.code: risks[c.code] for c in part.package.centers if c.code in risks},
            },
        )
        for part in parts
    ]
    return SplitInto(
        PLAN_PART,
        entries,
        message=f"{len(parts)} independent parts sent to the workers",
        message_ar=f"أُرسلت {len(parts)} أجزاء مستقلة إلى العمّال",
    )


def _part_of(election: Election, sectors: list[str]) -> Part:
    """The part with these sectors, split once per package and worker process (a national
    split takes about a second, and one worker runs many parts of the same run)."""
    pkg = load_package(election)
    key = (election.package_path, election.package_digest)
    if key not in _SPLITS:
        _SPLITS.clear()
        _SPLITS[key] = split_parts(pkg)
    wanted = tuple(sorted(sectors))
    for part in _SPLITS[key]:
        if part.sectors == wanted:
            return part
    raise JobFailed(
        "this part's sectors are no longer one independent part of the package",
        message_ar="قطاعات هذا الجزء لم تعد جزءاً مستقلاً من الحزمة",
    )


def run_plan_part(ctx: JobContext) -> dict[str, Any]:
    """The `plan_part` handler: plan one part with the risks its parent scored."""
    params = ctx.parameters
    assert ctx.job.election_id is not None
    election = Election.objects.get(pk=ctx.job.election_id)
    part = _part_of(election, list(params["sectors"]))
    # One process per part: the part job is the unit of parallelism. With the planner's
    # own solver processes as well, two workers on two cores each got half the CPU for
    # the same wall-clock limit and the national gap rose from 1 % to 57 % (measured,
    # docs/benchmarks.md); run one worker process per core instead.
    options = PlanOptions(
        time_limit=float(params["time_limit"]), seed=int(params["seed"]), workers=0
    )

    def progress(line: str) -> None:
        stage = line.split(":", 1)[0].strip()
        if stage in STAGES:
            _report(ctx, stage, f"{part.name}: {line.split(':', 1)[1].strip()}")
        else:
            ctx.check_cancelled()

    plan = make_plan(part.package, options, progress=progress, risks=params["risks"])
    return {"document": json.loads(to_json(plan))}


def merge_parts(ctx: JobContext, parts: list[Job]) -> dict[str, Any]:
    """The `plan_run` merge: one checked version from every part that succeeded."""
    from pollguard.planning.actions import do_store_plan

    assert ctx.job.election_id is not None
    election = Election.objects.get(pk=ctx.job.election_id)
    pkg = load_package(election)
    risks: dict[str, float] = {}
    plans = []
    failed: list[FailedPart] = []
    for job in parts:
        risks.update(job.parameters["risks"])
        name, sectors = job.parameters["name"], tuple(job.parameters["sectors"])
        if job.state == JobState.SUCCEEDED and job.result and "document" in job.result:
            plans.append(from_json(json.dumps(job.result["document"]), file=f"part {name}"))
        else:
            failed.append(FailedPart(name, sectors, job.message or job.state))
    if not plans:
        raise JobFailed(
            "every part of the plan run failed: " + "; ".join(f.name for f in failed),
            details=[f"{f.name}: {f.reason}" for f in failed],
            message_ar="فشلت كل أجزاء تشغيل الخطة: " + "؛ ".join(f.name for f in failed),
        )
    _report(ctx, "check", f"{len(plans)} parts")
    started = ctx.job.started_at or timezone.now()
    plan = merge_plans(
        pkg,
        risks,
        plans,
        failed,
        solve_seconds=(timezone.now() - started).total_seconds(),
    )
    violations = check_plan(pkg, plan, risks=risks)
    if violations:
        raise JobFailed(
            f"the plan checker refused the merged plan ({len(violations)} violation(s))",
            details=[str(v) for v in violations][:50],
            message_ar=f"رفض فاحص الخطط الخطة المدمجة ({len(violations)} مخالفة)",
        )
    _report(ctx, "save")
    stored = do_store_plan(
        election=election,
        document=json.loads(to_json(plan)),
        sector_of={c.code: c.sector for c in pkg.centers},
        params=dict(ctx.parameters),
        based_on=None,
        job=ctx.job,
        policy=policy_to_json(pkg.policy),
    )
    _stored(ctx, stored.version)
    if failed:
        names = ", ".join(f.name for f in failed)
        ctx.job.message = f"version {stored.version} stored; {len(failed)} part(s) failed: {names}"
        ctx.job.message_ar = f"حُفظت النسخة {stored.version}؛ فشل {len(failed)} من الأجزاء: {names}"
    return {
        "plan": stored.pk,
        "version": stored.version,
        "failed_parts": [
            {"name": f.name, "sectors": list(f.sectors), "reason": f.reason} for f in failed
        ],
    }
