"""Navigation entries of the chain of custody and the ballot configuration."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from pollguard.custody.access import sees_custody
from pollguard.planning.templatetags.planning_ui import nav_link

register = template.Library()


@register.simple_tag(takes_context=True)
def custody_nav_link(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    if request is None or not sees_custody(request.user):
        return ""
    index, ballot = reverse("custody:index"), reverse("custody:ballot")
    path = request.path
    return SafeString(
        nav_link(
            index, _("Custody"), current=path.startswith(index) and not path.startswith(ballot)
        )
        + nav_link(ballot, _("Ballot"), current=path.startswith(ballot))
    )
