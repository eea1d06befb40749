"""`{% task_nav_link %}`: the navigation entry to tasks (the board for the operations room,
"my tasks" for sector commanders and agency liaisons)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from pollguard.planning.task_access import can_answer_tasks, sees_all_tasks, sees_tasks
from pollguard.planning.templatetags.planning_ui import nav_link

register = template.Library()


@register.simple_tag(takes_context=True)
def task_nav_link(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    if request is None or not sees_tasks(request.user):
        return ""
    if sees_all_tasks(request.user):
        url, label = reverse("tasks:board"), _("Tasks")
    elif can_answer_tasks(request.user):
        url, label = reverse("tasks:mine"), _("My tasks")
    else:  # pragma: no cover - every role that sees tasks is one of the two
        url, label = reverse("tasks:list"), _("Tasks")
    return nav_link(url, label, current=request.path.startswith(reverse("tasks:list")))


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """`{{ counts|get_item:"open" }}`: a dictionary's value by a key held in a variable."""
    return mapping.get(key) if hasattr(mapping, "get") else None
