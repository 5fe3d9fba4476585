"""The warehouse side of data quality: the per-run snapshot Great Expectations reads, stored
results, quarantine. (The metrics and thresholds are :mod:`scrubline.quality`.)"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrubline import arrow, staging

from .db import (
    cap_memory,
    count,
    insert_rows,
    registered,
    remove_db_files,
    session,
    sql,
    sql_string,
    transaction,
)

#: DuckDB memory cap of the DQ steps (snapshot, metrics, quarantine). They scan every text of
#: a run once; uncapped, DuckDB kept ~4 GB of scanned blocks for 100k documents; capped at
#: 512 MB, the whole validation (GE included) peaked near 1 GB at the same speed
#: (bench/RESULTS_dq.md). Since GE reads the metrics from the snapshot (2026-12-03, a first
#: run of 300,000 documents, validation alone): 512 MB peaked at 778 MB in 14.6 s, 256 MB at
#: 635 MB in 12.5-15.2 s.
DQ_MEMORY_LIMIT = "256MB"

#: Per-run tables for Great Expectations' SQL path (``sql/dq/snapshot_<table>.sql``): scalar
#: columns only (no JSON/LIST, which SQLAlchemy reflection on DuckDB does not type),
#: restricted to the run with a parameter. No text columns: the texts are most of the
#: warehouse, so every check that reads text (length included) runs on the metrics path
#: which scans them once.
SNAPSHOT_TABLES = ("documents", "removed_spans", "footnotes", "captures", "outlets", "runs")


def dq_snapshot(db_path: str | Path, run_id: str, snapshot_path: str | Path) -> dict[str, int]:
    """Write this run's rows to a separate DuckDB file for GE's SQL datasource.

    GE then reads a small, immutable file through its own driver: it never locks or opens the
    working database, and its queries need no run filter. Returns row counts per table.
    """
    snapshot_path = Path(snapshot_path)
    remove_db_files(snapshot_path)
    with session(db_path) as con:
        cap_memory(con, DQ_MEMORY_LIMIT)
        con.execute(f"ATTACH {sql_string(str(snapshot_path))} AS scrubline_dq")
        try:
            for table in SNAPSHOT_TABLES:  # whitelisted table names
                select = sql(f"dq/snapshot_{table}")
                params = {"run_id": run_id} if "$run_id" in select else {}
                con.execute(f"CREATE TABLE scrubline_dq.{table} AS {select}", params)
            return {t: count(con, f"SELECT count(*) FROM scrubline_dq.{t}") for t in SNAPSHOT_TABLES}
        finally:
            con.execute("DETACH scrubline_dq")


# ----------------------------------------------------------------------------- results


_DQ_SCHEMA = arrow.schema(
    [
        ("run_id", "string"),
        ("suite", "string"),
        ("expectation", "string"),
        ("expectation_name", "string"),
        ("column_name", "string"),
        ("severity", "string"),
        ("rationale", "string"),
        ("success", "bool"),
        ("observed_value", "string"),
        ("failing_sample", "string"),
        ("element_count", "int64"),
        ("unexpected_count", "int64"),
        ("data_path", "string"),
        ("error", "string"),
        ("evaluated_at", "timestamp"),
    ]
)


def _dq_table(run_id: str, rows: Iterable[Mapping[str, Any]]) -> arrow.Table:
    now = datetime.now(UTC)
    records = []
    for row in rows:
        rec = {c: row.get(c) for c in _DQ_SCHEMA.names}
        rec["run_id"] = run_id
        rec["observed_value"] = staging.to_json(row.get("observed_value"))
        rec["failing_sample"] = staging.to_json(row.get("failing_sample"))
        rec["evaluated_at"] = row.get("evaluated_at") or now
        records.append(rec)
    return arrow.from_rows(records, _DQ_SCHEMA)


def store_dq_results(db_path: str | Path, run_id: str, rows: list[dict]) -> int:
    """Replace the DQ rows of this run for the suites present in ``rows``; returns rows stored.

    Row keys: suite, expectation, severity, success (required); expectation_name, column_name,
    rationale, observed_value, failing_sample (any JSON-able), element_count, unexpected_count,
    data_path, error, evaluated_at (optional).
    """
    table = _dq_table(run_id, rows)
    with session(db_path) as con, transaction(con):
        return insert_rows(con, "dq_results", table, replace_on=("run_id", "suite"))


def quarantine(db_path: str | Path, run_id: str, doc_keys: list[tuple[str, str]], reason: str) -> int:
    """Flag documents (doc_id, capture_id) as quarantined and log why; returns rows flagged."""
    if not doc_keys:
        return 0
    keys = arrow.from_columns({"doc_id": [k[0] for k in doc_keys], "capture_id": [k[1] for k in doc_keys]})
    with session(db_path) as con:
        cap_memory(con, DQ_MEMORY_LIMIT)
        with registered(con, "quarantine_keys", keys), transaction(con):
            flagged = count(con, sql("dq/quarantine_documents"), [reason])
            con.execute(sql("dq/quarantine_log"), [run_id, reason])
    return flagged


def run_document_count(db_path: str | Path, run_id: str) -> int:
    """How many document versions ``run_id`` loaded."""
    with session(db_path, read_only=True) as con:
        return count(con, sql("dq/run_documents"), [run_id])
