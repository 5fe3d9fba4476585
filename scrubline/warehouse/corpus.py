"""Corpus-level derived data: syndication signatures (the clusters: ``clusters``), boilerplate
templates."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrubline import arrow

from .db import cap_memory, count, insert_rows, query, query_table, registered, session, sql, transaction

# -------------------------------------------------------------------------------- syndication


def _texts(
    con: Any, keys: list[tuple[Any, ...]], doc: int, capture: int
) -> dict[tuple[str, str], tuple[str, str]]:
    """(doc_id, capture_id) -> (text, text_normalized) of the versions named in ``keys``."""
    table = arrow.from_columns({"doc_id": [k[doc] for k in keys], "capture_id": [k[capture] for k in keys]},
                               types={"doc_id": "string", "capture_id": "string"})  # fmt: skip
    with registered(con, "keys", table):
        return {(d, c): (t, n) for d, c, t, n in con.execute(sql("corpus/texts_of_keys")).fetchall()}


def backfill_done(db_path: str | Path, step: str, version: str) -> bool:
    """Whether the one-off backfill ``step`` (``signatures``, ``template_lines``) of ``version``
    is complete: every version loaded since stages those rows itself, so once a backfill has
    found nothing left, later runs need not scan the corpus again (migration 012)."""
    with session(db_path) as con:  # migrated: the table may be new
        row = con.execute(sql("corpus/backfill_done"), {"step": step, "version": version}).fetchone()
    return bool(row and row[0])


def mark_backfilled(db_path: str | Path, step: str, version: str) -> None:
    """Record the backfill ``step`` of ``version`` as complete."""
    with session(db_path) as con:
        con.execute(sql("corpus/backfill_mark"), {"step": step, "version": version})


def unsigned_documents(
    db_path: str | Path, signature_version: str, page: int = 2000, after: tuple[str, str] = ("", "")
) -> list[tuple[str, str, str]]:
    """(doc_id, capture_id, clean text) of up to ``page`` document versions without a signature
    yet, after the key ``after``, in key order: signing goes page by page, so its memory is a
    page's texts, not the corpus's (the keys are found first, then only their texts read)."""
    params = {"version": signature_version, "page": page, "after_doc": after[0], "after_capture": after[1]}
    with session(db_path, read_only=True, migrate=False) as con:
        keys = con.execute(sql("corpus/unsigned_documents"), params).fetchall()
        texts = _texts(con, keys, 0, 1) if keys else {}
    return [(d, c, texts[(d, c)][0]) for d, c in keys]


def unbanded_signatures(
    db_path: str | Path, signature_version: str, page: int = 20000
) -> list[tuple[str, str, bytes]]:
    """(doc_id, capture_id, signature) of stored signatures without band rows (signed before
    migration 009), ``page`` at a time."""
    return query(db_path, sql("corpus/unbanded_signatures"), {"version": signature_version, "page": page})


def store_signatures(
    db_path: str | Path, run_id: str, records: list[dict[str, Any]], bands: dict[str, list[Any]] | None = None
) -> int:
    """Insert signature records (columns of ``doc_signatures`` but run_id and computed_at),
    replacing same-key rows, and their ``signature_bands`` rows (column lists)."""
    if not records and not bands:
        return 0
    now = datetime.now(UTC)
    with session(db_path) as con, transaction(con):
        if bands and bands["doc_id"]:
            table = arrow.from_columns(bands, types={"band": "uint8", "bucket": "uint64"})
            insert_rows(
                con, "signature_bands", table, replace_on=("doc_id", "capture_id", "signature_version")
            )
        if not records:
            return 0
        rows = arrow.from_rows([{**r, "run_id": run_id, "computed_at": now} for r in records])
        return insert_rows(
            con, "doc_signatures", rows, replace_on=("doc_id", "capture_id", "signature_version")
        )


# -------------------------------------------------------------------------------- templates


def unlined_documents(
    db_path: str | Path, page: int = 2000, after: tuple[str, str] = ("", "")
) -> list[tuple[str, str, str]]:
    """(doc_id, capture_id, text_normalized) of up to ``page`` document versions without staged
    template lines (loaded before migration 009), after the key ``after``, in key order."""
    params = {"page": page, "after_doc": after[0], "after_capture": after[1]}
    with session(db_path, read_only=True, migrate=False) as con:
        keys = con.execute(sql("corpus/unlined_documents"), params).fetchall()
        texts = _texts(con, keys, 0, 1) if keys else {}
    return [(d, c, texts[(d, c)][1]) for d, c in keys]


def store_template_lines(db_path: str | Path, lines: dict[str, list[Any]]) -> None:
    """Insert ``template_lines`` rows (column lists)."""
    with session(db_path) as con, transaction(con):
        insert_rows(con, "template_lines", arrow.from_columns(lines))


#: Document versions whose lines are counted in one part of ``template_counts_part`` (its
#: aggregate's memory follows the lines of the versions counted together, and cannot spill).
TEMPLATE_COUNT_PART = 25_000
#: DuckDB's memory cap for the count update (it scans every staged line of the versions it
#: counts). The first run over 300,000 documents (2026-12-03, the stage alone): one part and no
#: cap, 5.1 s at a 1,252 MB peak; one part under 384 MB, out of memory; parts of 25,000 under
#: 512 MB, 8.3 s at 712 MB.
TEMPLATE_MEMORY_LIMIT = "512MB"


def update_template_counts(db_path: str | Path, run_id: str) -> list[str]:
    """Count the staged lines of the current versions not counted yet, take out those of the
    counted versions no longer current (one transaction, all in DuckDB; see
    ``sql/corpus/template_counts_update``). Returns the outlets whose counts changed."""
    with session(db_path) as con, transaction(con):
        cap_memory(con, TEMPLATE_MEMORY_LIMIT)
        con.execute("SET VARIABLE scrubline_run_id = ?", [run_id])
        con.execute(sql("corpus/template_counts_update"))
        counting = count(con, "SELECT count(*) FROM template_dirty")
        parts = max(1, -(-counting // TEMPLATE_COUNT_PART))
        con.execute("SET VARIABLE scrubline_parts = ?", [parts])
        for part in range(parts):
            con.execute("SET VARIABLE scrubline_part = ?", [part])
            con.execute(sql("corpus/template_counts_part"))
        con.execute(sql("corpus/template_counts_finish"))
        touched = [
            r[0] for r in con.execute("SELECT DISTINCT outlet_id FROM template_dirty ORDER BY 1").fetchall()
        ]
        con.execute("DROP TABLE template_dirty")
    return touched


def outlet_template_candidates(
    db_path: str | Path, outlet_ids: list[str], needed: Callable[[int], int]
) -> Iterator[tuple[str, int, list[tuple[Any, ...]]]]:
    """For each of ``outlet_ids``, in order: (outlet, document versions its template line
    counts hold, the lines counted in at least ``needed(documents)`` of them as (text,
    documents, head, tail, body, doc_ids)). One read-only connection for all the outlets: a
    connection costs tens of ms to open (~70 ms while sessions still loaded fts), and a first
    run touches hundreds of outlets (254 outlets, a connection per outlet: 36 s, 2026-12-03). One
    outlet's lines are in memory at a time; consume the iterator before writing."""
    with session(db_path, read_only=True, migrate=False) as con:
        counted = dict(con.execute(sql("corpus/template_documents"), [outlet_ids]).fetchall())
        for outlet_id in outlet_ids:
            documents = counted.get(outlet_id, 0)
            params = {"outlet": outlet_id, "needed": needed(documents)}
            yield outlet_id, documents, con.execute(sql("corpus/template_candidates"), params).fetchall()


def store_templates(
    db_path: str | Path, run_id: str, outlet_ids: list[str], rows: list[dict[str, Any]]
) -> int:
    """Replace the templates of ``outlet_ids`` with ``rows`` in one transaction."""
    now = datetime.now(UTC)
    with session(db_path) as con, transaction(con):
        con.execute("DELETE FROM boilerplate_templates WHERE list_contains(?, outlet_id)", [outlet_ids])
        if rows:
            table = arrow.from_rows([{**r, "run_id": run_id, "mined_at": now} for r in rows])
            insert_rows(con, "boilerplate_templates", table)
    return len(rows)


def template_rows(db_path: str | Path) -> list[dict[str, Any]]:
    """Every learned template, as plain dicts (empty for a new warehouse)."""
    if not Path(db_path).is_file():
        return []
    columns, rows = query_table(db_path, sql("corpus/template_rows"))
    return [dict(zip(columns, r, strict=True)) for r in rows]
