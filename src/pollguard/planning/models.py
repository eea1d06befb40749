"""Plan versions: each plan run makes one, holding its `pollguard.plan/1` document.

A version moves draft → submitted → approved | returned; the approved one becomes
superseded when a later one is approved (`choices.TRANSITIONS`). A submitted version is
locked until the chair decides. `revision` increases on every change of the row and
guards the transitions against two people deciding at once.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pollguard.planning.choices import (
    PlanState,
    TaskKind,
    TaskPhase,
    TaskSource,
    TaskState,
)


class Plan(models.Model):
    election = models.ForeignKey(
        "registry.Election", on_delete=models.PROTECT, related_name="+", verbose_name=_("election")
    )
    version = models.PositiveIntegerField(_("version"), help_text=_("1, 2, 3 … per election."))
    state = models.CharField(
        _("state"), max_length=16, choices=PlanState.choices, default=PlanState.DRAFT
    )
    document = models.JSONField(_("plan document"), help_text=_("The pollguard.plan/1 file."))
    metrics = models.JSONField(_("metrics"), default=dict)
    sector_shortfalls = models.JSONField(
        _("shortfalls per sector"), default=dict, help_text=_("Sector code → people missing.")
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("re-planned from"),
    )
    changes = models.JSONField(_("changes"), default=list, blank=True)
    time_limit = models.FloatField(_("time limit (s)"))
    seed = models.IntegerField(_("seed"), default=0)
    package_digest = models.CharField(_("package digest"), max_length=64)
    job = models.ForeignKey(
        "jobs.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("plan run"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run by"),
    )
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("chair's comment"), blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    policy = models.JSONField(
        _("policy"),
        default=dict,
        blank=True,
        help_text=_("The election.yaml policy the version was made with (task templates too)."),
    )
    cloned_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cloned from"),
        help_text=_("The plan of another election this draft was copied from."),
    )
    clone_missing = models.JSONField(
        _("codes not found"),
        default=list,
        blank=True,
        help_text=_("Codes of the cloned plan that this election does not have."),
    )

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["election", "version"], name="plan_unique_version"),
            # At most one approved version per election, whatever the timing.
            models.UniqueConstraint(
                fields=["election"],
                condition=models.Q(state="approved"),
                name="plan_one_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.state})"


class Task(models.Model):
    """One task of the plan workflow for an agency, a sector, a unit or a center.

    Generated tasks (from an approved plan's posts and sweeps, and from the policy's phase
    templates) keep structured fields (`kind`, `role`, `headcount`, `stops`) and are worded
    in the reader's language when shown; template tasks carry both languages' titles; a
    manual task is kept in the language it was entered in (`language`). `version` guards
    acknowledgements against a stale page. Tasks are never deleted: a new approved version
    supersedes the old version's tasks.
    """

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    election = models.ForeignKey(
        "registry.Election", on_delete=models.PROTECT, related_name="+", verbose_name=_("election")
    )
    plan = models.ForeignKey(
        Plan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("plan version"),
        help_text=_("The version the task came from; empty for a task entered by hand."),
    )
    source = models.CharField(_("source"), max_length=16, choices=TaskSource.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=TaskKind.choices)
    key = models.CharField(
        _("key"),
        max_length=200,
        help_text=_("Names the task across plan versions, e.g. post:UNIT:CENTER:ROLE."),
    )
    phase = models.CharField(_("phase"), max_length=16, choices=TaskPhase.choices)
    agency = models.ForeignKey(
        "registry.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    sector = models.ForeignKey(
        "registry.Sector",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sector"),
    )
    unit = models.ForeignKey(
        "registry.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    center = models.ForeignKey(
        "registry.Center",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("center"),
    )
    role = models.CharField(
        _("role"), max_length=64, blank=True, help_text=_("Cordon role, or the sweep kind.")
    )
    headcount = models.PositiveIntegerField(_("headcount"), null=True, blank=True)
    stops = models.JSONField(
        _("sweep stops"),
        default=list,
        blank=True,
        help_text=_("Sweeps: [center code, start, end] per stop, UTC."),
    )
    template = models.CharField(_("template"), max_length=64, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_ar = models.CharField(_("title (Arabic)"), max_length=300, blank=True)
    text_en = models.TextField(_("instructions (English)"), blank=True)
    text_ar = models.TextField(_("instructions (Arabic)"), blank=True)
    language = models.CharField(
        _("language entered"),
        max_length=8,
        blank=True,
        help_text=_("For a task entered by hand: the language of its title and text."),
    )
    content_digest = models.CharField(
        _("content digest"),
        max_length=64,
        blank=True,
        help_text=_("SHA-256 of what a generated task asks; equal digests are the same task."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    due_at = models.DateTimeField(_("due at"))
    state = models.CharField(
        _("state"), max_length=16, choices=TaskState.choices, default=TaskState.OPEN
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declined by"),
    )
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("carried over from"),
        help_text=_("The same task of the previous version, whose acknowledgement it keeps."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["starts_at", "key"]
        indexes = [
            models.Index(fields=["election", "state"], name="task_election_state"),
            models.Index(fields=["election", "sector"], name="task_election_sector"),
            models.Index(fields=["election", "agency"], name="task_election_agency"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "key"],
                condition=models.Q(plan__isnull=False),
                name="task_unique_key_per_plan",
            ),
        ]

    def __str__(self) -> str:
        return self.key
