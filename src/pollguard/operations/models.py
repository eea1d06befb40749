"""Election-day operations: incidents and their lifecycle, unit status, dispatch,
escalation and the chair's outside-force requests.

An incident moves through `lifecycle.TRANSITIONS`; each move is an `IncidentTransition`
row (actor, time, reason). Incidents are never deleted: a duplicate points at its master.
Unit status lives here, keyed to the registry's unit, so the registry's tables stay as
the package loader writes them.
"""

from __future__ import annotations

import uuid as uuidlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pollguard.operations.choices import (
    EscalationLevel,
    IncidentKind,
    IncidentState,
    OutsideForce,
    OutsideForceState,
    Severity,
    SourceChannel,
    UnitStatus,
)

TEXT_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 500


class IncidentCounter(models.Model):
    """The last number given out under a prefix and year (`INC-2010`: `INC-2010-00042`).

    On SQLite numbers come from a conditional update of this row (`F("last") + 1`), which
    holds the row's lock until the creating transaction ends: two creates never get the
    same number and a rolled-back create gives its number back. On PostgreSQL they come
    from a sequence per key (`actions.next_number`), started after this row's `last`.
    """

    key = models.CharField(_("prefix and year"), max_length=16, unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("incident counter")
        verbose_name_plural = _("incident counters")

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class Incident(models.Model):
    """One reported incident of an election (at a center or at a point)."""

    election = models.ForeignKey(
        "registry.Election",
        on_delete=models.CASCADE,
        related_name="incidents",
        verbose_name=_("election"),
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    center = models.ForeignKey(
        "registry.Center",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("center"),
    )
    sector = models.ForeignKey(
        "registry.Sector",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("sector"),
        help_text=_("The center's sector, or the sector of the nearest center to the point."),
    )
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    kind = models.CharField(_("kind"), max_length=32, choices=IncidentKind.choices)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    source = models.CharField(
        _("source channel"), max_length=16, choices=SourceChannel.choices, default="web"
    )
    text = models.TextField(_("text"), max_length=TEXT_MAX_LENGTH, blank=True)
    search_text = models.TextField(
        _("normalized text"), blank=True, editable=False, help_text=_("For duplicate matching.")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reporter"),
    )
    reporter_name = models.CharField(_("reporter name"), max_length=150, blank=True)
    observed_at = models.DateTimeField(
        _("observed at"), help_text=_("When the reporter saw it (the device's clock).")
    )
    received_at = models.DateTimeField(
        _("received at"), db_index=True, help_text=_("When the server received it.")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=IncidentState.choices, default="reported"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    due_at = models.DateTimeField(
        _("due at"), null=True, blank=True, db_index=True,
        help_text=_("When the next step is overdue (escalation rules)."),
    )  # fmt: skip
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"), choices=EscalationLevel.choices, default=0
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("on scene at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, blank=True)
    request_digest = models.CharField(_("request digest"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-received_at", "-id"]
        constraints = [
            # A retried create (same user, same Idempotency-Key) is stored once.
            models.UniqueConstraint(
                fields=["reporter", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="incident_unique_idempotency_key",
            ),
            models.CheckConstraint(
                condition=models.Q(severity__gte=1, severity__lte=4),
                name="incident_severity_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def kind_choice(self) -> IncidentKind:
        return IncidentKind(self.kind)

    @property
    def severity_color(self) -> str:
        return Severity(self.severity).color


class IncidentReporter(models.Model):
    """Someone who reported an incident: its own reporter, and those of its duplicates."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="reporters", verbose_name=_("incident")
    )
    name = models.CharField(_("name"), max_length=150)
    via = models.ForeignKey(
        Incident,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("reported as"),
        help_text=_("The incident this report came in as (a duplicate's code)."),
    )

    class Meta:
        verbose_name = _("incident reporter")
        verbose_name_plural = _("incident reporters")
        constraints = [
            models.UniqueConstraint(fields=["incident", "via"], name="incident_reporter_once")
        ]

    def __str__(self) -> str:
        return self.name


class IncidentTransition(models.Model):
    """One move of an incident's lifecycle: from, to, who, when, why."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("incident")
    )
    from_state = models.CharField(_("from"), max_length=16, choices=IncidentState.choices)
    to_state = models.CharField(_("to"), max_length=16, choices=IncidentState.choices)
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_name = models.CharField(_("by (name)"), max_length=150, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("incident transition")
        verbose_name_plural = _("incident transitions")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


class IncidentPhoto(models.Model):
    """A photo sent with an incident report (the field app resizes it on the phone first).

    Kept in the database, not on a file system: it is served only through the incident's
    access rule (operations/<code>/photos/<uuid>), backed up with the rest, and a report and
    its photo never part ways. `client_key` is the sender's Idempotency-Key, so a resend is
    stored once.
    """

    uuid = models.UUIDField(_("public id"), default=uuidlib.uuid4, unique=True, editable=False)
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="photos", verbose_name=_("incident")
    )
    content_type = models.CharField(_("content type"), max_length=32)
    data = models.BinaryField(_("image"))
    size = models.PositiveIntegerField(_("size in bytes"))
    digest = models.CharField(_("SHA-256"), max_length=64)
    client_key = models.CharField(_("idempotency key"), max_length=200)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("incident photo")
        verbose_name_plural = _("incident photos")
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "client_key"], name="incident_photo_once_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.uuid}"


class IncidentEscalation(models.Model):
    """An overdue incident raised to the next level (sector, operations room, chair)."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("incident")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=EscalationLevel.choices)
    overdue_since = models.DateTimeField(_("overdue since"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "level"], name="escalation_once_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.level}"


class UnitState(models.Model):
    """A unit's election-day status, with a version for optimistic concurrency."""

    unit = models.OneToOneField(
        "registry.Unit",
        on_delete=models.CASCADE,
        related_name="day_status",
        verbose_name=_("unit"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=UnitStatus.choices, default="available"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    changed_by = models.CharField(_("changed by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("unit status")
        verbose_name_plural = _("unit statuses")

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.status}"


class Assignment(models.Model):
    """A unit sent to an incident; its times follow the unit's status changes."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("incident")
    )
    unit = models.ForeignKey(
        "registry.Unit",
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("unit"),
    )
    dispatched_at = models.DateTimeField(_("dispatched at"))
    en_route_at = models.DateTimeField(_("en route at"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("on scene at"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    override_reason = models.CharField(
        _("override reason"),
        max_length=REASON_MAX_LENGTH,
        blank=True,
        help_text=_("Why a unit with another open assignment was sent anyway."),
    )
    leaves_gap = models.JSONField(
        _("leaves under guard"),
        default=list,
        blank=True,
        help_text=_("Centers its departure leaves under their minimum guard."),
    )
    dispatched_by = models.CharField(_("dispatched by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["dispatched_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "unit"], name="assignment_once_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} ← {self.unit_id}"


class OutsideForceRequest(models.Model):
    """The committee chair's request for a force outside the plan (multinational forces
    intervene only when he asks); each state change is timed and hash-chained."""

    election = models.ForeignKey(
        "registry.Election",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("election"),
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    incident = models.ForeignKey(
        Incident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outside_force_requests",
        verbose_name=_("incident"),
    )
    center = models.ForeignKey(
        "registry.Center",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("center"),
    )
    force = models.CharField(_("force"), max_length=32, choices=OutsideForce.choices)
    size = models.PositiveIntegerField(_("size"), help_text=_("People asked for."))
    justification = models.TextField(_("justification"), max_length=TEXT_MAX_LENGTH)
    state = models.CharField(
        _("state"), max_length=16, choices=OutsideForceState.choices, default="requested"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    requested_by = models.CharField(_("requested by"), max_length=150)
    requested_at = models.DateTimeField(_("requested at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outside-force request")
        verbose_name_plural = _("outside-force requests")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return self.code
