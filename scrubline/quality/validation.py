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

from scrubline import project, resources, warehouse

from .ge import run_suites
from .metrics import write_metrics
from .offline_docs import make_offline
from .suites import all_residue_patterns, drift_rule, load_suites


@dataclass(frozen=True)
class DQOutcome:
    """What :func:`validate` found.

    ``success`` is False when a table-level critical expectation failed (row counts, keys)
    or when the documents quarantined by document-level critical expectations exceed the
    suites' ``max_quarantined_share`` of the run's documents (default 5%): a few damaged
    documents are quarantined and the run completes; many mean something broke.
    """

    success: bool
    results: list[dict[str, Any]]
    quarantined: list[tuple[str, str]]
    data_docs_path: Path | None
    summary: str


#: The run fails when more of its documents than this are quarantined (suite meta overrides).
DEFAULT_MAX_QUARANTINED_SHARE = 0.05


def max_quarantined_share(suites: Sequence[Any]) -> float:
    """The suites' meta ``max_quarantined_share`` (later suites override earlier), else 5%."""
    limit = DEFAULT_MAX_QUARANTINED_SHARE
    for suite in suites:
        limit = float(suite.meta.get("max_quarantined_share", limit))
    return limit


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
    here = project.current()
    languages = list(here.settings.allowed_languages)
    chosen = {"allowed_languages": languages} if languages else {}
    suites = load_suites(suites_dir, overrides=here.expectations_dir, meta=chosen)
    patterns = all_residue_patterns(suites, residue_patterns)
    docs_dir = (Path(docs_dir) if docs_dir else default_docs_dir()).resolve()  # GE: absolute only
    with tempfile.TemporaryDirectory(prefix="scrubline-dq-") as tmp:
        snapshot = Path(tmp) / "dq_snapshot.duckdb"
        warehouse.dq_snapshot(db_path, run_id, snapshot)
        write_metrics(db_path, run_id, snapshot, patterns, drift=drift_rule(suites))
        rows, index_html = run_suites(suites, snapshot, run_id, docs_dir)
    if index_html is not None:
        make_offline(index_html.parent)  # readable without a network (assets bundled)
    warehouse.store_dq_results(db_path, run_id, [_public(r) for r in rows])
    quarantined = _quarantine(db_path, run_id, rows)
    limit = max_quarantined_share(suites)
    return _outcome(rows, quarantined, index_html, warehouse.run_document_count(db_path, run_id), limit)


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


def _outcome(
    rows: list[dict[str, Any]],
    quarantined: list[tuple[str, str]],
    index: Path | None,
    documents: int = 0,
    limit: float = DEFAULT_MAX_QUARANTINED_SHARE,
) -> DQOutcome:
    failed = [r for r in rows if not r["success"]]
    critical = sorted(r["expectation_name"] for r in failed if r["severity"] == "critical")
    table_level = [
        r["expectation_name"]
        for r in failed
        if r["severity"] == "critical" and not (r.get("_quarantine") and r.get("_failing_keys"))
    ]
    share = len(quarantined) / documents if documents else 0.0
    warning = sorted(r["expectation_name"] for r in failed if r["severity"] == "warning")
    summary = (
        f"{len(rows)} expectations, {len(critical)} critical failed"
        + (f" ({', '.join(critical)})" if critical else "")
        + f", {len(warning)} warnings"
        + (f" ({', '.join(warning)})" if warning else "")
        + f", {len(quarantined)} documents quarantined"
        + (f" ({share:.1%} of {documents}, limit {limit:.0%})" if quarantined and documents else "")
    )
    if share > limit:
        summary += f"; FAILED: quarantined share {share:.1%} above {limit:.0%}"
    success = not table_level and share <= limit
    return DQOutcome(success, [_public(r) for r in rows], quarantined, index, summary)
