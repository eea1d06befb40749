"""Tasks in words, in the reader's language.

Generated tasks are stored as structured fields (kind, role, headcount, unit, center,
stops) and worded here when shown, so the same task reads in Arabic for one user and in
English for another. Template and hand-entered tasks carry their own titles: the reader's
language first, else the other one.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from pollguard.planning.choices import TaskKind
from pollguard.planning.models import Task
from pollguard.registry.templatetags.pollguard_ui import local_name

# The roles and sweep kinds of the documented policy; another role keeps its policy name.
ROLE_LABELS = {
    "inner_cordon": gettext_lazy("Inner cordon"),
    "outer_cordon": gettext_lazy("Outer cordon"),
    "building_guard": gettext_lazy("Building guard"),
    "traffic": gettext_lazy("Traffic"),
    "civil_defense": gettext_lazy("Civil defense"),
    "eod": gettext_lazy("Explosives (EOD)"),
    "k9": gettext_lazy("Police dogs (K9)"),
}


def role_label(role: str) -> str:
    label = ROLE_LABELS.get(role)
    return str(label) if label is not None else role.replace("_", " ")


def _arabic() -> bool:
    return (get_language() or "ar").startswith("ar")


def _own(task: Task, field: str) -> str:
    ar, en = getattr(task, f"{field}_ar"), getattr(task, f"{field}_en")
    first, second = (ar, en) if _arabic() else (en, ar)
    return str(first or second or "")


def _center(task: Task) -> str:
    if task.center is None:
        return "—"
    return f"{local_name(task.center)} ({task.center.code})"


def task_title(task: Task) -> str:
    """The task's title in the active language."""
    unit = task.unit.code if task.unit is not None else "—"
    if task.kind == TaskKind.POST:
        return _("%(role)s at %(center)s: %(headcount)s from %(unit)s") % {
            "role": role_label(task.role),
            "center": _center(task),
            "headcount": task.headcount or 0,
            "unit": unit,
        }
    if task.kind == TaskKind.STANDBY:
        return _("%(role)s standby at %(center)s: %(headcount)s from %(unit)s") % {
            "role": role_label(task.role),
            "center": _center(task),
            "headcount": task.headcount or 0,
            "unit": unit,
        }
    if task.kind == TaskKind.SWEEP:
        return _("%(kind)s sweep by %(unit)s of %(count)s centers") % {
            "kind": role_label(task.role),
            "unit": unit,
            "count": len(task.stops),
        }
    return _own(task, "title") or task.key


def task_text(task: Task) -> str:
    """The instructions in the active language; a sweep's stops with their local times."""
    if task.kind == TaskKind.SWEEP:
        return "; ".join(
            _("%(center)s %(start)s–%(end)s")
            % {"center": center, "start": _hhmm(start), "end": _hhmm(end)}
            for center, start, end in task.stops
        )
    return _own(task, "text")


def _hhmm(iso: str) -> str:
    from datetime import datetime

    return timezone.localtime(datetime.fromisoformat(iso)).strftime("%H:%M")
