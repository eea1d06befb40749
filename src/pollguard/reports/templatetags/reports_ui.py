"""Navigation entry of the reports and the export form the lists include."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from pollguard.planning.templatetags.planning_ui import nav_link
from pollguard.reports.access import may_export, sees_reports
from pollguard.reports.choices import LIST_FORMATS, ExportSubject

register = template.Library()


@register.simple_tag(takes_context=True)
def reports_nav_link(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    if request is None or not sees_reports(request.user):
        return ""
    url = reverse("reports:index")
    return SafeString(nav_link(url, _("Reports"), current=request.path.startswith(url)))


@register.inclusion_tag("reports/partials/list_export.html", takes_context=True)
def list_export_form(context: dict[str, Any], subject: str) -> dict[str, Any]:
    """An "export this list" form for the user's own list (incidents, centers)."""
    request = context.get("request")
    kind = ExportSubject(subject)
    return {
        "show": request is not None and may_export(request.user, kind),
        "subject": kind,
        "formats": LIST_FORMATS,
        "csrf_token": context.get("csrf_token"),
        "action": reverse("reports:export"),
    }
