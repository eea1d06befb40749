"""`{% plan_nav_link %}`: the navigation entry to the plan versions, for those who read them."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from pollguard.planning.access import sees_plans

register = template.Library()


@register.simple_tag(takes_context=True)
def plan_nav_link(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    if request is None or not sees_plans(request.user):
        return ""
    url = reverse("planning:plans")
    current = ' aria-current="page"' if request.path.startswith(url) else ""
    return format_html('<a href="{}"{}>{}</a>', url, SafeString(current), _("Plans"))
