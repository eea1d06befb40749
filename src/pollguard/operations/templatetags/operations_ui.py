"""Navigation entry of operations (`{% incidents_nav_link %}`), shown to roles that see
incidents; the registry builds the rest of the navigation and never imports this app.
The registry's center page shows this app's outside-force section through
`{% center_outside_force center %}` for the same reason."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from pollguard.operations.access import sees_incidents
from pollguard.planning.templatetags.planning_ui import nav_link

register = template.Library()


@register.simple_tag(takes_context=True)
def incidents_nav_link(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    if request is None or not sees_incidents(request.user):
        return ""
    url = reverse("operations:queue")
    return nav_link(url, _("Incidents"), current=request.path.startswith(url))


@register.simple_tag(takes_context=True)
def incident_map_layers(context: dict[str, Any]) -> SafeString | str:
    """The live map's incident and unit layers (script, styles and their settings), for the
    roles that see incidents; nothing for the others."""
    from django.templatetags.static import static
    from django.utils.html import format_html, json_script

    from pollguard.operations.choices import IncidentKind, UnitStatus

    request = context.get("request")
    if request is None or not sees_incidents(request.user):
        return ""
    config = {
        "url": reverse("operations:map_layers"),
        "labels": {"incidents": _("Incidents"), "units": _("Units by status")},
        "statusLabels": {s.value: str(s.label) for s in UnitStatus},
        "kindLabels": {k.value: str(k.label) for k in IncidentKind},
        "sprite": static(KIND_SPRITE),
    }
    return format_html(
        '<link rel="stylesheet" href="{}">{}<script src="{}"></script>',
        static("operations/css/operations.css"),
        json_script(config, "pollguard-ops-map"),
        static("operations/js/ops_map.js"),
    )


@register.simple_tag(takes_context=True)
def center_outside_force(context: dict[str, Any], center: Any) -> SafeString | str:
    """The center's outside-force requests (for those who see them) and the chair's form
    to request one; nothing for the other roles. One query."""
    from django.template.loader import render_to_string

    from pollguard.accounts.access import role_of
    from pollguard.operations import access
    from pollguard.operations.choices import OutsideForce

    request = context.get("request")
    if request is None:
        return ""
    role = role_of(request.user)
    can_request = role in access.REQUESTS_OUTSIDE_FORCE
    if role not in access.SEES_OUTSIDE_FORCE:
        return ""
    found = list(access.outside_force_requests_for(request.user).filter(center=center))
    if not found and not can_request:
        return ""
    return SafeString(
        render_to_string(
            "operations/partials/outside_force.html",
            {
                "force_requests": found,
                "can_request_force": can_request,
                "can_advance_force": role in access.ADVANCES_OUTSIDE_FORCE,
                "forces": OutsideForce.choices,
                "action": reverse("operations:center_outside_force", args=[center.code]),
            },
            request=request,
        )
    )


ESCALATION_POLL_SECONDS = 30
# The banner names at most this many incidents (one query whatever the number escalated).
ESCALATION_BANNER_SIZE = 8


def escalation_banner_context(request: Any) -> dict[str, Any]:
    """What the banner shows: the open escalations this user must act on (one query)."""
    from django.templatetags.static import static

    from pollguard.operations.access import open_escalations_for

    return {
        "request": request,
        "escalations": list(open_escalations_for(request.user)[:ESCALATION_BANNER_SIZE]),
        "poll_seconds": ESCALATION_POLL_SECONDS,
        "sprite": static(KIND_SPRITE),
    }


@register.simple_tag(takes_context=True)
def escalation_banner(context: dict[str, Any]) -> SafeString | str:
    """On every page of those who must act (base.html): escalated incidents at their level
    and in their scope, kept current by a light poll and by the live feed where it runs,
    with a sound they can turn off. Nothing (no query) for roles that never act on one."""
    from django.template.loader import render_to_string
    from django.templatetags.static import static
    from django.utils.html import format_html

    from pollguard.operations.access import escalation_levels_for

    request = context.get("request")
    if request is None or not escalation_levels_for(request.user):
        return ""
    banner = render_to_string(
        "operations/partials/escalations.html", escalation_banner_context(request)
    )
    return format_html(
        '{}<script src="{}" defer></script>',
        SafeString(banner),
        static("operations/js/escalations.js"),
    )


KIND_SPRITE = "operations/kinds.svg"


@register.simple_tag
def kind_icon(kind: str, label: str = "") -> SafeString:
    """The kind's icon from the project's sprite. With `label` it is an image named in the
    user's language (map markers, icons alone); without, decoration beside the kind's
    name (hidden from screen readers, which read the name)."""
    from django.templatetags.static import static
    from django.utils.html import format_html

    from pollguard.operations.choices import IncidentKind

    symbol = IncidentKind(kind).icon if kind in IncidentKind.values else "kind-other"
    named = (
        format_html('role="img" aria-label="{}"', label)
        if label
        else SafeString('aria-hidden="true"')
    )
    return format_html(
        '<span class="pg-kind-icon" data-kind-icon="{}"><svg viewBox="0 0 24 24" {} '
        'focusable="false"><use href="{}#{}"></use></svg></span>',
        kind,
        named,
        static(KIND_SPRITE),
        symbol,
    )
