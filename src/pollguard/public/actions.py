"""Every write of the public page's data: notices of the police to citizens.

Each action runs in one transaction with its audit entry; the public projection is
rebuilt after the commit (`projection.forget`). The caller has checked permission
(`access.require_manage_notices` / `access.access_notice_for_change`) and validated the
input (the notices page's form).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from pollguard.accounts.access import AnyUser
from pollguard.audit.actions import record
from pollguard.common.errors import Conflict
from pollguard.public.choices import NoticeKind
from pollguard.public.models import PublicNotice
from pollguard.public.projection import forget
from pollguard.registry.models import Center, Election


def _values(notice: PublicNotice) -> dict[str, Any]:
    return {
        "kind": notice.kind,
        "text_ar": notice.text_ar,
        "text_en": notice.text_en,
        "center": notice.center.code if notice.center is not None else None,
        "valid_from": notice.valid_from,
        "valid_until": notice.valid_until,
        "published": notice.published,
        "version": notice.version,
    }


def do_create_public_notice(
    election: Election,
    *,
    kind: NoticeKind,
    text_ar: str,
    text_en: str,
    center: Center | None,
    valid_from: datetime,
    valid_until: datetime | None,
    published: bool,
    acting_user: AnyUser | None,
) -> PublicNotice:
    """Write a notice (published at once or kept as a draft) with its audit entry."""
    with transaction.atomic():
        notice = PublicNotice.objects.create(
            election=election,
            kind=kind,
            text_ar=text_ar.strip(),
            text_en=text_en.strip(),
            center=center,
            valid_from=valid_from,
            valid_until=valid_until,
            published=published,
            created_by=acting_user if isinstance(acting_user, User) else None,
        )
        record(
            "public.create_notice",
            acting_user=acting_user,
            object_type="public_notice",
            object_id=str(notice.uuid),
            after=_values(notice),
        )
        forget()
    return notice


def do_set_public_notice_published(
    notice: PublicNotice,
    *,
    published: bool,
    expected_version: int,
    acting_user: AnyUser | None,
) -> PublicNotice:
    """Publish or unpublish a notice if nobody changed it since `expected_version`.

    A conditional update on the version, so two officers acting at once cannot both
    succeed on the same version; the loser gets `Conflict` and nothing is written.
    """
    with transaction.atomic():
        before = _values(notice)
        changed = PublicNotice.objects.filter(pk=notice.pk, version=expected_version).update(
            published=published, version=F("version") + 1
        )
        if not changed:
            current = PublicNotice.objects.filter(pk=notice.pk).values_list("version", flat=True)
            raise Conflict(
                _("Someone else changed this notice; reload to see the current state."),
                current_version=current.first(),
            )
        notice.refresh_from_db()
        record(
            "public.publish_notice" if published else "public.unpublish_notice",
            acting_user=acting_user,
            object_type="public_notice",
            object_id=str(notice.uuid),
            before=before,
            after=_values(notice),
        )
        forget()
    return notice
