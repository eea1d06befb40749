"""Ballot materials, where they are, every hand-over, and the exceptions seals raised.

An item's holder moves only by a conditional update naming the holder the hand-over
starts from (`actions.do_record_handover`): two people handing the same box over at once
cannot both succeed, and a hand-over from someone who does not hold the item fails.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pollguard.custody.choices import (
    DepotKind,
    ExceptionKind,
    ExceptionState,
    HolderStage,
    ItemKind,
)
from pollguard.registry.models import Election, Station, Unit


class Depot(models.Model):
    """A warehouse the materials leave from, or a counting center they end at."""

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="+", verbose_name=_("election")
    )
    code = models.CharField(_("code"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=DepotKind.choices)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("depot")
        verbose_name_plural = _("depots")
        constraints = [
            models.UniqueConstraint(fields=["election", "code"], name="depot_unique_code")
        ]

    def __str__(self) -> str:
        return self.code


class Item(models.Model):
    """A ballot box, a sensitive-material packet or ballot papers meant for one station."""

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="+", verbose_name=_("election")
    )
    code = models.CharField(_("code"), max_length=64)
    kind = models.CharField(_("kind"), max_length=32, choices=ItemKind.choices)
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    seals = models.JSONField(_("seal serials"), default=list, help_text=_("As the item left."))
    ballots_from = models.PositiveBigIntegerField(_("first ballot serial"), null=True, blank=True)
    ballots_to = models.PositiveBigIntegerField(_("last ballot serial"), null=True, blank=True)
    holder_stage = models.PositiveSmallIntegerField(
        _("held at"), choices=HolderStage.choices, default=HolderStage.WAREHOUSE
    )
    holder_code = models.CharField(_("holder"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("custody item")
        verbose_name_plural = _("custody items")
        constraints = [
            models.UniqueConstraint(fields=["election", "code"], name="custodyitem_unique_code")
        ]

    def __str__(self) -> str:
        return self.code


class Handover(models.Model):
    """One hand-over of an item from a holder to the next, witnessed."""

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="+", verbose_name=_("election")
    )
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="handovers", verbose_name=_("item")
    )
    from_stage = models.PositiveSmallIntegerField(_("from (stage)"), choices=HolderStage.choices)
    from_code = models.CharField(_("from"), max_length=64)
    to_stage = models.PositiveSmallIntegerField(_("to (stage)"), choices=HolderStage.choices)
    to_code = models.CharField(_("to"), max_length=64)
    given_by = models.CharField(_("given by"), max_length=200, blank=True)
    received_by = models.CharField(_("received by"), max_length=200)
    witness = models.CharField(_("witness"), max_length=200)
    released_at = models.DateTimeField(_("released at"))
    received_at = models.DateTimeField(_("received at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    vehicle = models.CharField(_("vehicle"), max_length=64, blank=True)
    escort = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escort unit"),
    )
    seals = models.JSONField(
        _("seals as received"), default=list, help_text=_("[{serial, condition}] per seal.")
    )
    seals_ok = models.BooleanField(_("seals intact"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_code} -> {self.to_code}"


class CustodyException(models.Model):
    """A flagged break in the chain (a broken or changed seal), for the committee.

    Opened only by `custody.exceptions.open_custody_exception`, which also opens an
    incident for the operations room (`incident`).
    """

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="+", verbose_name=_("election")
    )
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="exceptions", verbose_name=_("item")
    )
    handover = models.ForeignKey(
        Handover, on_delete=models.CASCADE, related_name="+", verbose_name=_("hand-over")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=ExceptionKind.choices)
    seals = models.JSONField(_("seals"), default=list)
    incident = models.ForeignKey(
        "operations.Incident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("incident"),
        help_text=_("The incident the exception opened for the operations room."),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ExceptionState.choices, default=ExceptionState.OPEN
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closing_reason = models.CharField(
        _("how it was settled"), max_length=500, blank=True, help_text=_("In words.")
    )

    class Meta:
        verbose_name = _("custody exception")
        verbose_name_plural = _("custody exceptions")

    def __str__(self) -> str:
        return f"{self.kind} {self.uuid}"
