"""What reading inputs did besides making Captures and Rejects: unchanged URLs, skips, counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from scrubline.ingest.http import NotModified

#: URIs kept per skip reason as examples (the count is always complete).
MAX_EXAMPLES = 20


@dataclass
class IngestReport:
    """Filled by ``read_inputs``/``read_sources``/``read_warc`` when the caller passes one.

    - ``not_modified``: URLs the server confirmed unchanged (304), or that answered with the
      bytes of the capture we already hold: no new capture, count them as "unchanged";
    - ``skipped``: reason -> count of inputs deliberately not read (``seen`` article URLs of a
      feed, WARC request/metadata records, non-text payloads, ...), with example URIs;
    - ``discovered``: article URLs found in feeds and sitemaps (before skipping seen ones).
    """

    not_modified: list[NotModified] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    discovered: int = 0

    def skip(self, reason: str, uri: str) -> None:
        """Count one input skipped for ``reason``."""
        self.skipped[reason] += 1
        examples = self.examples.setdefault(reason, [])
        if len(examples) < MAX_EXAMPLES:
            examples.append(uri)

    def counts(self) -> dict[str, int]:
        """Flat counts for a run artifact: ``unchanged``, ``discovered``, ``skipped:<reason>``."""
        out = {"unchanged": len(self.not_modified), "discovered": self.discovered}
        out.update({f"skipped:{reason}": n for reason, n in sorted(self.skipped.items())})
        return out
