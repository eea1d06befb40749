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
        return self in MAP_ON_TOP_STATUSES


# Each color is drawn as text (badges, counts) on the page's light backgrounds and as the
# fill behind white text (the phone cards' status band). WCAG AA needs 4.5:1 for text in
# both uses; tests/web/test_status_colors.py computes it for every pair below.
CENTER_STATUS_COLORS: dict[CenterStatus, str] = {
    CenterStatus.NOT_OPEN: "#5a6169",  # grey
    CenterStatus.OPEN: "#146c43",  # green
    CenterStatus.DELAYED: "#a34d00",  # orange (the former #fd7e14 was 2.57:1 on white)
    CenterStatus.DISRUPTED: "#b02a37",  # red
    CenterStatus.CLOSED: "#0a58ca",  # blue
}

# Text drawn on a status color (filled badges).
CENTER_STATUS_TEXT_COLOR = "#ffffff"

# Backgrounds the pages draw status colors on (pollguard.css: paper, striped rows, page,
# table header).
STATUS_BACKGROUNDS = ("#ffffff", "#f7f9fb", "#eef1f5", "#dde4ee")

# Statuses that need the operations room's attention, most urgent first: the overview
# leads with them.
EXCEPTION_STATUSES: tuple[CenterStatus, ...] = (
    CenterStatus.DISRUPTED,
    CenterStatus.DELAYED,
    CenterStatus.NOT_OPEN,
    CenterStatus.CLOSED,
)


# Worst first on the map: a cluster takes the color of its most severe member.
CENTER_STATUS_SEVERITY: dict[CenterStatus, int] = {
    CenterStatus.OPEN: 0,
    CenterStatus.NOT_OPEN: 1,
    CenterStatus.CLOSED: 2,
    CenterStatus.DELAYED: 3,
    CenterStatus.DISRUPTED: 4,
}

# Drawn on top of the map and listed beside it. "Not yet open" is among the overview's
# exceptions (EXCEPTION_STATUSES, counted first) but not here: before the polls open every
# center is "not yet open", and 500 markers on top would hide the ones that matter.
MAP_ON_TOP_STATUSES: frozenset[CenterStatus] = frozenset(
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


class IntelSource(models.TextChoices):
    """Where an intelligence report came from; a package reload touches only `package` rows."""

    PACKAGE = "package", _("Election package (intel.csv)")
    FILED = "filed", _("Filed in the app")


class SourceReliability(models.TextChoices):
    """Admiralty grading of the source (weights in `pollguard.core.intel`)."""

    A = "A", _("A: completely reliable")
    B = "B", _("B: usually reliable")
    C = "C", _("C: fairly reliable")
    D = "D", _("D: not usually reliable")
    E = "E", _("E: unreliable")
    F = "F", _("F: reliability cannot be judged")


class InfoCredibility(models.IntegerChoices):
    """Admiralty grading of the information (weights in `pollguard.core.intel`)."""

    CONFIRMED = 1, _("1: confirmed by other sources")
    PROBABLE = 2, _("2: probably true")
    POSSIBLE = 3, _("3: possibly true")
    DOUBTFUL = 4, _("4: doubtful")
    IMPROBABLE = 5, _("5: improbable")
    UNKNOWN = 6, _("6: truth cannot be judged")
