"""Who sees and may cancel which jobs.

The chair, operations officers and the auditor see every job of the election (they run
and check the plans); anyone else sees the jobs they asked for. Not yours is 404.
"""

from __future__ import annotations

from django.db.models import QuerySet

from pollguard.accounts.access import SEES_ALL_REGISTRY, AnyUser, role_of
from pollguard.accounts.choices import Role
from pollguard.common.errors import Forbidden, NotFound
from pollguard.jobs.models import Job

CANCELS_ANY_JOB = frozenset({Role.CHAIR, Role.OPERATIONS})


def jobs_for(user: AnyUser) -> QuerySet[Job]:
    role = role_of(user)  # None for anonymous and inactive users too
    if role is None:
        return Job.objects.none()
    if role in SEES_ALL_REGISTRY:
        return Job.objects.all()
    return Job.objects.filter(requested_by_id=user.pk)


def access_job(user: AnyUser, job_id: int) -> Job:
    job = jobs_for(user).filter(pk=job_id).first()
    if job is None:
        raise NotFound(str(job_id))
    return job


def may_cancel(user: AnyUser, job: Job) -> bool:
    """The chair and operations officers cancel any job they see; others their own."""
    return role_of(user) in CANCELS_ANY_JOB or job.requested_by_id == user.pk


def access_job_for_cancel(user: AnyUser, job_id: int) -> Job:
    job = access_job(user, job_id)
    if not may_cancel(user, job):
        raise Forbidden(str(job_id))
    return job


def sees_job_events(user: AnyUser) -> bool:
    """Job progress in the live feed goes to the roles that see every job."""
    return role_of(user) in SEES_ALL_REGISTRY
