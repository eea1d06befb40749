"""The audit trail: written by actions, critical entries hash-chained, tampering detected."""

from __future__ import annotations

import pytest
from django.db import connection

from pollguard.audit.actions import record, verify_chain
from pollguard.audit.models import AuditEntry, ChainHead

pytestmark = pytest.mark.django_db


def write_chain(n: int) -> list[AuditEntry]:
    return [
        record(
            "test.step",
            acting_user=None,
            object_type="thing",
            object_id=str(i),
            before={"n": i},
            after={"n": i + 1, "name": "الرفاعي"},
            critical=True,
        )
        for i in range(n)
    ]


def test_an_untouched_chain_verifies() -> None:
    write_chain(5)
    record("test.note", acting_user=None, after={"x": 1})  # not critical: not chained
    report = verify_chain()
    assert report.ok
    assert report.checked == 5


def test_each_link_names_the_previous_one() -> None:
    entries = write_chain(3)
    assert entries[0].prev_hash == ""
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    assert ChainHead.objects.get().hash == entries[2].hash


def test_an_edited_entry_is_reported_as_the_first_broken_link() -> None:
    entries = write_chain(4)
    AuditEntry.objects.filter(pk=entries[1].pk).update(after={"n": 999})
    report = verify_chain()
    assert not report.ok
    assert report.broken is not None
    assert report.broken.pk == entries[1].pk
    assert report.reason == "hash_mismatch"


def test_a_rewritten_entry_with_a_recomputed_hash_breaks_the_next_link() -> None:
    entries = write_chain(3)
    forged = AuditEntry.objects.get(pk=entries[0].pk)
    forged.after = {"n": 0}
    from pollguard.audit.actions import _digest_of

    forged.hash = _digest_of(forged)
    forged.save()
    report = verify_chain()
    assert report.broken is not None
    assert report.broken.pk == entries[1].pk
    assert report.reason == "previous_hash_mismatch"


def test_a_deleted_entry_is_detected() -> None:
    entries = write_chain(3)
    AuditEntry.objects.filter(pk=entries[1].pk).delete()
    report = verify_chain()
    assert report.broken is not None
    assert report.broken.pk == entries[2].pk
    assert report.reason == "missing_link"


def test_a_deleted_last_entry_is_detected_by_the_chain_head() -> None:
    entries = write_chain(3)
    AuditEntry.objects.filter(pk=entries[2].pk).delete()
    report = verify_chain()
    assert not report.ok
    assert report.reason == "chain_head_mismatch"


def test_the_actor_is_kept_by_name() -> None:
    from django.contrib.auth.models import User

    user = User.objects.create_user("someone")
    entry = record("test.step", acting_user=user, critical=True)
    user.delete()
    entry.refresh_from_db()
    assert entry.actor is None
    assert entry.actor_name == "someone"
    assert verify_chain().ok


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database locks whole tables and ignores the busy "
    "timeout; concurrent writers on a SQLite file are tested in test_cli.py",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_extend_one_chain_without_forking() -> None:
    """Threads with their own connections append at once; the head lock keeps one chain."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections, transaction

    def writer(n: int) -> None:
        try:
            for i in range(10):
                with transaction.atomic():
                    record("test.concurrent", acting_user=None, object_id=f"{n}-{i}", critical=True)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(writer, range(4)))
    report = verify_chain()
    assert report.ok, report.reason
    assert report.checked == 40
    seqs = sorted(AuditEntry.objects.filter(critical=True).values_list("seq", flat=True))
    assert seqs == list(range(1, 41))
