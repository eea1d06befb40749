"""App configuration of live updates."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "pollguard.live"
    label = "live"
    verbose_name = _("Live updates")
