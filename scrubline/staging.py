"""Stage one batch of pipeline output as Parquet files for the warehouse loader.

A batch directory holds one Parquet file per warehouse table plus ``manifest.json``. It is
written in a temporary sibling directory and renamed into place, so a reader sees either no
batch or a complete one. Columns mirror the warehouse migrations (JSON columns as JSON
strings); the loader adds ``loaded_at`` and the quarantine flags. No duckdb here: pyarrow only.

Besides the tables' rows, a batch carries what the corpus-wide steps need from each document,
computed here, where the text already is, so they never read texts back from the warehouse:
its MinHash signature and LSH band hashes (``doc_signatures``, ``signature_bands``) and the
lines of its normalized text that could be an outlet template (``template_lines``; every
document has a row with the empty line, so "counted, no candidate line" differs from "not
staged").
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrubline import arrow, syndication
from scrubline.boilerplate.templates import line_columns
from scrubline.records import Capture, CleanResult, Document, Outlet, Reject

MANIFEST = "manifest.json"
#: 3: documents carry ``cleaned_with`` (the clean settings key); the manifest counts ``seen``.
FORMAT_VERSION = 3

SCHEMAS: dict[str, arrow.Schema] = {
    "documents": arrow.schema(
        [
            ("doc_id", "string"), ("capture_id", "string"), ("run_id", "string"), ("source_uri", "string"),
            ("title", "string"), ("authors", "list<string>"), ("published_at", "string"),
            ("dateline", "string"), ("language", "string"), ("outlet_id", "string"),
            ("outlet_confidence", "float64"), ("outlet_evidence", "string"),
            ("metadata", "string"), ("metadata_evidence", "string"), ("decode", "string"),
            ("normalize_plan", "list<string>"), ("text_normalized", "string"), ("text", "string"),
            ("chars_normalized", "int32"), ("chars_clean", "int32"),
            ("removed_share", "float64"), ("ruleset_version", "string"),
            ("pipeline_version", "string"), ("stats", "string"), ("language_region", "string"),
            ("cleaned_with", "string"),
        ]
    ),
    "removed_spans": arrow.schema(
        [
            ("doc_id", "string"), ("capture_id", "string"), ("span_no", "int32"),
            ("start_offset", "int32"), ("end_offset", "int32"), ("rule_id", "string"),
            ("rule_version", "int32"), ("category", "string"), ("removed_text", "string"),
            ("evidence", "string"),
        ]
    ),
    "footnotes": arrow.schema(
        [
            ("doc_id", "string"), ("capture_id", "string"), ("ordinal", "int32"), ("marker", "string"),
            ("ref_offsets", "list<int32>"), ("note_text", "string"), ("url", "string"),
            ("url_canonical", "string"), ("domain", "string"), ("cited_outlet_id", "string"),
            ("issues", "list<string>"), ("kind", "string"),
        ]
    ),
    "links": arrow.schema(
        [
            ("doc_id", "string"), ("capture_id", "string"), ("position", "int32"), ("url", "string"),
            ("anchor", "string"), ("url_canonical", "string"), ("domain", "string"),
        ]
    ),
    "captures": arrow.schema(
        [
            ("capture_id", "string"), ("source_uri", "string"), ("source_id", "string"),
            ("fetched_at", "timestamp"), ("content_type", "string"), ("byte_size", "int64"),
            ("http_status", "int32"), ("http_headers", "string"), ("warc_record_id", "string"),
            ("raw_path", "string"), ("first_run_id", "string"), ("language_hint", "string"),
            ("outlet_hint", "string"),
        ]
    ),
    "rejects": arrow.schema(
        [
            ("run_id", "string"), ("source_uri", "string"), ("capture_id", "string"), ("stage", "string"),
            ("error_class", "string"), ("message", "string"), ("rejected_at", "timestamp"),
        ]
    ),
    "outlets": arrow.schema(
        [
            ("outlet_id", "string"), ("name", "string"), ("abbreviations", "list<string>"),
            ("domains", "list<string>"), ("country", "string"), ("kind", "string"), ("language", "string"),
            ("provisional", "bool"), ("notes", "string"),
        ]
    ),
    "doc_signatures": arrow.schema(
        [
            ("doc_id", "string"), ("capture_id", "string"), ("signature_version", "string"),
            ("content_hash", "string"), ("signature", "binary"), ("is_empty", "bool"),
        ]
    ),
    "signature_bands": arrow.schema(
        [
            ("signature_version", "string"), ("doc_id", "string"), ("capture_id", "string"),
            ("band", "uint8"), ("bucket", "uint64"),
        ]
    ),
    "template_lines": arrow.schema(
        [("doc_id", "string"), ("capture_id", "string"), ("text", "string"), ("zone", "string")]
    ),
}
TABLES: tuple[str, ...] = tuple(SCHEMAS)
#: Tables derived from the documents' texts (not part of the batch's identity).
DERIVED = ("doc_signatures", "signature_bands", "template_lines")


def to_json(value: Any) -> str | None:
    """Serialize a record field for a JSON column; dataclasses become objects."""
    if value is None:
        return None
    return json.dumps(_plain(value), ensure_ascii=False, sort_keys=True, default=str)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def removed_share(text: str, text_normalized: str) -> float:
    """Share of ``text_normalized`` removed by cleaning; 0 for an empty document."""
    if not text_normalized:
        return 0.0
    return 1.0 - len(text) / len(text_normalized)


def _utc(ts: datetime) -> datetime:
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def _document_row(
    doc: Document, run_id: str, stats: Mapping[str, Any], cleaned_with: str | None
) -> dict[str, Any]:
    attribution = doc.outlet
    return {
        "doc_id": doc.doc_id,
        "capture_id": doc.capture_id,
        "run_id": run_id,
        "source_uri": doc.source_uri,
        "title": doc.title,
        "authors": list(doc.authors),
        "published_at": doc.published_at,
        "dateline": doc.dateline,
        "language": doc.language,
        "outlet_id": attribution.outlet_id if attribution else None,
        "outlet_confidence": attribution.confidence if attribution else None,
        "outlet_evidence": to_json(attribution.evidence) if attribution else None,
        "metadata": to_json(doc.metadata),
        "metadata_evidence": to_json(doc.metadata_evidence),
        "decode": to_json(doc.decode),
        "normalize_plan": list(doc.normalize_plan),
        "text_normalized": doc.text_normalized,
        "text": doc.text,
        "chars_normalized": len(doc.text_normalized),
        "chars_clean": len(doc.text),
        "removed_share": removed_share(doc.text, doc.text_normalized),
        "ruleset_version": doc.ruleset_version,
        "pipeline_version": doc.pipeline_version,
        "stats": to_json(stats),
        "language_region": doc.language_region,
        "cleaned_with": cleaned_with,
    }


def _first_by_key(rows: Iterable[dict[str, Any]], key: tuple[str, ...]) -> tuple[list, int]:
    """Keep the first row per key (primary keys must be unique); return rows and drop count."""
    seen: set[tuple[Any, ...]] = set()
    kept: list[dict[str, Any]] = []
    dropped = 0
    for row in rows:
        k = tuple(row[c] for c in key)
        if k in seen:
            dropped += 1
            continue
        seen.add(k)
        kept.append(row)
    return kept, dropped


def _result_rows(
    results: list[CleanResult], run_id: str, cleaned_with: Mapping[tuple[str, str], str]
) -> dict[str, list[dict[str, Any]]]:
    docs, spans, notes, links = [], [], [], []
    for res in results:
        d = res.document
        key = {"doc_id": d.doc_id, "capture_id": d.capture_id}
        docs.append(_document_row(d, run_id, res.stats, cleaned_with.get((d.doc_id, d.capture_id))))
        spans += [
            {**key, "span_no": n, "start_offset": s.start, "end_offset": s.end,
             "rule_id": s.rule_id, "rule_version": s.rule_version, "category": s.category,
             "removed_text": s.text, "evidence": s.evidence}
            for n, s in enumerate(res.removed)
        ]
        notes += [
            {**key, "ordinal": f.ordinal, "marker": f.marker, "ref_offsets": list(f.ref_offsets),
             "note_text": f.note_text, "url": f.url, "url_canonical": f.url_canonical,
             "domain": f.domain, "cited_outlet_id": f.cited_outlet_id, "issues": list(f.issues),
             "kind": f.kind}
            for f in res.footnotes
        ]
        links += [
            {**key, "position": lk.position, "url": lk.url, "anchor": lk.anchor,
             "url_canonical": lk.url_canonical, "domain": lk.domain}
            for lk in res.links
        ]
    return {"documents": docs, "removed_spans": spans, "footnotes": notes, "links": links}


def _derived_columns(docs: list[dict[str, Any]]) -> dict[str, dict[str, list[Any]]]:
    """The derived tables' columns for the (deduplicated) document rows: signatures and band
    hashes of the clean text (vectorised over the batch), candidate template lines of the
    normalized text."""
    keys = [(d["doc_id"], d["capture_id"]) for d in docs]
    records = syndication.signature_records(keys, [d["text"] for d in docs])
    signatures = {name: [r[name] for r in records] for name in SCHEMAS["doc_signatures"].names}
    bands = syndication.band_records(keys, syndication.signature_from_bytes(signatures["signature"]))
    lines = line_columns((d["doc_id"], d["capture_id"], d["text_normalized"]) for d in docs)
    return {"doc_signatures": signatures, "signature_bands": bands, "template_lines": lines}


def _capture_rows(
    captures: list[Capture], run_id: str, raw_paths: Mapping[str, str]
) -> list[dict[str, Any]]:
    return [
        {"capture_id": c.capture_id, "source_uri": c.source_uri, "source_id": c.source_id,
         "fetched_at": _utc(c.fetched_at), "content_type": c.content_type,
         "byte_size": c.byte_size, "http_status": c.http_status,
         "http_headers": to_json(c.http_headers), "warc_record_id": c.warc_record_id,
         "raw_path": raw_paths.get(c.capture_id), "first_run_id": run_id,
         "language_hint": c.language_hint, "outlet_hint": c.outlet_hint}
        for c in captures
    ]


def _reject_rows(rejects: list[Reject], run_id: str, now: datetime) -> list[dict[str, Any]]:
    return [
        {"run_id": run_id, "source_uri": r.source_uri, "capture_id": r.capture_id,
         "stage": r.stage, "error_class": r.error_class, "message": r.message,
         "rejected_at": now}
        for r in rejects
    ]


def _outlet_rows(outlets: list[Outlet]) -> list[dict[str, Any]]:
    # Registry outlets first, so a registry entry wins over a provisional one of the same id.
    ordered = sorted(outlets, key=lambda o: o.provisional)
    return [
        {"outlet_id": o.outlet_id, "name": o.name, "abbreviations": list(o.abbreviations),
         "domains": list(o.domains), "country": o.country, "kind": o.kind,
         "language": o.language, "provisional": o.provisional, "notes": o.notes}
        for o in ordered
    ]


#: The key of each staged table (staging keeps the first row of each key; the loader checks it).
KEYS: dict[str, tuple[str, ...]] = {
    "documents": ("doc_id", "capture_id"),
    "removed_spans": ("doc_id", "capture_id", "span_no"),
    "footnotes": ("doc_id", "capture_id", "ordinal"),
    "links": ("doc_id", "capture_id", "position"),
    "captures": ("capture_id",),
    "rejects": ("source_uri", "stage"),
    "outlets": ("outlet_id",),
}


def _batch_id(run_id: str, rows: Mapping[str, list[dict[str, Any]]]) -> str:
    """Deterministic id of the logical batch: run + the keys of every staged row."""
    h = hashlib.sha256(run_id.encode())
    for table in TABLES:
        if table in DERIVED:  # functions of the documents, hashed already
            continue
        for row in rows[table]:
            h.update(json.dumps([table, *(row[c] for c in KEYS[table])]).encode())
    return h.hexdigest()[:32]


def write_batch(
    staging_dir: Path,
    results: list[CleanResult],
    captures: list[Capture],
    rejects: list[Reject],
    outlets: list[Outlet],
    run_id: str,
    *,
    raw_paths: Mapping[str, str] | None = None,
    cleaned_with: Mapping[tuple[str, str], str] | None = None,
    seen: int = 0,
) -> Path:
    """Write one batch to ``staging_dir`` atomically and return ``staging_dir``.

    ``staging_dir`` is the batch directory itself (e.g. ``warehouse/staging/<run>/<n>``); an
    existing batch there is replaced. Rows repeating a primary key are dropped (first kept) and
    counted under ``dropped`` in the manifest. ``raw_paths`` maps capture_id to its raw store path;
    ``cleaned_with`` (doc_id, capture_id) to the document's clean settings key. ``seen``: how many
    of ``captures`` are inputs loaded already under the same settings, not cleaned again (only
    their capture rows are staged).
    """
    staging_dir = Path(staging_dir)
    now = datetime.now(UTC)
    rows = _result_rows(results, run_id, cleaned_with or {})
    rows["captures"] = _capture_rows(captures, run_id, raw_paths or {})
    rows["rejects"] = _reject_rows(rejects, run_id, now)
    rows["outlets"] = _outlet_rows(outlets)
    dropped: dict[str, int] = {}
    for table in TABLES:
        if table not in DERIVED:
            rows[table], dropped[table] = _first_by_key(rows[table], KEYS[table])
    derived = _derived_columns(rows["documents"])
    manifest = {
        "format": FORMAT_VERSION,
        "run_id": run_id,
        "batch_id": _batch_id(run_id, rows),
        "created_at": now.isoformat(),
        "counts": {**{t: len(rows[t]) for t in TABLES if t not in DERIVED},
                   **{t: len(next(iter(c.values()))) for t, c in derived.items()}},  # fmt: skip
        "dropped": {t: n for t, n in dropped.items() if n},
        "seen": seen,
        "files": {t: f"{t}.parquet" for t in TABLES},
    }
    staging_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = staging_dir.parent / f".{staging_dir.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        for table in TABLES:
            data = (arrow.from_columns(derived[table], SCHEMAS[table]) if table in DERIVED
                    else arrow.from_rows(rows[table], SCHEMAS[table]))  # fmt: skip
            arrow.write_parquet(data, tmp / f"{table}.parquet")
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        _swap_into_place(tmp, staging_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return staging_dir


def _swap_into_place(tmp: Path, target: Path) -> None:
    """Rename ``tmp`` to ``target``; an old ``target`` is moved aside first, then removed."""
    old = None
    if target.exists():
        old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
        os.replace(target, old)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_manifest(staging_dir: Path) -> dict[str, Any]:
    """The manifest of a complete batch; raises FileNotFoundError for an incomplete one."""
    staging_dir = Path(staging_dir)
    manifest = json.loads((staging_dir / MANIFEST).read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise ValueError(f"unsupported staging format {manifest.get('format')!r}")
    for table in TABLES:
        if not (staging_dir / f"{table}.parquet").is_file():
            raise FileNotFoundError(staging_dir / f"{table}.parquet")
    return manifest


def batch_files(staging_dir: Path) -> dict[str, str]:
    """Absolute path of each staged Parquet file, by table name."""
    return {t: str((Path(staging_dir) / f"{t}.parquet").resolve()) for t in TABLES}
