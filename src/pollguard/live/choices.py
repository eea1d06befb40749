"""Kinds of live events."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    CENTER_STATUS = "center.status", _("Center status changed")
    PACKAGE_LOADED = "package.loaded", _("Election package loaded")
    JOB = "job", _("Background job progress")
    INCIDENT = "incident", _("Incident filed or changed")
    INCIDENT_ESCALATED = "incident.escalated", _("Incident escalated")
    UNIT_STATUS = "unit.status", _("Unit status changed")
    OUTSIDE_FORCE = "outside_force", _("Outside-force request")
    SPECIAL_TALLY = "specialvote.tally", _("Special-vote tally changed")
    CUSTODY_EXCEPTION = "custody.exception", _("Custody exception opened")
    CHECKIN = "checkin", _("Station check-in")
    CHECKIN_ALARM = "checkin.alarm", _("Missing-report alarm")
    STATION_STATUS = "station.status", _("Station status changed")
    REPORT = "report", _("Situation report issued")
