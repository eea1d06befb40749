"""Choices of field reports: slots, reported statuses, expected-slot states, channels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Slot(models.TextChoices):
    OPENING = "opening", _("Opening")
    HOURLY = "hourly", _("Hourly")
    CLOSING = "closing", _("Closing")


class CheckinStatus(models.TextChoices):
    OPEN = "open", _("Open")
    OK = "ok", _("All well")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")
    UNREACHABLE = "unreachable", _("Unreachable")


class ExpectedState(models.TextChoices):
    MISSING = "missing", _("Missing")
    RECEIVED = "received", _("Received")
    LATE = "late", _("Late")
    CONFLICT = "conflict", _("Conflict")


class StationState(models.TextChoices):
    """A station's status on the board: the newest report's, or cancelled by the chair."""

    UNKNOWN = "unknown", _("Not reported")
    OPEN = "open", _("Open")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")
    UNREACHABLE = "unreachable", _("Unreachable")
    CANCELLED = "cancelled", _("Cancelled")


class Channel(models.TextChoices):
    API = "api", _("API or web form")
    SMS = "sms", _("SMS")
    TELEGRAM = "telegram", _("Telegram")


class MessageOutcome(models.TextChoices):
    """What processing an inbound message ended in."""

    PENDING = "pending", _("Not processed yet")
    CHECKIN = "checkin", _("Check-in recorded")
    DUPLICATE = "duplicate", _("Check-in already recorded")
    INCIDENT = "incident", _("Incident filed")
    REJECTED = "rejected", _("Rejected")
    TRIAGE = "triage", _("Sent to triage")
    LOCKED = "locked", _("Sender locked")


class TriageKind(models.TextChoices):
    UNKNOWN_SENDER = "unknown_sender", _("Unknown sender")
    UNPARSEABLE = "unparseable", _("Unreadable text")
    REJECTED = "rejected", _("Refused report")
    INCIDENT = "incident", _("Incident report")
    LOCKED = "locked", _("Locked sender")
    PROCESSING = "processing", _("Processing failed")


class ReplyState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    RECORDED = "recorded", _("Recorded (no bot token)")
    FAILED = "failed", _("Failed")
