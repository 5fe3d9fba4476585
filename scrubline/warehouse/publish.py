"""Publishing: the analysts' read-only, consistent view of the warehouse, as a DuckLake.

The published warehouse is a DuckLake (``published/scrubline.ducklake``: a SQLite catalog in
WAL mode, Parquet data files in ``scrubline.ducklake.files/`` beside it). A publish is one
DuckLake transaction that brings each analyst-facing table up to date with what the runs
not published yet wrote, so its cost follows the new work, not the corpus (copying the whole
database was 3.4 s at 4,000 documents and grew with it):

- rows of a run (``document_changes``, ``span_changes``, ``rejects``, ``dq_results``,
  ``batches``, ``quarantine_log``): deleted and inserted again by ``run_id``;
- document versions a pending run loaded, with their ``removed_spans``, ``footnotes``,
  ``links``, and their captures: deleted and inserted again by key (a reprocess replaces them);
- small tables that change in place (``runs``, ``outlets``, the syndication clusters, the
  learned templates, ``schema_migrations``): replaced whole;
- the views, created in the lake, so any DuckDB client that attaches it has them.

Which runs are published is recorded in the lake itself (``scrubline_published``), in the
same transaction: a publish that dies leaves the lake as it was, and the next one catches
up. A table whose columns changed (a migration) is copied whole once. Readers see one
snapshot per query (or per transaction) while a publish commits, and old files are removed
only after :data:`KEEP_SNAPSHOTS` of snapshots expire. Internal tables (signatures, band
hashes, incremental state) are not published.
"""

from __future__ import annotations

import os
from pathlib import Path

from .db import (
    LAKE_SUFFIX,
    Connection,
    attach_lake,
    cap_memory,
    create_views,
    default_db_path,
    session,
    sql,
    sql_ident,
    sql_string,
    transaction,
)

#: Tables whose rows belong to one run.
BY_RUN = ("document_changes", "span_changes", "rejects", "dq_results", "batches", "quarantine_log")
#: Tables keyed by document version (doc_id, capture_id).
BY_DOCUMENT = ("documents", "removed_spans", "footnotes", "links")
#: Small tables replaced whole.
WHOLE = ("runs", "outlets", "syndication_clusters", "cluster_members", "boilerplate_templates",
         "schema_migrations")  # fmt: skip
PUBLISHED = (*WHOLE, *BY_DOCUMENT, "captures", *BY_RUN)
#: How long files of replaced snapshots stay readable (a reader's long transaction).
KEEP_SNAPSHOTS = "7 days"
_ALIAS = "scrubline_publish"
#: Parquet row groups of the lake at most this large. DuckLake's default is 122,880 rows, and
#: a writer holds a whole row group in memory: the first publish of 30,000 documents (their
#: texts) peaked at 1.6 GB that way, at 100,000 it failed (measured 2026-12-03). Byte-sized row
#: groups need ``preserve_insertion_order`` off for the publish (tables have no row order).
ROW_GROUP_BYTES = "32MB"
#: DuckDB's memory cap for a publish (it spills beyond), so its peak does not follow the corpus:
#: the first publish of 100,000 documents peaked at 1,253 MB under 1 GB, 781 MB under 512 MB
#: (and took 8.8 s instead of 14.7). Of 30,000 documents, alone in a process (2026-12-04):
#: 512 MB 792 MB / 3.8 s, 256 MB 533 MB / 3.1 s, 192 MB 456 MB / 4.1 s, 128 MB out of memory
#: (a 32 MB row group per writer); 256 MB held with DuckDB at 8 and 16 threads too (617 and
#: 556 MB), so the cap does not depend on the machine's cores.
PUBLISH_MEMORY_LIMIT = os.environ.get("SCRUBLINE_PUBLISH_MEMORY", "256MB")


def published_db_path(db_path: str | Path | None = None) -> Path:
    """The analysts' lake of ``db_path`` (default: the working db): ``published/<name>.ducklake``
    beside it; ``$SCRUBLINE_PUBLISHED_DB`` overrides it for the default working db."""
    env = os.environ.get("SCRUBLINE_PUBLISHED_DB")
    if env and db_path is None:
        return Path(env)
    working = Path(db_path) if db_path is not None else default_db_path()
    return working.parent / "published" / (working.stem + LAKE_SUFFIX)


def _columns(con: Connection, catalog: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_catalog = ? AND table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
        [catalog, table],
    ).fetchall()


def _sync_table(con: Connection, source: str, table: str) -> bool:
    """Create ``table`` in the lake, or re-create it when its columns changed. True when it
    was copied whole (nothing incremental left to do for it)."""
    wanted = _columns(con, source, table)
    have = _columns(con, _ALIAS, table)
    if have == wanted:
        return False
    target = f"{_ALIAS}.main.{sql_ident(table)}"
    if have:
        con.execute(f"DROP TABLE {target}")
    con.execute(f"CREATE TABLE {target} AS SELECT * FROM {sql_ident(source)}.main.{sql_ident(table)}")
    return True


def publish(db_path: str | Path, published_path: str | Path | None = None) -> Path:
    """Bring the published lake up to date with the working database, in one transaction.
    Returns the lake's catalog path (what ``scrubline sql --db`` and ``analyst_session`` open)."""
    target = Path(published_path) if published_path else published_db_path(db_path)
    if not target.name.endswith(LAKE_SUFFIX):
        raise ValueError(f"the published warehouse is a DuckLake catalog ending in {LAKE_SUFFIX}: {target}")
    with session(db_path) as con:
        source = con.execute("SELECT current_database()").fetchone()[0]
        cap_memory(con, PUBLISH_MEMORY_LIMIT)
        con.execute("SET preserve_insertion_order = false")
        attach_lake(con, target, _ALIAS, read_only=False)
        try:
            row_group = sql_string(ROW_GROUP_BYTES)
            con.execute(f"CALL {_ALIAS}.set_option('parquet_row_group_size_bytes', {row_group})")
            with transaction(con):
                _publish(con, source)
            for maintenance in ("ducklake_expire_snapshots", "ducklake_cleanup_old_files"):
                con.execute(
                    f"CALL {maintenance}('{_ALIAS}', older_than => now() - INTERVAL '{KEEP_SNAPSHOTS}')"
                )
        finally:
            con.execute(f"USE {sql_ident(source)}")
            con.execute(f"DETACH {_ALIAS}")
            con.execute("RESET preserve_insertion_order")  # instance-wide settings: leave none behind
            con.execute("RESET memory_limit")
    return target


def _publish(con: Connection, source: str) -> None:
    src, lake = sql_ident(source), _ALIAS
    con.execute(f"CREATE TABLE IF NOT EXISTS {lake}.main.scrubline_published "
                "(run_id VARCHAR, published_at TIMESTAMPTZ)")  # fmt: skip
    pending = sql("publish/pending_runs").format(src=src, lake=lake)
    con.execute(f"CREATE OR REPLACE TEMP TABLE pending_runs AS {pending}")
    # the pending run ids as constants: DuckDB then skips the row groups of other runs by their
    # min/max (a semi-join on a subquery read every document's text, a scan of the corpus)
    runs = [r[0] for r in con.execute("SELECT run_id FROM pending_runs ORDER BY run_id").fetchall()]
    of_pending = f"run_id IN ({', '.join(sql_string(r) for r in runs) or 'NULL'})"
    con.execute(f"CREATE OR REPLACE TEMP TABLE pending_docs AS SELECT doc_id, capture_id "
                f"FROM {src}.main.documents WHERE {of_pending}")  # fmt: skip
    con.execute("CREATE OR REPLACE TEMP TABLE pending_captures AS "
                + sql("publish/pending_captures").format(src=src))  # fmt: skip
    keys = {
        **dict.fromkeys(BY_RUN, ("run_id", "pending_runs")),
        **dict.fromkeys(BY_DOCUMENT, ("doc_id, capture_id", "pending_docs")),
        "captures": ("capture_id", "pending_captures"),
    }
    for table in PUBLISHED:
        copied = _sync_table(con, source, table)
        if copied:
            continue
        t = sql_ident(table)
        if table in WHOLE:
            con.execute(f"DELETE FROM {lake}.main.{t}")
            con.execute(f"INSERT INTO {lake}.main.{t} SELECT * FROM {src}.main.{t}")
            continue
        columns, keyed = keys[table]
        pick = f"({columns}) IN (SELECT {columns} FROM {keyed})"
        con.execute(f"DELETE FROM {lake}.main.{t} WHERE {pick}")  # a reprocessed version's old row too
        source_pick = f"{of_pending} AND {pick}" if table == "documents" else pick
        con.execute(f"INSERT INTO {lake}.main.{t} SELECT * FROM {src}.main.{t} WHERE {source_pick}")
    con.execute(f"INSERT INTO {lake}.main.scrubline_published SELECT run_id, now() FROM pending_runs")
    con.execute(f"USE {lake}")
    create_views(con)
    con.execute(f"USE {src}")
    for name in ("pending_runs", "pending_docs", "pending_captures"):
        con.execute(f"DROP TABLE {name}")
