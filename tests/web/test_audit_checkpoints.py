"""Signed checkpoints: a rewrite of the trail is caught even when every hash is recomputed.

The attacker here can run any SQL on the database and knows the chain's rules (they are
public: `pollguard.audit.chain`), but not the signing key, which lives in a file outside
the database. The auditor keeps checkpoint files (`pollguard audit checkpoint --out`).
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pollguard.audit import chain, signing
from pollguard.audit.actions import (
    AuditReport,
    canonical_of,
    checkpoint_json,
    describe,
    do_chain_entries,
    do_make_checkpoint,
    record,
    verify_audit,
)
from pollguard.audit.models import AuditEntry, ChainHead, Checkpoint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def audit_key(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "audit.pem"
    settings.POLLGUARD_AUDIT_KEY_FILE = path
    return path


def write(n: int, start: int = 0) -> list[AuditEntry]:
    return [
        record("test.step", acting_user=None, object_id=str(i), after={"n": i}, critical=i % 2 == 0)
        for i in range(start, start + n)
    ]


def file_copy(checkpoint: Checkpoint) -> signing.SignedCheckpoint:
    """What the auditor exported and kept: a round trip through the JSON file."""
    return signing.SignedCheckpoint.from_json(json.loads(json.dumps(checkpoint_json(checkpoint))))


def recompute_chain() -> None:
    """The attacker's cover-up: renumber every entry and recompute every link and the head."""
    do_chain_entries()
    prev, seq = "", 0
    rows = list(AuditEntry.objects.order_by("seq"))
    AuditEntry.objects.update(seq=None)
    for entry in rows:
        seq += 1
        entry.seq, entry.prev_hash = seq, prev
        entry.hash = prev = chain.chain_hash(prev, canonical_of(entry))
        entry.save(update_fields=["seq", "prev_hash", "hash"])
    ChainHead.objects.update_or_create(pk=1, defaults={"seq": seq, "hash": prev})


def english(report: AuditReport) -> list[str]:
    from django.utils import translation

    with translation.override("en"):
        return describe(report)


def wipe_stored_checkpoints() -> None:
    Checkpoint.objects.all().delete()


@pytest.fixture
def two_checkpoints() -> tuple[signing.SignedCheckpoint, signing.SignedCheckpoint]:
    """Entries 1-3, a checkpoint (which is entry 4), entries 5-7, a second checkpoint."""
    write(3)
    first = file_copy(do_make_checkpoint(acting_user=None))
    write(3, start=3)
    second = file_copy(do_make_checkpoint(acting_user=None))
    do_chain_entries()  # the second checkpoint's own entry is number 8
    assert (first.tree_size, second.tree_size) == (3, 7)
    return first, second


def test_a_checkpoint_signs_the_rfc_9162_merkle_root_of_every_entry(audit_key: Path) -> None:
    write(5)
    cp = file_copy(do_make_checkpoint(acting_user=None))
    leaves = [canonical_of(e) for e in AuditEntry.objects.filter(seq__lte=5).order_by("seq")]
    assert cp.tree_size == 5
    assert cp.root_hash == chain.merkle_root(leaves)
    assert cp.verifies_with(signing.load_private_key(audit_key).public_key())
    assert stat.S_IMODE(audit_key.stat().st_mode) == 0o600
    assert AuditEntry.objects.filter(action="audit.make_checkpoint").count() == 1


def test_the_streaming_merkle_root_equals_the_definition_for_every_size() -> None:
    builder = chain.MerkleBuilder()
    leaves: list[bytes] = []
    assert builder.root() == chain.merkle_root([])
    for i in range(40):
        leaves.append(f"leaf {i}".encode())
        builder.append(leaves[-1])
        assert builder.root() == chain.merkle_root(leaves), i + 1


def test_an_untouched_trail_verifies_against_its_checkpoints(two_checkpoints: Any) -> None:
    report = verify_audit(extra=two_checkpoints)
    assert report.ok, describe(report)
    assert report.confirmed == 7
    assert report.checked == 8  # the second checkpoint's own entry comes after it


def test_an_edited_entry_with_the_chain_recomputed_is_caught_by_the_signed_root(
    two_checkpoints: Any,
) -> None:
    AuditEntry.objects.filter(seq=6).update(after={"n": 999})
    recompute_chain()
    report = verify_audit(extra=two_checkpoints)
    assert report.reason == "checkpoint_mismatch"
    assert report.failed_checkpoint is not None
    assert report.failed_checkpoint.tree_size == 7
    assert report.last_good is not None
    assert report.last_good.seq == 3
    assert "Last good entry: #3" in english(report)[1]


def test_an_inserted_entry_with_the_chain_recomputed_is_caught(two_checkpoints: Any) -> None:
    forged = AuditEntry.objects.get(seq=2)
    forged.pk, forged.seq, forged.object_id = None, 10_000, "forged"
    forged.save()
    AuditEntry.objects.filter(pk=forged.pk).update(seq=0)  # sorts first
    recompute_chain()
    report = verify_audit(extra=two_checkpoints)
    assert report.reason == "checkpoint_mismatch"
    assert report.last_good is None  # nothing before the first checkpoint is confirmed


def test_a_deleted_entry_with_the_chain_recomputed_is_caught(two_checkpoints: Any) -> None:
    AuditEntry.objects.filter(seq=5).delete()
    recompute_chain()
    report = verify_audit(extra=two_checkpoints)
    assert report.reason == "checkpoint_mismatch"
    assert report.last_good is not None
    assert report.last_good.seq == 3


def test_reordered_entries_are_caught(two_checkpoints: Any) -> None:
    a, b = AuditEntry.objects.get(seq=5), AuditEntry.objects.get(seq=6)
    AuditEntry.objects.filter(pk=a.pk).update(seq=None)
    AuditEntry.objects.filter(pk=b.pk).update(seq=5)
    AuditEntry.objects.filter(pk=a.pk).update(seq=6)
    report = verify_audit(extra=two_checkpoints)
    assert report.reason == "previous_hash_mismatch"
    assert report.broken is not None
    assert report.broken.pk == b.pk
    assert report.last_good is not None
    assert report.last_good.seq == 4
    recompute_chain()
    assert verify_audit(extra=two_checkpoints).reason == "checkpoint_mismatch"


def test_a_truncated_trail_with_the_head_rewound_is_caught(two_checkpoints: Any) -> None:
    AuditEntry.objects.filter(seq__gt=5).delete()
    last = AuditEntry.objects.get(seq=5)
    ChainHead.objects.filter(pk=1).update(seq=5, hash=last.hash)
    wipe_stored_checkpoints()
    report = verify_audit(extra=two_checkpoints)
    assert report.reason == "truncated"
    assert report.last_good is not None
    assert report.last_good.seq == 3
    assert "covers 7 entries, but the database holds only 5" in english(report)[0]


def test_a_wiped_trail_fails_with_the_stored_checkpoints_alone(two_checkpoints: Any) -> None:
    AuditEntry.objects.all().delete()
    ChainHead.objects.all().delete()
    report = verify_audit()
    assert report.reason == "truncated"
    assert report.last_good is None


def test_a_wiped_trail_and_wiped_checkpoints_fail_against_the_auditors_file(
    two_checkpoints: Any,
) -> None:
    AuditEntry.objects.all().delete()
    ChainHead.objects.all().delete()
    wipe_stored_checkpoints()
    assert verify_audit().ok  # nothing left in the database to compare with...
    report = verify_audit(extra=[two_checkpoints[1]])  # ...but the auditor kept a file
    assert report.reason == "truncated"
    assert english(report)[1] == "Last good entry: none."


def test_a_forged_checkpoint_is_refused(two_checkpoints: Any) -> None:
    first, _ = two_checkpoints
    Checkpoint.objects.filter(tree_size=3).update(root_hash="0" * 64)
    assert verify_audit().reason == "bad_signature"
    other_key = Ed25519PrivateKey.generate()
    foreign = signing.sign(
        other_key, tree_size=3, timestamp=first.timestamp, root_hash=first.root_hash, chain=""
    )
    wipe_stored_checkpoints()
    assert verify_audit(extra=[foreign]).reason == "unknown_key"


def test_a_checkpoint_is_refused_over_a_broken_trail() -> None:
    from pollguard.audit.actions import ChainBroken

    write(3)
    do_chain_entries()
    AuditEntry.objects.filter(seq=2).update(after={"n": 5})
    with pytest.raises(ChainBroken):
        do_make_checkpoint(acting_user=None)
    assert not Checkpoint.objects.exists()


def test_messages_are_arabic_in_arabic(two_checkpoints: Any) -> None:
    from django.utils import translation

    AuditEntry.objects.all().delete()
    with translation.override("ar"):
        lines = describe(verify_audit(extra=two_checkpoints))
    assert "Last good" not in lines[1]
