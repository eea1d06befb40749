"""Every write of the registry outside package loading (that is `loader.py`)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from pollguard.accounts.access import AnyUser
from pollguard.audit.actions import record
from pollguard.common.errors import Conflict
from pollguard.live.actions import emit
from pollguard.live.choices import EventKind
from pollguard.registry.choices import CenterStatus
from pollguard.registry.models import Center, CenterStatusChange

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
                "change": change.pk,
                "name_ar": center.name_ar,
                "name_en": center.name_en,
                "from": before_status,
                "by": change.actor_name,
                "remark": remark,
            },
        )
    return center
