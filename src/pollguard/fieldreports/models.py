"""Field reports: what each station must report on election day, what it did report, and
every message that came in over SMS, Telegram or the API.

- `ExpectedCheckin`: one row per station and slot, made before the day from the election's
  dates and the policy (`fieldreports.policy`); its state says missing / received / late /
  conflict, and its alarm fields say whether the missing-report alarm is up.
- `Checkin`: one report, keyed by the client's UUID (a resend is the same row).
- `StationStatus`: the station's status on the board (the newest report's, or cancelled).
- `InboundMessage`: every SMS and Telegram message as received, unique on (channel,
  provider id), stored before it is processed.
- `ReporterPhone`: a phone number (or Telegram chat) registered to a field reporter.
- `TriageItem`: what a person must look at (unknown sender, unreadable text, incidents
  until the incidents app takes them).
- `OutboundReply`: a reply to a sender, sent by a Celery job.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pollguard.fieldreports.choices import (
    Channel,
    CheckinStatus,
    ExpectedState,
    MessageOutcome,
    ReplyState,
    Slot,
    StationState,
    TriageKind,
)
from pollguard.registry.models import Election, Station


class ExpectedCheckin(models.Model):
    """A report a station owes: its slot, deadline, state and missing-report alarm."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, verbose_name=_("election"))
    station = models.ForeignKey(
        Station,
        on_delete=models.CASCADE,
        related_name="expected_checkins",
        verbose_name=_("station"),
    )
    slot = models.CharField(_("slot"), max_length=16, choices=Slot.choices)
    sequence = models.PositiveSmallIntegerField(
        _("sequence"), default=0, help_text=_("The hour of an hourly slot (1, 2, ...); 0 else.")
    )
    due_at = models.DateTimeField(_("due at"), db_index=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ExpectedState.choices, default=ExpectedState.MISSING
    )
    checkin = models.ForeignKey(
        "Checkin",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted check-in"),
        help_text=_("The newest report of the first reporter, or the one a person chose."),
    )
    alarm_raised_at = models.DateTimeField(_("alarm raised at"), null=True, blank=True)
    alarm_cleared_at = models.DateTimeField(_("alarm cleared at"), null=True, blank=True)

    class Meta:
        verbose_name = _("expected check-in")
        verbose_name_plural = _("expected check-ins")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "slot", "sequence"], name="fieldreports_one_expected_per_slot"
            )
        ]
        indexes = [models.Index(fields=["election", "state"], name="fieldreports_exp_state")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.slot} {self.sequence}"

    @property
    def alarm_open(self) -> bool:
        return self.alarm_raised_at is not None and self.alarm_cleared_at is None


class Checkin(models.Model):
    """One station report; `uuid` is the client's, so a resend finds the same row."""

    uuid = models.UUIDField(_("client UUID"), unique=True)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, verbose_name=_("election"))
    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="checkins", verbose_name=_("station")
    )
    expected = models.ForeignKey(
        ExpectedCheckin,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checkins",
        verbose_name=_("expected slot"),
    )
    slot = models.CharField(_("slot"), max_length=16, choices=Slot.choices)
    status = models.CharField(_("status"), max_length=16, choices=CheckinStatus.choices)
    voters = models.PositiveIntegerField(_("voters"), null=True, blank=True)
    observed_at = models.DateTimeField(_("observed at"), help_text=_("The device's time."))
    received_at = models.DateTimeField(_("received at"), db_index=True)
    clock_off = models.BooleanField(
        _("device clock off"),
        default=False,
        help_text=_("The device's time was ahead of the server's by more than a minute."),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reporter"),
    )
    reporter_key = models.CharField(
        _("reporter key"),
        max_length=64,
        help_text=_("Who reported: the user, else the sender; two keys may disagree."),
    )
    digest = models.CharField(_("content digest"), max_length=64)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-observed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.uuid} {self.slot} {self.status}"


class StationStatus(models.Model):
    """A station's board status: the newest report (by device time) or a cancellation."""

    station = models.OneToOneField(
        Station, on_delete=models.CASCADE, related_name="field_status", verbose_name=_("station")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=StationState.choices, default=StationState.UNKNOWN
    )
    observed_at = models.DateTimeField(_("observed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("station status")
        verbose_name_plural = _("station statuses")

    def __str__(self) -> str:
        return f"{self.station_id} {self.state}"


class ReporterPhone(models.Model):
    """A phone number or Telegram chat of a field reporter; its sender may be locked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="field_phones",
        verbose_name=_("field reporter"),
    )
    phone = models.CharField(
        _("phone number"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text=_("International form, e.g. +9647801234567."),
    )
    telegram_user = models.BigIntegerField(
        _("Telegram user id"), unique=True, null=True, blank=True
    )
    language = models.CharField(_("reply language"), max_length=2, default="ar")
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporter phone")
        verbose_name_plural = _("reporter phones")

    def __str__(self) -> str:
        return self.phone or str(self.telegram_user)


class InboundMessage(models.Model):
    """One message as a provider delivered it, stored before any processing."""

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    gateway = models.CharField(_("gateway"), max_length=32, blank=True)
    provider_id = models.CharField(
        _("provider id"),
        max_length=128,
        blank=True,
        help_text=_("The provider's message id; empty when the gateway gives none."),
    )
    fingerprint = models.CharField(
        _("fingerprint"),
        max_length=64,
        db_index=True,
        help_text=_("Sender and text: finds a retry of a message without provider id."),
    )
    sender = models.CharField(_("sender"), max_length=64)
    text = models.TextField(_("text"), blank=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    raw = models.JSONField(_("raw payload"), default=dict)
    parse_result = models.JSONField(_("parse result"), default=dict)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=MessageOutcome.choices, default=MessageOutcome.PENDING
    )
    reporter = models.ForeignKey(
        ReporterPhone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reporter phone"),
    )
    checkin = models.ForeignKey(
        Checkin,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("linked check-in"),
    )

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_id"],
                condition=~Q(provider_id=""),
                name="fieldreports_one_message_per_provider_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.provider_id or self.fingerprint[:8]}"


class TriageItem(models.Model):
    """Something a person must look at; resolved by hand."""

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("election")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TriageKind.choices)
    message = models.ForeignKey(
        InboundMessage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="triage",
        verbose_name=_("message"),
    )
    station = models.ForeignKey(
        Station,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("station"),
    )
    summary = models.CharField(_("summary"), max_length=500)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("triage item")
        verbose_name_plural = _("triage items")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.summary[:40]}"


class OutboundReply(models.Model):
    """A reply to a sender; a Celery job sends it (or records it when no token is set)."""

    message = models.ForeignKey(
        InboundMessage,
        on_delete=models.CASCADE,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=64)
    text = models.TextField(_("text"))
    state = models.CharField(
        _("state"), max_length=16, choices=ReplyState.choices, default=ReplyState.QUEUED
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound reply")
        verbose_name_plural = _("outbound replies")

    def __str__(self) -> str:
        return f"{self.recipient}: {self.text[:40]}"


class Notice(models.Model):
    """A notice to the commission liaison (IHEC), e.g. a cancelled station; read by hand."""

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, verbose_name=_("election"))
    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="+", verbose_name=_("station")
    )
    text = models.CharField(_("text"), max_length=700)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]
