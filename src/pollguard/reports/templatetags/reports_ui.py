"""Navigation entry of the reports and the export form the lists include."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from pollguard.planning.templatetags.planning_ui import nav_link
from pollguard.reports.access import sees_reports

register = template.Library()


@register.simple_tag(takes_context=True)
def reports_nav_link(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    if request is None or not sees_reports(request.user):
        return ""
    url = reverse("reports:index")
    return SafeString(nav_link(url, _("Reports"), current=request.path.startswith(url)))
