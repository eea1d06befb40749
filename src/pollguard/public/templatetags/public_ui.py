"""`{% notice_nav_link %}`: the notices page in the navigation, for the roles that see it."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from pollguard.public.access import sees_notices

register = template.Library()


@register.simple_tag(takes_context=True)
def notice_nav_link(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    if request is None or not sees_notices(request.user):
        return ""
    url = reverse("public_notices:list")
    marker = ' aria-current="page"' if request.path.startswith(url) else ""
    return format_html('<a href="{}"{}>{}</a>', url, SafeString(marker), _("Public notices"))
