"""States of a plan version and the transitions between them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    SUPERSEDED = "superseded", _("Superseded")

    @property
    def color(self) -> str:
        return PLAN_STATE_COLORS[self]


# Drawn as text on the pages' light backgrounds (badges): each at least 4.5:1 on white.
PLAN_STATE_COLORS: dict[PlanState, str] = {
    PlanState.DRAFT: "#5a6169",  # grey: nobody has looked at it yet
    PlanState.SUBMITTED: "#a34d00",  # orange: waiting for the chair
    PlanState.APPROVED: "#146c43",  # green: in force
    PlanState.RETURNED: "#b02a37",  # red: sent back
    PlanState.SUPERSEDED: "#0a58ca",  # blue: was in force
}


# (from, to): the only moves there are. Superseding happens to the approved version when
# another is approved; nobody asks for it.
TRANSITIONS = frozenset(
    {
        (PlanState.DRAFT, PlanState.SUBMITTED),
        (PlanState.SUBMITTED, PlanState.APPROVED),
        (PlanState.SUBMITTED, PlanState.RETURNED),
        (PlanState.APPROVED, PlanState.SUPERSEDED),
    }
)
