"""Identifiers: one seeded source of UUIDs, and the checks for caller-given ones.

The source is a counter hashed with the seed (BLAKE2b), so its whole state is two
integers: the same seed and the same sequence of draws give the same ids, and a
snapshot restores it exactly.
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["IdSource", "is_uuid"]

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def is_uuid(value: str) -> bool:
    """True for a canonical lowercase UUID (any version)."""
    return _UUID.fullmatch(value) is not None


class IdSource:
    """Deterministic lowercase UUIDs in the version-4 layout."""

    __slots__ = ("_key", "drawn", "seed")

    def __init__(self, seed: int, drawn: int = 0) -> None:
        self.seed = seed
        self.drawn = drawn
        self._key = hashlib.blake2b(str(seed).encode(), digest_size=16).digest()

    def next(self) -> str:
        """Draw the next id."""
        raw = bytearray(
            hashlib.blake2b(self.drawn.to_bytes(8, "big"), digest_size=16, key=self._key).digest()
        )
        self.drawn += 1
        raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
        raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
        h = raw.hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def __repr__(self) -> str:
        return f"IdSource(seed={self.seed}, drawn={self.drawn})"
