"""Link every existing entry into the chain, in the order they were written.

Before this, only critical entries were chained, with a digest that left out the actor's
id and the critical flag. Entries are re-linked by id (their commit order under the old
head lock for critical ones; insertion order for the rest) with the rules of
`pollguard.audit.chain`. Stored checkpoints cannot exist yet (the table is new).
"""

from datetime import UTC
from typing import Any

from django.db import migrations

from pollguard.audit import chain


def rechain(apps: Any, schema_editor: Any) -> None:
    AuditEntry = apps.get_model("audit", "AuditEntry")
    ChainHead = apps.get_model("audit", "ChainHead")
    prev_hash = ""
    seq = 0
    entries = list(AuditEntry.objects.order_by("id"))
    # Clear first: seq is unique and the new positions overlap the old ones.
    AuditEntry.objects.update(seq=None)
    for entry in entries:
        seq += 1
        canonical = chain.canonical_entry(
            seq=seq,
            created_at_iso=entry.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            actor_id=entry.actor_id,
            actor_name=entry.actor_name,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            before=entry.before,
            after=entry.after,
            critical=entry.critical,
        )
        entry.seq, entry.prev_hash = seq, prev_hash
        entry.hash = prev_hash = chain.chain_hash(prev_hash, canonical)
        entry.save(update_fields=["seq", "prev_hash", "hash"])
    ChainHead.objects.update_or_create(pk=1, defaults={"seq": seq, "hash": prev_hash})


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_chain_every_entry_and_checkpoints"),
    ]

    operations = [migrations.RunPython(rechain, migrations.RunPython.noop)]
