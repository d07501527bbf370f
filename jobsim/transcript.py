"""The transcript's storage: every call's ``{at, tool, arguments, result | error}``,
kept small enough that recording a million calls costs tens of megabytes, not a
gigabyte.

Each entry is frozen at once into marshal bytes (an immutable deep copy made in C),
so nothing the caller does afterwards can change it. Entries then wait in an open
chunk; when the chunk holds :data:`CHUNK_BYTES`, it is sealed: marshalled as one
list and compressed with zlib. Successive calls repeat the same keys, tool names
and ids, so a sealed chunk of ``create_job`` entries costs about 30 bytes per entry
instead of about 540, and sealing costs about a microsecond per entry, paid once
per chunk.
"""

from __future__ import annotations

import json
import marshal
import zlib
from collections.abc import Iterable
from typing import Any

from jobsim.serialize import copy_json

__all__ = ["CHUNK_BYTES", "Transcript"]

#: Marshal bytes an open chunk holds before it is compressed. Big enough that zlib
#: finds the repeats between entries, small enough that the open chunk stays cheap.
CHUNK_BYTES = 128 * 1024

# zlib's fastest level: on transcript chunks it compresses within 10 % of level 6
# at under half the time.
_LEVEL = 1


class Transcript:
    """An append-only list of transcript entries (plain JSON dicts)."""

    __slots__ = ("_count", "_open", "_open_bytes", "_sealed")

    def __init__(self, entries: Iterable[dict[str, Any]] = ()) -> None:
        self._sealed: list[tuple[int, bytes]] = []  # (entries, zlib of a marshalled list)
        self._open: list[bytes] = []
        self._open_bytes = 0
        self._count = 0
        for entry in entries:
            self.append(entry)

    def append(self, entry: dict[str, Any]) -> None:
        """Store a deep copy of ``entry``; later changes to ``entry`` do not reach it."""
        frozen = _freeze(entry)
        self._open.append(frozen)
        self._open_bytes += len(frozen)
        self._count += 1
        if self._open_bytes >= CHUNK_BYTES:
            self._seal()

    def entries(self) -> list[dict[str, Any]]:
        """Every entry, oldest first, each a fresh dict the caller may change."""
        out: list[dict[str, Any]] = []
        for _, blob in self._sealed:
            out.extend(map(_thaw, marshal.loads(zlib.decompress(blob))))
        out.extend(map(_thaw, self._open))
        return out

    def clear(self) -> None:
        """Forget every entry."""
        self._sealed.clear()
        self._open.clear()
        self._open_bytes = 0
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def __repr__(self) -> str:
        return f"<Transcript entries={self._count} sealed_chunks={len(self._sealed)}>"

    def _seal(self) -> None:
        self._sealed.append((len(self._open), zlib.compress(marshal.dumps(self._open), _LEVEL)))
        self._open = []
        self._open_bytes = 0


def _freeze(entry: dict[str, Any]) -> bytes:
    try:
        return marshal.dumps(entry)
    except ValueError:
        # marshal writes only exact built-in types; a Python caller may pass an
        # OrderedDict or a str subclass. A JSON round trip gives the same JSON value
        # in exact types (the simulator accepted it, so it is finite JSON).
        return marshal.dumps(json.loads(json.dumps(entry)))


def _thaw(frozen: bytes) -> dict[str, Any]:
    # copy_json after marshal.loads: marshal restores a value given twice in one call
    # as one shared object, and a caller changing one must not change the other.
    return copy_json(marshal.loads(frozen))  # type: ignore[no-any-return]
