"""The job row: what was asked, by whom, and how far it got (design.md section 4).

Pages and the API read a job's progress from this row (pushed to open pages through the
live feed), never from the broker: the broker only carries "run job N". The row is the
truth whichever transport (Redis, or the embedded SQLite transport) carried the message.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pollguard.jobs.choices import ACTIVE_STATES, FINAL_STATES, JobState


class Job(models.Model):
    """One piece of background work. `dedupe_key` makes a repeated request return this job."""

    kind = models.CharField(_("kind"), max_length=64)
    parameters = models.JSONField(_("parameters"), default=dict)
    election = models.ForeignKey(
        "registry.Election",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("election"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="parts",
        verbose_name=_("parent job"),
        help_text=_("Set for one part of a job split over the workers (a governorate)."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=JobState.choices, default=JobState.QUEUED
    )
    work_done = models.PositiveIntegerField(_("work done"), default=0)
    work_total = models.PositiveIntegerField(_("work total"), default=0)
    message = models.TextField(_("message"), blank=True, help_text=_("In English."))
    message_ar = models.TextField(_("message (Arabic)"), blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    dedupe_key = models.CharField(
        _("duplicate key"),
        max_length=64,
        blank=True,
        help_text=_("The same request while this job is active returns this job."),
    )
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    merge_claimed = models.BooleanField(
        _("merge started"),
        default=False,
        help_text=_("Set once by the worker that merges a split job's parts."),
    )
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("last report"), auto_now=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Race-free idempotency: two identical requests cannot both be active.
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(state__in=[s.value for s in ACTIVE_STATES]) & ~Q(dedupe_key=""),
                name="job_one_active_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.state}"

    @property
    def finished(self) -> bool:
        return self.state in FINAL_STATES

    def message_in(self, lang: str) -> str:
        return (self.message_ar or self.message) if lang == "ar" else self.message
