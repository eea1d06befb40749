"""Navigation entries of the plan workflow, each shown only to the roles its access module
lets in: `{% plan_nav_link %}` (plan versions) and `{% order_nav_link %}` (printed orders).

The registry builds the rest of the navigation; these live here because the plan workflow
is a layer above it (the registry never imports `planning`).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from pollguard.planning.access import sees_plans
from pollguard.planning.order_access import sees_orders

register = template.Library()


def nav_link(url: str, label: str, *, current: bool) -> SafeString:
    """One navigation entry; `current` marks it as the section of the page shown."""
    marker = ' aria-current="page"' if current else ""
    return format_html('<a href="{}"{}>{}</a>', url, SafeString(marker), label)


@register.simple_tag(takes_context=True)
def plan_nav_link(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    if request is None or not sees_plans(request.user):
        return ""
    url, path = reverse("planning:plans"), request.path
    # The orders live under /plans/orders/ and have their own entry.
    current = path.startswith(url) and not path.startswith(reverse("planning_orders:index"))
    return nav_link(url, _("Plans"), current=current)


@register.simple_tag(takes_context=True)
def order_nav_link(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    if request is None or not sees_orders(request.user):
        return ""
    url = reverse("planning_orders:index")
    return nav_link(url, _("Plan orders"), current=request.path.startswith(url))
