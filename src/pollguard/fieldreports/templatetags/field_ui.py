"""Navigation entries of field reports and the alarm banner shown on every page of those
who must act (`{% field_nav_links %}`, `{% field_alarm_banner %}` in base.html), and the
board's slot cells (`{% board_slots row %}`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pollguard.fieldreports import access

register = template.Library()


def _link(url: str, label: str, path: str) -> SafeString:
    marker = SafeString(' aria-current="page"') if path.startswith(url) else ""
    return format_html('<a href="{}"{}>{}</a>', url, marker, label)


@register.simple_tag(takes_context=True)
def field_nav_links(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    if request is None:
        return ""
    links = []
    if access.sees_board(request.user):
        links.append(_link(reverse("fieldreports:board"), _("Station board"), request.path))
    if access.can_report(request.user):
        links.append(_link(reverse("fieldreports:field"), _("Check-in"), request.path))
    if access.sees_triage(request.user):
        links.append(_link(reverse("fieldreports:triage"), _("Triage"), request.path))
    return SafeString("".join(links))


@register.simple_tag(takes_context=True)
def field_alarm_banner(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    if request is None:
        return ""
    count = access.open_alarms_for(request.user).count()
    if not count:
        return ""
    text = ngettext(
        "%(n)s missing report: its deadline has passed.",
        "%(n)s missing reports: their deadlines have passed.",
        count,
    ) % {"n": count}
    return format_html(
        '<p class="pg-message pg-message--error pg-alarm" role="alert"'
        ' data-testid="alarm-banner" data-count="{}">'
        '<a href="{}?exception=missing">{}</a></p>',
        count,
        reverse("fieldreports:board"),
        text,
    )


@register.simple_tag(takes_context=True)
def board_slots(context: dict[str, Any], row: dict[str, Any]) -> SafeString:
    """One station's slots on the board, built in Python: the page shows up to 500
    stations of 11 slots each, and as template nodes they cost a second to render."""
    parts = []
    for s in row["slots"]:
        label = s["slot"][:1].upper() + (str(s["sequence"]) if s["sequence"] else "")
        parts.append(
            format_html(
                '<span class="pg-slot pg-slot--{}{}" title="{}">{}:{}</span>',
                s["state"],
                " pg-slot--alarm" if s["alarm"] else "",
                timezone.localtime(s["due_at"]).strftime("%H:%M"),
                label,
                s["state"],
            )
        )
        if s["state"] == "conflict" and context.get("can_resolve"):
            parts.append(
                SafeString(
                    render_to_string(
                        "fieldreports/partials/resolve.html",
                        {"slot": s, "csrf_token": context.get("csrf_token")},
                    )
                )
            )
    return SafeString(" ".join(parts))
