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

