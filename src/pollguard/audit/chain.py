"""The arithmetic of the audit chain and its Merkle tree; plain Python, no Django.

Every audit entry is one leaf. Its canonical form is the JSON of every field that says
what happened (position, time, actor id and username, action, object, before, after,
critical flag), sorted keys, no spaces, UTF-8. Two structures are built over the leaves:

- the hash chain: `hash = sha256(prev_hash + canonical)`, checked link by link, which
  names the first entry that was edited, inserted, deleted or moved;
- the Merkle tree hash of RFC 9162 section 2.1 (Certificate Transparency), whose root a
  signed checkpoint commits to, so that an attacker who rewrites the entries *and*
  recomputes every chain hash is still caught by the auditor's copy of a checkpoint.

The data migration that chains pre-existing rows uses these functions too, so the rules
live in exactly one place.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_entry(
    *,
    seq: int,
    created_at_iso: str,
    actor_id: int | None,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any,
    after: Any,
    critical: bool,
) -> bytes:
    """The bytes that are hashed for one entry (also the Merkle leaf input)."""
    return json.dumps(
        {
            "seq": seq,
            "time": created_at_iso,
            "actor_id": actor_id,
            "actor": actor_name,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "before": before,
            "after": after,
            "critical": critical,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")


def chain_hash(prev_hash: str, canonical: bytes) -> str:
    """The link: SHA-256 of the previous link's hex digest followed by the entry."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical).hexdigest()


def leaf_hash(canonical: bytes) -> bytes:
    """RFC 9162 section 2.1.1: MTH({d}) = SHA-256(0x00 || d)."""
    return hashlib.sha256(b"\x00" + canonical).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 section 2.1.1: SHA-256(0x01 || MTH(left) || MTH(right))."""
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").hexdigest()  # MTH({}) of RFC 9162


class MerkleBuilder:
    """Merkle tree hash of a growing list of leaves, in O(log n) memory.

    It keeps the roots of the perfect subtrees that make up the leaves so far (one per
    bit of the count, largest first), like a binary counter. The tree hash of RFC 9162
    splits at the largest power of two below n, so folding those roots from the right
    gives exactly MTH(D[0:n]) for the current n, at any point of the stream.
    """

    def __init__(self) -> None:
        self.size = 0
        self._frontier: list[tuple[int, bytes]] = []  # (subtree size, subtree hash)

    def append(self, canonical: bytes) -> None:
        node = (1, leaf_hash(canonical))
        while self._frontier and self._frontier[-1][0] == node[0]:
            size, left = self._frontier.pop()
            node = (size * 2, node_hash(left, node[1]))
        self._frontier.append(node)
        self.size += 1

    def root(self) -> str:
        """MTH of every leaf appended so far, as hex."""
        if not self._frontier:
            return EMPTY_ROOT
        acc = self._frontier[-1][1]
        for _, left in reversed(self._frontier[:-1]):
            acc = node_hash(left, acc)
        return acc.hex()


def merkle_root(leaves: list[bytes]) -> str:
    """MTH(D[n]) straight from the definition; the reference `MerkleBuilder` is tested against."""

    def mth(items: list[bytes]) -> bytes:
        if len(items) == 1:
            return leaf_hash(items[0])
        k = 1
        while k * 2 < len(items):
            k *= 2
        return node_hash(mth(items[:k]), mth(items[k:]))

    return mth(leaves).hex() if leaves else EMPTY_ROOT
