"""The one pipeline flow: ingest -> clean (batches) -> stage -> load -> validate -> publish.

Prefect only orchestrates here: every step calls the pure library (scrubline.*). Tasks take
batches and paths, never connections, and use no input caching (captures carry raw bytes,
the loader must always run). Deployments differ only in parameters and schedules
(prefect.yaml, ``scrubline serve``).
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.runtime import flow_run  # noqa: E402

import scrubline  # noqa: E402
from scrubline import rawstore, staging, warehouse  # noqa: E402
from scrubline.batch import clean_many  # noqa: E402
from scrubline.clean import CleanContext, provisional_outlets  # noqa: E402
from scrubline.ingest import read_inputs  # noqa: E402
from scrubline.records import PIPELINE_VERSION, Capture, Reject  # noqa: E402
from scrubline.resources import project_root, seeds_dir  # noqa: E402

#: Documents per clean/stage/load batch: large enough to amortise task overhead (~10 ms),
#: small enough that a killed run loses little work.
DEFAULT_BATCH_SIZE = 200


def git_commit() -> str | None:
    """The commit of the code that runs, when it runs from a git checkout."""
    try:
        out = subprocess.run(
            ["git", "-C", str(project_root()), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=5, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


@task(cache_policy=NO_CACHE)
def ingest(paths: list[str], raw_dir: str) -> tuple[list[Capture], list[Reject]]:
    """Read every input into Captures and keep their bytes in the raw store."""
    captures, rejects = read_inputs(paths)
    for capture in captures:
        rawstore.put(Path(raw_dir), capture)
    return captures, rejects


@task(cache_policy=NO_CACHE)
def clean_and_stage(
    captures: list[Capture],
    rejects: list[Reject],
    run_id: str,
    batch_dir: str,
    raw_dir: str,
    workers: int,
) -> str:
    """Clean one batch (in worker processes) and stage it as Parquet; returns the batch dir."""
    ctx = CleanContext.default()
    results, failed = clean_many(captures, workers=workers, ctx=ctx)
    outlets = list(ctx.outlets.outlets.values()) + provisional_outlets(results)
    raw_paths = {c.capture_id: str(rawstore.path_for(Path(raw_dir), c.capture_id)) for c in captures}
    target = staging.write_batch(
        Path(batch_dir), results, captures, [*rejects, *failed], outlets, run_id, raw_paths=raw_paths
    )
    return str(target)


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
def load(db_path: str, run_id: str, staging_dir: str) -> dict[str, Any]:
    """Load one staged batch in one transaction (idempotent: delete-then-insert)."""
    return warehouse.load_batch(db_path, run_id, Path(staging_dir))


@task(cache_policy=NO_CACHE)
def validate(db_path: str, run_id: str, site_dir: str) -> dict[str, Any]:
    """Great Expectations suites on what this run loaded; stores results, quarantines."""
    from scrubline import quality  # GE is imported only where validation runs
    from scrubline.boilerplate.residue import residue_patterns

    outcome = quality.validate(
        Path(db_path), run_id, docs_dir=Path(site_dir), residue_patterns=residue_patterns()
    )
    return {
        "success": outcome.success,
        "summary": outcome.summary,
        "failed": [r for r in outcome.results if not r.get("success")],
        "quarantined": len(outcome.quarantined),
        "data_docs": str(outcome.data_docs_path) if outcome.data_docs_path else None,
    }


@task(cache_policy=NO_CACHE)
def publish(db_path: str, published_path: str) -> str:
    """Atomically replace the analysts' read-only copy of the warehouse."""
    return str(warehouse.publish(db_path, published_path))


def resolve_input(path: str) -> Path:
    """A path as given, or relative to the project root (deployments name ``seeds``)."""
    given = Path(path)
    if given.is_absolute() or given.exists():
        return given
    return project_root() / given


def _batches(items: list[Capture], size: int) -> list[list[Capture]]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


@flow(name="scrubline-pipeline", log_prints=False)
def pipeline(
    paths: list[str] | None = None,
    db_path: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int = 2,
    run_validation: bool = True,
    publish_copy: bool = True,
) -> dict[str, Any]:
    """Ingest ``paths`` (default: the bundled seeds), clean, load, validate and publish."""
    logger = get_run_logger()
    run_id = str(flow_run.id or uuid.uuid4())
    db = str(db_path or warehouse.default_db_path())
    home = Path(db).parent
    paths = [str(resolve_input(p)) for p in (paths or [str(seeds_dir())])]
    params = {"paths": paths, "db_path": db, "batch_size": batch_size, "workers": workers}
    ctx = CleanContext.default()
    warehouse.start_run(
        db, run_id, flow_name="scrubline-pipeline", parameters=params,
        ruleset_version=ctx.ruleset_version, pipeline_version=PIPELINE_VERSION,
        scrubline_version=scrubline.__version__, git_commit=git_commit(),
    )  # fmt: skip
    status = "failed"
    summary: dict[str, Any] = {"run_id": run_id, "db_path": db}
    try:
        raw_dir = str(home / "raw")
        captures, rejects = ingest(paths, raw_dir)
        logger.info("ingested %d captures, %d rejects", len(captures), len(rejects))
        staging_root = home / "staging" / run_id
        loaded: Counter[str] = Counter()
        for number, batch in enumerate(_batches(captures, batch_size)):
            batch_rejects = rejects if number == 0 else []
            batch_dir = str(staging_root / f"{number:05d}")
            staged = clean_and_stage(batch, batch_rejects, run_id, batch_dir, raw_dir, workers)
            loaded.update({k: v for k, v in load(db, run_id, staged).items() if isinstance(v, int)})
        summary["loaded"] = dict(loaded)
        summary.update(warehouse.run_summary(db, run_id))
        summary["inputs"] = len(captures) + len(rejects)
        if run_validation:
            summary["dq"] = validate(db, run_id, str(home / "dq_site"))
        dq_ok = summary.get("dq", {}).get("success", True)
        status = "completed" if dq_ok else "failed"
    finally:
        warehouse.finish_run(db, run_id, status=status, counts=_counts(summary))
    if publish_copy:  # after finish_run, so the published copy shows this run's final state
        summary["published"] = publish(db, str(warehouse.published_db_path(db)))
    summary["status"] = status
    create_markdown_artifact(key="scrubline-run", markdown=summary_markdown(summary),
                             description="scrubline run summary")  # fmt: skip
    if status != "completed":
        raise RuntimeError(f"data quality failed: {summary.get('dq', {}).get('summary')}")
    return summary


def _counts(summary: dict[str, Any]) -> dict[str, Any]:
    keys = ("inputs", "documents", "rejects", "footnotes", "removed_by_rule")
    return {k: summary[k] for k in keys if k in summary}


def summary_markdown(summary: dict[str, Any]) -> str:
    """The run's artifact: counts, removals by rule, DQ outcome."""
    rules = summary.get("removed_by_rule", {})
    dq = summary.get("dq") or {}
    lines = [
        f"# scrubline run `{summary['run_id']}` — {summary.get('status', '?')}",
        "",
        "| inputs | documents | rejects | footnotes | removed spans |",
        "|---|---|---|---|---|",
        f"| {summary.get('inputs', 0)} | {summary.get('documents', 0)} | {summary.get('rejects', 0)} "
        f"| {summary.get('footnotes', 0)} | {sum(rules.values())} |",
        "",
        "## Removed spans by rule",
        "",
        "| rule | spans |",
        "|---|---|",
        *[f"| {rule} | {n} |" for rule, n in rules.items()],
        "",
        f"## Data quality: {'passed' if dq.get('success', True) else 'FAILED'}",
        "",
        str(dq.get("summary", "not run")),
        "",
        f"Generated {datetime.now(UTC).isoformat(timespec='seconds')}",
    ]
    return "\n".join(lines)


