"""Audit rows, the head of their hash chain, and signed checkpoints.

Every action writes one `AuditEntry` in its own transaction, and every entry (critical or
not) carries `seq`, `prev_hash` and `hash`: `hash = sha256(prev_hash + canonical JSON of
the entry)` (`audit/chain.py`), so changing, deleting, inserting or moving an entry breaks
the chain from that point (`pollguard audit verify`). `ChainHead` is a single row locked
while appending, so two concurrent writers cannot both extend the same link (the chain
cannot fork). `Checkpoint` rows are signed tree heads (RFC 9162) over the first
`tree_size` entries, signed with a key kept outside the database.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One recorded action."""

    created_at = models.DateTimeField(_("time"), db_index=True)
    # The actor's id is hashed, so deleting the user must not rewrite it (SET_NULL would
    # break the chain): no database constraint, and the username is kept beside it.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(
        _("actor name"),
        max_length=150,
        help_text=_("Username at the time (kept if the user is deleted), or the system part."),
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=100, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    critical = models.BooleanField(
        _("critical"),
        default=False,
        help_text=_("Security-relevant (a marker for filtering: every entry is chained)."),
    )
    seq = models.PositiveBigIntegerField(
        _("chain position"), null=True, blank=True, unique=True, editable=False
    )
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action}"


class ChainHead(models.Model):
    """The last link of the hash chain (one row, id 1), locked to append."""

    seq = models.PositiveBigIntegerField(_("last position"), default=0)
    hash = models.CharField(_("last hash"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class Checkpoint(models.Model):
    """A signed tree head: the Merkle root of entries 1..tree_size, signed with the audit key.

    The auditor also keeps the JSON of checkpoints outside the system
    (`pollguard audit checkpoint --out FILE`); a copy here lets verification name the last
    entry a checkpoint still confirms.
    """

    created_at = models.DateTimeField(_("time"), db_index=True)
    tree_size = models.PositiveBigIntegerField(_("entries covered"))
    root_hash = models.CharField(_("Merkle root"), max_length=64)
    chain_hash = models.CharField(_("chain hash"), max_length=64, blank=True)
    key_id = models.CharField(_("key id"), max_length=64)
    signature = models.CharField(_("signature"), max_length=200)

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ["-tree_size", "-id"]

    def __str__(self) -> str:
        return f"#{self.tree_size} {self.root_hash[:12]}"
