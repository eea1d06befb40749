"""Writing and verifying the audit trail.

`record` is called by every action, inside the action's transaction, so an audit row
exists exactly when the change it describes was committed. It is the only code that
writes `AuditEntry` rows; nothing ever updates or deletes them. Every entry is linked
into the hash chain by `do_chain_entries`, a job run within seconds of the commit and
before every verification and checkpoint (docs/architecture.md, "Audit trail", explains
why by a job rather than under a lock; docs/benchmarks.md has the figures).

`do_make_checkpoint` signs the Merkle root of the entries so far with the key outside the
database; `verify_audit` checks the chain link by link and against every signed
checkpoint it is given or finds, and names the last entry that is still good.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pollguard.audit import chain, signing
from pollguard.audit.models import AuditEntry, ChainHead, Checkpoint

JSONValue = Any  # what json.loads returns
SYSTEM_ACTOR = "system"


class OutsideTransaction(RuntimeError):
    """`record` was called in autocommit mode: the entry could commit without its change."""


def jsonable(value: object) -> JSONValue:
    """`value` as plain JSON types, exactly as the database will give it back."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _iso(entry: AuditEntry) -> str:
    return entry.created_at.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_of(entry: AuditEntry) -> bytes:
    """The hashed bytes of a stored entry (see `audit.chain.canonical_entry`)."""
    assert entry.seq is not None
    return chain.canonical_entry(
        seq=entry.seq,
        created_at_iso=_iso(entry),
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        before=entry.before,
        after=entry.after,
        critical=entry.critical,
    )


def _digest_of(entry: AuditEntry) -> str:
    return chain.chain_hash(entry.prev_hash, canonical_of(entry))


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
    """Append one audit entry; `do_chain_entries` links it into the hash chain.

    Must run inside the caller's transaction (`transaction.atomic`), so the entry and the
    change it describes commit or roll back together; called in autocommit mode it raises
    `OutsideTransaction` rather than writing an entry that could outlive a failed change.
    `critical` marks security-relevant entries for filtering; every entry is chained.
    """
    if not transaction.get_connection().in_atomic_block:
        raise OutsideTransaction(
            f"audit record({action!r}) must run inside the action's transaction.atomic()"
        )
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
    # Not linked here: a lock on the chain head held until every writer commits capped
    # PostgreSQL at about 120 appends/s (docs/benchmarks.md). `do_chain_entries` links
    # committed entries in order, within seconds, and before every verification.
    entry.save()
    return entry


# --- chaining -------------------------------------------------------------------------

CHAIN_BATCH = 1000


def do_chain_entries() -> int:
    """Link every committed, not yet chained entry into the hash chain; return how many.

    The chain order is the order this job sees entries commit (by id within one pass):
    PostgreSQL hands out ids before commit, so a lower id may only become visible in a
    later pass, where it is simply linked after the others. The head row lock makes two
    runs (beat task, `pollguard audit chain`, a verification) take turns. A Celery beat
    task will call this every 10 seconds once the task queue arrives; until then
    `pollguard serve` users rely on verification, checkpoints and `pollguard audit chain`.
    """
    linked = 0
    while True:
        with transaction.atomic():
            head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
            rows = list(AuditEntry.objects.filter(seq__isnull=True).order_by("id")[:CHAIN_BATCH])
            if not rows:
                return linked
            seq, prev = head.seq, head.hash
            for entry in rows:
                seq += 1
                entry.seq, entry.prev_hash = seq, prev
                entry.hash = prev = _digest_of(entry)
            # One prepared UPDATE per row (psycopg pipelines executemany): bulk_update's
            # CASE over hundreds of ids was slower than the writers it has to keep up with.
            table = connection.ops.quote_name(AuditEntry._meta.db_table)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",  # noqa: S608 - table name from the model
                    [(e.seq, e.prev_hash, e.hash, e.pk) for e in rows],
                )
            head.seq, head.hash = seq, prev
            head.save(update_fields=["seq", "hash"])
            linked += len(rows)


# --- checkpoints ----------------------------------------------------------------------


def key_file() -> Path:
    return Path(settings.POLLGUARD_AUDIT_KEY_FILE)


def configured_public_key() -> Ed25519PublicKey | None:
    """The public half of the configured signing key, or None when there is no key file."""
    path = key_file()
    if not path.exists():
        return None
    return signing.load_private_key(path).public_key()


def _stored(checkpoint: Checkpoint) -> signing.SignedCheckpoint:
    return signing.SignedCheckpoint(
        tree_size=checkpoint.tree_size,
        timestamp=checkpoint.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        root_hash=checkpoint.root_hash,
        chain_hash=checkpoint.chain_hash,
        key_id=checkpoint.key_id,
        signature=checkpoint.signature,
    )


def stored_checkpoints() -> list[signing.SignedCheckpoint]:
    return [_stored(c) for c in Checkpoint.objects.order_by("tree_size", "id")]


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-tree_size", "-id").first()


class ChainBroken(Exception):
    """A checkpoint was refused because the trail does not verify."""

    def __init__(self, report: AuditReport) -> None:
        super().__init__(report.reason)
        self.report = report


def do_make_checkpoint(*, acting_user: AbstractBaseUser | AnonymousUser | None) -> Checkpoint:
    """Sign the Merkle root of every committed entry with the audit key; store and audit it.

    Refuses (`ChainBroken`) when the trail does not verify: a checkpoint must never vouch
    for a tampered trail. Writers are not blocked: the head is read first, and every entry
    up to it is committed (an entry and the head move in one transaction). Creates the key
    file on first use. A Celery beat task will call this every few minutes once the task
    queue arrives; until then `pollguard audit checkpoint` and the audit page do.
    """
    private_key = signing.load_private_key(key_file(), create=True)
    do_chain_entries()
    head = ChainHead.objects.filter(pk=1).first()
    size = head.seq if head is not None else 0
    report = verify_audit(public_key=private_key.public_key(), upto=size)
    if not report.ok:
        raise ChainBroken(report)
    now = timezone.now()
    signed = signing.sign(
        private_key,
        tree_size=report.checked,
        timestamp=now.astimezone(UTC).isoformat(timespec="microseconds"),
        root_hash=report.root_hash,
        chain=report.chain_hash,
    )
    with transaction.atomic():
        checkpoint = Checkpoint.objects.create(
            created_at=now,
            tree_size=signed.tree_size,
            root_hash=signed.root_hash,
            chain_hash=signed.chain_hash,
            key_id=signed.key_id,
            signature=signed.signature,
        )
        record(
            "audit.make_checkpoint",
            acting_user=acting_user,
            object_type="audit_checkpoint",
            object_id=str(signed.tree_size),
            after={"tree_size": signed.tree_size, "root_hash": signed.root_hash},
            critical=True,
        )
    return checkpoint


def checkpoint_json(checkpoint: Checkpoint) -> dict[str, Any]:
    """The file the auditor exports and keeps (`pollguard audit checkpoint --out`)."""
    return _stored(checkpoint).as_json()


def read_checkpoint_file(path: Path) -> signing.SignedCheckpoint:
    try:
        return signing.SignedCheckpoint.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise signing.AuditKeyError(f"cannot read the checkpoint {path}: {exc}") from exc


# --- verification ---------------------------------------------------------------------


@dataclass
class AuditReport:
    """Result of `verify_audit`.

    `checked`: entries whose links verified; `broken`: the first entry that does not
    verify (None when the problem is missing entries or a checkpoint); `last_good`: the
    last entry known good (confirmed by a signed checkpoint when one was involved);
    `confirmed`: how many entries the newest matching checkpoint vouches for.
    """

    checked: int = 0
    reason: str = ""
    broken: AuditEntry | None = None
    last_good: AuditEntry | None = None
    confirmed: int = 0
    checkpoints: int = 0
    failed_checkpoint: signing.SignedCheckpoint | None = None
    root_hash: str = chain.EMPTY_ROOT
    chain_hash: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.reason


def verify_chain() -> AuditReport:
    """`verify_audit` with the stored checkpoints and the configured key (if any)."""
    return verify_audit()


def verify_audit(
    *,
    extra: Iterable[signing.SignedCheckpoint] = (),
    public_key: Ed25519PublicKey | None = None,
    upto: int | None = None,
) -> AuditReport:
    """Chain pending entries, then recompute every link and compare with every checkpoint.

    Checkpoints are the stored ones plus `extra` (the auditor's files); each must carry a
    valid signature of `public_key` (default: the configured key). Detects an edited entry
    (`hash_mismatch`), an inserted, moved or rewritten one (`previous_hash_mismatch`), a
    deleted one (`missing_link`), a removed tail (`chain_head_mismatch`), a rewrite with
    every hash recomputed (`checkpoint_mismatch`: the signed root differs), fewer entries
    than a checkpoint covers, a total wipe included (`truncated`), and forged or foreign
    checkpoints (`bad_signature`, `unknown_key`). `upto` stops after that many entries
    (used when signing, so entries committed meanwhile are left for the next checkpoint).
    """
    if upto is None:
        do_chain_entries()
    report = AuditReport()
    extra = list(extra)
    key = public_key if public_key is not None else configured_public_key()
    candidates = [*stored_checkpoints(), *extra]
    if key is None:
        if extra:
            report.reason = "no_public_key"
            return report
        if candidates:
            report.notes.append("checkpoints_not_checked")
        candidates = []
    trusted: dict[int, list[signing.SignedCheckpoint]] = {}
    for cp in candidates:
        assert key is not None
        if not cp.verifies_with(key):
            report.reason = "unknown_key" if cp.key_id != signing.key_id(key) else "bad_signature"
            report.failed_checkpoint = cp
            return report
        trusted.setdefault(cp.tree_size, []).append(cp)
    report.checkpoints = len(candidates)
    if not trusted:
        report.notes.append("no_checkpoint")

    builder = chain.MerkleBuilder()
    prev_hash = ""
    last: AuditEntry | None = None
    confirmed_entry: AuditEntry | None = None
    # Entries committed after the chaining pass above wait for the next one.
    entries = AuditEntry.objects.filter(seq__isnull=False).order_by("seq")
    if upto is not None:
        entries = entries.filter(seq__lte=upto)
    for entry in entries.iterator(chunk_size=2000):
        expected = report.checked + 1
        problem = ""
        if entry.seq != expected:
            problem = "missing_link"
        elif entry.prev_hash != prev_hash:
            problem = "previous_hash_mismatch"
        else:
            canonical = canonical_of(entry)
            if entry.hash != chain.chain_hash(prev_hash, canonical):
                problem = "hash_mismatch"
        if problem:
            report.reason, report.broken, report.last_good = problem, entry, last
            return report
        builder.append(canonical)
        report.checked += 1
        prev_hash = entry.hash
        last = entry
        for cp in trusted.get(report.checked, []):
            if cp.root_hash != builder.root() or cp.chain_hash != entry.hash:
                report.reason = "checkpoint_mismatch"
                report.failed_checkpoint = cp
                report.last_good = confirmed_entry
                return report
        if report.checked in trusted:
            confirmed_entry = entry
            report.confirmed = report.checked
    report.root_hash = builder.root()
    report.chain_hash = prev_hash
    report.last_good = last
    beyond = [size for size in trusted if size > report.checked]
    if beyond and upto is None:
        report.reason = "truncated"
        report.failed_checkpoint = trusted[max(beyond)][0]
        report.last_good = confirmed_entry
        return report
    if upto is None:
        head = ChainHead.objects.filter(pk=1).first()
        head_seq, head_hash = (head.seq, head.hash) if head is not None else (0, "")
        if head_seq != report.checked or head_hash != prev_hash:
            report.reason = "chain_head_mismatch"
            return report
    return report


def _entry_label(entry: AuditEntry | None) -> str:
    if entry is None:
        return _("none")
    return _("#%(seq)s (%(time)s, %(action)s)") % {
        "seq": entry.seq,
        "time": _iso(entry),
        "action": entry.action,
    }


def describe(report: AuditReport) -> list[str]:
    """The report in the current language: a first line, then details (CLI and page)."""
    lines: list[str] = []
    if report.ok:
        lines.append(
            _("OK: %(n)s entries verified; %(c)s confirmed by a signed checkpoint.")
            % {"n": report.checked, "c": report.confirmed}
        )
        if "no_checkpoint" in report.notes:
            lines.append(
                _(
                    "Warning: no signed checkpoint was available, so a wholesale rewrite or a "
                    "wipe of the trail cannot be excluded. Verify with the checkpoint file you "
                    "kept (--checkpoint)."
                )
            )
        if "checkpoints_not_checked" in report.notes:
            lines.append(
                _("Warning: no public key is configured; the stored checkpoints were not checked.")
            )
        return lines
    cp = report.failed_checkpoint
    messages = {
        "missing_link": _("BROKEN: an entry is missing before entry %(entry)s."),
        "previous_hash_mismatch": _(
            "BROKEN: entry %(entry)s does not follow the entry before it "
            "(inserted, moved or rewritten)."
        ),
        "hash_mismatch": _("BROKEN: entry %(entry)s was changed after it was written."),
        "chain_head_mismatch": _(
            "BROKEN: the chain head does not match the last entry (entries removed at the end)."
        ),
        "checkpoint_mismatch": _(
            "BROKEN: the entries up to #%(size)s differ from the signed checkpoint of "
            "%(stamp)s (entries edited, inserted or removed and the chain recomputed)."
        ),
        "truncated": _(
            "BROKEN: the signed checkpoint of %(stamp)s covers %(size)s entries, but the "
            "database holds only %(n)s (entries deleted)."
        ),
        "bad_signature": _("BROKEN: a checkpoint's signature is not valid (forged checkpoint)."),
        "unknown_key": _("BROKEN: a checkpoint was signed by another key than the audit key."),
        "no_public_key": _(
            "Cannot verify: no public key to check the checkpoint (use --public-key FILE)."
        ),
    }
    lines.append(
        messages[report.reason]
        % {
            "entry": _entry_label(report.broken),
            "size": cp.tree_size if cp else "",
            "stamp": cp.timestamp if cp else "",
            "n": report.checked,
        }
    )
    if report.reason != "no_public_key":
        lines.append(_("Last good entry: %(entry)s.") % {"entry": _entry_label(report.last_good)})
    return lines


def do_record_verification(
    report: AuditReport, *, acting_user: AbstractBaseUser | AnonymousUser | None
) -> AuditEntry:
    """Audit that someone verified the trail, and what they found (the audit page shows it)."""
    with transaction.atomic():
        return record(
            "audit.verify",
            acting_user=acting_user,
            object_type="audit_trail",
            after={
                "ok": report.ok,
                "reason": report.reason,
                "checked": report.checked,
                "confirmed": report.confirmed,
                "last_good": report.last_good.seq if report.last_good is not None else None,
                "broken": report.broken.seq if report.broken is not None else None,
            },
            critical=True,
        )
