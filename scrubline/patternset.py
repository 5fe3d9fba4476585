"""Many patterns, one pass over bytes: hyperscan databases (the only hyperscan import).

Three scans use it: the lexicon's phrases (``boilerplate/lexicon.py``), the shape rules' line
cues (``boilerplate/cues.py``) and the page hints that choose the metadata XPath branches
(``extract/candidates.py``). Each has an ``re`` or Aho-Corasick reference that gives the same
result; ``AVAILABLE`` says whether hyperscan is installed (a manylinux wheel; the references
run where it is not).
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence

try:
    import hyperscan
except ImportError:  # pragma: no cover - platforms without a hyperscan wheel
    hyperscan = None

__all__ = ["AVAILABLE", "PatternSet"]

#: Whether hyperscan is installed; without it, building a ``PatternSet`` raises RuntimeError.
AVAILABLE = hyperscan is not None


class PatternSet:
    """Patterns (bytes; hyperscan's regex dialect, or literals) compiled into one database
    and scanned together; each thread gets its own scratch space on its first scan.

    ``flags``: hyperscan flag names without ``HS_FLAG_`` (``"CASELESS"``, ``"UTF8"``,
    ``"UCP"``, ``"SINGLEMATCH"``, ...), one collection for every pattern or one per pattern.
    ``ids``: what a match of each pattern reports (default: its index).

    >>> sorted(PatternSet([b"ab", b"c"], flags=("CASELESS",)).ends(b"xAbc"))
    [(3, 0), (4, 1)]
    """

    def __init__(
        self,
        expressions: Sequence[bytes],
        *,
        ids: Sequence[int] | None = None,
        flags: Collection[str] | Sequence[Collection[str]] = (),
        literal: bool = False,
    ) -> None:
        if hyperscan is None:
            raise RuntimeError("hyperscan is not installed")
        if all(isinstance(f, str) for f in flags):
            flags = [flags] * len(expressions)  # type: ignore[list-item]
        self._db = hyperscan.Database()
        self._db.compile(
            expressions=list(expressions),
            ids=list(range(len(expressions)) if ids is None else ids),
            elements=len(expressions),
            flags=[sum(getattr(hyperscan, f"HS_FLAG_{name}") for name in names) for names in flags],
            literal=literal,
        )
        self._local = threading.local()

    def _scratch(self) -> object:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self._db)
        return scratch

    def ends(self, data: bytes) -> list[tuple[int, int]]:
        """(end offset, pattern id) of every match in ``data``, in the order hyperscan
        reports them (by end offset)."""
        found: list[tuple[int, int]] = []
        append = found.append
        scratch = self._scratch()
        self._db.scan(data, match_event_handler=lambda i, _f, to, _fl, _c: append((to, i)), scratch=scratch)
        return found

    def ids(self, data: bytes) -> set[int]:
        """The ids of the patterns that match ``data`` (with ``SINGLEMATCH``, each once)."""
        found: set[int] = set()
        add = found.add
        self._db.scan(data, match_event_handler=lambda i, *_: add(i), scratch=self._scratch())
        return found
