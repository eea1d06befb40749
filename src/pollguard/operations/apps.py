"""App configuration of election-day operations."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "pollguard.operations"
    label = "operations"
    verbose_name = _("Operations")

    def ready(self) -> None:
        # Registers the escalation task with the Celery app the worker and beat run.
        from pollguard.operations import tasks  # noqa: F401
