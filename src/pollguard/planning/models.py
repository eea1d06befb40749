"""Plan versions: each plan run makes one, holding its `pollguard.plan/1` document.

A version moves draft → submitted → approved | returned; the approved one becomes
superseded when a later one is approved (`choices.TRANSITIONS`). A submitted version is
locked until the chair decides. `revision` increases on every change of the row and
guards the transitions against two people deciding at once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pollguard.planning.choices import PlanState


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
