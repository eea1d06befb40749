"""The change feed read by open pages (`GET /live/events?after=N`).

Actions insert an `Event` in their own transaction, so an event exists exactly when its
change was committed. Every server process reads the same table, which is what makes
updates reach pages served by other processes (docs/architecture.md, "Live updates").
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pollguard.live.choices import EventKind


class Event(models.Model):
    """One change that open pages may want to show. `id` is the feed position."""

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=32, choices=EventKind.choices)
    election = models.ForeignKey(
        "registry.Election",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("election"),
    )
    sector = models.ForeignKey(
        "registry.Sector",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sector"),
        help_text=_("Sector the change belongs to; decides who receives it."),
    )
    center = models.ForeignKey(
        "registry.Center",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("center"),
    )
    payload = models.JSONField(_("payload"), default=dict)
    in_flight = models.JSONField(
        _("transactions in flight"),
        null=True,
        blank=True,
        help_text=_(
            "PostgreSQL: the other write transactions running when this event was written; "
            "a gap below it is settled once they have all ended."
        ),
    )

    class Meta:
        verbose_name = _("live event")
        verbose_name_plural = _("live events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.id} {self.kind}"
