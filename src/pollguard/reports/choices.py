"""Choices of the reports: what is reported or exported, and in which file format."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    """The reports of API v1 (`POST /api/v1/reports`)."""

    SITREP = "sitrep", _("Situation report")
    AFTER_ACTION = "after_action", _("After-action report")


class ExportSubject(models.TextChoices):
    """Everything that can be exported: the two reports and the lists."""

    SITREP = "sitrep", _("Situation report")
    AFTER_ACTION = "after_action", _("After-action report")
    INCIDENTS = "incidents", _("Incident list")
    CENTERS = "centers", _("Center list")


class ExportFormat(models.TextChoices):
    PDF = "pdf", _("PDF")
    XLSX = "xlsx", _("Excel (XLSX)")
    CSV = "csv", _("CSV (UTF-8)")


LIST_SUBJECTS = frozenset({ExportSubject.INCIDENTS, ExportSubject.CENTERS})
# Lists are exported as tables; a PDF of a list is what the browser's print gives.
LIST_FORMATS = (ExportFormat.XLSX, ExportFormat.CSV)

CONTENT_TYPES = {
    ExportFormat.PDF: "application/pdf",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.CSV: "text/csv; charset=utf-8",
}
