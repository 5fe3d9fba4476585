"""Loading one staged batch: bulk ``INSERT ... SELECT FROM read_parquet(?)``, one transaction.

Delete-then-insert by (doc_id, capture_id) makes a re-loaded batch add nothing; the changes a
batch brings (new / changed / recleaned documents, span diffs per rule) are recorded first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from scrubline import staging

from .db import Connection, count, session, sql, transaction

StepHook = Callable[[str], None]

#: Child tables of a document, deleted with it and loaded from the file of the same name.
_CHILD_TABLES = ("removed_spans", "footnotes", "links")


def _load_captures(con: Connection, files: Mapping[str, str]) -> dict[str, int]:
    before = count(con, "SELECT count(*) FROM captures")
    con.execute(sql("load/captures_seen"), [files["captures"]])
    con.execute(sql("load/captures"), [files["captures"]])
    return {"captures_new": count(con, "SELECT count(*) FROM captures") - before}


def _load_outlets(con: Connection, files: Mapping[str, str]) -> dict[str, int]:
    """Registry outlets are upserted; provisional ones only created, never overwriting."""
    before = count(con, "SELECT count(*) FROM outlets")
    updated = count(con, sql("load/outlets_updated"), [files["outlets"]])
    con.execute(sql("load/outlets_registry"), [files["outlets"]])
    con.execute(sql("load/outlets_provisional"), [files["outlets"]])
    created = count(con, "SELECT count(*) FROM outlets") - before
    return {"outlets_new": created, "outlets_updated": updated}


#: Tables without a PRIMARY KEY (migration 010: DuckDB's in-memory indexes made loads grow
#: with the corpus) whose staged keys (``staging.KEYS``) the loader checks itself.
_UNINDEXED = ("documents", "removed_spans", "footnotes", "links", "captures")


def _refuse_repeated_keys(con: Connection, files: Mapping[str, str]) -> None:
    """A staged batch repeating a key would store it twice (staging keeps the first row of
    each key, so only a damaged or hand-made batch does): refuse it, naming table and file."""
    for table in _UNINDEXED:  # whitelisted names
        key = ", ".join(staging.KEYS[table])
        extra = count(con, f"SELECT count(*) - count(DISTINCT ({key})) FROM read_parquet(?)", [files[table]])
        if extra:
            raise ValueError(f"staged {table} repeats its key ({key}) {extra} time(s): {files[table]}")


def _load_documents(con: Connection, files: Mapping[str, str], batch_id: str, run_id: str) -> dict[str, int]:
    """Delete-then-insert documents and their children, keyed by the batch's (doc, capture),
    then the derived rows (signature, band hashes, template lines) of the versions that need
    them."""
    docs = files["documents"]
    _refuse_repeated_keys(con, files)
    staged = count(con, "SELECT count(*) FROM read_parquet(?)", [docs])
    replaced = count(con, sql("load/known_versions"), [docs])
    con.execute(sql("load/replaced_versions"), [docs, replaced])
    if replaced:  # only a loaded version has rows to delete: new ones skip scanning the tables
        con.execute(sql("load/forget_derived"))
        for table in (*_CHILD_TABLES, "documents"):  # whitelisted table names
            con.execute(
                f"DELETE FROM {table} WHERE (doc_id, capture_id) IN "
                "(SELECT doc_id, capture_id FROM read_parquet(?))",
                [docs],
            )
    con.execute(sql("load/documents"), [batch_id, docs])
    counts = {"documents_new": staged - replaced, "documents_replaced": replaced}
    for table in _CHILD_TABLES:
        con.execute(sql(f"load/{table}"), [files[table]])
        counts[table] = count(con, "SELECT count(*) FROM read_parquet(?)", [files[table]])
    con.execute(sql("load/doc_signatures"), [run_id, files["doc_signatures"]])
    con.execute(sql("load/signature_bands"), [files["signature_bands"]])
    con.execute(sql("load/template_lines"), [files["template_lines"]])
    con.execute("DROP TABLE replaced_versions")
    return counts


def _load_rejects(con: Connection, files: Mapping[str, str]) -> dict[str, int]:
    """Append rejects, skipping ones already recorded for the same run, source and stage."""
    before = count(con, "SELECT count(*) FROM rejects")
    con.execute(sql("load/rejects"), [files["rejects"]])
    return {"rejects": count(con, "SELECT count(*) FROM rejects") - before}


def already_loaded(db_path: str | Path, inputs: Sequence[tuple[str, str, str]]) -> set[tuple[str, str]]:
    """The (doc_id, capture_id) of ``inputs`` — (doc_id, capture_id, clean settings key) — whose
    exact version is loaded already under the same settings: cleaning them again would give the
    same rows, so a run stages only their capture (seen again)."""
    if not inputs:
        return set()
    columns = [list(c) for c in zip(*inputs, strict=True)]
    with session(db_path, read_only=True) as con:
        return {(d, c) for d, c in con.execute(sql("load/already_loaded"), columns).fetchall()}


def _record_changes(
    con: Connection, files: Mapping[str, str], run_id: str, batch_id: str, seen: int = 0
) -> dict[str, int]:
    """Classify the batch's documents against the warehouse before they replace anything.

    new: unknown doc_id; changed: a known doc_id with another capture (a new version);
    unchanged: the same (doc_id, capture_id) is already loaded; of those, recleaned ones
    (``outputs_changed``) get a different clean text or removed spans (diffed per rule).
    ``seen`` inputs, loaded already under the same settings and not cleaned again, are
    unchanged too (``inputs_skipped``).
    """
    docs = files["documents"]
    for table in ("span_changes", "document_changes"):  # a retried load records once
        con.execute(
            f"DELETE FROM {table} WHERE run_id = ? AND (doc_id, capture_id) IN "
            "(SELECT doc_id, capture_id FROM read_parquet(?))",
            [run_id, docs],
        )
    changes = {"docs": docs, "run_id": run_id, "batch_id": batch_id}
    if count(con, sql("load/known_versions"), [docs]):  # a re-run or reprocess: compare outputs
        spans = {"docs": docs, "spans": files["removed_spans"], "run_id": run_id}
        con.execute(sql("load/span_changes"), spans)
        con.execute(sql("load/document_changes"), changes)
    else:  # only new versions: nothing to compare, no text read back (that grew with the corpus)
        con.execute(sql("load/document_changes_new"), changes)
    by_change = dict(con.execute(sql("load/changes_by_kind"), [run_id, batch_id]).fetchall())
    staged = count(con, "SELECT count(*) FROM read_parquet(?)", [docs])
    new, changed = by_change.get("new", 0), by_change.get("changed", 0)
    return {
        "inputs_new": new,
        "inputs_changed": changed,
        "inputs_unchanged": staged - new - changed + seen,
        "inputs_skipped": seen,
        "outputs_changed": by_change.get("recleaned", 0),
    }


def _record_batch(
    con: Connection, run_id: str, staging_dir: Path, manifest: dict, counts: dict[str, int]
) -> None:
    con.execute(
        sql("load/batch"),
        [manifest["batch_id"], run_id, str(staging_dir), json.dumps(manifest), json.dumps(counts)],
    )


def load_batch(
    db_path: str | Path, run_id: str, staging_dir: Path, *, on_step: StepHook | None = None
) -> dict:
    """Load one staged batch in one transaction; re-loading the same batch adds nothing.

    Returns counts: documents_new, documents_replaced, removed_spans, footnotes, links,
    rejects (newly appended), captures_new, outlets_new, outlets_updated, and per doc_id
    inputs_new, inputs_changed, inputs_unchanged, outputs_changed (see ``_record_changes``).
    ``on_step(name)`` runs inside the transaction after each step (fault-injection tests).
    """
    return _load_batch(db_path, run_id, staging_dir, on_step=on_step)


def _load_batch(
    db_path: str | Path, run_id: str, staging_dir: Path, *, on_step: StepHook | None = None
) -> dict:
    """:func:`load_batch`; ``on_step(name)`` runs inside the transaction after each step."""
    staging_dir = Path(staging_dir)
    manifest = staging.read_manifest(staging_dir)
    if manifest["run_id"] != run_id:
        raise ValueError(f"batch {staging_dir} was staged for run {manifest['run_id']!r}")
    files = staging.batch_files(staging_dir)
    seen = int(manifest.get("seen", 0))
    steps: list[tuple[str, Callable[[Connection], dict[str, int]]]] = [
        ("captures", lambda c: _load_captures(c, files)),
        ("outlets", lambda c: _load_outlets(c, files)),
        ("changes", lambda c: _record_changes(c, files, run_id, manifest["batch_id"], seen)),
        ("documents", lambda c: _load_documents(c, files, manifest["batch_id"], run_id)),
        ("rejects", lambda c: _load_rejects(c, files)),
    ]
    with session(db_path) as con, transaction(con):
        counts: dict[str, int] = {}
        for name, step in steps:
            counts.update(step(con))
            if on_step:
                on_step(name)
        _record_batch(con, run_id, staging_dir, manifest, counts)
    return counts
