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
    "build_fts", "connect", "create_views", "default_db_path", "dq_metrics", "dq_outlet_drift",
    "dq_run_counts", "dq_snapshot",
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
    "ruleset_version, pipeline_version, stats, language_region"
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
                              first_run_id, last_seen_at, language_hint, outlet_hint)
        SELECT capture_id, source_uri, source_id, fetched_at, content_type, byte_size,
               http_status, http_headers, warc_record_id, raw_path, first_run_id, fetched_at,
               language_hint, outlet_hint
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


_SPAN_CHANGES_SQL = """
    INSERT INTO span_changes
    WITH staged AS (SELECT doc_id, capture_id FROM read_parquet($docs)),
    known AS (SELECT doc_id, capture_id FROM documents JOIN staged USING (doc_id, capture_id)),
    old AS (
        SELECT doc_id, capture_id, rule_id, rule_version, count(*) AS n,
               sum(end_offset - start_offset) AS chars,
               list([start_offset, end_offset] ORDER BY start_offset) AS offsets
        FROM removed_spans JOIN known USING (doc_id, capture_id) GROUP BY ALL
    ),
    new AS (
        SELECT doc_id, capture_id, rule_id, rule_version, count(*) AS n,
               sum(end_offset - start_offset) AS chars,
               list([start_offset, end_offset] ORDER BY start_offset) AS offsets
        FROM read_parquet($spans) JOIN known USING (doc_id, capture_id) GROUP BY ALL
    )
    SELECT $run_id, coalesce(o.doc_id, n.doc_id), coalesce(o.capture_id, n.capture_id),
           coalesce(o.rule_id, n.rule_id), coalesce(o.rule_version, n.rule_version),
           coalesce(o.n, 0), coalesce(n.n, 0), coalesce(o.chars, 0), coalesce(n.chars, 0), now()
    FROM old o FULL OUTER JOIN new n
      ON o.doc_id = n.doc_id AND o.capture_id = n.capture_id AND o.rule_id = n.rule_id
         AND o.rule_version = n.rule_version
    WHERE o.offsets IS DISTINCT FROM n.offsets
"""
_DOCUMENT_CHANGES_SQL = """
    INSERT INTO document_changes
    WITH staged AS (SELECT doc_id, capture_id, text FROM read_parquet($docs)),
    latest AS (
        SELECT d.doc_id, d.capture_id
        FROM documents d JOIN captures c USING (capture_id)
        WHERE d.doc_id IN (SELECT doc_id FROM staged)
        QUALIFY row_number() OVER (
            PARTITION BY d.doc_id
            ORDER BY coalesce(c.last_seen_at, c.fetched_at) DESC, d.loaded_at DESC, d.capture_id DESC
        ) = 1
    )
    SELECT $run_id, $batch_id, s.doc_id, s.capture_id,
           CASE WHEN l.doc_id IS NULL THEN 'new' WHEN o.doc_id IS NULL THEN 'changed'
                ELSE 'recleaned' END,
           CASE WHEN o.doc_id IS NULL THEN l.capture_id END,
           CASE WHEN o.doc_id IS NOT NULL THEN o.text IS DISTINCT FROM s.text END,
           now()
    FROM staged s
    LEFT JOIN latest l ON l.doc_id = s.doc_id
    LEFT JOIN documents o ON o.doc_id = s.doc_id AND o.capture_id = s.capture_id
    WHERE o.doc_id IS NULL OR o.text IS DISTINCT FROM s.text
       OR EXISTS (SELECT 1 FROM span_changes c WHERE c.run_id = $run_id
                  AND c.doc_id = s.doc_id AND c.capture_id = s.capture_id)
"""


def _record_changes(
    con: duckdb.DuckDBPyConnection, files: Mapping[str, str], run_id: str, batch_id: str
) -> dict[str, int]:
    """Classify the batch's documents against the warehouse before they replace anything.

    new: unknown doc_id; changed: a known doc_id with another capture (a new version);
    unchanged: the same (doc_id, capture_id) is already loaded; of those, recleaned ones
    (``outputs_changed``) get a different clean text or removed spans (diffed per rule).
    """
    docs = files["documents"]
    for table in ("span_changes", "document_changes"):  # a retried load records once
        con.execute(
            f"DELETE FROM {table} WHERE run_id = ? AND (doc_id, capture_id) IN "
            "(SELECT doc_id, capture_id FROM read_parquet(?))",
            [run_id, docs],
        )
    params = {"docs": docs, "spans": files["removed_spans"], "run_id": run_id}
    con.execute(_SPAN_CHANGES_SQL, params)
    con.execute(_DOCUMENT_CHANGES_SQL, {"docs": docs, "run_id": run_id, "batch_id": batch_id})
    by_change = dict(
        con.execute(
            "SELECT change, count(*) FROM document_changes WHERE run_id = ? AND batch_id = ? "
            "GROUP BY 1",
            [run_id, batch_id],
        ).fetchall()
    )
    staged = _count(con, "SELECT count(*) FROM read_parquet(?)", [docs])
    new, changed = by_change.get("new", 0), by_change.get("changed", 0)
    return {
        "inputs_new": new,
        "inputs_changed": changed,
        "inputs_unchanged": staged - new - changed,
        "outputs_changed": by_change.get("recleaned", 0),
    }


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
    steps: list[tuple[str, Callable[[duckdb.DuckDBPyConnection], dict[str, int]]]] = [
        ("captures", lambda c: _load_captures(c, files)),
        ("outlets", lambda c: _load_outlets(c, files)),
        ("changes", lambda c: _record_changes(c, files, run_id, manifest["batch_id"])),
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


# ------------------------------------------------------------------------------ write lock


class WarehouseLocked(RuntimeError):
    """Another run holds the warehouse's write lock."""


def lock_path(db_path: str | Path) -> Path:
    """The write lock of a warehouse: ``<db>.lock`` beside it."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


@contextmanager
def write_lock(db_path: str | Path, *, timeout: float, holder: str) -> Iterator[None]:
    """Hold the warehouse's write lock (``filelock``: an OS lock the kernel releases when the
    holding process dies, even by SIGKILL). Waits up to ``timeout`` seconds (negative: forever),
    then raises :class:`WarehouseLocked` naming the holder. ``holder`` describes this run."""
    from filelock import FileLock, Timeout

    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    info = path.with_name(path.name + ".holder")
    lock = FileLock(str(path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        who = info.read_text(encoding="utf-8").strip() if info.is_file() else "unknown"
        raise WarehouseLocked(
            f"warehouse {db_path} is being written by another run ({who}); waited {timeout:g} s"
        ) from None
    try:
        since = datetime.now(UTC).isoformat(timespec="seconds")
        info.write_text(f"{holder}, pid {os.getpid()}, since {since}\n", encoding="utf-8")
        yield
    finally:
        info.unlink(missing_ok=True)
        lock.release()


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


# -------------------------------------------------------------------------------- syndication


def unsigned_documents(db_path: str | Path, signature_version: str) -> list[tuple[str, str, str]]:
    """(doc_id, capture_id, clean text) of document versions without a signature yet."""
    return query(
        db_path,
        "SELECT d.doc_id, d.capture_id, d.text FROM documents d ANTI JOIN doc_signatures s "
        "ON s.doc_id = d.doc_id AND s.capture_id = d.capture_id AND s.signature_version = ? "
        "ORDER BY d.doc_id, d.capture_id",
        [signature_version],
    )


def store_signatures(db_path: str | Path, run_id: str, records: list[dict[str, Any]]) -> int:
    """Insert signature records (columns of ``doc_signatures`` but run_id and computed_at),
    replacing same-key rows."""
    if not records:
        return 0
    now = datetime.now(UTC)
    rows = pa.Table.from_pylist([{**r, "run_id": run_id, "computed_at": now} for r in records])
    con = _open(db_path)
    try:
        with _transaction(con):
            con.register("staged_signatures", rows)
            con.execute(
                "DELETE FROM doc_signatures WHERE (doc_id, capture_id, signature_version) IN "
                "(SELECT doc_id, capture_id, signature_version FROM staged_signatures)"
            )
            con.execute("INSERT INTO doc_signatures BY NAME SELECT * FROM staged_signatures")
            con.unregister("staged_signatures")
        return rows.num_rows
    finally:
        con.close()


def signature_rows(db_path: str | Path, signature_version: str) -> list[tuple[Any, ...]]:
    """What clustering needs for the current, non-quarantined version of every document:
    (doc_id, capture_id, signature, content_hash, published_at, fetched_at, outlet_id)."""
    return query(
        db_path,
        "SELECT v.doc_id, v.capture_id, s.signature, s.content_hash, v.published_at, c.fetched_at, "
        "v.outlet_id FROM v_documents v "
        "JOIN doc_signatures s ON s.doc_id = v.doc_id AND s.capture_id = v.capture_id "
        "AND s.signature_version = ? AND NOT s.is_empty "
        "JOIN captures c ON c.capture_id = v.capture_id ORDER BY v.doc_id",
        [signature_version],
    )


def replace_clusters(
    db_path: str | Path, run_id: str, clusters: list[dict[str, Any]], members: list[dict[str, Any]]
) -> int:
    """Replace the (derived) syndication clusters in one transaction."""
    con = _open(db_path)
    now = datetime.now(UTC)
    try:
        with _transaction(con):
            con.execute("DELETE FROM cluster_members")
            con.execute("DELETE FROM syndication_clusters")
            if not clusters:
                return 0
            clusters_t = pa.Table.from_pylist([{**c, "run_id": run_id, "computed_at": now} for c in clusters])
            members_t = pa.Table.from_pylist(members)
            con.register("staged_clusters", clusters_t)
            con.register("staged_members", members_t)
            con.execute("INSERT INTO syndication_clusters BY NAME SELECT * FROM staged_clusters")
            con.execute("INSERT INTO cluster_members BY NAME SELECT * FROM staged_members")
            con.unregister("staged_clusters")
            con.unregister("staged_members")
        return len(clusters)
    finally:
        con.close()


# -------------------------------------------------------------------------------- templates


def outlet_texts(db_path: str | Path, min_documents: int) -> list[tuple[str, str, str]]:
    """(outlet_id, doc_id, text_normalized) of the current documents of every outlet that has
    at least ``min_documents`` of them: the input of template mining."""
    return query(
        db_path,
        "SELECT d.outlet_id, d.doc_id, d.text_normalized FROM v_documents v "
        "JOIN documents d USING (doc_id, capture_id) WHERE v.outlet_id IN "
        "(SELECT outlet_id FROM v_documents WHERE outlet_id IS NOT NULL GROUP BY 1 HAVING count(*) >= ?) "
        "ORDER BY d.outlet_id, d.doc_id",
        [min_documents],
    )


def store_templates(
    db_path: str | Path, run_id: str, outlet_ids: list[str], rows: list[dict[str, Any]]
) -> int:
    """Replace the templates of ``outlet_ids`` with ``rows`` in one transaction."""
    now = datetime.now(UTC)
    con = _open(db_path)
    try:
        with _transaction(con):
            con.execute("DELETE FROM boilerplate_templates WHERE list_contains(?, outlet_id)", [outlet_ids])
            if rows:
                table = pa.Table.from_pylist([{**r, "run_id": run_id, "mined_at": now} for r in rows])
                con.register("staged_templates", table)
                con.execute("INSERT INTO boilerplate_templates BY NAME SELECT * FROM staged_templates")
                con.unregister("staged_templates")
        return len(rows)
    finally:
        con.close()


def template_rows(db_path: str | Path) -> list[dict[str, Any]]:
    """Every learned template, as plain dicts (empty for a new warehouse)."""
    if not Path(db_path).is_file():
        return []
    columns, rows = query_table(
        db_path,
        "SELECT outlet_id, text, support, doc_ids, category, zone, words, documents, min_support "
        "FROM boilerplate_templates ORDER BY outlet_id, text",
    )
    return [dict(zip(columns, r, strict=True)) for r in rows]


# -------------------------------------------------------------------------------- fetch state


def fetch_states(db_path: str | Path) -> list[tuple[str, str, str | None, str | None]]:
    """(url, capture_id, etag, last_modified) of the latest capture of every http(s) source:
    what the next run needs to skip seen URLs and fetch conditionally."""
    if not Path(db_path).is_file():
        return []
    return query(
        db_path,
        "SELECT source_uri, capture_id, http_headers->>'etag', http_headers->>'last-modified' "
        "FROM captures WHERE source_uri LIKE 'http://%' OR source_uri LIKE 'https://%' "
        "QUALIFY row_number() OVER (PARTITION BY source_uri "
        "ORDER BY coalesce(last_seen_at, fetched_at) DESC) = 1",
    )


# -------------------------------------------------------------------------------- explain / summary

_EXPLAIN_DOC_COLUMNS = (
    "doc_id", "capture_id", "source_uri", "title", "authors", "published_at", "dateline", "language",
    "outlet_id", "outlet_confidence", "outlet_evidence", "metadata_evidence", "decode", "normalize_plan",
    "text_normalized", "text", "ruleset_version", "pipeline_version", "run_id", "quarantined",
    "quarantine_reason", "stats", "loaded_at",
)
_EXPLAIN_SQL = {
    "document": "SELECT " + ", ".join(f"d.{c}" for c in _EXPLAIN_DOC_COLUMNS)
    + " FROM documents d JOIN captures c USING (capture_id) "
    "WHERE d.doc_id = ? OR d.doc_id LIKE ? || '%' OR d.source_uri LIKE '%' || ? || '%' "
    "ORDER BY coalesce(c.last_seen_at, c.fetched_at) DESC LIMIT 1",
    "capture": "SELECT source_uri, source_id, fetched_at, last_seen_at, content_type, byte_size, "
    "http_status, http_headers, warc_record_id, raw_path, first_run_id, language_hint, outlet_hint "
    "FROM captures WHERE capture_id = ?",
    "run": "SELECT run_id, flow_name, started_at, finished_at, status, scrubline_version, git_commit, "
    "ruleset_version, pipeline_version, parameters, counts, environment FROM runs WHERE run_id = ?",
    "removed": "SELECT start_offset, end_offset, rule_id, rule_version, category, removed_text, evidence "
    "FROM removed_spans WHERE doc_id = ? AND capture_id = ? ORDER BY start_offset",
    "footnotes": "SELECT ordinal, kind, marker, ref_offsets, note_text, url, url_canonical, domain, "
    "cited_outlet_id, issues FROM footnotes WHERE doc_id = ? AND capture_id = ? ORDER BY ordinal",
    "versions": "SELECT capture_id, version_no, is_latest, is_current, run_id, fetched_at, loaded_at, "
    "ruleset_version, quarantined FROM v_document_history WHERE doc_id = ? ORDER BY version_no",
    "changes": "SELECT c.run_id, c.change, c.previous_capture_id, c.text_changed, c.recorded_at, "
    "(SELECT list({'rule_id': s.rule_id, 'rule_version': s.rule_version, 'spans_before': s.spans_before, "
    "'spans_after': s.spans_after, 'chars_before': s.chars_before, 'chars_after': s.chars_after} "
    "ORDER BY s.rule_id, s.rule_version) FROM span_changes s WHERE s.run_id = c.run_id "
    "AND s.doc_id = c.doc_id AND s.capture_id = c.capture_id) AS span_changes "
    "FROM document_changes c WHERE c.doc_id = ? AND c.capture_id = ? ORDER BY c.recorded_at",
    "outlet": "SELECT outlet_id, name, country, kind, provisional FROM outlets WHERE outlet_id = ?",
}


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _first(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    return rows[0] if rows else None


def explanation(db_path: str | Path, ref: str, capture_id: str | None = None) -> dict[str, Any] | None:
    """Everything stored about one document (its latest version, or ``capture_id``): document,
    capture, run, outlet, removed spans, footnotes, versions, recorded changes.
    ``ref``: doc_id, a doc_id prefix or part of the source URI."""
    con = connect(db_path, read_only=True)
    try:
        if capture_id is not None:
            columns = ", ".join(_EXPLAIN_DOC_COLUMNS)  # a fixed list of column names
            sql = f"SELECT {columns} FROM documents WHERE doc_id = ? AND capture_id = ?"
            found = _dicts(con, sql, [ref, capture_id])
        else:
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
            "versions": _dicts(con, _EXPLAIN_SQL["versions"], [doc["doc_id"]]) if _has_view(
                con, "v_document_history") else [],
            "changes": _dicts(con, _EXPLAIN_SQL["changes"], key) if _has_table(
                con, "document_changes") else [],
        }
    finally:
        con.close()


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(_count(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]))


def _has_view(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(_count(con, "SELECT count(*) FROM duckdb_views() WHERE view_name = ?", [name]))


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


def run_changes(db_path: str | Path, run_id: str) -> dict[str, Any]:
    """What one run changed: documents by change (new | changed | recleaned) and, for recleaned
    documents, removed spans before/after per rule id and version; rejected inputs."""
    con = connect(db_path, read_only=True)
    try:
        docs = _dicts(
            con,
            "SELECT c.change, c.doc_id, c.capture_id, c.previous_capture_id, c.text_changed, "
            "d.source_uri FROM document_changes c LEFT JOIN documents d USING (doc_id, capture_id) "
            "WHERE c.run_id = ? ORDER BY c.change, d.source_uri, c.doc_id",
            [run_id],
        )
        spans = _dicts(
            con,
            "SELECT doc_id, capture_id, rule_id, rule_version, spans_before, spans_after, chars_before, "
            "chars_after FROM span_changes WHERE run_id = ? ORDER BY doc_id, rule_id, rule_version",
            [run_id],
        )
        by_rule = _dicts(
            con,
            "SELECT rule_id, rule_version, count(DISTINCT doc_id) AS documents, "
            "sum(spans_after) - sum(spans_before) AS spans_delta, "
            "sum(chars_after) - sum(chars_before) AS chars_delta FROM span_changes WHERE run_id = ? "
            "GROUP BY ALL ORDER BY documents DESC, rule_id, rule_version",
            [run_id],
        )
        rejects = _dicts(
            con,
            "SELECT source_uri, stage, error_class, message FROM rejects WHERE run_id = ? "
            "ORDER BY source_uri, stage",
            [run_id],
        )
    finally:
        con.close()
    for doc in docs:
        doc["span_changes"] = [
            s for s in spans if (s["doc_id"], s["capture_id"]) == (doc["doc_id"], doc["capture_id"])
        ]
    return {"documents": docs, "by_rule": by_rule, "rejects": rejects}


def mark_abandoned_runs(db_path: str | Path, current_run_id: str) -> list[str]:
    """Runs still marked ``running`` (killed before finish_run) become ``abandoned``.

    Call only while holding the warehouse write lock: no other run can then be running.
    """
    con = _open(db_path)
    try:
        rows = con.execute(
            "UPDATE runs SET status = 'abandoned' WHERE status = 'running' AND run_id <> ? "
            "RETURNING run_id",
            [current_run_id],
        ).fetchall()
    finally:
        con.close()
    return sorted(r[0] for r in rows)


def set_run_environment(db_path: str | Path, run_id: str, environment: Mapping[str, Any]) -> None:
    """Record the library versions that shaped a run's output (extractor, ftfy, ...)."""
    con = _open(db_path)
    try:
        con.execute("UPDATE runs SET environment = ? WHERE run_id = ?",
                    [staging.to_json(dict(environment)), run_id])
    finally:
        con.close()


def _doc_filter(con: duckdb.DuckDBPyConnection, refs: Sequence[str] | None) -> list[str] | None:
    """doc_ids matching ``refs`` (doc_id, doc_id prefix or part of the source URI); None = all."""
    if not refs:
        return None
    ids: set[str] = set()
    for ref in refs:
        ids.update(r[0] for r in con.execute(
            "SELECT DISTINCT doc_id FROM documents WHERE doc_id = ? OR doc_id LIKE ? || '%' "
            "OR source_uri LIKE '%' || ? || '%'", [ref, ref, ref]).fetchall())
    return sorted(ids)


_STORED_CAPTURES_SQL = """
    SELECT d.doc_id, d.capture_id, d.source_uri, c.source_uri AS capture_source_uri, c.source_id,
           c.fetched_at, c.content_type, c.http_status, c.http_headers, c.warc_record_id,
           c.raw_path, c.language_hint, c.outlet_hint
    FROM documents d JOIN captures c USING (capture_id)
    WHERE $ids IS NULL OR list_contains($ids, d.doc_id)
    ORDER BY d.source_uri, d.doc_id, c.fetched_at, d.capture_id
"""


def stored_captures(db_path: str | Path, refs: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Every stored document version (or those matching ``refs``) with what is needed to
    rebuild its Capture from the raw store: source, fetch metadata and hints."""
    con = connect(db_path, read_only=True)
    try:
        ids = _doc_filter(con, refs)
        return _dicts(con, _STORED_CAPTURES_SQL, {"ids": ids})  # type: ignore[arg-type]
    finally:
        con.close()


_VERIFY_SQL = """
    SELECT d.doc_id, d.capture_id, d.source_uri, c.source_uri AS capture_source_uri, c.content_type,
           c.raw_path, d.decode, d.normalize_plan, d.text_normalized, d.text, d.stats,
           d.pipeline_version,
           coalesce((SELECT list({'start': s.start_offset, 'end': s.end_offset,
                                  'rule_id': s.rule_id, 'rule_version': s.rule_version,
                                  'category': s.category, 'text': s.removed_text}
                                 ORDER BY s.start_offset)
                     FROM removed_spans s
                     WHERE s.doc_id = d.doc_id AND s.capture_id = d.capture_id), []) AS spans
    FROM documents d JOIN captures c USING (capture_id)
    WHERE $ids IS NULL OR list_contains($ids, d.doc_id)
    ORDER BY d.source_uri, d.doc_id, d.capture_id
"""


def verification_rows(db_path: str | Path, refs: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
    """Stored document versions with their texts, decode decision, ftfy plan and spans."""
    con = connect(db_path, read_only=True)
    try:
        cur = con.execute(_VERIFY_SQL, {"ids": _doc_filter(con, refs)})
        names = [d[0] for d in cur.description]
        while batch := cur.fetchmany(200):
            for row in batch:
                yield dict(zip(names, row, strict=True))
    finally:
        con.close()


def run_trail(db_path: str | Path, run_id: str) -> dict[str, Any] | None:
    """A run and what it produced: run row, document versions (with their captures and
    outlets) and rejects; the input of a run-level provenance export."""
    con = connect(db_path, read_only=True)
    try:
        run = _first(_dicts(con, _EXPLAIN_SQL["run"], [run_id]))
        if run is None:
            return None
        docs = _dicts(
            con,
            "SELECT d.doc_id, d.capture_id, d.source_uri, d.title, d.outlet_id, d.outlet_confidence, "
            "d.ruleset_version, d.pipeline_version, d.chars_normalized, d.chars_clean, d.loaded_at, "
            "c.fetched_at, c.byte_size, c.content_type, c.http_status, c.raw_path, "
            "(SELECT count(*) FROM removed_spans s WHERE s.doc_id = d.doc_id "
            " AND s.capture_id = d.capture_id) AS removed_spans "
            "FROM documents d JOIN captures c USING (capture_id) WHERE d.run_id = ? "
            "ORDER BY d.source_uri, d.doc_id",
            [run_id],
        )
        outlets = _dicts(
            con,
            "SELECT outlet_id, name, country, kind, provisional FROM outlets WHERE outlet_id IN "
            "(SELECT outlet_id FROM documents WHERE run_id = ?) ORDER BY outlet_id",
            [run_id],
        )
        rejects = _dicts(con, "SELECT source_uri, stage, error_class, message FROM rejects "
                              "WHERE run_id = ? ORDER BY source_uri", [run_id])
        return {"run": run, "documents": docs, "outlets": outlets, "rejects": rejects}
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
        _cap_memory(con)
        con.register("quarantine_keys", keys)
        with _transaction(con):
            # the update count, not RETURNING: RETURNING materializes whole rows (texts
            # included) and took seconds on a 100k-document run
            row = con.execute(
                """
                UPDATE documents SET quarantined = TRUE, quarantine_reason = ?
                FROM (SELECT DISTINCT doc_id, capture_id FROM quarantine_keys) k
                WHERE documents.doc_id = k.doc_id AND documents.capture_id = k.capture_id
                """,
                [reason],
            ).fetchone()
            flagged = int(row[0]) if row else 0
            con.execute(
                "INSERT INTO quarantine_log SELECT DISTINCT ?, doc_id, capture_id, ?, now() "
                "FROM quarantine_keys",
                [run_id, reason],
            )
    finally:
        con.close()
    return flagged


# ---------------------------------------------------------------- inputs of the DQ layer

#: DuckDB memory cap of the DQ steps (snapshot, metrics, quarantine). They scan every text of
#: a run once; uncapped, DuckDB kept ~4 GB of scanned blocks for 100k documents; capped, the
#: whole validation (GE included) peaks near 1 GB at the same speed (bench/RESULTS_dq.md).
DQ_MEMORY_LIMIT = "512MB"


def _cap_memory(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"SET memory_limit = {_sql_string(DQ_MEMORY_LIMIT)}")


#: Per-run tables for Great Expectations' SQL path: scalar columns only (no JSON/LIST, which
#: SQLAlchemy reflection on DuckDB does not type), restricted to the run with a parameter.
#: No text columns: the texts are most of the warehouse, so every check that reads text (length
#: included) runs on :func:`dq_metrics`, which scans them once.
_SNAPSHOT_SQL: dict[str, str] = {
    "documents": """
        SELECT doc_id, capture_id, run_id, source_uri, outlet_id, language, title, published_at,
               chars_normalized, chars_clean, removed_share, ruleset_version, pipeline_version
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
    WITH texts AS (  -- one streaming pass over the texts; only small columns leave it
        SELECT doc_id, capture_id, published_at, length(text) AS chars_clean,
               length(text_normalized) AS chars_normalized,
               CASE WHEN contains(text, chr(65533))
                    THEN length(text) - length(replace(text, chr(65533), '')) ELSE 0 END
                   AS fffd_count,
               -- every residue pattern at once: one RE2 alternation (compiled once)
               regexp_extract_all(text, $any_residue) AS residue,
               try_cast(json_extract_string(stats, '$.mojibake') AS BOOLEAN) AS mojibake
        FROM documents WHERE run_id = $run_id
    ),
    matched AS (
        SELECT doc_id, capture_id, unnest(residue) AS m FROM texts WHERE len(residue) > 0
    ),
    named AS (  -- which patterns the (few, distinct) matched strings are
        SELECT m, p, i
        FROM (SELECT DISTINCT m FROM matched),
             (SELECT unnest($patterns::VARCHAR[]) AS p,
                     generate_subscripts($patterns::VARCHAR[], 1) AS i)
        WHERE regexp_matches(m, p, 'i')
    ),
    hits AS (
        SELECT doc_id, capture_id, list(p ORDER BY i) AS hits
        FROM (SELECT DISTINCT doc_id, capture_id, p, i FROM matched JOIN named USING (m))
        GROUP BY doc_id, capture_id
    ),
    spans AS (
        SELECT s.doc_id, s.capture_id, sum(s.end_offset - s.start_offset) AS span_chars
        FROM removed_spans s SEMI JOIN texts USING (doc_id, capture_id)
        GROUP BY s.doc_id, s.capture_id
    )
    SELECT t.doc_id, t.capture_id, t.chars_clean, t.fffd_count,
           len(t.residue) AS residue_count,
           coalesce(array_to_string(h.hits, ' | '), '') AS residue_hits,
           t.chars_normalized - t.chars_clean - coalesce(s.span_chars, 0) AS length_gap,
           t.mojibake,
           try_cast(t.published_at AS TIMESTAMPTZ) > c.fetched_at AS published_after_fetch
    FROM texts t LEFT JOIN hits h USING (doc_id, capture_id)
         LEFT JOIN spans s USING (doc_id, capture_id) LEFT JOIN captures c USING (capture_id)
    ORDER BY t.doc_id, t.capture_id
"""

#: A canonical citation URL: http(s), a dotted host without spaces or userinfo, then anything.
_URL_SHAPE = r"^https?://[^\s/?#@]+\.[^\s/?#@.]+(:\d+)?([/?#]\S*)?$"

_FOOTNOTE_METRICS_SQL = """
    WITH notes AS (
        SELECT f.doc_id, f.capture_id, f.ordinal, f.url, f.url_canonical,
               coalesce(f.issues, []::VARCHAR[]) AS issues,
               f.url ILIKE 'file:%'
                   OR regexp_matches(f.url, '^[A-Za-z]:[\\\\/]')
                   OR starts_with(f.url, '\\\\')
                   OR list_contains(f.issues, 'local_file_path') AS is_local_path
        FROM footnotes f JOIN documents d USING (doc_id, capture_id)
        WHERE d.run_id = $run_id
    )
    SELECT doc_id, capture_id, ordinal, url, is_local_path,
           list_contains(issues, 'missing_note') AS missing_note,
           list_contains(issues, 'malformed_url')
               OR (url_canonical IS NOT NULL AND NOT coalesce(is_local_path, FALSE)
                   AND NOT regexp_matches(url_canonical, $url_shape)) AS malformed_url
    FROM notes
    ORDER BY doc_id, capture_id, ordinal
"""

#: The per-outlet drift rule (see expectations/outlets.json, outlets.no_extraction_drift).
DRIFT_DEFAULTS: dict[str, float] = {
    "min_history_docs": 5,        # earlier documents of the outlet needed to judge at all
    "min_run_docs": 3,            # documents of the outlet in this run
    "history_window": 500,        # the outlet's latest earlier documents form its baseline
    "robust_sds": 3.0,            # shift beyond this many robust SDs (1.4826 * MAD) ...
    "share_floor": 0.15,          # ... and beyond this absolute share removed
    "min_history_citations": 2.0,  # citations/doc dropping to 0 counts where history had this
}

_OUTLET_DRIFT_SQL = """
    WITH this_run AS (SELECT started_at FROM runs WHERE run_id = $run_id),
    run_outlets AS (
        SELECT DISTINCT outlet_id FROM documents WHERE run_id = $run_id AND outlet_id IS NOT NULL
    ),
    candidates AS (  -- this run's documents, and non-quarantined ones of earlier runs
        SELECT d.doc_id, d.capture_id, d.outlet_id, d.removed_share, d.run_id = $run_id AS in_run,
               r.started_at
        FROM documents d JOIN run_outlets USING (outlet_id) LEFT JOIN runs r USING (run_id)
        WHERE d.run_id = $run_id
           OR (NOT d.quarantined AND r.started_at < (SELECT started_at FROM this_run))
    ),
    kept AS (
        SELECT * FROM candidates
        QUALIFY in_run OR row_number() OVER (
            PARTITION BY outlet_id, in_run ORDER BY started_at DESC, doc_id, capture_id
        ) <= $history_window
    ),
    cites AS (  -- citations: footnote rows except markers without a note
        SELECT f.doc_id, f.capture_id, count(*) AS n
        FROM footnotes f JOIN kept USING (doc_id, capture_id)
        WHERE NOT list_contains(coalesce(f.issues, []::VARCHAR[]), 'missing_note')
        GROUP BY ALL
    ),
    per_outlet AS (
        SELECT k.outlet_id,
               count(*) FILTER (WHERE in_run) AS run_docs,
               count(*) FILTER (WHERE NOT in_run) AS history_docs,
               avg(removed_share) FILTER (WHERE in_run) AS run_share_mean,
               median(removed_share) FILTER (WHERE in_run) AS run_share_median,
               median(removed_share) FILTER (WHERE NOT in_run) AS history_share_median,
               1.4826 * mad(removed_share) FILTER (WHERE NOT in_run) AS history_share_sd,
               avg(coalesce(c.n, 0)) FILTER (WHERE in_run) AS run_citations_mean,
               avg(coalesce(c.n, 0)) FILTER (WHERE NOT in_run) AS history_citations_mean
        FROM kept k LEFT JOIN cites c USING (doc_id, capture_id)
        GROUP BY k.outlet_id
    ),
    judged AS (
        SELECT *,
               history_docs >= $min_history_docs AND run_docs >= $min_run_docs AS eligible,
               run_share_median - history_share_median AS share_shift,
               greatest($robust_sds * coalesce(history_share_sd, 0), $share_floor)
                   AS share_threshold
        FROM per_outlet
    ),
    flagged AS (
        SELECT *,
               eligible AND abs(share_shift) > share_threshold AS share_drifted,
               eligible AND history_citations_mean >= $min_history_citations
                   AND run_citations_mean = 0 AS citations_drifted
        FROM judged
    )
    SELECT outlet_id, run_docs, history_docs, eligible,
           run_share_mean, run_share_median, history_share_median, history_share_sd,
           share_shift, share_threshold, share_shift / nullif(history_share_sd, 0) AS share_z,
           run_citations_mean, history_citations_mean,
           share_drifted, citations_drifted, share_drifted OR citations_drifted AS drifted,
           concat_ws('; ',
               CASE WHEN share_drifted THEN printf(
                   'share removed: median %.2f in %d docs vs %.2f over %d earlier (threshold %.2f)',
                   run_share_median, run_docs, history_share_median, history_docs,
                   share_threshold) END,
               CASE WHEN citations_drifted THEN printf(
                   'citations/doc: 0 in %d docs vs %.1f over %d earlier',
                   run_docs, history_citations_mean, history_docs) END) AS reason
    FROM flagged
    ORDER BY outlet_id
"""

#: Rows the run staged (batch manifests in ``batches``) against rows the warehouse holds for
#: the run's documents. ``runs.counts`` is written after validation, so it cannot be used.
_RUN_COUNTS_SQL = """
    WITH tables(table_name) AS (
        VALUES ('documents'), ('removed_spans'), ('footnotes'), ('links')
    ),
    staged AS (
        SELECT t.table_name, count(*) AS batches,
               sum(coalesce(try_cast(json_extract_string(b.manifest, '$.counts.' || t.table_name)
                                     AS BIGINT), 0))::BIGINT AS staged
        FROM batches b, tables t WHERE b.run_id = $run_id GROUP BY t.table_name
    ),
    run_docs AS (SELECT doc_id, capture_id FROM documents WHERE run_id = $run_id),
    loaded(table_name, loaded) AS (
        SELECT 'documents', count(*) FROM run_docs
        UNION ALL SELECT 'removed_spans', count(*) FROM removed_spans JOIN run_docs USING (doc_id, capture_id)
        UNION ALL SELECT 'footnotes', count(*) FROM footnotes JOIN run_docs USING (doc_id, capture_id)
        UNION ALL SELECT 'links', count(*) FROM links JOIN run_docs USING (doc_id, capture_id)
    )
    SELECT t.table_name, coalesce(s.batches, 0) AS batches, coalesce(s.staged, 0) AS staged,
           l.loaded, l.loaded - coalesce(s.staged, 0) AS count_gap
    FROM tables t LEFT JOIN staged s USING (table_name) LEFT JOIN loaded l USING (table_name)
    ORDER BY t.table_name
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
        _cap_memory(con)
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


def _any_pattern(patterns: Sequence[str]) -> str:
    """All residue patterns as one case-insensitive RE2 alternation.

    Scanning every text with one compiled pattern is what makes the residue check cheap:
    a pattern that varies per row is compiled per row (~40 us x 270 patterns x documents).
    The matched strings are named afterwards, per distinct string. Matches do not overlap,
    so ``residue_hits`` may leave out a pattern overlapping another one's match;
    ``residue_count`` (the number of matches) is exact.
    """
    return "(?i)" + "|".join(f"(?:{p})" for p in patterns) if patterns else "(?i)[^\\s\\S]"


def dq_metrics(
    db_path: str | Path,
    run_id: str,
    residue_patterns: Sequence[str] = (),
    *,
    drift: Mapping[str, float] | None = None,
) -> dict[str, pa.Table]:
    """Per-row metrics of this run computed by DuckDB, for GE's DataFrame path (no raw text).

    ``document_metrics``: chars_clean (length of the clean text), fffd_count (U+FFFD in clean
    text), residue_count / residue_hits (matches of ``residue_patterns`` in the clean text /
    the patterns they match; RE2, case-insensitive, see :func:`_any_pattern`),
    length_gap (len(text_normalized) - len(text) - removed span chars: 0 when cleaning is
    reversible), mojibake (``stats.mojibake`` stored by the cleaner: ftfy's badness; NULL when
    not recorded), published_after_fetch.
    ``footnote_metrics``: is_local_path (file: URLs, drive-letter and UNC paths, or the issue
    local_file_path), missing_note, malformed_url (the issue, or a canonical URL of the wrong
    shape). ``outlet_drift``: :func:`dq_outlet_drift` (``drift`` overrides its rule).
    ``run_counts``: :func:`dq_run_counts`.
    """
    con = connect(db_path)
    try:
        _cap_memory(con)
        docs = con.execute(
            _DOCUMENT_METRICS_SQL,
            {"run_id": run_id, "patterns": list(residue_patterns),
             "any_residue": _any_pattern(residue_patterns)},
        ).fetch_arrow_table()
        notes = con.execute(
            _FOOTNOTE_METRICS_SQL, {"run_id": run_id, "url_shape": _URL_SHAPE}
        ).fetch_arrow_table()
        drifts = _outlet_drift(con, run_id, drift)
        counts = con.execute(_RUN_COUNTS_SQL, {"run_id": run_id}).fetch_arrow_table()
    finally:
        con.close()
    return {"document_metrics": docs, "footnote_metrics": notes, "outlet_drift": drifts,
            "run_counts": counts}


def _outlet_drift(
    con: duckdb.DuckDBPyConnection, run_id: str, rule: Mapping[str, float] | None
) -> pa.Table:
    params: dict[str, Any] = {**DRIFT_DEFAULTS, **(rule or {}), "run_id": run_id}
    unknown = set(params) - {*DRIFT_DEFAULTS, "run_id"}
    if unknown:
        raise ValueError(f"unknown drift parameters: {sorted(unknown)}")
    for key in ("min_history_docs", "min_run_docs", "history_window"):
        params[key] = int(params[key])
    return con.execute(_OUTLET_DRIFT_SQL, params).fetch_arrow_table()


def dq_outlet_drift(
    db_path: str | Path, run_id: str, rule: Mapping[str, float] | None = None
) -> pa.Table:
    """Per outlet of this run: share removed and citations per document against the outlet's
    earlier documents (latest ``history_window`` of earlier runs, quarantined ones left out).

    One row per outlet with documents in the run: run_docs, history_docs, eligible (enough of
    both), run_share_mean/median, history_share_median, history_share_sd (1.4826 * MAD),
    share_shift (run median - history median), share_threshold (max(robust_sds * SD,
    share_floor)), share_z, run/history_citations_mean, share_drifted, citations_drifted,
    drifted and a readable reason. ``rule`` overrides :data:`DRIFT_DEFAULTS`.
    """
    con = connect(db_path, read_only=True)
    try:
        return _outlet_drift(con, run_id, rule)
    finally:
        con.close()


def dq_run_counts(db_path: str | Path, run_id: str) -> pa.Table:
    """Rows staged by the run's batches (manifest counts) vs rows loaded for its documents:
    table_name, batches, staged, loaded, count_gap (loaded - staged; 0 when consistent)."""
    con = connect(db_path, read_only=True)
    try:
        return con.execute(_RUN_COUNTS_SQL, {"run_id": run_id}).fetch_arrow_table()
    finally:
        con.close()
