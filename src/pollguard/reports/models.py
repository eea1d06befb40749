"""Issued situation reports and the previous elections the after-action report compares with.

A situation report is frozen when it is issued: its figures are computed from the data
once (`figures.sitrep_figures`) and stored with it, so a later change to an incident
never changes what the committee was told. A correction is a new version of the same
number; every version is kept.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SituationReport(models.Model):
    """One issued version of situation report number `number` of an election."""

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    election = models.ForeignKey(
        "registry.Election",
        on_delete=models.CASCADE,
        related_name="situation_reports",
        verbose_name=_("election"),
    )
    number = models.PositiveIntegerField(_("number"), help_text=_("1, 2, 3 … per election."))
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("A correction of a number is its next version.")
    )
    period_from = models.DateTimeField(_("period from"))
    period_to = models.DateTimeField(_("period to"))
    summary = models.TextField(
        _("summary"), blank=True, max_length=4000, help_text=_("The issuer's own words.")
    )
    figures = models.JSONField(_("figures"), help_text=_("Frozen when the report was issued."))
    next_report_at = models.DateTimeField(_("next report at"), null=True, blank=True)
    scheduled = models.BooleanField(
        _("scheduled"), default=False, help_text=_("Issued by the schedule, not by a person.")
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_by_name = models.CharField(_("issued by (name)"), max_length=150, blank=True)
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("situation report")
        verbose_name_plural = _("situation reports")
        ordering = ["-number", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "number", "version"], name="sitrep_one_number_version"
            )
        ]

    def __str__(self) -> str:
        return f"SITREP {self.number}.{self.version}"

    @property
    def label(self) -> str:
        return f"{self.number}" if self.version == 1 else f"{self.number}.{self.version}"


class PreviousElection(models.Model):
    """A previous election's KPIs, in the shape `figures.after_action_kpis` computes.

    A KPI that was not recorded then is `null` in `kpis` and shown as "not recorded"; it
    is never filled in with a guess.
    """

    election = models.ForeignKey(
        "registry.Election",
        on_delete=models.CASCADE,
        related_name="previous_elections",
        verbose_name=_("compared from"),
        help_text=_("The election whose after-action report compares with this one."),
    )
    code = models.SlugField(_("code"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    held = models.CharField(_("held"), max_length=64, blank=True, help_text=_("When, as known."))
    kpis = models.JSONField(_("KPIs"), default=dict)
    notes = models.JSONField(
        _("notes"), default=list, help_text=_('Facts beside the KPIs: [{"en": …, "ar": …}].')
    )
    sources = models.JSONField(_("sources"), default=list)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("previous election")
        verbose_name_plural = _("previous elections")
        ordering = ["-code"]
        constraints = [
            models.UniqueConstraint(fields=["election", "code"], name="previous_election_code")
        ]

    def __str__(self) -> str:
        return self.code
