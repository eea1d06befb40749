"""Roles of design.md section 2 and the interface languages."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CHAIR = "chair", _("Committee chair")
    OPERATIONS = "operations", _("Operations officer")
    SECTOR_COMMANDER = "sector_commander", _("Sector commander")
    AGENCY_LIAISON = "agency_liaison", _("Agency liaison")
    INTELLIGENCE = "intelligence", _("Intelligence officer")
    COMMISSION = "commission", _("Commission liaison (IHEC)")
    AUDITOR = "auditor", _("Auditor")
    FIELD_REPORTER = "field_reporter", _("Field reporter")


class Language(models.TextChoices):
    ARABIC = "ar", _("Arabic")
    ENGLISH = "en", _("English")
