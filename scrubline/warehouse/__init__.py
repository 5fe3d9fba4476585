"""The warehouse: DuckDB tables, migrations, views, loads, publishing and reads.

One module per job (``db`` is the only duckdb import); SQL lives in package files under
``sql/`` (``migrations/``, ``views/``, ``reports/`` and one folder per module), read by name
with :func:`sql`. Every public function takes a database *path* and opens its own connection
through :func:`session`, so Prefect tasks pass paths, never connections; the one exception,
:class:`ClusterStore`, holds a connection for the syndication stage inside one task. This
package re-exports every name its callers use.
"""

from __future__ import annotations

from .clusters import ClusterStore, cluster_store
from .corpus import (
    backfill_done,
    mark_backfilled,
    outlet_template_candidates,
    store_signatures,
    store_template_lines,
    store_templates,
    template_rows,
    unbanded_signatures,
    unlined_documents,
    unsigned_documents,
    update_template_counts,
)
from .db import (
    ANALYST_SETTINGS,
    DatabaseError,
    MigrationError,
    analyst_session,
    connect,
    create_views,
    default_db_path,
    has_fts,
    held,
    migrate,
    query,
    query_table,
    session,
    sql,
    transaction,
    write_parquet,
)
from .dq import (
    DQ_MEMORY_LIMIT,
    dq_snapshot,
    quarantine,
    run_document_count,
    store_dq_results,
)
from .load import _load_batch, already_loaded, load_batch
from .lock import WarehouseLocked, lock_path, write_lock
from .publish import publish, published_db_path
from .reads import (
    build_fts,
    explanation,
    fetch_states,
    run_trail,
    search,
    stored_captures,
    verification_rows,
)
from .runs import (
    finish_run,
    mark_abandoned_runs,
    run_changes,
    run_summary,
    set_run_environment,
    start_run,
)

__all__ = [
    "ANALYST_SETTINGS", "DatabaseError", "run_document_count", "analyst_session", "write_parquet",
    "DQ_MEMORY_LIMIT", "MigrationError", "WarehouseLocked", "_load_batch", "build_fts", "connect", "has_fts",
    "create_views", "default_db_path", "held", "dq_snapshot", "explanation", "fetch_states", "finish_run",
    "load_batch", "already_loaded", "lock_path", "mark_abandoned_runs", "migrate", "publish",
    "published_db_path", "quarantine", "query", "query_table", "run_changes",
    "run_summary", "run_trail", "search", "session", "set_run_environment", "sql",
    "start_run", "store_dq_results", "store_signatures", "store_templates", "stored_captures",
    "template_rows", "transaction", "unsigned_documents", "verification_rows", "write_lock",
    "unbanded_signatures",
    "outlet_template_candidates", "store_template_lines", "ClusterStore", "cluster_store",
    "backfill_done", "mark_backfilled",
    "unlined_documents", "update_template_counts",
]  # fmt: skip
