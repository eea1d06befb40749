"""Choices of election-day operations: incident kinds, severities, states, unit statuses."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentKind(models.TextChoices):
    """What happened. `icon` is the id of the kind's symbol in the project's icon sprite
    (`operations/static/operations/kinds.svg`), drawn on the map, in the queue and on the
    incident page; no font is needed for it."""

    SHOOTING = "shooting", _("Shooting")
    EXPLOSION = "explosion", _("Explosion")
    IED = "ied", _("IED or suspicious object")
    MORTAR = "mortar", _("Mortar or rocket fire")
    ARMED_GROUP = "armed_group", _("Armed group near a center")
    INTIMIDATION = "intimidation", _("Intimidation of voters or staff")
    CAMPAIGNING = "campaigning", _("Campaigning near a center")
    FRAUD = "fraud", _("Fraud attempt")
    CROWD = "crowd", _("Crowd or disorder")
    ROAD_BLOCKED = "road_blocked", _("Road blocked")
    FIRE = "fire", _("Fire")
    MEDICAL = "medical", _("Medical emergency")
    MATERIALS_MISSING = "materials_missing", _("Ballot materials missing")
    STATION_CLOSED = "station_closed", _("Station closed")
    SEAL_BROKEN = "seal_broken", _("Ballot box seal broken or changed")
    OTHER = "other", _("Other")

    @property
    def icon(self) -> str:
        return f"kind-{self.value}"

    @property
    def capability(self) -> str:
        """The unit kind dispatch suggestions look for (`DispatchIndex.suggest`)."""
        return INCIDENT_CAPABILITY.get(self, "police")


# Which unit kind answers which incident; the rest are police work.
INCIDENT_CAPABILITY: dict[IncidentKind, str] = {
    IncidentKind.IED: "eod",
    IncidentKind.EXPLOSION: "eod",
    IncidentKind.MORTAR: "army",
    IncidentKind.ARMED_GROUP: "army",
    IncidentKind.FIRE: "civil_defense",
    IncidentKind.MEDICAL: "civil_defense",
    IncidentKind.ROAD_BLOCKED: "traffic",
}


class Severity(models.IntegerChoices):
    LOW = 1, _("1 - low")
    MEDIUM = 2, _("2 - medium")
    HIGH = 3, _("3 - high")
    CRITICAL = 4, _("4 - critical")

    @property
    def color(self) -> str:
        return SEVERITY_COLORS[self]


SEVERITY_COLORS: dict[Severity, str] = {
    Severity.LOW: "#2e7d32",
    Severity.MEDIUM: "#f9a825",
    Severity.HIGH: "#ef6c00",
    Severity.CRITICAL: "#c62828",
}


class IncidentState(models.TextChoices):
    """Where an incident is in its lifecycle (`operations.lifecycle.TRANSITIONS`)."""

    REPORTED = "reported", _("Reported")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")
    DISPATCHED = "dispatched", _("Dispatched")
    ON_SCENE = "on_scene", _("On scene")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# States in which nobody needs to act any more: no deadline, no escalation.
FINISHED_STATES = frozenset(
    {IncidentState.REJECTED, IncidentState.DUPLICATE, IncidentState.RESOLVED, IncidentState.CLOSED}
)
# States that still wait for the operations room (verification or a unit): they have a deadline.
WAITING_STATES = frozenset({IncidentState.REPORTED, IncidentState.VERIFIED})


class SourceChannel(models.TextChoices):
    WEB = "web", _("Web form")
    API = "api", _("API")
    PHONE = "phone", _("Telephone")
    RADIO = "radio", _("Radio")
    SMS = "sms", _("SMS")
    TELEGRAM = "telegram", _("Telegram")
    CUSTODY = "custody", _("Custody hand-over")


class UnitStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    AT_POST = "at_post", _("At post")
    DISPATCHED = "dispatched", _("Dispatched")
    EN_ROUTE = "en_route", _("En route")
    ON_SCENE = "on_scene", _("On scene")
    RETURNING = "returning", _("Returning")
    OUT_OF_SERVICE = "out_of_service", _("Out of service")

    @property
    def color(self) -> str:
        return UNIT_STATUS_COLORS[self]


UNIT_STATUS_COLORS: dict[UnitStatus, str] = {
    UnitStatus.AVAILABLE: "#2e7d32",
    UnitStatus.AT_POST: "#1565c0",
    UnitStatus.DISPATCHED: "#ef6c00",
    UnitStatus.EN_ROUTE: "#f9a825",
    UnitStatus.ON_SCENE: "#c62828",
    UnitStatus.RETURNING: "#6a1b9a",
    UnitStatus.OUT_OF_SERVICE: "#616161",
}

# Statuses in which a unit may be suggested for a new incident.
FREE_UNIT_STATUSES = frozenset({UnitStatus.AVAILABLE, UnitStatus.AT_POST, UnitStatus.RETURNING})
# Statuses that end a unit's open assignment (the `cleared` time).
CLEARING_UNIT_STATUSES = frozenset(
    {UnitStatus.AVAILABLE, UnitStatus.AT_POST, UnitStatus.RETURNING, UnitStatus.OUT_OF_SERVICE}
)


class EscalationLevel(models.IntegerChoices):
    NONE = 0, _("Not escalated")
    SECTOR = 1, _("Sector commander")
    OPERATIONS = 2, _("Operations room")
    CHAIR = 3, _("Committee chair")


class OutsideForce(models.TextChoices):
    MULTINATIONAL = "multinational", _("Multinational forces")
    ARMY = "army", _("Iraqi Army (outside the plan)")
    FEDERAL_POLICE = "federal_police", _("Federal Police")
    EMERGENCY_RESPONSE = "emergency_response", _("Emergency Response Brigade")


class OutsideForceState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ARRIVED = "arrived", _("Arrived")
    RELEASED = "released", _("Released")


# Each state may only follow the one before it.
OUTSIDE_FORCE_NEXT: dict[OutsideForceState, OutsideForceState] = {
    OutsideForceState.REQUESTED: OutsideForceState.ACKNOWLEDGED,
    OutsideForceState.ACKNOWLEDGED: OutsideForceState.ARRIVED,
    OutsideForceState.ARRIVED: OutsideForceState.RELEASED,
}
