"""Plain-data views of results: the JSON lines that ``scrubline clean`` writes.

The record layout is described by ``schemas/clean_record.schema.json``.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from .records import CleanResult, Reject


def loads_json(value: Any) -> Any:
    """A JSON column as read from DuckDB (a string) parsed; anything else as it is."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def source_name(source_uri: str) -> str:
    """The input file name (last path segment) of a source URI."""
    return source_uri.rstrip("/").rsplit("/", 1)[-1]


def result_record(result: CleanResult) -> dict[str, Any]:
    """One JSON-ready record for a cleaned document."""
    doc = result.document
    outlet = doc.outlet
    return {
        "source": source_name(doc.source_uri),
        "source_uri": doc.source_uri,
        "doc_id": doc.doc_id,
        "capture_id": doc.capture_id,
        "text": doc.text,
        "removed": [span._asdict() for span in result.removed],
        "footnotes": [
            {**asdict(f), "ref_offsets": list(f.ref_offsets), "issues": list(f.issues)}
            for f in result.footnotes
        ],
        "links": [asdict(link) for link in result.links],
        "metadata": {
            "title": doc.title,
            "authors": list(doc.authors),
            "published_at": doc.published_at,
            "dateline": doc.dateline,
            "language": doc.language,
            "language_region": doc.language_region,
            "outlet_id": outlet.outlet_id if outlet else None,
            "outlet_confidence": outlet.confidence if outlet else None,
            "outlet_evidence": [asdict(e) for e in outlet.evidence] if outlet else [],
            "decode": asdict(doc.decode) if doc.decode else None,
            "normalize_plan": list(doc.normalize_plan),
            "ruleset_version": doc.ruleset_version,
            "pipeline_version": doc.pipeline_version,
            **doc.metadata,
        },
        "profile": result.stats.get("profile", "article"),
        "stats": {k: v for k, v in result.stats.items() if k != "provisional_outlet"},
    }


def reject_record(reject: Reject) -> dict[str, Any]:
    """One JSON-ready record for an input that could not be cleaned."""
    return {
        "source": source_name(reject.source_uri),
        "source_uri": reject.source_uri,
        "capture_id": reject.capture_id,
        "error": {"stage": reject.stage, "class": reject.error_class, "message": reject.message},
    }
