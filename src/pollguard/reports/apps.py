"""App configuration of the reports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "pollguard.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from pollguard.jobs.kinds import register
        from pollguard.reports import tasks  # noqa: F401 - the beat task of scheduled sitreps
        from pollguard.reports.access import REPORT_EXPORT
        from pollguard.reports.jobs import run_report_export

        register(REPORT_EXPORT, run_report_export)
