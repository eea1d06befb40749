"""Opening a custody exception: the ONE function every broken chain goes through.

A broken or changed seal is flagged on the custody pages, audited (hash-chained, critical),
announced on the live feed, and opens an incident of kind "seal broken or changed" at the
item's center for the operations room (design.md: "a seal mismatch opens an incident"),
which then follows the incidents' lifecycle, deadlines and escalation. Called inside the
hand-over's transaction, so the exception and its incident exist together or not at all.
"""

from __future__ import annotations

from django.utils.translation import override

from pollguard.accounts.access import AnyUser
from pollguard.audit.actions import record
from pollguard.custody.choices import ExceptionKind
from pollguard.custody.models import CustodyException, Handover
from pollguard.live.actions import emit
from pollguard.live.choices import EventKind
from pollguard.operations.actions import IncidentDraft, do_file_incident
from pollguard.operations.choices import IncidentKind, SourceChannel

# Severity of the incident a broken chain opens (1–4): a changed seal can cancel a station.
SEAL_INCIDENT_SEVERITY = 3


def open_custody_exception(
    handover: Handover, kind: ExceptionKind, seals: list[dict[str, str]], *, acting_user: AnyUser
) -> CustodyException:
    item = handover.item
    center = item.station.center
    incident, _created = do_file_incident(
        handover.election,
        IncidentDraft(
            kind=IncidentKind.SEAL_BROKEN,
            severity=SEAL_INCIDENT_SEVERITY,
            text=_incident_text(handover, kind, seals),
            observed_at=handover.received_at,
            center=center,
            source=SourceChannel.CUSTODY,
        ),
        acting_user=acting_user,
    )
    exception = CustodyException.objects.create(
        election=handover.election,
        item=item,
        handover=handover,
        kind=kind,
        seals=seals,
        incident=incident,
    )
    record(
        "custody.open_exception",
        acting_user=acting_user,
        object_type="custody_exception",
        object_id=str(exception.uuid),
        after={
            "item": item.code,
            "kind": kind,
            "seals": seals,
            "handover": str(handover.uuid),
            "from": handover.from_code,
            "to": handover.to_code,
            "incident": incident.code,
        },
        critical=True,
    )
    emit(
        EventKind.CUSTODY_EXCEPTION,
        election_id=handover.election_id,
        sector_id=center.sector_id,
        center_id=center.pk,
        payload={
            "item": item.code,
            "exception": str(exception.uuid),
            "exception_kind": kind,
            "incident": incident.code,
        },
    )
    return exception


def _incident_text(handover: Handover, kind: ExceptionKind, seals: list[dict[str, str]]) -> str:
    """What the operations room reads, in both languages (the incident has one text)."""
    bad = ", ".join(f"{s.get('serial', '—')} ({s.get('condition', '')})" for s in seals)
    where = f"{handover.from_code} → {handover.to_code}"
    with override("en"):
        english = f"Custody: {kind.label} on {handover.item.code} at hand-over {where}: {bad}"
    with override("ar"):
        arabic = f"عهدة: {kind.label} في {handover.item.code} عند التسليم {where}: {bad}"
    return f"{english}\n{arabic}"[:2000]
