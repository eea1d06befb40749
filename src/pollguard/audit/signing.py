"""The Ed25519 key that signs audit checkpoints, and the checkpoint's signed form.

The private key lives in a file outside the database (`POLLGUARD_AUDIT_KEY_FILE`, PEM,
PKCS#8, mode 0600): someone who can rewrite the database tables must not also be able to
sign a checkpoint over the rewritten entries. The auditor verifies with the public key
alone (`pollguard audit public-key`), so the inspector general's office never needs the
private key.

A checkpoint is modelled on Certificate Transparency's signed tree head (RFC 9162
section 4.10): tree size, timestamp, Merkle root hash; we add the chain hash of the last
entry it covers. The key id is SHA-256 of the public key's DER SubjectPublicKeyInfo, as in
RFC 9162 section 4.4.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SCHEMA = "pollguard.audit-checkpoint/1"


class AuditKeyError(Exception):
    """The signing or verification key is missing or unreadable (message says which)."""


def key_id(public_key: Ed25519PublicKey) -> str:
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def create_key(path: Path) -> Ed25519PrivateKey:
    """Write a new private key to `path` (mode 0600, never overwriting) and return it."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def load_private_key(path: Path, *, create: bool = False) -> Ed25519PrivateKey:
    """The private key in `path`; with `create`, a new one when the file does not exist."""
    if not path.exists():
        if create:
            return create_key(path)
        raise AuditKeyError(f"no audit signing key at {path} (create one: pollguard audit keygen)")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise AuditKeyError(f"cannot read the audit signing key {path}: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise AuditKeyError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A public key file (PEM), or the public half of a private key file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AuditKeyError(f"cannot read the public key {path}: {exc}") from exc
    try:
        if b"PRIVATE KEY" in data:
            private = serialization.load_pem_private_key(data, password=None)
            if isinstance(private, Ed25519PrivateKey):
                return private.public_key()
        else:
            public = serialization.load_pem_public_key(data)
            if isinstance(public, Ed25519PublicKey):
                return public
    except (ValueError, TypeError) as exc:
        raise AuditKeyError(f"cannot read the public key {path}: {exc}") from exc
    raise AuditKeyError(f"{path} is not an Ed25519 key")


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A signed statement: "the first `tree_size` entries have this Merkle root"."""

    tree_size: int
    timestamp: str  # ISO 8601, UTC
    root_hash: str  # hex, RFC 9162 Merkle tree hash of entries 1..tree_size
    chain_hash: str  # hex, the hash-chain link of entry `tree_size` ("" when empty)
    key_id: str
    signature: str  # base64 Ed25519 signature of `signed_bytes()`

    def signed_bytes(self) -> bytes:
        return json.dumps(
            {
                "schema": SCHEMA,
                "tree_size": self.tree_size,
                "timestamp": self.timestamp,
                "root_hash": self.root_hash,
                "chain_hash": self.chain_hash,
                "key_id": self.key_id,
            },
            sort_keys=True,
            separators=(",", ":"),
        ).encode("ascii")

    def verifies_with(self, public_key: Ed25519PublicKey) -> bool:
        if self.key_id != key_id(public_key):
            return False
        try:
            public_key.verify(base64.b64decode(self.signature), self.signed_bytes())
        except (InvalidSignature, ValueError):
            return False
        return True

    def as_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "tree_size": self.tree_size,
            "timestamp": self.timestamp,
            "root_hash": self.root_hash,
            "chain_hash": self.chain_hash,
            "key_id": self.key_id,
            "signature": self.signature,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SignedCheckpoint:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} file")
        return cls(
            tree_size=int(data["tree_size"]),
            timestamp=str(data["timestamp"]),
            root_hash=str(data["root_hash"]),
            chain_hash=str(data["chain_hash"]),
            key_id=str(data["key_id"]),
            signature=str(data["signature"]),
        )


def sign(
    private_key: Ed25519PrivateKey, *, tree_size: int, timestamp: str, root_hash: str, chain: str
) -> SignedCheckpoint:
    unsigned = SignedCheckpoint(
        tree_size, timestamp, root_hash, chain, key_id(private_key.public_key()), ""
    )
    signature = base64.b64encode(private_key.sign(unsigned.signed_bytes())).decode("ascii")
    return SignedCheckpoint(tree_size, timestamp, root_hash, chain, unsigned.key_id, signature)
