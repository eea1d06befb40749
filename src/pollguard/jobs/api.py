"""API v1: `GET /api/v1/jobs/{id}` (progress of background work) and cancelling a job.

No `from __future__ import annotations` here: django-ninja reads the annotations at runtime.
"""

from django.http import HttpRequest
from ninja import Router

from pollguard.common.schemas import ErrorOut
from pollguard.jobs import access
from pollguard.jobs.actions import do_cancel_job
from pollguard.jobs.models import Job
from pollguard.jobs.schemas import JobOut

router = Router(tags=["jobs"])


@router.get("/jobs/{job_id}", response={200: JobOut, 404: ErrorOut}, summary="Get a job")
def get_job(request: HttpRequest, job_id: int) -> Job:
    return access.access_job(request.user, job_id)


@router.post(
    "/jobs/{job_id}/cancel",
    response={200: JobOut, 403: ErrorOut, 404: ErrorOut},
    summary="Cancel a job",
    description="A queued job is cancelled at once, a running one at its next progress report.",
)
def cancel_job(request: HttpRequest, job_id: int) -> Job:
    job = access.access_job_for_cancel(request.user, job_id)
    return do_cancel_job(job, acting_user=request.user)
