"""The warehouse: the only module importing duckdb.

Every public function takes a database *path* and opens (and closes) its own connection, so
Prefect tasks can pass paths around. Loads are bulk ``INSERT ... SELECT FROM read_parquet(?)``
in one transaction per staged batch. Values always travel as parameters; the few identifiers
spliced into SQL come from fixed whitelists (table names, view file stems) and DuckDB statements
that accept no parameters (ATTACH) get a path literal escaped by :func:`_sql_string`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from scrubline import resources, staging

__all__ = [
    "build_fts", "connect", "create_views", "default_db_path", "dq_metrics", "dq_snapshot",
    "finish_run", "load_batch", "migrate", "publish", "published_db_path", "quarantine",
    "query", "query_table", "search", "start_run", "store_dq_results",
]

StepHook = Callable[[str], None]


class MigrationError(RuntimeError):
    """An applied migration file changed on disk, or a migration failed."""


# ---------------------------------------------------------------------------- paths, connect


def default_db_path() -> Path:
    """The working database: ``$SCRUBLINE_DB`` or ``<project>/warehouse/scrubline.duckdb``."""
    env = os.environ.get("SCRUBLINE_DB")
    return Path(env) if env else resources.warehouse_dir() / "scrubline.duckdb"


def published_db_path(db_path: str | Path | None = None) -> Path:
    """The analysts' copy of ``db_path`` (default: the working db): ``published/<name>``
    beside it; ``$SCRUBLINE_PUBLISHED_DB`` overrides it for the default working db."""
    env = os.environ.get("SCRUBLINE_PUBLISHED_DB")
    if env and db_path is None:
        return Path(env)
    working = Path(db_path) if db_path is not None else default_db_path()
    return working.parent / "published" / working.name


def _fts_extension_path() -> Path | None:
    try:
        import duckdb_extension_fts
    except ImportError:
        return None
    path = (
        Path(duckdb_extension_fts.__file__).parent / "extensions" / f"v{duckdb.__version__}"
        / "fts.duckdb_extension"
    )
    return path if path.is_file() else None


def connect(db_path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB connection and load the fts extension when it is installed."""
    db_path = Path(db_path)
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path), read_only=read_only)
    ext = _fts_extension_path()
    if ext is not None:
        con.load_extension(str(ext))
    return con


def _has_fts(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'fts'"
    ).fetchone()
    return bool(row and row[0])


def _open(db_path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection to a migrated database."""
    con = connect(db_path)
    try:
        migrate(con)
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN ... COMMIT, or ROLLBACK on any exception (closing also discards the work)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        with suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


# ------------------------------------------------------------------------------- migrations

_MIGRATION_FILE = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def _migration_files() -> list[tuple[int, Path]]:
    found = []
    for path in sorted(resources.schemas_dir().glob("*.sql")):
        m = _MIGRATION_FILE.match(path.name)
        if m:
            found.append((int(m.group(1)), path))
    return found


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending ``schemas/NNN_*.sql`` in order, each in its own transaction.

    Returns the file names applied now. Applied files are recorded with a checksum in
    ``schema_migrations``; an applied file that changed raises :class:`MigrationError`.
    """
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, checksum VARCHAR NOT NULL,"
        " applied_at TIMESTAMPTZ NOT NULL)"
    )
    applied = {
        v: (name, checksum)
        for v, name, checksum in con.execute(
            "SELECT version, name, checksum FROM schema_migrations"
        ).fetchall()
    }
    done: list[str] = []
    for version, path in _migration_files():
        sql = path.read_text(encoding="utf-8")
        checksum = hashlib.sha256(sql.encode()).hexdigest()
        if version in applied:
            if applied[version][1] != checksum:
                raise MigrationError(
                    f"{path.name} changed after it was applied; add a new migration instead"
                )
            continue
        try:
            with _transaction(con):
                con.execute(sql)
                con.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?, now())",
                    [version, path.name, checksum],
                )
        except duckdb.Error as exc:
            raise MigrationError(f"{path.name} failed: {exc}") from exc
        done.append(path.name)
    return done


# ------------------------------------------------------------------------------------- runs


def start_run(
    db_path: str | Path,
    run_id: str,
    *,
    flow_name: str,
    parameters: dict,
    ruleset_version: str,
    pipeline_version: str,
    scrubline_version: str,
    git_commit: str | None,
) -> None:
    """Record a run as ``running`` (a restarted run id is reset to running) and refresh views."""
    con = _open(db_path)
    try:
        con.execute(
            """
            INSERT INTO runs (run_id, flow_name, started_at, status, scrubline_version,
                              git_commit, ruleset_version, pipeline_version, parameters)
            VALUES (?, ?, now(), 'running', ?, ?, ?, ?, ?)
            ON CONFLICT (run_id) DO UPDATE SET
                status = 'running', finished_at = NULL, flow_name = excluded.flow_name,
                scrubline_version = excluded.scrubline_version,
                git_commit = excluded.git_commit, ruleset_version = excluded.ruleset_version,
                pipeline_version = excluded.pipeline_version, parameters = excluded.parameters
            """,
            [run_id, flow_name, scrubline_version, git_commit, ruleset_version,
             pipeline_version, staging.to_json(parameters)],
        )
        create_views(con)
    finally:
        con.close()


def finish_run(db_path: str | Path, run_id: str, *, status: str, counts: dict) -> None:
    """Close a run with its final status (completed | failed) and counts."""
    con = _open(db_path)
    try:
        updated = con.execute(
            "UPDATE runs SET status = ?, counts = ?, finished_at = now() WHERE run_id = ? "
            "RETURNING run_id",
            [status, staging.to_json(counts), run_id],
        ).fetchall()
        if not updated:
            raise KeyError(f"unknown run {run_id!r}; call start_run first")
    finally:
        con.close()


# ------------------------------------------------------------------------------------- load

_DOC_COLUMNS = (
    "doc_id, capture_id, run_id, source_uri, title, authors, published_at, dateline, language, "
    "outlet_id, outlet_confidence, outlet_evidence, metadata, metadata_evidence, decode, "
    "normalize_plan, text_normalized, text, chars_normalized, chars_clean, removed_share, "
    "ruleset_version, pipeline_version, stats"
)
_CHILD_COLUMNS = {
    "removed_spans": "doc_id, capture_id, span_no, start_offset, end_offset, rule_id, "
    "rule_version, category, removed_text, evidence",
    "footnotes": "doc_id, capture_id, ordinal, marker, ref_offsets, note_text, url, "
    "url_canonical, domain, cited_outlet_id, issues, kind",
    "links": "doc_id, capture_id, position, url, anchor, url_canonical, domain",
}
_OUTLET_COLUMNS = (
    "outlet_id, name, abbreviations, domains, country, kind, language, provisional, notes"
)


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> int:
    row = con.execute(sql, list(params)).fetchone()
    return int(row[0]) if row else 0


def _load_captures(con: duckdb.DuckDBPyConnection, files: Mapping[str, str]) -> dict[str, int]:
    before = _count(con, "SELECT count(*) FROM captures")
    con.execute(
        """
        INSERT INTO captures (capture_id, source_uri, source_id, fetched_at, content_type,
                              byte_size, http_status, http_headers, warc_record_id, raw_path,
                              first_run_id, last_seen_at)
        SELECT capture_id, source_uri, source_id, fetched_at, content_type, byte_size,
               http_status, http_headers, warc_record_id, raw_path, first_run_id, fetched_at
        FROM read_parquet(?)
        ON CONFLICT (capture_id) DO UPDATE SET
            last_seen_at = greatest(coalesce(captures.last_seen_at, captures.fetched_at),
                                    excluded.fetched_at),
            raw_path = coalesce(captures.raw_path, excluded.raw_path)
        """,
        [files["captures"]],
    )
    return {"captures_new": _count(con, "SELECT count(*) FROM captures") - before}


def _load_outlets(con: duckdb.DuckDBPyConnection, files: Mapping[str, str]) -> dict[str, int]:
    """Registry outlets are upserted; provisional ones only created, never overwriting."""
    before = _count(con, "SELECT count(*) FROM outlets")
    updated = _count(
        con,
        "SELECT count(*) FROM read_parquet(?) s JOIN outlets o USING (outlet_id) "
        "WHERE NOT s.provisional",
        [files["outlets"]],
    )
    con.execute(
        f"""
        INSERT INTO outlets ({_OUTLET_COLUMNS})
        SELECT {_OUTLET_COLUMNS} FROM read_parquet(?) WHERE NOT provisional
        ON CONFLICT (outlet_id) DO UPDATE SET
            name = excluded.name, abbreviations = excluded.abbreviations,
            domains = excluded.domains, country = excluded.country, kind = excluded.kind,
            language = excluded.language, provisional = FALSE, notes = excluded.notes
        """,
        [files["outlets"]],
    )
    con.execute(
        f"INSERT INTO outlets ({_OUTLET_COLUMNS}) SELECT {_OUTLET_COLUMNS} "
        "FROM read_parquet(?) WHERE provisional ON CONFLICT (outlet_id) DO NOTHING",
        [files["outlets"]],
    )
    created = _count(con, "SELECT count(*) FROM outlets") - before
    return {"outlets_new": created, "outlets_updated": updated}


def _load_documents(
    con: duckdb.DuckDBPyConnection, files: Mapping[str, str], batch_id: str
) -> dict[str, int]:
    """Delete-then-insert documents and their children, keyed by the batch's (doc, capture)."""
    docs = files["documents"]
    staged = _count(con, "SELECT count(*) FROM read_parquet(?)", [docs])
    replaced = _count(
        con,
        "SELECT count(*) FROM documents d JOIN read_parquet(?) s USING (doc_id, capture_id)",
        [docs],
    )
    for table in (*_CHILD_COLUMNS, "documents"):  # whitelisted table names
        con.execute(
            f"DELETE FROM {table} WHERE (doc_id, capture_id) IN "
            "(SELECT doc_id, capture_id FROM read_parquet(?))",
            [docs],
        )
    con.execute(
        f"INSERT INTO documents ({_DOC_COLUMNS}, loaded_at, quarantined, batch_id) "
        f"SELECT {_DOC_COLUMNS}, now(), FALSE, ? FROM read_parquet(?)",
        [batch_id, docs],
    )
    counts = {"documents_new": staged - replaced, "documents_replaced": replaced}
    for table, columns in _CHILD_COLUMNS.items():
        con.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM read_parquet(?)",
            [files[table]],
        )
        counts[table] = _count(con, "SELECT count(*) FROM read_parquet(?)", [files[table]])
    return counts


def _load_rejects(con: duckdb.DuckDBPyConnection, files: Mapping[str, str]) -> dict[str, int]:
    """Append rejects, skipping ones already recorded for the same run, source and stage."""
    before = _count(con, "SELECT count(*) FROM rejects")
    con.execute(
        """
        INSERT INTO rejects (run_id, source_uri, capture_id, stage, error_class, message,
                             rejected_at)
        SELECT s.run_id, s.source_uri, s.capture_id, s.stage, s.error_class, s.message,
               s.rejected_at
        FROM read_parquet(?) s
        WHERE NOT EXISTS (SELECT 1 FROM rejects r WHERE r.run_id = s.run_id
                          AND r.source_uri = s.source_uri AND r.stage = s.stage)
        """,
        [files["rejects"]],
    )
    return {"rejects": _count(con, "SELECT count(*) FROM rejects") - before}


def _record_batch(
    con: duckdb.DuckDBPyConnection, run_id: str, staging_dir: Path, manifest: dict,
    counts: dict[str, int],
) -> None:
    con.execute(
        """
        INSERT INTO batches (batch_id, run_id, staging_path, manifest, load_counts, loaded_at)
        VALUES (?, ?, ?, ?, ?, now())
        ON CONFLICT (batch_id) DO UPDATE SET run_id = excluded.run_id,
            staging_path = excluded.staging_path, manifest = excluded.manifest,
            load_counts = excluded.load_counts, loaded_at = excluded.loaded_at
        """,
        [manifest["batch_id"], run_id, str(staging_dir), json.dumps(manifest),
         json.dumps(counts)],
    )


def load_batch(db_path: str | Path, run_id: str, staging_dir: Path) -> dict:
    """Load one staged batch in one transaction; re-loading the same batch adds nothing.

    Returns counts: documents_new, documents_replaced, removed_spans, footnotes, links,
    rejects (newly appended), captures_new, outlets_new, outlets_updated.
    """
    return _load_batch(db_path, run_id, staging_dir)


def _load_batch(
    db_path: str | Path, run_id: str, staging_dir: Path, *, on_step: StepHook | None = None
) -> dict:
    """:func:`load_batch`; ``on_step(name)`` runs inside the transaction after each step."""
    staging_dir = Path(staging_dir)
    manifest = staging.read_manifest(staging_dir)
    if manifest["run_id"] != run_id:
        raise ValueError(f"batch {staging_dir} was staged for run {manifest['run_id']!r}")
    files = staging.batch_files(staging_dir)
    steps: list[tuple[str, Callable[[duckdb.DuckDBPyConnection], dict[str, int]]]] = [
        ("captures", lambda c: _load_captures(c, files)),
        ("outlets", lambda c: _load_outlets(c, files)),
        ("documents", lambda c: _load_documents(c, files, manifest["batch_id"])),
        ("rejects", lambda c: _load_rejects(c, files)),
    ]
    con = _open(db_path)
    try:
        with _transaction(con):
            counts: dict[str, int] = {}
            for name, step in steps:
                counts.update(step(con))
                if on_step:
                    on_step(name)
            _record_batch(con, run_id, staging_dir, manifest, counts)
    finally:
        con.close()
    return counts


# ---------------------------------------------------------------------------- views, search

_VIEW_NAME = re.compile(r"^v_[a-z0-9_]+$")


def _view_files() -> list[Path]:
    return [p for p in sorted(resources.views_dir().glob("*.sql")) if _VIEW_NAME.match(p.stem)]


def create_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """(Re)create every view in ``warehouse/views/*.sql`` (file stem = view name).

    Each file is one SELECT (CTEs allowed). Views may read other views: files failing to bind
    are retried until a pass makes no progress, then the last error is raised.
    """
    pending = {p.stem: p.read_text(encoding="utf-8").strip().rstrip(";") for p in _view_files()}
    created: list[str] = []
    while pending:
        before = len(pending)
        failed: dict[str, Exception] = {}
        for name, body in list(pending.items()):
            try:
                con.execute(f'CREATE OR REPLACE VIEW "{name}" AS\n{body}\n')
            except duckdb.CatalogException as exc:
                failed[name] = exc
                continue
            created.append(name)
            del pending[name]
        if len(pending) == before:  # a whole pass without progress
            name, exc = next(iter(failed.items()))
            raise RuntimeError(f"view {name} failed: {exc}") from exc
    return created


def build_fts(con: duckdb.DuckDBPyConnection) -> int:
    """Index the latest non-quarantined documents (``v_documents``) for :func:`search`.

    Materializes ``search_documents`` (doc_id, capture_id, outlet_id, title, text) and builds
    a DuckDB fts index over title and text. Returns the number of indexed documents.
    """
    if not _has_fts(con):
        raise RuntimeError("DuckDB fts extension is not available (pip: duckdb-extension-fts)")
    con.execute(
        "CREATE OR REPLACE TABLE search_documents AS "
        "SELECT doc_id, capture_id, outlet_id, title, text FROM v_documents"
    )
    con.execute(
        "PRAGMA create_fts_index('search_documents', 'doc_id', 'title', 'text', overwrite = 1)"
    )
    return _count(con, "SELECT count(*) FROM search_documents")


def search(con: duckdb.DuckDBPyConnection, query: str, limit: int = 10) -> list[dict[str, Any]]:
    """BM25 full-text search over the index built by :func:`build_fts`, best first."""
    rows = con.execute(
        """
        SELECT doc_id, capture_id, outlet_id, title, score
        FROM (SELECT *, fts_main_search_documents.match_bm25(doc_id, ?) AS score
              FROM search_documents)
        WHERE score IS NOT NULL
        ORDER BY score DESC, doc_id
        LIMIT ?
        """,
        [query, limit],
    ).fetchall()
    keys = ("doc_id", "capture_id", "outlet_id", "title", "score")
    return [dict(zip(keys, row, strict=True)) for row in rows]


# ------------------------------------------------------------------------------------ publish


def _sql_string(value: str) -> str:
    """A SQL string literal, for the statements DuckDB will not parameterize (ATTACH)."""
    if "\x00" in value:
        raise ValueError("NUL in SQL string")
    return "'" + value.replace("'", "''") + "'"


def _sql_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def publish(
    db_path: str | Path, published_path: str | Path | None = None, *, fts: bool = True
) -> Path:
    """Make a consistent read-only copy for analysts and atomically replace the published file.

    ``COPY FROM DATABASE`` into a temporary file beside the target: the copy runs in one
    transaction, so it is a consistent MVCC snapshot even while other connections of this
    process write, needs no file-level quiescing, and compacts the file. Views and the fts
    index are then built on the copy, which is checkpointed, closed and ``os.replace``d over
    the published file. Readers holding the old file keep reading it (POSIX keeps the inode);
    new connections see the new one (a process must close its old connections first: DuckDB
    hands a process one instance per path). ``fts=False`` skips the index (most of the time
    on large corpora: ~6 s for 3,000 articles).
    """
    target = Path(published_path) if published_path else published_db_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex[:8]}")
    con = _open(db_path)
    try:
        source = con.execute("SELECT current_database()").fetchone()[0]
        con.execute(f"ATTACH {_sql_string(str(tmp))} AS scrubline_publish")
        try:
            con.execute(f"COPY FROM DATABASE {_sql_ident(source)} TO scrubline_publish")
        finally:
            con.execute("DETACH scrubline_publish")
    except BaseException:
        _remove_db_files(tmp)
        raise
    finally:
        con.close()
    try:
        _finish_published_copy(tmp, fts=fts)
        os.replace(tmp, target)
    except BaseException:
        _remove_db_files(tmp)
        raise
    _remove_db_files(target.with_name(target.name + ".wal"))
    return target


def _finish_published_copy(path: Path, *, fts: bool) -> None:
    con = connect(path)
    try:
        create_views(con)
        if fts and _has_fts(con):
            build_fts(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _remove_db_files(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


# -------------------------------------------------------------------------------- read helper


def query_table(
    db_path: str | Path, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one statement on a read-only connection; returns (column names, rows)."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise FileNotFoundError(db_path)
    con = connect(db_path, read_only=True)
    try:
        cur = con.execute(sql, params) if params is not None else con.execute(sql)
        columns = [d[0] for d in cur.description] if cur.description else []
        return columns, cur.fetchall()
    finally:
        con.close()


def query(
    db_path: str | Path, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    """Run one statement on a read-only connection; returns its rows."""
    return query_table(db_path, sql, params)[1]


# -------------------------------------------------------------------------------- explain / summary

_EXPLAIN_DOC_COLUMNS = (
    "doc_id", "capture_id", "source_uri", "title", "authors", "published_at", "dateline", "language",
    "outlet_id", "outlet_confidence", "outlet_evidence", "metadata_evidence", "decode", "normalize_plan",
    "text_normalized", "text", "ruleset_version", "pipeline_version", "run_id", "quarantined",
    "quarantine_reason",
)
_EXPLAIN_SQL = {
    "document": "SELECT " + ", ".join(f"d.{c}" for c in _EXPLAIN_DOC_COLUMNS)
    + " FROM documents d JOIN captures c USING (capture_id) "
    "WHERE d.doc_id = ? OR d.doc_id LIKE ? || '%' OR d.source_uri LIKE '%' || ? || '%' "
    "ORDER BY coalesce(c.last_seen_at, c.fetched_at) DESC LIMIT 1",
    "capture": "SELECT source_uri, fetched_at, content_type, byte_size, http_status, warc_record_id, "
    "raw_path FROM captures WHERE capture_id = ?",
    "run": "SELECT run_id, flow_name, started_at, finished_at, status, scrubline_version, git_commit, "
    "ruleset_version FROM runs WHERE run_id = ?",
    "removed": "SELECT start_offset, end_offset, rule_id, rule_version, category, removed_text, evidence "
    "FROM removed_spans WHERE doc_id = ? AND capture_id = ? ORDER BY start_offset",
    "footnotes": "SELECT ordinal, kind, marker, url, domain, cited_outlet_id, issues FROM footnotes "
    "WHERE doc_id = ? AND capture_id = ? ORDER BY ordinal",
    "outlet": "SELECT outlet_id, name, country, kind, provisional FROM outlets WHERE outlet_id = ?",
}


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _first(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    return rows[0] if rows else None


def explanation(db_path: str | Path, ref: str) -> dict[str, Any] | None:
    """Everything stored about one document (its latest version): document, capture, run,
    outlet, removed spans, footnotes. ``ref``: doc_id, a doc_id prefix or part of the source URI."""
    con = connect(db_path, read_only=True)
    try:
        found = _dicts(con, _EXPLAIN_SQL["document"], [ref, ref, ref])
        if not found:
            return None
        doc = found[0]
        key = [doc["doc_id"], doc["capture_id"]]
        return {
            "document": doc,
            "capture": _first(_dicts(con, _EXPLAIN_SQL["capture"], [doc["capture_id"]])),
            "run": _first(_dicts(con, _EXPLAIN_SQL["run"], [doc["run_id"]])),
            "outlet": _first(_dicts(con, _EXPLAIN_SQL["outlet"], [doc["outlet_id"]])),
            "removed": _dicts(con, _EXPLAIN_SQL["removed"], key),
            "footnotes": _dicts(con, _EXPLAIN_SQL["footnotes"], key),
        }
    finally:
        con.close()


def run_summary(db_path: str | Path, run_id: str) -> dict[str, Any]:
    """What one run wrote: documents, rejects, footnotes and removed spans by rule."""
    con = connect(db_path, read_only=True)
    try:
        def count(sql: str) -> int:
            return con.execute(sql, [run_id]).fetchone()[0]

        by_rule = con.execute(
            "SELECT rule_id, count(*) FROM removed_spans s JOIN documents d USING (doc_id, capture_id) "
            "WHERE d.run_id = ? GROUP BY 1 ORDER BY 2 DESC, 1",
            [run_id],
        ).fetchall()
        return {
            "documents": count("SELECT count(*) FROM documents WHERE run_id = ?"),
            "rejects": count("SELECT count(*) FROM rejects WHERE run_id = ?"),
            "footnotes": count(
                "SELECT count(*) FROM footnotes f JOIN documents d USING (doc_id, capture_id) "
                "WHERE d.run_id = ?"
            ),
            "removed_by_rule": dict(by_rule),
        }
    finally:
        con.close()


# -------------------------------------------------------------------------------- data quality

_DQ_COLUMNS = (
    "suite", "expectation", "expectation_name", "column_name", "severity", "rationale",
    "success", "observed_value", "failing_sample", "element_count", "unexpected_count",
    "data_path", "error", "evaluated_at",
)
_DQ_SCHEMA = pa.schema(
    [
        ("suite", pa.string()), ("expectation", pa.string()),
        ("expectation_name", pa.string()), ("column_name", pa.string()),
        ("severity", pa.string()), ("rationale", pa.string()), ("success", pa.bool_()),
        ("observed_value", pa.string()), ("failing_sample", pa.string()),
        ("element_count", pa.int64()), ("unexpected_count", pa.int64()),
        ("data_path", pa.string()), ("error", pa.string()),
        ("evaluated_at", pa.timestamp("us", tz="UTC")),
    ]
)


def _dq_table(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    now = datetime.now(UTC)
    records = []
    for row in rows:
        rec = {c: row.get(c) for c in _DQ_COLUMNS}
        rec["observed_value"] = staging.to_json(row.get("observed_value"))
        rec["failing_sample"] = staging.to_json(row.get("failing_sample"))
        rec["evaluated_at"] = row.get("evaluated_at") or now
        records.append(rec)
    return pa.Table.from_pylist(records, schema=_DQ_SCHEMA)


def store_dq_results(db_path: str | Path, run_id: str, rows: list[dict]) -> int:
    """Replace the DQ rows of this run for the suites present in ``rows``; returns rows stored.

    Row keys: suite, expectation, severity, success (required); expectation_name, column_name,
    rationale, observed_value, failing_sample (any JSON-able), element_count, unexpected_count,
    data_path, error, evaluated_at (optional).
    """
    table = _dq_table(rows)
    con = _open(db_path)
    try:
        con.register("dq_rows", table)
        with _transaction(con):
            con.execute(
                "DELETE FROM dq_results WHERE run_id = ? "
                "AND suite IN (SELECT DISTINCT suite FROM dq_rows)",
                [run_id],
            )
            cols = ", ".join(_DQ_COLUMNS)
            con.execute(
                f"INSERT INTO dq_results (run_id, {cols}) SELECT ?, {cols} FROM dq_rows",
                [run_id],
            )
    finally:
        con.close()
    return table.num_rows


def quarantine(
    db_path: str | Path, run_id: str, doc_keys: list[tuple[str, str]], reason: str
) -> int:
    """Flag documents (doc_id, capture_id) as quarantined and log why; returns rows flagged."""
    if not doc_keys:
        return 0
    keys = pa.table(
        {"doc_id": [k[0] for k in doc_keys], "capture_id": [k[1] for k in doc_keys]}
    )
    con = _open(db_path)
    try:
        con.register("quarantine_keys", keys)
        with _transaction(con):
            flagged = con.execute(
                """
                UPDATE documents SET quarantined = TRUE, quarantine_reason = ?
                FROM (SELECT DISTINCT doc_id, capture_id FROM quarantine_keys) k
                WHERE documents.doc_id = k.doc_id AND documents.capture_id = k.capture_id
                RETURNING documents.doc_id
                """,
                [reason],
            ).fetchall()
            con.execute(
                "INSERT INTO quarantine_log SELECT DISTINCT ?, doc_id, capture_id, ?, now() "
                "FROM quarantine_keys",
                [run_id, reason],
            )
    finally:
        con.close()
    return len(flagged)


# ---------------------------------------------------------------- inputs of the DQ layer

#: Per-run tables for Great Expectations' SQL path: scalar columns only (no JSON/LIST, which
#: SQLAlchemy reflection on DuckDB does not type), restricted to the run with a parameter.
_SNAPSHOT_SQL: dict[str, str] = {
    "documents": """
        SELECT doc_id, capture_id, run_id, source_uri, outlet_id, language, title, published_at,
               text, chars_normalized, chars_clean, removed_share, ruleset_version,
               pipeline_version
        FROM documents WHERE run_id = $run_id""",
    "removed_spans": """
        SELECT s.doc_id, s.capture_id, s.span_no, s.start_offset, s.end_offset, s.rule_id,
               s.rule_version, s.category
        FROM removed_spans s JOIN documents d USING (doc_id, capture_id)
        WHERE d.run_id = $run_id""",
    "footnotes": """
        SELECT f.doc_id, f.capture_id, f.ordinal, f.kind, f.marker, f.url, f.url_canonical,
               f.domain, f.cited_outlet_id
        FROM footnotes f JOIN documents d USING (doc_id, capture_id)
        WHERE d.run_id = $run_id""",
    "captures": """
        SELECT capture_id, source_uri, source_id, fetched_at, content_type, byte_size,
               http_status, first_run_id
        FROM captures
        WHERE first_run_id = $run_id
           OR capture_id IN (SELECT capture_id FROM documents WHERE run_id = $run_id)""",
    "outlets": """
        SELECT outlet_id, name, country, kind, language, provisional FROM outlets""",
    "runs": """
        SELECT run_id, flow_name, started_at, finished_at, status, scrubline_version,
               git_commit, ruleset_version, pipeline_version
        FROM runs WHERE run_id = $run_id""",
}

_DOCUMENT_METRICS_SQL = """
    WITH docs AS (
        SELECT d.doc_id, d.capture_id, d.text, d.chars_normalized, d.chars_clean,
               d.published_at, c.fetched_at
        FROM documents d LEFT JOIN captures c USING (capture_id)
        WHERE d.run_id = $run_id
    ),
    spans AS (
        SELECT s.doc_id, s.capture_id, sum(s.end_offset - s.start_offset) AS span_chars
        FROM removed_spans s JOIN docs USING (doc_id, capture_id)
        GROUP BY s.doc_id, s.capture_id
    ),
    metrics AS (
        SELECT doc_id, capture_id, chars_clean,
               length(text) - length(replace(text, chr(65533), '')) AS fffd_count,
               list_filter($patterns::VARCHAR[], p -> regexp_matches(text, p, 'i')) AS hits,
               chars_normalized - chars_clean - coalesce(span_chars, 0) AS length_gap,
               try_cast(published_at AS TIMESTAMPTZ) > fetched_at AS published_after_fetch
        FROM docs LEFT JOIN spans USING (doc_id, capture_id)
    )
    SELECT doc_id, capture_id, chars_clean, fffd_count, len(hits) AS residue_count,
           array_to_string(hits, ' | ') AS residue_hits, length_gap, published_after_fetch
    FROM metrics ORDER BY doc_id, capture_id
"""

_FOOTNOTE_METRICS_SQL = """
    SELECT f.doc_id, f.capture_id, f.ordinal, f.url,
           f.url ILIKE 'file:%'
               OR regexp_matches(f.url, '^[A-Za-z]:[\\\\/]')
               OR starts_with(f.url, '\\\\') AS is_local_path
    FROM footnotes f JOIN documents d USING (doc_id, capture_id)
    WHERE d.run_id = $run_id
    ORDER BY f.doc_id, f.capture_id, f.ordinal
"""


def dq_snapshot(db_path: str | Path, run_id: str, snapshot_path: str | Path) -> dict[str, int]:
    """Write this run's rows to a separate DuckDB file for GE's SQL datasource.

    GE then reads a small, immutable file through its own driver: it never locks or opens the
    working database, and its queries need no run filter. Returns row counts per table.
    """
    snapshot_path = Path(snapshot_path)
    _remove_db_files(snapshot_path)
    con = _open(db_path)
    try:
        con.execute(f"ATTACH {_sql_string(str(snapshot_path))} AS scrubline_dq")
        try:
            for table, sql in _SNAPSHOT_SQL.items():  # whitelisted table names
                params = {"run_id": run_id} if "$run_id" in sql else {}
                con.execute(f"CREATE TABLE scrubline_dq.{table} AS {sql}", params)
            counts = {
                t: _count(con, f"SELECT count(*) FROM scrubline_dq.{t}") for t in _SNAPSHOT_SQL
            }
        finally:
            con.execute("DETACH scrubline_dq")
    finally:
        con.close()
    return counts


def dq_metrics(
    db_path: str | Path, run_id: str, residue_patterns: Sequence[str] = ()
) -> dict[str, pa.Table]:
    """Per-row metrics of this run computed by DuckDB, for GE's DataFrame path (no raw text).

    ``document_metrics``: fffd_count (U+FFFD in clean text), residue_count / residue_hits
    (``residue_patterns``, RE2, case-insensitive), length_gap (chars_normalized - chars_clean
    - removed span chars: 0 when cleaning is reversible), published_after_fetch.
    ``footnote_metrics``: is_local_path (file: URLs, drive-letter and UNC paths).
    """
    con = connect(db_path)
    try:
        docs = con.execute(
            _DOCUMENT_METRICS_SQL, {"run_id": run_id, "patterns": list(residue_patterns)}
        ).fetch_arrow_table()
        notes = con.execute(_FOOTNOTE_METRICS_SQL, {"run_id": run_id}).fetch_arrow_table()
    finally:
        con.close()
    return {"document_metrics": docs, "footnote_metrics": notes}
