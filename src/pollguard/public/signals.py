"""Changes elsewhere that the public page must show before its projection expires."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from pollguard.public.projection import forget
from pollguard.registry.models import CenterStatusChange


@receiver(post_save, sender=CenterStatusChange, dispatch_uid="public-status-change")
def status_changed(sender: type[CenterStatusChange], **kwargs: Any) -> None:
    """A center's status changed (`registry.actions.do_set_center_status`): rebuild on commit."""
    forget()
