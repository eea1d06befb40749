"""Who may read the audit trail: the auditor (inspector general's office) and the chair.

Everyone else gets `NotFound`, the same answer as for a page that does not exist, so the
trail's existence and size are not revealed to other roles.
"""

from __future__ import annotations

from django.db.models import QuerySet

from pollguard.accounts.access import AnyUser, role_of
from pollguard.accounts.choices import Role
from pollguard.audit.models import AuditEntry
from pollguard.common.errors import NotFound

READS_AUDIT = frozenset({Role.AUDITOR, Role.CHAIR})


def sees_audit(user: AnyUser) -> bool:
    return role_of(user) in READS_AUDIT


def audit_entries_for(user: AnyUser) -> QuerySet[AuditEntry]:
    """Every entry, newest first, for the roles that read the trail; `NotFound` otherwise.

    Newest by id: entries not yet linked by the chaining job have no position yet.
    """
    if not sees_audit(user):
        raise NotFound
    return AuditEntry.objects.order_by("-id")


def access_audit_entry(user: AnyUser, seq: int) -> AuditEntry:
    """One entry by its chain position (its public number), or `NotFound`."""
    entry = audit_entries_for(user).filter(seq=seq).first()
    if entry is None:
        raise NotFound
    return entry


def access_audit_verification(user: AnyUser) -> None:
    """Running a verification is reading the trail: the same roles."""
    if not sees_audit(user):
        raise NotFound
