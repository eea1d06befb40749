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


class TaskPhase(models.TextChoices):
    """The seed's three phases: before, during and after the vote."""

    BEFORE = "before", _("Before the vote")
    DURING = "during", _("During the vote")
    AFTER = "after", _("After the vote")


class TaskSource(models.TextChoices):
    GENERATED = "generated", _("From the plan")
    TEMPLATE = "template", _("From the phase template")
    MANUAL = "manual", _("Entered by hand")
    CLONED = "cloned", _("Cloned from another election")


class TaskKind(models.TextChoices):
    POST = "post", _("Guard post")
    STANDBY = "standby", _("Standby")
    SWEEP = "sweep", _("Sweep")
    TEMPLATE = "template", _("Phase task")
    MANUAL = "manual", _("Task")


class TaskState(models.TextChoices):
    OPEN = "open", _("Awaiting acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    SUPERSEDED = "superseded", _("Superseded")

    @property
    def color(self) -> str:
        return TASK_STATE_COLORS[self]


TASK_STATE_COLORS = {
    TaskState.OPEN: "#B8860B",
    TaskState.ACKNOWLEDGED: "#1B7F3B",
    TaskState.DECLINED: "#B3261E",
    TaskState.CANCELLED: "#6B6B6B",
    TaskState.SUPERSEDED: "#6B6B6B",
}

# (from, to) an assignee may move a task: acknowledge or decline it, or change his mind
# (a declined task acknowledged after all; an acknowledged one declined with a reason).
TASK_ANSWERS = frozenset(
    {
        (TaskState.OPEN, TaskState.ACKNOWLEDGED),
        (TaskState.OPEN, TaskState.DECLINED),
        (TaskState.DECLINED, TaskState.ACKNOWLEDGED),
        (TaskState.ACKNOWLEDGED, TaskState.DECLINED),
    }
)
# States in which a task is still in force (counted on the board).
LIVE_TASK_STATES = frozenset({TaskState.OPEN, TaskState.ACKNOWLEDGED, TaskState.DECLINED})


class OrderScope(models.TextChoices):
    """Whom a printed plan order is for: one sector's commander or one agency's liaison."""

    SECTOR = "sector", _("Sector")
    AGENCY = "agency", _("Agency")
