"""Reversibility end to end: rebuild every stored document from its raw bytes.

For one stored document version: raw bytes (raw store, sha256 = capture_id) --decode-->
the same decision as recorded --extract (HTML, same extractor only)--> (both through the
cleaner's own ``clean.read`` and ``clean.source_of``) --replay the recorded ftfy plan-->
``text_normalized`` exactly --remove the stored spans--> ``text`` exactly, and
putting the spans back gives ``text_normalized`` again. Pure: rows in, verdicts out; the
warehouse layer supplies the rows (``warehouse.verification_rows``).

Verdicts: ``verified``; ``failed`` (a stage does not reproduce what is stored: a real
provenance break); ``cannot_verify`` (the HTML extractor changed since the document was
cleaned, or its version was not recorded: re-extraction would not be a fair test).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import rawstore
from .boilerplate.engine import restore
from .normalize import replay
from .records import Capture, Rejected, RemovedSpan
from .staging import to_json

VERIFIED, FAILED, CANNOT_VERIFY = "verified", "failed", "cannot_verify"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome for one stored document version; ``stage`` names where it broke."""

    doc_id: str
    capture_id: str
    source_uri: str
    status: str
    stage: str | None = None
    detail: str = ""


def raw_bytes(row: Mapping[str, Any], raw_root: Path | None) -> bytes:
    """The raw bytes of a stored capture (its ``raw_path``, else ``raw_root``); checks sha256."""
    stored = Path(row["raw_path"]) if row.get("raw_path") else None
    if stored is not None and stored.is_file():
        return rawstore.get(stored.parents[2], row["capture_id"])
    if raw_root is None:
        raise FileNotFoundError(f"raw bytes of {row['capture_id']} not found (no raw store given)")
    return rawstore.get(raw_root, row["capture_id"])


def stored_capture(row: Mapping[str, Any], raw: bytes) -> Capture:
    """Rebuild the Capture of a stored document version (``warehouse.stored_captures`` row)."""
    headers = row.get("http_headers")
    same_source = row.get("capture_source_uri") in (None, row["source_uri"])
    capture = Capture(
        source_uri=row["source_uri"],
        raw=raw,
        fetched_at=row["fetched_at"],
        content_type=row.get("content_type"),
        http_status=row.get("http_status"),
        http_headers=json.loads(headers) if isinstance(headers, str) else headers,
        warc_record_id=row.get("warc_record_id"),
        source_id=row.get("source_id") if same_source else None,
        language_hint=row.get("language_hint"),
        outlet_hint=row.get("outlet_hint"),
    )
    if capture.capture_id != row["capture_id"]:
        raise ValueError(f"raw bytes do not hash to capture {row['capture_id']}")
    if capture.doc_id != row["doc_id"]:
        raise ValueError(f"cannot rebuild doc id {row['doc_id']} from source {row['source_uri']!r}")
    return capture


def _first_difference(a: str, b: str) -> str:
    n = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return (f"first difference at offset {n}: {a[n:n + 30]!r} vs stored {b[n:n + 30]!r} "
            f"(lengths {len(a)}, {len(b)})")


def _spans(row: Mapping[str, Any]) -> list[RemovedSpan]:
    return [
        RemovedSpan(s["start"], s["end"], s["rule_id"], s["rule_version"], s["category"], s["text"])
        for s in row["spans"]
    ]


def _remove(text: str, spans: Iterable[RemovedSpan]) -> str:
    out, cursor = [], 0
    for s in spans:
        out.append(text[cursor : s.start])
        cursor = s.end
    out.append(text[cursor:])
    return "".join(out)


def verify_document(
    row: Mapping[str, Any], raw: bytes | None, current_extractor: Callable[[], str]
) -> Verdict:
    """Rebuild one stored document version from ``raw`` and compare every stage."""

    def verdict(status: str, stage: str | None = None, detail: str = "") -> Verdict:
        return Verdict(row["doc_id"], row["capture_id"], row["source_uri"], status, stage, detail)

    if raw is None:
        return verdict(FAILED, "raw", "raw bytes missing from the raw store")
    from .clean import read, source_of  # the cleaner's own first steps (clean imports the rules)

    capture = Capture(row["source_uri"], raw, datetime.now(UTC), content_type=row.get("content_type"),
                      capture_id=row["capture_id"])  # fmt: skip
    try:
        text, decision, html = read(capture)
    except Rejected as exc:
        return verdict(FAILED, "decode", f"the raw bytes no longer decode: {exc.message}")
    stored_decision = json.loads(row["decode"]) if row.get("decode") else None
    if stored_decision is not None and json.loads(to_json(decision) or "null") != stored_decision:
        return verdict(FAILED, "decode", f"decision now {to_json(decision)}, stored {row['decode']}")
    if html:
        stats = json.loads(row["stats"]) if row.get("stats") else {}
        stored = stats.get("extractor")
        if not stored:
            return verdict(CANNOT_VERIFY, "extract", "extractor version was not recorded for this document")
        if stored != current_extractor():
            return verdict(CANNOT_VERIFY, "extract",
                           f"extractor changed: stored {stored}, now {current_extractor()}")  # fmt: skip
    try:
        source_text = source_of(capture, text, html).text
    except Rejected as exc:
        return verdict(FAILED, "extract", exc.message)

    normalized = replay(source_text, tuple(row.get("normalize_plan") or ()))
    if normalized != row["text_normalized"]:
        return verdict(FAILED, "normalize", _first_difference(normalized, row["text_normalized"]))

    spans = _spans(row)
    for s in spans:
        if normalized[s.start : s.end] != s.text:
            return verdict(FAILED, "spans", f"span {s.start}-{s.end} ({s.rule_id}) does not match the text")
    clean = _remove(normalized, spans)
    if clean != row["text"]:
        return verdict(FAILED, "spans", _first_difference(clean, row["text"]))
    if restore(row["text"], spans) != row["text_normalized"]:
        return verdict(FAILED, "restore", "putting the spans back does not give text_normalized")
    return verdict(VERIFIED)


def verify_rows(
    rows: Iterable[Mapping[str, Any]],
    raw_root: Path | None,
    current_extractor: Callable[[], str] | None = None,
) -> list[Verdict]:
    """Verify many stored document versions (see ``verify_document``)."""
    if current_extractor is None:
        from .clean import extractor_version

        current_extractor = extractor_version
    verdicts = []
    for row in rows:
        try:
            raw: bytes | None = raw_bytes(row, raw_root)
        except (OSError, ValueError):
            raw = None
        verdicts.append(verify_document(row, raw, current_extractor))
    return verdicts


def summarize(verdicts: Iterable[Verdict]) -> dict[str, int]:
    """Counts by status."""
    counts = Counter(v.status for v in verdicts)
    return {status: counts.get(status, 0) for status in (VERIFIED, FAILED, CANNOT_VERIFY)}


__all__ = [
    "CANNOT_VERIFY", "FAILED", "VERIFIED", "Verdict", "raw_bytes", "stored_capture",
    "summarize", "verify_document", "verify_rows",
]
