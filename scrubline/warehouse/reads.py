"""Reads: explain (one document's trail), run trails, verification and reprocess inputs,
fetch state, full-text search."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .db import (
    Connection,
    attach_lake,
    connect,
    count,
    dicts,
    has_table,
    has_view,
    query,
    require_fts,
    session,
    sql,
    sql_string,
)


def _first(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    return rows[0] if rows else None


def explanation(db_path: str | Path, ref: str, capture_id: str | None = None) -> dict[str, Any] | None:
    """Everything stored about one document (its latest version, or ``capture_id``): document,
    capture, run, outlet, removed spans, footnotes, versions, recorded changes.
    ``ref``: doc_id, a doc_id prefix or part of the source URI."""
    with session(db_path, read_only=True) as con:
        found = dicts(con, sql("reads/explain_document"), {"ref": ref, "capture_id": capture_id})
        if not found:
            return None
        doc = found[0]
        key = [doc["doc_id"], doc["capture_id"]]
        return {
            "document": doc,
            "capture": _first(dicts(con, sql("reads/explain_capture"), [doc["capture_id"]])),
            "run": _first(dicts(con, sql("reads/explain_run"), [doc["run_id"]])),
            "outlet": _first(dicts(con, sql("reads/explain_outlet"), [doc["outlet_id"]])),
            "removed": dicts(con, sql("reads/explain_removed"), key),
            "footnotes": dicts(con, sql("reads/explain_footnotes"), key),
            "versions": dicts(con, sql("reads/explain_versions"), [doc["doc_id"]])
            if has_view(con, "v_document_history")
            else [],
            "changes": dicts(con, sql("reads/explain_changes"), key)
            if has_table(con, "document_changes")
            else [],
        }


def run_trail(db_path: str | Path, run_id: str) -> dict[str, Any] | None:
    """A run and what it produced: run row, document versions (with their captures and
    outlets) and rejects; the input of a run-level provenance export."""
    with session(db_path, read_only=True) as con:
        run = _first(dicts(con, sql("reads/explain_run"), [run_id]))
        if run is None:
            return None
        return {
            "run": run,
            "documents": dicts(con, sql("reads/trail_documents"), [run_id]),
            "outlets": dicts(con, sql("reads/trail_outlets"), [run_id]),
            "rejects": dicts(con, sql("reads/trail_rejects"), [run_id]),
        }


def _doc_filter(con: Connection, refs: Sequence[str] | None) -> list[str] | None:
    """doc_ids matching ``refs`` (doc_id, doc_id prefix or part of the source URI); None = all."""
    if not refs:
        return None
    ids: set[str] = set()
    for ref in refs:
        ids.update(r[0] for r in con.execute(sql("reads/doc_filter"), [ref, ref, ref]).fetchall())
    return sorted(ids)


def stored_captures(db_path: str | Path, refs: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Every stored document version (or those matching ``refs``) with what is needed to
    rebuild its Capture from the raw store: source, fetch metadata and hints."""
    with session(db_path, read_only=True) as con:
        return dicts(con, sql("reads/stored_captures"), {"ids": _doc_filter(con, refs)})


def verification_rows(db_path: str | Path, refs: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
    """Stored document versions with their texts, decode decision, ftfy plan and spans."""
    with session(db_path, read_only=True) as con:
        cur = con.execute(sql("reads/verification_rows"), {"ids": _doc_filter(con, refs)})
        names = [d[0] for d in cur.description]
        while batch := cur.fetchmany(200):
            for row in batch:
                yield dict(zip(names, row, strict=True))


def fetch_states(db_path: str | Path) -> list[tuple[str, str, str | None, str | None]]:
    """(url, capture_id, etag, last_modified) of the latest capture of every http(s) source:
    what the next run needs to skip seen URLs and fetch conditionally."""
    if not Path(db_path).is_file():
        return []
    return query(db_path, sql("reads/fetch_states"))


def build_fts(con: Connection) -> int:
    """Index the latest non-quarantined documents (``v_documents``) for :func:`search`.

    Materializes ``search_documents`` (doc_id, capture_id, outlet_id, title, text) and builds
    a DuckDB fts index over title and text. Returns the number of indexed documents.
    """
    require_fts(con)
    con.execute(sql("reads/search_index"))
    con.execute("PRAGMA create_fts_index('search_documents', 'doc_id', 'title', 'text', overwrite = 1)")
    return count(con, "SELECT count(*) FROM search_documents")


def search(con: Connection, query: str, limit: int = 10) -> list[dict[str, Any]]:
    """BM25 full-text search over the index built by :func:`build_fts`, best first. A database
    without the index (runs publish without it: rebuilding it cost most of every publish) is
    indexed at query time, once per snapshot and process, in memory (:func:`_query_time_index`)."""
    if not _has_fts_index(con):
        con = _query_time_index(con)
    else:
        require_fts(con)
    rows = con.execute(sql("reads/search"), [query, limit]).fetchall()
    keys = ("doc_id", "capture_id", "outlet_id", "title", "score")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _has_fts_index(con: Connection) -> bool:
    return (
        count(
            con,
            "SELECT count(*) FROM duckdb_schemas() WHERE database_name = current_database() "
            "AND schema_name = 'fts_main_search_documents'",
        )
        > 0
    )


#: (path, inode, mtime) of a database file, or (catalog path, snapshot id) of a published lake
#: -> its in-memory query-time index.
_QUERY_TIME: dict[tuple[str, int, int], Connection] = {}


def _query_time_index(con: Connection) -> Connection:
    """An in-memory fts index over the documents of ``con``'s database, built on first use and
    kept for this process while the database stays the same (a file: same inode and mtime; a
    published lake: same snapshot). Costs one index build (~2 ms a document) per snapshot."""
    require_fts(con)
    row = con.execute(
        "SELECT path, type FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    if not row or not row[0]:
        raise RuntimeError("full-text search needs build_fts on an in-memory database")
    lake = row[1] == "ducklake"
    path = row[0].removeprefix("sqlite:") if lake else row[0]
    if lake:
        snapshot = con.execute(
            "SELECT max(snapshot_id) FROM ducklake_snapshots(current_database())"
        ).fetchone()
        key = (str(path), 0, int(snapshot[0]))
    else:
        stat = Path(path).stat()
        key = (str(path), stat.st_ino, stat.st_mtime_ns)
    index = _QUERY_TIME.get(key)
    if index is None:
        for old in [k for k in _QUERY_TIME if k[0] == key[0]]:
            _QUERY_TIME.pop(old).close()
        index = connect(":memory:")
        if lake:
            attach_lake(index, path, "pub", read_only=True)
        else:
            index.execute(f"ATTACH {sql_string(str(path))} AS pub (READ_ONLY)")
        index.execute(sql("reads/search_index_query_time"))
        index.execute("DETACH pub")
        index.execute("PRAGMA create_fts_index('search_documents', 'doc_id', 'title', 'text', overwrite = 1)")
        _QUERY_TIME[key] = index
    return index
