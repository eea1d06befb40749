"""Writing and verifying the audit trail.

`record` is called by every action, inside the action's transaction, so an audit row
exists exactly when the change it describes was committed. It is the only code that
writes `AuditEntry` rows; nothing ever updates or deletes them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from pollguard.audit.models import AuditEntry, ChainHead

JSONValue = Any  # what json.loads returns
SYSTEM_ACTOR = "system"


def jsonable(value: object) -> JSONValue:
    """`value` as plain JSON types, exactly as the database will give it back."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def entry_digest(
    *,
    prev_hash: str,
    seq: int,
    created_at_iso: str,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    before: JSONValue,
    after: JSONValue,
) -> str:
    """SHA-256 of the previous hash followed by the canonical JSON of the entry."""
    canonical = json.dumps(
        {
            "seq": seq,
            "time": created_at_iso,
            "actor": actor_name,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "before": before,
            "after": after,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def _iso(entry: AuditEntry) -> str:
    return entry.created_at.astimezone(UTC).isoformat(timespec="microseconds")


def _digest_of(entry: AuditEntry) -> str:
    assert entry.seq is not None
    return entry_digest(
        prev_hash=entry.prev_hash,
        seq=entry.seq,
        created_at_iso=_iso(entry),
        actor_name=entry.actor_name,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        before=entry.before,
        after=entry.after,
    )


def record(
    action: str,
    *,
    acting_user: AbstractBaseUser | AnonymousUser | None,
    object_type: str = "",
    object_id: str = "",
    before: Mapping[str, object] | None = None,
    after: Mapping[str, object] | None = None,
    critical: bool = False,
    actor_name: str | None = None,
) -> AuditEntry:
    """Append one audit entry; critical entries are linked into the hash chain.

    Must run inside the caller's transaction (`transaction.atomic`), so the entry and the
    change it describes commit or roll back together.
    """
    user = acting_user if isinstance(acting_user, User) else None
    name = actor_name or (user.get_username() if user is not None else SYSTEM_ACTOR)
    entry = AuditEntry(
        # Truncated to whole microseconds already; both databases store exactly this.
        created_at=timezone.now(),
        actor=user,
        actor_name=name[:150],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=jsonable(before),
        after=jsonable(after),
        critical=critical,
    )
    with transaction.atomic():
        if critical:
            # The row lock serializes appenders on PostgreSQL; SQLite transactions are
            # already serialized by IMMEDIATE mode. Either way one writer extends one link.
            head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
            entry.seq = head.seq + 1
            entry.prev_hash = head.hash
            entry.hash = _digest_of(entry)
            head.seq, head.hash = entry.seq, entry.hash
            head.save(update_fields=["seq", "hash"])
        entry.save()
    return entry


@dataclass(frozen=True, slots=True)
class ChainReport:
    """Result of `verify_chain`: the number of links checked and the first broken one."""

    checked: int
    broken: AuditEntry | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken is None and not self.reason


def verify_chain() -> ChainReport:
    """Recompute every critical entry's hash in chain order; report the first broken link.

    Detects an edited entry (its hash no longer matches), a deleted or inserted entry (a
    gap in `seq` or a `prev_hash` that does not match) and a removed tail (the chain head
    names a later link than the last entry).
    """
    checked = 0
    prev_hash = ""
    expected_seq = 1
    entries = AuditEntry.objects.filter(critical=True).order_by("seq")
    for entry in entries.iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return ChainReport(checked, entry, "missing_link")
        if entry.prev_hash != prev_hash:
            return ChainReport(checked, entry, "previous_hash_mismatch")
        if entry.hash != _digest_of(entry):
            return ChainReport(checked, entry, "hash_mismatch")
        checked += 1
        prev_hash = entry.hash
        expected_seq += 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != checked or head.hash != prev_hash):
        return ChainReport(checked, None, "chain_head_mismatch")
    return ChainReport(checked)
