"""Choices of the chain of custody, with labels and colors."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pollguard.core.custody import SealCondition, Stage


class HolderStage(models.IntegerChoices):
    """Who holds an item, in the order of the chain (`pollguard.core.custody.Stage`)."""

    WAREHOUSE = Stage.WAREHOUSE, _("Warehouse")
    CENTER = Stage.CENTER, _("Polling center")
    STATION = Stage.STATION, _("Polling station")
    COUNTING = Stage.COUNTING, _("Counting center")


class DepotKind(models.TextChoices):
    WAREHOUSE = "warehouse", _("Warehouse")
    COUNTING = "counting", _("Counting center")


class ItemKind(models.TextChoices):
    BALLOT_BOX = "ballot_box", _("Ballot box")
    SENSITIVE_PACKET = "sensitive_packet", _("Sensitive-material packet")
    BALLOTS = "ballots", _("Ballot papers (serial range)")


class SealState(models.TextChoices):
    INTACT = SealCondition.INTACT, _("Intact")
    BROKEN = SealCondition.BROKEN, _("Broken")
    MISMATCH = SealCondition.MISMATCH, _("Mismatch")


class ExceptionKind(models.TextChoices):
    SEAL_BROKEN = "seal_broken", _("Broken seal")
    SEAL_MISMATCH = "seal_mismatch", _("Seal mismatch")


class ExceptionState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
