"""App configuration of field reports: expected check-ins, alarms, SMS and Telegram intake."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldReportsConfig(AppConfig):
    name = "pollguard.fieldreports"
    label = "fieldreports"
    verbose_name = _("Field reports")

    def ready(self) -> None:
        # The Celery tasks (alarms, replies) register themselves on the shared app.
        from pollguard.fieldreports import tasks  # noqa: F401
