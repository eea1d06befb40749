"""Choices of the registry, with labels and display colors.

The values mirror the enums of `pollguard.core.model` (package files use the same words),
so converting between a core object and a row is a plain string copy.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CenterKind(models.TextChoices):
    GENERAL = "general", _("General polling center")
    SPECIAL_SECURITY = "special_security", _("Special voting: security forces")
    SPECIAL_INSTITUTION = "special_institution", _("Special voting: institutions")


class CenterStatus(models.TextChoices):
    """Election-day status of a polling center, set by the operations room or its sector."""

    NOT_OPEN = "not_open", _("Not yet open")
    OPEN = "open", _("Open")
    DELAYED = "delayed", _("Opening delayed")
    DISRUPTED = "disrupted", _("Disrupted")
    CLOSED = "closed", _("Closed")

    @property
    def color(self) -> str:
        return CENTER_STATUS_COLORS[self]

    @property
    def severity(self) -> int:
        """How much the state needs attention: higher is worse (map clusters show the worst)."""
        return CENTER_STATUS_SEVERITY[self]

    @property
    def is_exception(self) -> bool:
        """True for the states the operations room must act on; "not yet open" and "open"
        are the expected course of the day."""
        return self in EXCEPTION_STATUSES


CENTER_STATUS_COLORS: dict[CenterStatus, str] = {
    CenterStatus.NOT_OPEN: "#6c757d",  # grey
    CenterStatus.OPEN: "#198754",  # green
    CenterStatus.DELAYED: "#fd7e14",  # orange
    CenterStatus.DISRUPTED: "#dc3545",  # red
    CenterStatus.CLOSED: "#0d6efd",  # blue
}


# Worst first on the map: a cluster takes the color of its most severe member.
CENTER_STATUS_SEVERITY: dict[CenterStatus, int] = {
    CenterStatus.OPEN: 0,
    CenterStatus.NOT_OPEN: 1,
    CenterStatus.CLOSED: 2,
    CenterStatus.DELAYED: 3,
    CenterStatus.DISRUPTED: 4,
}

EXCEPTION_STATUSES: frozenset[CenterStatus] = frozenset(
    {CenterStatus.DELAYED, CenterStatus.DISRUPTED, CenterStatus.CLOSED}
)


class UnitKind(models.TextChoices):
    POLICE = "police", _("Police")
    ARMY = "army", _("Army")
    TRAFFIC = "traffic", _("Traffic police")
    CIVIL_DEFENSE = "civil_defense", _("Civil defense")
    FACILITIES_PROTECTION = "facilities_protection", _("Facilities protection")
    EOD = "eod", _("Explosives disposal (EOD)")
    K9 = "k9", _("Police dogs (K9)")
    INTELLIGENCE = "intelligence", _("Intelligence")
