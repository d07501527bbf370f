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

With a ``limit``, only the latest ``limit`` entries are kept: the oldest are
forgotten one by one (a sealed chunk is freed once all of its entries are), so
what is held stays within ``limit`` entries plus one chunk however long a server
runs. Every entry keeps its index (its position among all entries ever added).
"""

from __future__ import annotations

import json
import marshal
import zlib
from collections.abc import Iterable
from typing import Any

from jobsim.serialize import copy_json

__all__ = ["CHUNK_BYTES", "SERVER_LIMIT", "UNRECORDED", "Transcript", "thaw_entry"]

#: Marshal bytes an open chunk holds before it is compressed. Big enough that zlib
#: finds the repeats between entries, small enough that the open chunk stays cheap.
CHUNK_BYTES = 128 * 1024

#: The transcript limit of ``jobsim serve`` unless ``--transcript-limit`` says otherwise:
#: a few hours of an agent's calls at one a second, and a few MB at typical sizes
#: (30 B to 1 KB an entry compressed), where keeping all of them grows without end.
SERVER_LIMIT = 10_000

#: Tools whose calls are not recorded: a read of the transcript recorded in the
#: transcript would add the page it returned, so every read would grow it.
UNRECORDED = frozenset({"sim_get_transcript"})

# zlib's fastest level: on transcript chunks it compresses within 10 % of level 6
# at under half the time.
_LEVEL = 1


class Transcript:
    """An append-only list of transcript entries (plain JSON dicts), optionally
    keeping only the latest ``limit`` of them."""

    __slots__ = ("_first", "_limit", "_open", "_open_bytes", "_sealed", "_skip", "_total")

    def __init__(self, entries: Iterable[dict[str, Any]] = (), *, limit: int | None = None) -> None:
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise TypeError(f"limit must be an int or None, not {type(limit).__name__}")
        if limit is not None and limit < 1:
            raise ValueError(f"limit must be at least 1 (or None for no limit), not {limit}")
        self._limit = limit
        self._sealed: list[tuple[int, bytes]] = []  # (entries, zlib of a marshalled list)
        self._skip = 0  # entries of the oldest sealed chunk already forgotten
        self._open: list[bytes] = []
        self._open_bytes = 0
        self._first = 0  # index of the oldest entry held
        self._total = 0  # entries ever added: the index the next one gets
        for entry in entries:
            self.append(entry)

    @property
    def limit(self) -> int | None:
        """How many entries are kept at most (``None``: all of them)."""
        return self._limit

    @property
    def first(self) -> int:
        """The index of the oldest entry still held (0 until one is forgotten)."""
        return self._first

    @property
    def total(self) -> int:
        """How many entries were ever added, forgotten ones included."""
        return self._total

    def append(self, entry: dict[str, Any]) -> None:
        """Store a deep copy of ``entry``; later changes to ``entry`` do not reach it."""
        frozen = _freeze(entry)
        self._open.append(frozen)
        self._open_bytes += len(frozen)
        self._total += 1
        if self._open_bytes >= CHUNK_BYTES:
            self._seal()
        if self._limit is not None and self._total - self._first > self._limit:
            self._forget_oldest()

    def entries(self) -> list[dict[str, Any]]:
        """Every entry held, oldest first, each a fresh dict the caller may change."""
        return self.slice(self._first, self._total)

    def slice(self, start: int, stop: int) -> list[dict[str, Any]]:
        """The held entries with index in ``[start, stop)``, oldest first (fresh dicts).

        Only the chunks that hold them are decompressed."""
        return list(map(thaw_entry, self.frozen(start, stop)))

    def frozen(self, start: int, stop: int) -> list[bytes]:
        """The held entries with index in ``[start, stop)``, oldest first, as the bytes
        they are kept in: equal bytes, equal entries, compared without thawing
        (:func:`thaw_entry` thaws one). Only the chunks that hold them are decompressed."""
        start, stop = max(start, self._first), min(stop, self._total)
        out: list[bytes] = []
        if start >= stop:
            return out
        base = self._first - self._skip  # index of the oldest sealed chunk's first entry
        for count, blob in self._sealed:
            if base + count > start and base < stop:
                chunk = marshal.loads(zlib.decompress(blob))
                out.extend(chunk[max(start - base, 0) : stop - base])
            base += count
            if base >= stop:
                return out
        out.extend(self._open[max(start - base, 0) : stop - base])
        return out

    def held_bytes(self) -> int:
        """Bytes of entry data held: the sealed chunks plus the open one."""
        return sum(len(blob) for _, blob in self._sealed) + self._open_bytes

    def clear(self) -> None:
        """Forget every entry (indexes go on from where they were)."""
        self._sealed.clear()
        self._open.clear()
        self._open_bytes = 0
        self._skip = 0
        self._first = self._total

    def __len__(self) -> int:
        return self._total - self._first

    def __repr__(self) -> str:
        return (
            f"<Transcript entries={len(self)} first={self._first} limit={self._limit} "
            f"sealed_chunks={len(self._sealed)}>"
        )

    def _forget_oldest(self) -> None:
        self._first += 1
        if self._sealed:
            self._skip += 1
            if self._skip == self._sealed[0][0]:
                del self._sealed[0]
                self._skip = 0
        else:
            self._open_bytes -= len(self._open.pop(0))

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


def thaw_entry(frozen: bytes) -> dict[str, Any]:
    """One entry of :meth:`Transcript.frozen` as a fresh dict."""
    # copy_json after marshal.loads: marshal restores a value given twice in one call
    # as one shared object, and a caller changing one must not change the other.
    return copy_json(marshal.loads(frozen))  # type: ignore[no-any-return]
