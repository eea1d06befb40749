"""Opaque live-feed positions: what a client holds instead of the feed's row ids.

The feed's ids are global: two events a sector commander receives with ids 120 and 180
would tell them that 59 things happened meanwhile in sectors they may not see. So an id
never leaves the server as a number. Each position (`last`, an event's `id`) is the id
encrypted with AES-SIV (deterministic authenticated encryption, `cryptography`) under a key
derived from the secret key, with the user's id as associated data:

- the same event always has the same token for the same user, so a client can skip an event
  it has already applied;
- tokens have no order and no arithmetic: a client cannot count the ids between two of them;
- a token made for one user, edited, or forged is refused (`InvalidCursor`), and so is a
  plain number, which would let a client probe where its own events sit among everyone's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from django.conf import settings

_CONTEXT = b"pollguard.live.cursor/1"
_MAX_ID = 2**63 - 1


class InvalidCursor(ValueError):
    """A position the server did not make for this user."""


@lru_cache(maxsize=4)
def _cipher(secret: str) -> AESSIV:
    # 64 bytes: AES-256-SIV. Derived, so the secret key itself is never the cipher's key.
    return AESSIV(hashlib.sha512(_CONTEXT + b"\0" + secret.encode()).digest())


def _associated(user_id: object) -> list[bytes]:
    return [_CONTEXT, str(user_id).encode()]


def encode_position(event_id: int, user_id: object) -> str:
    """The token for feed position `event_id` (0: before every event), for one user."""
    if not 0 <= event_id <= _MAX_ID:
        raise ValueError(f"feed position out of range: {event_id}")
    sealed = _cipher(settings.SECRET_KEY).encrypt(event_id.to_bytes(8, "big"), _associated(user_id))
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii")


def decode_position(token: str, user_id: object) -> int:
    """The feed position a token stands for; `InvalidCursor` unless made for this user."""
    if not token or len(token) > 64 or not token.isascii():
        raise InvalidCursor(token)
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        plain = _cipher(settings.SECRET_KEY).decrypt(sealed, _associated(user_id))
    except (binascii.Error, ValueError, InvalidTag) as exc:
        raise InvalidCursor(token) from exc
    if len(plain) != 8:
        raise InvalidCursor(token)
    return int.from_bytes(plain, "big")
