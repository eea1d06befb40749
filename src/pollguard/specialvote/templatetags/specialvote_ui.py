"""Navigation entries of the special vote, shown only to the roles that see it."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from pollguard.planning.templatetags.planning_ui import nav_link
from pollguard.specialvote.access import sees_special_vote

register = template.Library()


@register.simple_tag(takes_context=True)
def special_vote_nav_link(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    if request is None or not sees_special_vote(request.user):
        return ""
    checkin = reverse("specialvote:checkin")
    reconciliation = reverse("specialvote:reconciliation")
    path = request.path
    return SafeString(
        nav_link(
            checkin,
            _("Special vote"),
            current=path.startswith(checkin) and not path.startswith(reconciliation),
        )
        + nav_link(reconciliation, _("Reconciliation"), current=path.startswith(reconciliation))
    )
