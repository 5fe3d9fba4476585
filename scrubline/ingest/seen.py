"""What a walk over the inputs has met already, in memory that does not grow with the corpus.

A folder walk remembers, per input, the files its manifest names (the tree walk must not
read them again), the (file, URI) pairs it has read (a file reached twice is read once) and
the manifest ids (an id may appear once, and a repeat names the line of the first). As sets
and dicts of the strings themselves that cost ~670 bytes a document on the scale benchmark's
corpus (tracemalloc, 30,000 manifest entries, 2026-12-04): ~650 MB in the flow's process at
1M inputs, most of what grew with the corpus there.

:class:`SeenKeys` holds 128-bit BLAKE2b digests of the keys, in a dict up to
:data:`SPILL_AT` of them, then in a private temporary SQLite database (stdlib ``sqlite3``;
SQLite deletes the file when the connection closes) whose page cache is capped at
:data:`CACHE_KIB`: each stays under ~25 MB whatever the number of inputs, and the
walk pays a few microseconds a key once spilled, against ~1 ms to read and store a file. Two
different keys share a digest with probability about n² / 2¹²⁹ (10⁻²⁷ at 10⁷ keys): never,
in practice (a 64-bit digest, ~5·10⁻⁸ at 10⁶, would be the first to risk a file silently
left out).
"""

from __future__ import annotations

import sqlite3
from hashlib import blake2b

#: Keys held in memory before they move to the temporary database (~130 bytes each).
SPILL_AT = 100_000
#: The temporary database's page cache, in KiB.
CACHE_KIB = 8192
_SEPARATOR = b"\x00"  # no key part holds a NUL (paths cannot, URIs with one are rejects)


def digest(*parts: str) -> bytes:
    """The 128-bit digest of ``parts`` (in order); lone surrogates (undecodable file-name
    bytes) are hashed as they are."""
    h = blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(_SEPARATOR)
    return h.digest()


class SeenKeys:
    """A map from keys (tuples of strings) to the int given when each was first seen. Its
    temporary database, if any, goes when the walk holding it ends (the connection's close)."""

    __slots__ = ("_db", "_memory", "_spill_at")

    def __init__(self, spill_at: int | None = None) -> None:
        self._memory: dict[bytes, int] = {}
        self._db: sqlite3.Connection | None = None
        self._spill_at = spill_at or SPILL_AT

    def first(self, key: tuple[str, ...], value: int = 0) -> int | None:
        """Remember ``key`` with ``value``; None when it is new, else the value it was first
        remembered with."""
        d = digest(*key)
        if self._db is None:
            earlier = self._memory.get(d)
            if earlier is not None:
                return earlier
            self._memory[d] = value
            if len(self._memory) >= self._spill_at:
                self._spill()
            return None
        row = self._db.execute("SELECT value FROM seen WHERE digest = ?", (d,)).fetchone()
        if row is not None:
            return int(row[0])
        self._db.execute("INSERT INTO seen VALUES (?, ?)", (d, value))
        return None

    def add(self, key: tuple[str, ...]) -> bool:
        """Remember ``key``; False when it was there already."""
        return self.first(key) is None

    def __contains__(self, key: tuple[str, ...]) -> bool:
        d = digest(*key)
        if self._db is None:
            return d in self._memory
        return self._db.execute("SELECT 1 FROM seen WHERE digest = ?", (d,)).fetchone() is not None

    def __len__(self) -> int:
        if self._db is None:
            return len(self._memory)
        return int(self._db.execute("SELECT count(*) FROM seen").fetchone()[0])

    @property
    def spilled(self) -> bool:
        return self._db is not None

    def _spill(self) -> None:
        db = sqlite3.connect("", isolation_level=None)  # "": a private temporary file
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        db.execute("PRAGMA journal_mode = OFF")  # never committed: the file goes with the walk
        db.execute("PRAGMA synchronous = OFF")
        db.execute("CREATE TABLE seen (digest BLOB PRIMARY KEY, value INTEGER) WITHOUT ROWID")
        db.execute("BEGIN")
        db.executemany("INSERT INTO seen VALUES (?, ?)", self._memory.items())
        self._memory = {}
        self._db = db
