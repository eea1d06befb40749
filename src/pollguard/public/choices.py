"""Choices of the public page: the statuses a citizen may see and the kinds of notices."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pollguard.registry.choices import CenterStatus


class PublicStatus(models.TextChoices):
    """Today's status of a polling center as the public sees it (never the internal one)."""

    NOT_YET_OPEN = "not_yet_open", _("Not yet open")
    OPEN = "open", _("Open")
    MOVED = "moved", _("Moved")
    CLOSED = "closed", _("Closed")


# How an internal status is shown to the public (docs/user-guide/public.md explains it).
# `None`: not a published state; the public keeps seeing what it saw before (a disruption is
# the operations room's business until the police publish a move or a closure).
# "Opening delayed" is still "not yet open" to a voter: the reason is internal.
PUBLIC_STATUS_OF: dict[CenterStatus, PublicStatus | None] = {
    CenterStatus.NOT_OPEN: PublicStatus.NOT_YET_OPEN,
    CenterStatus.DELAYED: PublicStatus.NOT_YET_OPEN,
    CenterStatus.OPEN: PublicStatus.OPEN,
    CenterStatus.CLOSED: PublicStatus.CLOSED,
    CenterStatus.DISRUPTED: None,
}


class NoticeKind(models.TextChoices):
    """What a public notice of the police is about."""

    CALL_TO_VOTE = "call_to_vote", _("Call to vote")
    ROAD_CLOSURE = "road_closure", _("Road closure")
    VEHICLE_BAN = "vehicle_ban", _("Vehicle ban")
    CENTER_MOVED = "center_moved", _("Polling center moved")
    OTHER = "other", _("Other notice")
