"""App configuration of the public "find your polling center" page."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "pollguard.public"
    label = "public"
    verbose_name = _("Public page")

    def ready(self) -> None:
        from pollguard.public import signals  # noqa: F401 - connects the receivers
