"""The audit trail: written by actions, every entry hash-chained, tampering detected."""

from __future__ import annotations

import pytest
from django.db import connection

from pollguard.audit.actions import do_chain_entries, record, verify_chain
from pollguard.audit.models import AuditEntry, ChainHead

pytestmark = pytest.mark.django_db


def write_chain(n: int) -> list[AuditEntry]:
    """n entries, linked by the chaining job (as the beat task does within seconds)."""
    entries = [
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
    do_chain_entries()
    for entry in entries:
        entry.refresh_from_db()
    return entries


def test_an_untouched_chain_verifies() -> None:
    write_chain(5)
    record("test.note", acting_user=None, after={"x": 1})
    report = verify_chain()
    assert report.ok
    assert report.checked == 6


def test_an_entry_that_is_not_critical_is_chained_too() -> None:
    write_chain(2)
    note = record("test.note", acting_user=None, after={"x": 1})
    assert note.seq is None  # linked by the job, not under a lock
    assert do_chain_entries() == 1
    note.refresh_from_db()
    assert note.seq == 3
    AuditEntry.objects.filter(pk=note.pk).update(after={"x": 2})
    report = verify_chain()
    assert report.reason == "hash_mismatch"
    assert report.broken is not None
    assert report.broken.pk == note.pk


def test_a_changed_actor_id_breaks_the_chain() -> None:
    from django.contrib.auth.models import User

    honest = User.objects.create_user("honest")
    other = User.objects.create_user("other")
    entries = [record("test.step", acting_user=honest, critical=True) for _ in range(2)]
    do_chain_entries()
    AuditEntry.objects.filter(pk=entries[0].pk).update(actor=other)
    report = verify_chain()
    assert report.reason == "hash_mismatch"
    assert report.broken is not None
    assert report.broken.pk == entries[0].pk


def test_a_flipped_critical_flag_breaks_the_chain() -> None:
    entries = write_chain(2)
    AuditEntry.objects.filter(pk=entries[1].pk).update(critical=False)
    assert verify_chain().reason == "hash_mismatch"


def test_a_center_status_change_is_in_the_chain(election: object) -> None:
    from pollguard.registry.actions import do_set_center_status
    from pollguard.registry.choices import CenterStatus
    from pollguard.registry.models import Center

    center = Center.objects.get(code="C-0001")
    do_set_center_status(
        center, CenterStatus.OPEN, acting_user=None, expected_version=center.version
    )
    do_chain_entries()
    entry = AuditEntry.objects.get(action="registry.set_center_status")
    assert entry.seq is not None
    assert entry.hash
    assert verify_chain().ok
    AuditEntry.objects.filter(pk=entry.pk).update(after={"status": "closed", "version": 2})
    report = verify_chain()
    assert report.reason == "hash_mismatch"
    assert report.broken is not None
    assert report.broken.pk == entry.pk


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


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_write_outside_a_transaction() -> None:
    from pollguard.audit.actions import OutsideTransaction

    with pytest.raises(OutsideTransaction):
        record("test.step", acting_user=None, critical=True)
    assert not AuditEntry.objects.exists()


def test_the_actor_is_kept_by_name() -> None:
    from django.contrib.auth.models import User

    user = User.objects.create_user("someone")
    entry = record("test.step", acting_user=user, critical=True)
    user.delete()
    entry.refresh_from_db()
    assert entry.actor_name == "someone"
    assert entry.actor_id is not None  # hashed, so deleting the user must not clear it
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
    seqs = sorted(AuditEntry.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, 41))
