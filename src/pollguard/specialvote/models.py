"""Special-vote check-ins: one counted vote per person and election, by a database rule.

The rule is the partial unique constraint `specialcheckin_one_counted_vote` on
(election, person_code) among counted check-ins: two stations (or two server processes)
checking the same person in at the same moment cannot both succeed, whatever the timing,
because the database refuses the second row. Nothing reads first to decide.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pollguard.registry.models import Center, Election, Person, SpecialVoter, Station
from pollguard.specialvote.choices import BallotKind, CheckinSource, CheckinState


class SpecialCheckin(models.Model):
    """One check-in of a person at a station of a special voting center."""

    uuid = models.UUIDField(
        _("UUID"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_(
            "Chosen by the client (offline devices) or by the server; resends are idempotent."
        ),
    )
    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="+", verbose_name=_("election")
    )
    person_code = models.CharField(
        _("personnel id"),
        max_length=64,
        help_text=_("The id on the register or the roster; one counted vote per id."),
    )
    voter = models.ForeignKey(
        SpecialVoter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("register entry"),
        help_text=_("Empty for a conditional ballot."),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("roster entry"),
    )
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="+", verbose_name=_("special center")
    )
    kind = models.CharField(_("ballot"), max_length=16, choices=BallotKind.choices)
    reason = models.CharField(
        _("reason"), max_length=500, blank=True, help_text=_("Why a conditional ballot.")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=CheckinState.choices, default=CheckinState.COUNTED
    )
    source = models.CharField(
        _("source"), max_length=16, choices=CheckinSource.choices, default=CheckinSource.ONLINE
    )
    observed_at = models.DateTimeField(_("checked in at"), help_text=_("When the voter came."))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    conflict_with = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("conflicts with"),
        help_text=_("The counted check-in this offline record collides with."),
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )
    undo_reason = models.CharField(_("why undone"), max_length=500, blank=True)
    resolved_at = models.DateTimeField(_("conflict resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("conflict resolved by"),
    )
    resolution = models.CharField(
        _("committee's decision"), max_length=500, blank=True, help_text=_("Why, in words.")
    )

    class Meta:
        verbose_name = _("special-vote check-in")
        verbose_name_plural = _("special-vote check-ins")
        constraints = [
            models.UniqueConstraint(
                fields=["election", "person_code"],
                condition=models.Q(state="counted"),
                name="specialcheckin_one_counted_vote",
            )
        ]
        indexes = [
            models.Index(fields=["election", "center", "state"], name="specialcheckin_tally"),
            models.Index(fields=["election", "person_code"], name="specialcheckin_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_code} @ {self.station_id} ({self.state})"
