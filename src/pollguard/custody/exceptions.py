"""Opening a custody exception: the ONE function every broken chain goes through.

Once the incidents app exists, this is where a custody exception also opens an incident
(design.md: "a seal mismatch opens an incident"); until then the exception is flagged on
the custody pages, audited (hash-chained, critical) and announced on the live feed.
Called inside the hand-over's transaction.
"""

from __future__ import annotations

from pollguard.accounts.access import AnyUser
from pollguard.audit.actions import record
from pollguard.custody.choices import ExceptionKind
from pollguard.custody.models import CustodyException, Handover
from pollguard.live.actions import emit
from pollguard.live.choices import EventKind


def open_custody_exception(
    handover: Handover, kind: ExceptionKind, seals: list[dict[str, str]], *, acting_user: AnyUser
) -> CustodyException:
    item = handover.item
    exception = CustodyException.objects.create(
        election=handover.election, item=item, handover=handover, kind=kind, seals=seals
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
        },
        critical=True,
    )
    center = item.station.center
    emit(
        EventKind.CUSTODY_EXCEPTION,
        election_id=handover.election_id,
        sector_id=center.sector_id,
        center_id=center.pk,
        payload={"item": item.code, "exception": str(exception.uuid), "exception_kind": kind},
    )
    return exception
