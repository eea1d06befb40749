"""Choices of the special vote, with labels and display colors."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BallotKind(models.TextChoices):
    """How the voter voted: from the special register, or conditionally (not on it)."""

    REGISTER = "register", _("On the register")
    CONDITIONAL = "conditional", _("Conditional ballot")


class CheckinState(models.TextChoices):
    """`counted` is the one vote of a person (a unique rule in the database); a `conflict`
    is a second check-in of the same person that arrived by an offline sync and is kept for
    the committee; `undone` was taken back by a supervisor (or replaced by the offline
    record the committee kept); `dismissed` is a conflict the committee did not count."""

    COUNTED = "counted", _("Counted")
    CONFLICT = "conflict", _("Double-vote conflict")
    UNDONE = "undone", _("Undone")
    DISMISSED = "dismissed", _("Conflict dismissed by the committee")

    @property
    def color(self) -> str:
        return {
            CheckinState.COUNTED: "#146c43",
            CheckinState.CONFLICT: "#b02a37",
            CheckinState.UNDONE: "#5a6169",
            CheckinState.DISMISSED: "#5a6169",
        }[self]


class CheckinSource(models.TextChoices):
    ONLINE = "online", _("At the station, online")
    OFFLINE = "offline", _("Recorded offline, synced later")


class ReconciliationBasis(models.TextChoices):
    """Which roster the register is reconciled against."""

    APPROVED_PLAN = "approved_plan", _("The approved plan's deployment")
    ROSTER = "roster", _("The whole personnel roster (no plan approved yet)")
