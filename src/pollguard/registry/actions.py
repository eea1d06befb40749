"""Every write of the registry outside package loading (that is `loader.py`).

Intelligence reports are never announced on the live feed: an event "a report was filed
about center X" would tell every role that sees the center what only the need-to-know
roles may read. Their effect (the center's risk) is computed when a page is read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pollguard.accounts.access import AnyUser
from pollguard.audit.actions import record
from pollguard.common.errors import Conflict
from pollguard.core.intel import IntelDraft, admiralty_weight, check_draft
from pollguard.core.problems import InvalidInput, Problem
from pollguard.live.actions import emit
from pollguard.live.choices import EventKind
from pollguard.registry.choices import CenterStatus, IntelSource
from pollguard.registry.models import Center, CenterStatusChange, Election, IntelReport

REMARK_MAX_LENGTH = 500


def do_set_center_status(
    center: Center,
    status: CenterStatus,
    *,
    acting_user: AnyUser | None,
    expected_version: int,
    remark: str = "",
) -> Center:
    """Set a center's election-day status if nobody changed the center since `expected_version`.

    The update is conditional on the version, so of two operators editing the same
    center the second gets `Conflict` ("changed by someone else") instead of silently
    overwriting the first. The caller has checked permission (`access_center_for_status`).
    The change is kept as a `CenterStatusChange` (from, to, remark, who, when) in the same
    transaction: the center's history and the overview's feed read it.
    Returns the center as saved.
    """
    remark = " ".join(remark.split())[:REMARK_MAX_LENGTH]
    with transaction.atomic():
        now = timezone.now()
        updated = Center.objects.filter(pk=center.pk, version=expected_version).update(
            status=status.value,
            status_changed_at=now,
            version=F("version") + 1,
            updated_at=now,
        )
        if not updated:
            current = Center.objects.filter(pk=center.pk).values_list("version", flat=True).first()
            raise Conflict(
                _("This center was changed by someone else; reload and try again."),
                current_version=current,
            )
        before_status = center.status
        center.refresh_from_db(fields=["status", "status_changed_at", "version", "updated_at"])
        actor = acting_user if isinstance(acting_user, User) else None
        change = CenterStatusChange.objects.create(
            center=center,
            from_status=before_status,
            to_status=center.status,
            remark=remark,
            actor=actor,
            actor_name=actor.get_username() if actor is not None else "",
            changed_at=now,
        )
        record(
            "registry.set_center_status",
            acting_user=acting_user,
            object_type="center",
            object_id=center.code,
            before={"status": before_status, "version": expected_version},
            after={"status": center.status, "version": center.version, "remark": remark},
        )
        emit(
            EventKind.CENTER_STATUS,
            election_id=center.election_id,
            sector_id=center.sector_id,
            center_id=center.pk,
            payload={
                "center": center.code,
                "status": center.status,
                "color": status.color,
                "version": center.version,
                "name_ar": center.name_ar,
                "name_en": center.name_en,
                "from": before_status,
                "by": change.actor_name,
                "remark": remark,
            },
        )
    return center


# --- intelligence reports ---------------------------------------------------------------

INTEL_CODE_PREFIX = "INT-"
_LONG_AGO = datetime(1, 1, 2, tzinfo=UTC)  # "no time check" for an edit that keeps valid_until


def _intel_values(report: IntelReport) -> dict[str, object]:
    """What the audit keeps of a report (before/after): everything but who filed it."""
    return {
        "center": report.center.code if report.center is not None else None,
        "lat": report.lat,
        "lon": report.lon,
        "severity": report.severity,
        "reliability": report.reliability,
        "credibility": report.credibility,
        "weight": report.weight,
        "text": report.text,
        "valid_until": report.valid_until.isoformat() if report.valid_until else None,
        "version": report.version,
    }


def _resolve_center(election: Election, code: str | None) -> tuple[Center | None, list[Problem]]:
    if not code:
        return None, []
    center = Center.objects.filter(election=election, code=code, active=True).first()
    if center is None:
        return None, [Problem("center", None, "intel_unknown_center", {"value": code})]
    return center, []


def do_file_intel_report(
    election: Election, draft: IntelDraft, *, acting_user: AnyUser | None
) -> IntelReport:
    """File a new report; it counts in the risk from now until its `valid_until`.

    Every problem of the draft at once as `InvalidInput` (each naming its field), nothing
    written. The code INT-<n> takes the next number of the election while the election
    row is locked, so two officers filing at the same instant get two numbers (on SQLite
    the write transaction itself serializes them); a unique index backs it up.
    The caller has checked permission (`access.require_file_intel`).
    """
    now = timezone.now()
    problems = check_draft(draft, now=now)
    center, unknown = _resolve_center(election, draft.center)
    if problems or unknown:
        raise InvalidInput([*problems, *unknown])
    assert draft.reliability is not None
    assert draft.credibility is not None
    assert draft.severity is not None
    actor = acting_user if isinstance(acting_user, User) else None
    with transaction.atomic():
        Election.objects.select_for_update(no_key=True).filter(pk=election.pk).first()
        last = IntelReport.objects.filter(election=election).aggregate(n=Max("number"))["n"]
        number = (last or 0) + 1
        report = IntelReport.objects.create(
            election=election,
            code=f"{INTEL_CODE_PREFIX}{number}",
            number=number,
            source=IntelSource.FILED,
            reported_at=now,
            center=center,
            lat=None if center is not None else draft.lat,
            lon=None if center is not None else draft.lon,
            severity=draft.severity,
            reliability=draft.reliability,
            credibility=draft.credibility,
            weight=admiralty_weight(draft.reliability, draft.credibility),
            text=(draft.text or "").strip(),
            valid_until=draft.valid_until,
            filed_by=actor,
        )
        record(
            "registry.file_intel_report",
            acting_user=acting_user,
            object_type="intel_report",
            object_id=report.code,
            after=_intel_values(report),
            critical=True,
        )
    return report


def do_edit_intel_report(
    report: IntelReport,
    patch: IntelDraft,
    *,
    acting_user: AnyUser | None,
    expected_version: int,
) -> IntelReport:
    """Change the fields `patch` gives (None: unchanged) if nobody edited since `expected_version`.

    Naming a center makes it a center report (the place is cleared), giving lat and lon
    (always both) makes it a place report; giving a center and a place is refused. A
    `valid_until` given must be in the future; one left as it was may have passed (an
    expired report can be corrected, or revived by a new `valid_until`). A stale version
    is `Conflict`, never an overwrite.
    The caller has checked permission (`access.access_intel_report_for_edit`).
    """
    now = timezone.now()
    problems = check_draft(patch, now=now, complete=False)
    center, unknown = _resolve_center(report.election, patch.center)
    if problems or unknown:
        raise InvalidInput([*problems, *unknown])
    before = _intel_values(report)
    merged = IntelDraft(
        center=patch.center if patch.center else None,
        lat=patch.lat,
        lon=patch.lon,
        severity=report.severity if patch.severity is None else patch.severity,
        reliability=patch.reliability or report.reliability,
        credibility=report.credibility if patch.credibility is None else patch.credibility,
        text=report.text if patch.text is None else patch.text,
        valid_until=report.valid_until if patch.valid_until is None else patch.valid_until,
    )
    if merged.center is None and merged.lat is None and merged.lon is None:
        # The patch names no subject: keep the stored one.
        center = report.center
        merged = dataclasses.replace(merged, center=report.center.code if report.center else None)
        if report.center is None:
            merged = dataclasses.replace(merged, lat=report.lat, lon=report.lon)
    problems = check_draft(merged, now=_LONG_AGO)
    if problems:
        raise InvalidInput(problems)
    assert merged.reliability is not None
    assert merged.credibility is not None
    assert merged.severity is not None
    values = {
        "center": center,
        "lat": None if center is not None else merged.lat,
        "lon": None if center is not None else merged.lon,
        "severity": merged.severity,
        "reliability": merged.reliability,
        "credibility": merged.credibility,
        "weight": admiralty_weight(merged.reliability, merged.credibility),
        "text": (merged.text or "").strip(),
        "valid_until": merged.valid_until,
    }
    with transaction.atomic():
        updated = IntelReport.objects.filter(pk=report.pk, version=expected_version).update(
            **values, version=F("version") + 1, updated_at=now
        )
        if not updated:
            current = (
                IntelReport.objects.filter(pk=report.pk).values_list("version", flat=True).first()
            )
            raise Conflict(
                _("This report was changed by someone else; reload and try again."),
                current_version=current,
            )
        report.refresh_from_db()
        record(
            "registry.edit_intel_report",
            acting_user=acting_user,
            object_type="intel_report",
            object_id=report.code,
            before=before,
            after=_intel_values(report),
            critical=True,
        )
    return report


def do_record_intel_read(codes: Iterable[str], *, acting_user: AnyUser | None, where: str) -> None:
    """One audit entry for one read of intelligence (a page view or an API answer).

    Names every report shown (`reports`, possibly none: the view itself is recorded) and
    where (`where`: the page or endpoint). Critical, so the auditor can list who read what.
    """
    shown = sorted(set(codes))
    with transaction.atomic():
        record(
            "registry.read_intel",
            acting_user=acting_user,
            object_type="intel_report",
            object_id=shown[0] if len(shown) == 1 else "",
            after={"reports": shown, "where": where},
            critical=True,
        )
