"""The warehouse side of data quality: per-run snapshots and metrics for Great Expectations,
stored results, quarantine."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from scrubline import staging

from .db import (
    Connection,
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
#: a run once; uncapped, DuckDB kept ~4 GB of scanned blocks for 100k documents; capped, the
#: whole validation (GE included) peaks near 1 GB at the same speed (bench/RESULTS_dq.md).
DQ_MEMORY_LIMIT = "512MB"

#: Per-run tables for Great Expectations' SQL path (``sql/dq/snapshot_<table>.sql``): scalar
#: columns only (no JSON/LIST, which SQLAlchemy reflection on DuckDB does not type),
#: restricted to the run with a parameter. No text columns: the texts are most of the
#: warehouse, so every check that reads text (length included) runs on :func:`dq_metrics`,
#: which scans them once.
SNAPSHOT_TABLES = ("documents", "removed_spans", "footnotes", "captures", "outlets", "runs")

#: A canonical citation URL: http(s), a dotted host without spaces or userinfo, then anything.
_URL_SHAPE = r"^https?://[^\s/?#@]+\.[^\s/?#@.]+(:\d+)?([/?#]\S*)?$"

#: The per-outlet drift rule (see expectations/outlets.json, outlets.no_extraction_drift).
DRIFT_DEFAULTS: dict[str, float] = {
    "min_history_docs": 5,  # earlier documents of the outlet needed to judge at all
    "min_run_docs": 3,  # documents of the outlet in this run
    "history_window": 500,  # the outlet's latest earlier documents form its baseline
    "robust_sds": 3.0,  # shift beyond this many robust SDs (1.4826 * MAD) ...
    "share_floor": 0.15,  # ... and beyond this absolute share removed
    "min_history_citations": 2.0,  # citations/doc dropping to 0 counts where history had this
}


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
    with session(db_path, migrate=False) as con:
        cap_memory(con, DQ_MEMORY_LIMIT)
        docs = con.execute(
            sql("dq/document_metrics"),
            {
                "run_id": run_id,
                "patterns": list(residue_patterns),
                "any_residue": _any_pattern(residue_patterns),
            },
        ).fetch_arrow_table()
        notes = con.execute(
            sql("dq/footnote_metrics"), {"run_id": run_id, "url_shape": _URL_SHAPE}
        ).fetch_arrow_table()
        drifts = _outlet_drift(con, run_id, drift)
        counts = con.execute(sql("dq/run_counts"), {"run_id": run_id}).fetch_arrow_table()
    return {"document_metrics": docs, "footnote_metrics": notes, "outlet_drift": drifts, "run_counts": counts}


def _outlet_drift(con: Connection, run_id: str, rule: Mapping[str, float] | None) -> pa.Table:
    params: dict[str, Any] = {**DRIFT_DEFAULTS, **(rule or {}), "run_id": run_id}
    unknown = set(params) - {*DRIFT_DEFAULTS, "run_id"}
    if unknown:
        raise ValueError(f"unknown drift parameters: {sorted(unknown)}")
    for key in ("min_history_docs", "min_run_docs", "history_window"):
        params[key] = int(params[key])
    return con.execute(sql("dq/outlet_drift"), params).fetch_arrow_table()


def dq_outlet_drift(db_path: str | Path, run_id: str, rule: Mapping[str, float] | None = None) -> pa.Table:
    """Per outlet of this run: share removed and citations per document against the outlet's
    earlier documents (latest ``history_window`` of earlier runs, quarantined ones left out).

    One row per outlet with documents in the run: run_docs, history_docs, eligible (enough of
    both), run_share_mean/median, history_share_median, history_share_sd (1.4826 * MAD),
    share_shift (run median - history median), share_threshold (max(robust_sds * SD,
    share_floor)), share_z, run/history_citations_mean, share_drifted, citations_drifted,
    drifted and a readable reason. ``rule`` overrides :data:`DRIFT_DEFAULTS`.
    """
    with session(db_path, read_only=True) as con:
        return _outlet_drift(con, run_id, rule)


def dq_run_counts(db_path: str | Path, run_id: str) -> pa.Table:
    """Rows staged by the run's batches (manifest counts) vs rows loaded for its documents:
    table_name, batches, staged, loaded, count_gap (loaded - staged; 0 when consistent)."""
    with session(db_path, read_only=True) as con:
        return con.execute(sql("dq/run_counts"), {"run_id": run_id}).fetch_arrow_table()


# ----------------------------------------------------------------------------- results


_DQ_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("suite", pa.string()),
        ("expectation", pa.string()),
        ("expectation_name", pa.string()),
        ("column_name", pa.string()),
        ("severity", pa.string()),
        ("rationale", pa.string()),
        ("success", pa.bool_()),
        ("observed_value", pa.string()),
        ("failing_sample", pa.string()),
        ("element_count", pa.int64()),
        ("unexpected_count", pa.int64()),
        ("data_path", pa.string()),
        ("error", pa.string()),
        ("evaluated_at", pa.timestamp("us", tz="UTC")),
    ]
)


def _dq_table(run_id: str, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    now = datetime.now(UTC)
    records = []
    for row in rows:
        rec = {c: row.get(c) for c in _DQ_SCHEMA.names}
        rec["run_id"] = run_id
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
    table = _dq_table(run_id, rows)
    with session(db_path) as con, transaction(con):
        return insert_rows(con, "dq_results", table, replace_on=("run_id", "suite"))


def quarantine(db_path: str | Path, run_id: str, doc_keys: list[tuple[str, str]], reason: str) -> int:
    """Flag documents (doc_id, capture_id) as quarantined and log why; returns rows flagged."""
    if not doc_keys:
        return 0
    keys = pa.table({"doc_id": [k[0] for k in doc_keys], "capture_id": [k[1] for k in doc_keys]})
    with session(db_path) as con:
        cap_memory(con, DQ_MEMORY_LIMIT)
        with registered(con, "quarantine_keys", keys), transaction(con):
            flagged = count(con, sql("dq/quarantine_documents"), [reason])
            con.execute(sql("dq/quarantine_log"), [run_id, reason])
    return flagged
