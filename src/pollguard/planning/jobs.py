"""The plan run job: read the loaded package again, plan, check, store a draft version.

Runs in a Celery worker (never a web thread). The package is read from the folder it was
loaded from and must still be the loaded one (same digest); reports filed in the app's
intelligence screens replace the package's own intel, so a plan run picks them up. An
invalid or changed package fails the job with the package's own messages, in English and
Arabic, never a traceback.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from pollguard.core.model import ElectionPackage
from pollguard.core.package import package_digest
from pollguard.core.package.reader import read_package_or_problems
from pollguard.core.planning.checker import check_plan
from pollguard.core.planning.engine import PlanOptions, make_plan
from pollguard.core.planning.plan import from_json, to_json
from pollguard.core.planning.replan import parse_changes, replan
from pollguard.core.problems import InvalidInput
from pollguard.core.tasks import policy_to_json
from pollguard.jobs.kinds import JobFailed
from pollguard.jobs.runner import JobContext
from pollguard.registry.models import Election

PLAN_RUN = "plan_run"

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
    ctx.progress(done, len(STAGES), message, f"{_STAGE_AR[stage]}: {detail}" if detail else "")


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
    pkg, problems = read_package_or_problems(folder)
    if pkg is None:
        raise JobFailed(
            f"the package {folder} is not valid ({len(problems)} problem(s))",
            details=[p.render("en") for p in problems],
            message_ar=f"الحزمة {folder} غير صالحة ({len(problems)} مشكلة)",
            details_ar=[p.render("ar") for p in problems],
        )
    if package_digest(folder) != election.package_digest:
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
    return pkg


def with_filed_intel(election: Election, pkg: ElectionPackage) -> ElectionPackage:
    """The package with the intelligence reports as they are in the database now."""
    from pollguard.core import model as core
    from pollguard.registry.models import IntelReport

    rows = IntelReport.objects.filter(election=election).select_related("center")
    intel = tuple(
        core.IntelReport(
            code=r.code,
            when=r.reported_at,
            center=r.center.code,
            severity=r.severity,
            credibility=r.credibility,
            summary=r.summary,
        )
        for r in rows.order_by("code")
    )
    return dataclasses.replace(pkg, intel=intel)


def run_plan(ctx: JobContext) -> dict[str, Any]:
    """The `plan_run` handler (module docstring). Result: `{"plan": id, "version": n}`."""
    from pollguard.planning.actions import do_store_plan
    from pollguard.planning.models import Plan

    params = ctx.parameters
    assert ctx.job.election_id is not None  # plan runs are always for an election
    election = Election.objects.get(pk=ctx.job.election_id)
    _report(ctx, "package", election.package_path)
    pkg = with_filed_intel(election, load_package(election))
    options = PlanOptions(time_limit=float(params["time_limit"]), seed=int(params["seed"]))

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
    return {"plan": stored.pk, "version": stored.version}
