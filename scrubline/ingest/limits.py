"""How much reading one input may cost: every ingest limit in one frozen object.

Each limit is enforced *while* reading: a file is read up to ``limit + 1`` bytes, compressed
data is inflated in bounded steps, YAML aliases are counted as they are composed; nothing is
read whole first and measured after. An input over a limit becomes a ``Reject`` (error class
``TooLarge``, ``CompressionBomb``, ``TooManyAliases``, ...) and the run goes on.

Defaults (why):

- ``max_file_bytes`` 20 MB: a news article is 5 kB-2 MB of HTML; 20 MB leaves room for very
  long pages and refuses ``/dev/zero``-like and multi-hundred-MB text dumps at once.
- ``max_payload_bytes`` 20 MB: the same bound for one WARC record payload (after undoing its
  content encoding) and for one decoded HTTP body (``FetchConfig.max_bytes`` caps the wire).
- ``max_inflated_bytes`` 256 MB: bytes a single gzip member may be inflated to while it is
  only being *walked past* (a too-large record whose end we must find); beyond it, reading
  resynchronises at the next gzip member instead.
- ``max_ratio`` 100 with ``ratio_floor_bytes`` 1 MB: inflated/compressed beyond 100x is a bomb
  (HTML compresses 5-15x; a page of blanks may exceed 100x, but then it is small, so the ratio
  is only judged past 1 MB of output).
- ``max_yaml_bytes`` 1 MB and ``max_yaml_aliases`` 20: a sources manifest is a few kB written by
  hand; a handful of anchors is normal, an alias bomb needs many.
- ``max_manifest_entries`` 1,000,000 and ``max_manifest_line`` 64 kB: a ``manifest.jsonl`` line
  is ~200 bytes; entries past the cap are one reject, not a million.
- ``source_roots``: folders besides the sources file's own folder (the project folder) that
  ``sources.yaml`` paths may point into; empty by default, so ``../../`` and absolute paths
  outside the project are rejected.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IngestLimits:
    """Every size/count limit of reading local and archived inputs (defaults: module doc)."""

    max_file_bytes: int = 20_000_000
    max_payload_bytes: int = 20_000_000
    max_inflated_bytes: int = 256_000_000
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 1_000_000
    max_yaml_bytes: int = 1_000_000
    max_yaml_aliases: int = 20
    max_manifest_entries: int = 1_000_000
    max_manifest_line: int = 65_536
    source_roots: tuple[str, ...] = ()


DEFAULT_LIMITS = IngestLimits()


class LimitExceeded(Exception):
    """An input went past one of the limits; ``error_class`` names which kind."""

    def __init__(self, error_class: str, message: str) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.message = message
