"""Validate what a run loaded: snapshot and metrics, the suites through GE, stored results,
quarantine and a local Data Docs site.

The snapshot holds no text columns (lengths only): at 100k documents the texts are most of
the warehouse, and copying them dominated validation (bench/RESULTS_dq.md). Results go to
``dq_results``; documents failing a critical expectation marked ``quarantine: true`` are
quarantined; a local Data Docs site is rebuilt.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrubline import resources, warehouse

from .ge import run_suites
from .metrics import dq_metrics
from .suites import all_residue_patterns, drift_rule, load_suites


@dataclass(frozen=True)
class DQOutcome:
    """What :func:`validate` found: ``success`` is False when any critical expectation failed."""

    success: bool
    results: list[dict[str, Any]]
    quarantined: list[tuple[str, str]]
    data_docs_path: Path | None
    summary: str


def default_docs_dir() -> Path:
    return resources.warehouse_dir() / "dq_site"


def validate(
    db_path: Path,
    run_id: str,
    *,
    docs_dir: Path | None = None,
    residue_patterns: Sequence[str] = (),
    suites_dir: Path | None = None,
) -> DQOutcome:
    """Validate the rows of ``run_id``, store results, quarantine, build Data Docs.

    ``docs_dir``: the Data Docs site (default ``warehouse/dq_site``). ``residue_patterns``:
    more boilerplate regexes (RE2 syntax, matched case-insensitively) to look for in clean text.
    """
    suites = load_suites(suites_dir)
    patterns = all_residue_patterns(suites, residue_patterns)
    docs_dir = Path(docs_dir) if docs_dir else default_docs_dir()
    with tempfile.TemporaryDirectory(prefix="scrubline-dq-") as tmp:
        snapshot = Path(tmp) / "dq_snapshot.duckdb"
        warehouse.dq_snapshot(db_path, run_id, snapshot)
        frames = {
            k: t.to_pandas()
            for k, t in dq_metrics(db_path, run_id, patterns, drift=drift_rule(suites)).items()
        }
        rows, index_html = run_suites(suites, snapshot, frames, run_id, docs_dir)
    warehouse.store_dq_results(db_path, run_id, [_public(r) for r in rows])
    quarantined = _quarantine(db_path, run_id, rows)
    return _outcome(rows, quarantined, index_html)


def _public(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def _quarantine(db_path: Path, run_id: str, rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Quarantine documents failing critical quarantine expectations, one reason per doc."""
    reasons: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in rows:
        if row["_quarantine"] and not row["success"]:
            for key in row["_failing_keys"]:
                reasons[key].append(row["expectation_name"])
    by_reason: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, names in reasons.items():
        by_reason["dq: " + ", ".join(sorted(names))].append(key)
    for reason, keys in by_reason.items():
        warehouse.quarantine(db_path, run_id, keys, reason)
    return sorted(reasons)


def _outcome(rows: list[dict[str, Any]], quarantined: list[tuple[str, str]], index: Path | None) -> DQOutcome:
    failed = [r for r in rows if not r["success"]]
    critical = sorted(r["expectation_name"] for r in failed if r["severity"] == "critical")
    warning = sorted(r["expectation_name"] for r in failed if r["severity"] == "warning")
    summary = (
        f"{len(rows)} expectations, {len(critical)} critical failed"
        + (f" ({', '.join(critical)})" if critical else "")
        + f", {len(warning)} warnings"
        + (f" ({', '.join(warning)})" if warning else "")
        + f", {len(quarantined)} documents quarantined"
    )
    return DQOutcome(not critical, [_public(r) for r in rows], quarantined, index, summary)
