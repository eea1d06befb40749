"""Every write of the reports: issuing a situation report, loading a previous election's
KPIs, asking for an export and recording a download.

Callers check access first (`reports.access`); the actions trust their arguments.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from pollguard.accounts.access import AnyUser
from pollguard.audit.actions import record
from pollguard.core.problems import InvalidInput, Problem, register_messages
from pollguard.jobs.actions import do_request_job
from pollguard.jobs.models import Job
from pollguard.live.actions import emit
from pollguard.live.choices import EventKind
from pollguard.registry.models import Election
from pollguard.reports.access import REPORT_EXPORT
from pollguard.reports.choices import ExportFormat, ExportSubject
from pollguard.reports.figures import sitrep_figures
from pollguard.reports.models import PreviousElection, SituationReport

SUMMARY_MAX = 4000

register_messages(
    {
        "report_period_missing": (
            "give the period's start and end",
            "حدّد بداية الفترة ونهايتها",
        ),
        "report_period_backwards": (
            "the period must end after it starts",
            "يجب أن تنتهي الفترة بعد أن تبدأ",
        ),
        "report_period_future": (
            "the period cannot end in the future",
            "لا يمكن أن تنتهي الفترة في المستقبل",
        ),
        "report_summary_long": (
            "the summary is longer than 4,000 characters",
            "الملخص أطول من 4000 حرف",
        ),
        "report_next_too_early": (
            "the next report must come after this report's period",
            "يجب أن يأتي التقرير التالي بعد فترة هذا التقرير",
        ),
        "report_previous_code": (
            "a previous election needs a code",
            "تحتاج الانتخابات السابقة إلى رمز",
        ),
    }
)


def _problem(field: str, kind: str) -> InvalidInput:
    return InvalidInput([Problem(field, None, kind, {})])


def check_period(start: datetime | None, end: datetime | None) -> None:
    """A period runs forwards and ends by now (a report tells what happened)."""
    if start is None or end is None:
        raise _problem("period_from", "report_period_missing")
    if end <= start:
        raise _problem("period_to", "report_period_backwards")
    if end > timezone.now() + timedelta(minutes=1):
        raise _problem("period_to", "report_period_future")


def do_issue_sitrep(
    election: Election,
    *,
    period_from: datetime,
    period_to: datetime,
    summary: str = "",
    next_report_at: datetime | None = None,
    correcting: SituationReport | None = None,
    scheduled: bool = False,
    acting_user: AnyUser | None,
) -> SituationReport:
    """Compute the figures of [period_from, period_to) and store them, frozen.

    A new report takes the election's next number; a correction (`correcting`) takes
    the corrected number and its next version, and the earlier versions stay as issued.
    The election row is locked while the number is chosen, so two people issuing at the
    same instant get two numbers (the unique constraint catches anything else).
    """
    check_period(period_from, period_to)
    if len(summary) > SUMMARY_MAX:
        raise _problem("summary", "report_summary_long")
    if next_report_at is not None and next_report_at <= period_to:
        raise _problem("next_report_at", "report_next_too_early")
    figures = sitrep_figures(election, period_from, period_to)
    user = acting_user if isinstance(acting_user, User) else None
    for _attempt in range(3):
        try:
            with transaction.atomic():
                Election.objects.select_for_update().filter(pk=election.pk).first()
                if correcting is not None:
                    number = correcting.number
                    version = (
                        SituationReport.objects.filter(election=election, number=number).aggregate(
                            v=Max("version")
                        )["v"]
                        or 0
                    ) + 1
                else:
                    number = (
                        SituationReport.objects.filter(election=election).aggregate(
                            n=Max("number")
                        )["n"]
                        or 0
                    ) + 1
                    version = 1
                report = SituationReport.objects.create(
                    election=election,
                    number=number,
                    version=version,
                    period_from=period_from,
                    period_to=period_to,
                    summary=summary.strip(),
                    figures=figures,
                    next_report_at=next_report_at,
                    scheduled=scheduled,
                    issued_by=user,
                    issued_by_name=user.get_username() if user else "",
                    issued_at=timezone.now(),
                )
                record(
                    "reports.issue_sitrep",
                    acting_user=acting_user,
                    object_type="sitrep",
                    object_id=f"{election.code}/{number}.{version}",
                    after={
                        "period_from": period_from.isoformat(),
                        "period_to": period_to.isoformat(),
                        "scheduled": scheduled,
                        "incidents": figures["incidents"]["total"],
                    },
                    critical=True,
                )
                emit(
                    EventKind.REPORT,
                    election_id=election.pk,
                    payload={"number": number, "version": version},
                )
            return report
        except IntegrityError:
            continue  # another issue took the number first: choose again
    raise RuntimeError("could not number the situation report")  # pragma: no cover


def sitrep_interval() -> timedelta:
    return timedelta(minutes=settings.POLLGUARD_SITREP_EVERY_MINUTES)


def election_window(election: Election) -> tuple[datetime, datetime]:
    """When scheduled reports run: from the day before the special vote to the day after
    the general vote, local time."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(election.timezone)
    start = datetime.combine(election.special_vote_date - timedelta(days=1), datetime.min.time())
    end = datetime.combine(election.general_vote_date + timedelta(days=2), datetime.min.time())
    return start.replace(tzinfo=tz), end.replace(tzinfo=tz)


def do_issue_scheduled_sitreps(now: datetime | None = None) -> int:
    """Issue the situation reports that are due (Celery beat, `reports.tasks`).

    Inside an election's window a report is due when the newest one's `next_report_at`
    (or its period end plus `POLLGUARD_SITREP_EVERY_MINUTES`) has passed; its period runs
    from the newest report's end, or from the window's start, to now.
    """
    now = now or timezone.now()
    issued = 0
    for election in Election.objects.all():
        start, end = election_window(election)
        if not start <= now < end:
            continue
        last = (
            SituationReport.objects.filter(election=election)
            .order_by("-period_to", "-number", "-version")
            .first()
        )
        period_from = last.period_to if last is not None else start
        due = (
            (last.next_report_at or last.period_to + sitrep_interval())
            if last is not None
            else start
        )
        if now < due or now <= period_from:
            continue
        do_issue_sitrep(
            election,
            period_from=period_from,
            period_to=now,
            next_report_at=now + sitrep_interval(),
            scheduled=True,
            acting_user=None,
        )
        issued += 1
    return issued


def do_load_previous_election(
    election: Election, data: dict[str, Any], *, acting_user: AnyUser | None
) -> PreviousElection:
    """Load (or update in place) a previous election's KPIs for `election`'s comparison.

    `data` holds `code`, `name_en`, `name_ar`, `held`, `kpis` (the after-action KPI keys;
    null where not recorded), `notes` and `sources`. Loading the same data again changes
    nothing and writes no audit row.
    """
    code = str(data.get("code") or "").strip()
    if not code:
        raise _problem("code", "report_previous_code")
    values = {
        "name_en": str(data.get("name_en") or code),
        "name_ar": str(data.get("name_ar") or data.get("name_en") or code),
        "held": str(data.get("held") or ""),
        "kpis": dict(data.get("kpis") or {}),
        "notes": list(data.get("notes") or []),
        "sources": list(data.get("sources") or []),
    }
    with transaction.atomic():
        row = PreviousElection.objects.filter(election=election, code=code).first()
        if row is not None and all(getattr(row, k) == v for k, v in values.items()):
            return row
        before = {"kpis": row.kpis} if row is not None else None
        row, _created = PreviousElection.objects.update_or_create(
            election=election, code=code, defaults=values
        )
        record(
            "reports.load_previous_election",
            acting_user=acting_user,
            object_type="previous_election",
            object_id=f"{election.code}/{code}",
            before=before,
            after={"kpis": values["kpis"]},
        )
    return row


def do_request_export(
    election: Election,
    subject: ExportSubject,
    fmt: ExportFormat,
    *,
    lang: str,
    sitrep: SituationReport | None = None,
    acting_user: AnyUser,
) -> tuple[Job, bool]:
    """The export job (the running one if the same user asks again); audited by the job.

    A sitrep export names the issued version it prints; without one it prints the current
    situation since the newest report (generated on demand, marked as not issued).
    """
    parameters: dict[str, Any] = {
        "subject": subject.value,
        "format": fmt.value,
        "lang": lang,
        "for": acting_user.pk,
    }
    if sitrep is not None:
        parameters["sitrep"] = sitrep.pk
    elif subject is ExportSubject.SITREP:
        # On demand: the period is fixed when asked, so the file says what was asked for.
        last = SituationReport.objects.filter(election=election).order_by("-period_to").first()
        end = timezone.now()
        start = last.period_to if last is not None and last.period_to < end else None
        parameters["period_from"] = (start or end - sitrep_interval()).isoformat()
        parameters["period_to"] = end.isoformat()
    return do_request_job(
        REPORT_EXPORT, parameters=parameters, election_id=election.pk, acting_user=acting_user
    )


def do_record_download(job: Job, *, acting_user: AnyUser) -> None:
    """One audit row per downloaded export (who took which file)."""
    with transaction.atomic():
        record(
            "reports.download",
            acting_user=acting_user,
            object_type="job",
            object_id=str(job.pk),
            after={
                "file": (job.result or {}).get("file", ""),
                "subject": (job.parameters or {}).get("subject", ""),
            },
        )


# Previous elections shipped with the app, by the code of the election they compare with.
BUNDLED_COMPARISONS = {"iq-cor-2010-dhi-qar": "dhi-qar-2009.yaml"}


def do_load_bundled_comparison(
    election: Election, *, acting_user: AnyUser | None
) -> PreviousElection | None:
    """Load the previous election shipped for `election` (the demo's 2009), if there is one."""
    import yaml

    name = BUNDLED_COMPARISONS.get(election.code)
    if name is None:
        return None
    path = Path(__file__).resolve().parent / "data" / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return do_load_previous_election(election, data, acting_user=acting_user)
