"""App configuration of the special vote (check-in and reconciliation)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpecialVoteConfig(AppConfig):
    name = "pollguard.specialvote"
    label = "specialvote"
    verbose_name = _("Special vote")
