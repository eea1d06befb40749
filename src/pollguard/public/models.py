"""Public notices of the police: what the "find your polling center" page tells citizens.

A notice is written by the operations room or the committee chair (`actions.py`), and
reaches the public page only while it is published and inside its validity window. A
notice may concern one center; one of kind "center moved" makes that center's public
status "moved" (`projection.py`). Nothing else of the operations data is stored here.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pollguard.public.choices import NoticeKind
from pollguard.registry.models import Center, Election


class PublicNotice(models.Model):
    """A notice for the public (road closures, vehicle bans, the call to vote, a move).

    `version` increases with every change and guards publish/unpublish against a
    concurrent change (the action names the version it was based on).
    """

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="+", verbose_name=_("election")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NoticeKind.choices)
    text_ar = models.TextField(_("text (Arabic)"), max_length=1000)
    text_en = models.TextField(_("text (English)"), max_length=1000, blank=True)
    center = models.ForeignKey(
        Center,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("center"),
        help_text=_("Empty for a notice to everyone; required when a center moved."),
    )
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(
        _("valid until"), null=True, blank=True, help_text=_("Empty: until unpublished.")
    )
    published = models.BooleanField(
        _("published"), default=False, help_text=_("Only published notices reach the public.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Increases with every change.")
    )

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gt=models.F("valid_from")),
                name="publicnotice_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=NoticeKind.CENTER_MOVED) | models.Q(center__isnull=False),
                name="publicnotice_move_names_center",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text_en or self.text_ar}"[:80]

    def is_valid_at(self, when: datetime) -> bool:
        return self.valid_from <= when and (self.valid_until is None or when < self.valid_until)
