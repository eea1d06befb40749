"""The audit page: the trail with search, one entry with its diff and hashes, verify now.

Thin shells over `audit.access` (auditor and chair only; 404 for everyone else) and
`audit.actions` (verification, which is itself audited).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from pollguard.audit.access import (
    access_audit_entry,
    access_audit_verification,
    audit_entries_for,
)
from pollguard.audit.actions import (
    describe,
    do_record_verification,
    latest_checkpoint,
    verify_audit,
)
from pollguard.audit.models import AuditEntry
from pollguard.registry.views import shell_context

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    """Search of the trail; invalid values are ignored rather than failing."""

    action = forms.CharField(label=gettext_lazy("Action"), required=False, max_length=100)
    actor = forms.CharField(label=gettext_lazy("Actor"), required=False, max_length=150)
    object = forms.CharField(label=gettext_lazy("Object"), required=False, max_length=100)
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def filter_entries(entries: QuerySet[AuditEntry], form: AuditFilterForm) -> QuerySet[AuditEntry]:
    if not form.is_valid():
        return entries
    data = form.cleaned_data
    if data["action"]:
        entries = entries.filter(action__icontains=data["action"])
    if data["actor"]:
        entries = entries.filter(actor_name__icontains=data["actor"])
    if data["object"]:
        entries = entries.filter(
            Q(object_id__icontains=data["object"]) | Q(object_type__icontains=data["object"])
        )
    # Dates are days in the displayed time zone (the election's), bounds included.
    tz = timezone.get_current_timezone()
    if data["since"]:
        entries = entries.filter(created_at__gte=datetime.combine(data["since"], time.min, tz))
    if data["until"]:
        entries = entries.filter(created_at__lte=datetime.combine(data["until"], time.max, tz))
    return entries


def _status() -> dict[str, Any]:
    """The last verification (who, when, result) and the last checkpoint; two queries."""
    last = AuditEntry.objects.filter(action="audit.verify").order_by("-id").first()
    return {"last_verification": last, "last_checkpoint": latest_checkpoint()}


@login_required
@require_GET
def entry_list(request: HttpRequest) -> HttpResponse:
    """The trail, newest first, searchable and paginated, with the verification status."""
    entries = audit_entries_for(request.user)
    form = AuditFilterForm(request.GET)
    page = Paginator(filter_entries(entries, form), PAGE_SIZE).get_page(request.GET.get("page"))
    context = shell_context(request, "audit")
    context.update({"form": form, "page": page, **_status()})
    return render(request, "audit/entry_list.html", context)


def _diff(before: Any, after: Any) -> list[dict[str, Any]]:
    """Field by field: old value, new value, changed or not (before/after as stored)."""
    old = before if isinstance(before, dict) else ({} if before is None else {"": before})
    new = after if isinstance(after, dict) else ({} if after is None else {"": after})
    return [
        {
            "field": key,
            "before": old.get(key, ""),
            "after": new.get(key, ""),
            "changed": old.get(key) != new.get(key),
        }
        for key in sorted({*old, *new})
    ]


@login_required
@require_GET
def entry_detail(request: HttpRequest, seq: int) -> HttpResponse:
    """One entry: who, what, the before/after diff, its hashes and its neighbours."""
    entry = access_audit_entry(request.user, seq)
    context = shell_context(request, "audit")
    neighbours = set(
        audit_entries_for(request.user)
        .filter(seq__in=[seq - 1, seq + 1])
        .values_list("seq", flat=True)
    )
    context.update(
        {
            "entry": entry,
            "diff": _diff(entry.before, entry.after),
            "previous": seq - 1 if seq - 1 in neighbours else None,
            "next": seq + 1 if seq + 1 in neighbours else None,
        }
    )
    return render(request, "audit/entry_detail.html", context)


@login_required
@require_POST
def verify_now(request: HttpRequest) -> HttpResponse:
    """Verify the whole trail against the stored checkpoints now, and audit who did."""
    access_audit_verification(request.user)
    report = verify_audit()
    do_record_verification(report, acting_user=request.user)
    lines = describe(report)
    if report.ok:
        messages.success(request, " ".join(lines))
    else:
        messages.error(request, " ".join(lines))
    return HttpResponseRedirect(reverse("audit:entries"))
