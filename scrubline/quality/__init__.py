"""Data quality: the Great Expectations suites run on what a run loaded.

``suites`` (the packaged suites and every threshold: ``suites/*.json``), ``metrics`` (per-row
metrics that DuckDB computes, SQL in ``sql/*.sql``), ``ge`` (the only great_expectations
import, lazy), ``validation`` (:func:`validate`: results, quarantine, Data Docs).
"""

from __future__ import annotations

from .ge import SAMPLE_CHARS, SAMPLE_SIZE, _error, _register_duckdb_dialect
from .metrics import URL_SHAPE, any_pattern, dq_metrics, dq_outlet_drift, dq_run_counts
from .suites import (
    DRIFT_PARAMETERS,
    PATHS,
    SEVERITIES,
    Suite,
    all_residue_patterns,
    drift_rule,
    load_suites,
    suite_files,
)
from .validation import DQOutcome, default_docs_dir, validate

__all__ = [
    "DQOutcome", "DRIFT_PARAMETERS", "PATHS", "SAMPLE_CHARS", "SAMPLE_SIZE", "SEVERITIES", "Suite",
    "URL_SHAPE", "_error", "_register_duckdb_dialect", "all_residue_patterns", "any_pattern",
    "default_docs_dir", "dq_metrics", "dq_outlet_drift", "dq_run_counts", "drift_rule",
    "load_suites", "suite_files", "validate",
]  # fmt: skip
