"""Who may see, issue and export which report (design.md section 2).

| role                       | reports (sitreps, after-action) | list exports (incidents, centers) |
|----------------------------|---------------------------------|-----------------------------------|
| chair, operations          | see, issue sitreps, export      | export what their lists show      |
| auditor                    | see and export (read only)      | export what their lists show      |
| commander and the others   | none (404)                      | export what their lists show      |

The reports are the whole governorate's figures; no sector-scoped report is offered, so
a commander, liaison, intelligence officer, commission liaison or field reporter gets 404
for every report, as for a missing one. A list export holds what the requester's list
holds (their access helpers, applied in the job), so only the requester downloads it;
a report export is downloaded by anyone who sees reports.
"""

from __future__ import annotations

from django.db.models import QuerySet

from pollguard.accounts.access import AnyUser, role_of
from pollguard.accounts.choices import Role
from pollguard.common.errors import Forbidden, NotFound
from pollguard.jobs.models import Job
from pollguard.operations.access import sees_incidents
from pollguard.registry.access import current_election, sees_centers
from pollguard.registry.models import Election
from pollguard.reports.choices import LIST_SUBJECTS, ExportSubject
from pollguard.reports.models import PreviousElection, SituationReport

REPORT_EXPORT = "report_export"

SEES_REPORTS = frozenset({Role.CHAIR, Role.OPERATIONS, Role.AUDITOR})
ISSUES_SITREPS = frozenset({Role.CHAIR, Role.OPERATIONS})


def sees_reports(user: AnyUser) -> bool:
    return role_of(user) in SEES_REPORTS


def issues_sitreps(user: AnyUser) -> bool:
    return role_of(user) in ISSUES_SITREPS


def reports_election(user: AnyUser) -> Election:
    """The election whose reports the user reads (404 for roles without reports)."""
    election = current_election(user)
    if election is None or not sees_reports(user):
        raise NotFound("reports")
    return election


def require_issue_sitrep(user: AnyUser) -> Election:
    election = reports_election(user)
    if not issues_sitreps(user):
        raise Forbidden("sitrep")
    return election


def sitreps_for(user: AnyUser) -> QuerySet[SituationReport]:
    if not sees_reports(user):
        return SituationReport.objects.none()
    election = current_election(user)
    if election is None:
        return SituationReport.objects.none()
    return SituationReport.objects.filter(election=election).select_related("issued_by")


def access_sitrep(user: AnyUser, number: int, version: int | None = None) -> SituationReport:
    """Sitrep `number` (its newest version, or `version`) of the user's election."""
    rows = sitreps_for(user).filter(number=number)
    if version is not None:
        rows = rows.filter(version=version)
    report = rows.order_by("-version").first()
    if report is None:
        raise NotFound(str(number))
    return report


def previous_election(election: Election) -> PreviousElection | None:
    """The comparison of the after-action report: the newest previous election loaded."""
    return PreviousElection.objects.filter(election=election).order_by("-code").first()


def may_export(user: AnyUser, subject: ExportSubject) -> bool:
    if subject is ExportSubject.INCIDENTS:
        return sees_incidents(user)
    if subject is ExportSubject.CENTERS:
        return sees_centers(user)
    return sees_reports(user)


def require_export(user: AnyUser, subject: ExportSubject) -> Election:
    election = current_election(user)
    if election is None or not may_export(user, subject):
        raise NotFound(subject.value)
    return election


def access_export_job(user: AnyUser, job_id: int) -> Job:
    """An export job, if the user may have its file (module docstring)."""
    job = Job.objects.filter(pk=job_id, kind=REPORT_EXPORT).first()
    if job is None or role_of(user) is None:
        raise NotFound(str(job_id))
    try:
        subject = ExportSubject(str((job.parameters or {}).get("subject")))
    except ValueError:
        raise NotFound(str(job_id)) from None
    if subject in LIST_SUBJECTS:
        if job.requested_by_id != user.pk:
            raise NotFound(str(job_id))
    elif not sees_reports(user):
        raise NotFound(str(job_id))
    return job
