"""App configuration of the plan workflow."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "pollguard.planning"
    label = "planning"
    verbose_name = _("Plans")

    def ready(self) -> None:
        from pollguard.jobs.kinds import register
        from pollguard.planning.jobs import (
            PLAN_PART,
            PLAN_RUN,
            merge_parts,
            run_plan,
            run_plan_part,
        )
        from pollguard.planning.order_access import PLAN_ORDERS_PDF
        from pollguard.planning.order_jobs import run_plan_orders_pdf

        register(PLAN_RUN, run_plan, merge=merge_parts)
        register(PLAN_PART, run_plan_part)
        register(PLAN_ORDERS_PDF, run_plan_orders_pdf)
