"""The one pipeline flow: ingest -> clean (batches) -> stage -> load -> validate -> publish.

Prefect only orchestrates here: every step calls the pure library (scrubline.*). Tasks take
batches and paths, never connections, and use no input caching (captures carry raw bytes,
the loader must always run). Deployments differ only in parameters and schedules
(prefect.yaml, ``scrubline serve``): files/folders or a ``sources.yaml`` (one ``schedule``
group of it), or ``reprocess=True``: re-clean the stored captures from the raw store with the
current rules, no refetch.

Every run holds the warehouse's write lock from start to publish (a second run waits
``lock_timeout`` seconds, then fails naming the holder), writes OpenLineage START and
COMPLETE/FAIL events, and leaves a markdown artifact. ``SCRUBLINE_PAUSE_AT`` (comma list of
points: ``locked``, ``after_ingest``, ``mid_clean:<batch>``, ``mid_load:<batch>``,
``before_publish``) with ``SCRUBLINE_PAUSE_DIR`` makes a run write ``<point>.reached`` there
and wait for ``<point>.go``: the kill-at-any-moment tests use it.
"""

from __future__ import annotations

import os
import subprocess
import time
import traceback
import uuid
from collections import Counter
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.runtime import flow_run  # noqa: E402

import scrubline  # noqa: E402
from scrubline import lineage, rawstore, staging, syndication, verify, warehouse  # noqa: E402
from scrubline.batch import clean_many  # noqa: E402
from scrubline.boilerplate.templates import mine_templates  # noqa: E402
from scrubline.clean import CleanContext, extractor_version, provisional_outlets  # noqa: E402
from scrubline.ingest import FetchConfig, FetchState, IngestReport, ManifestError, load_sources, read_inputs  # noqa: E402
from scrubline.records import PIPELINE_VERSION, Capture, Reject  # noqa: E402
from scrubline.resources import project_root, seeds_dir  # noqa: E402

#: Documents per clean/stage/load batch: large enough to amortise task overhead (~10 ms),
#: small enough that a killed run loses little work.
DEFAULT_BATCH_SIZE = 200
#: An outlet's line becomes a template when it recurs in this many of its documents.
MIN_TEMPLATE_SUPPORT = 3


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


#: Libraries whose version can change a document's text.
_LIBRARIES = ("trafilatura", "lxml", "ftfy", "charset-normalizer", "duckdb", "prefect", "pyarrow")


def environment() -> dict[str, str]:
    """Versions that shape output, stored with the run (``runs.environment``)."""
    versions = {"extractor": extractor_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            continue
    return versions


def pause_point(name: str) -> None:
    """Test hook: with ``name`` in ``$SCRUBLINE_PAUSE_AT``, announce it and wait for a go file."""
    points = {p.strip() for p in os.environ.get("SCRUBLINE_PAUSE_AT", "").split(",") if p.strip()}
    if name not in points:
        return
    folder = Path(os.environ.get("SCRUBLINE_PAUSE_DIR", "."))
    (folder / f"{name}.reached").write_text(str(os.getpid()))
    while not (folder / f"{name}.go").exists():
        time.sleep(0.05)


def is_manifest(path: str) -> bool:
    """A sources manifest (``sources.yaml``) rather than a file or folder to read."""
    return path.endswith((".yaml", ".yml"))


@task(cache_policy=NO_CACHE)
def ingest(
    paths: list[str],
    raw_dir: str,
    schedule: str | None = None,
    db_path: str | None = None,
    allow_private_hosts: bool = False,
) -> tuple[list[Capture], list[Reject], dict[str, int]]:
    """Read every input (files, folders, URLs, sources manifests, WARCs) into Captures and keep
    their bytes in the raw store. URLs seen by earlier runs (``db_path``) are skipped or
    fetched conditionally; the counts say how many were unchanged, discovered, skipped."""
    seen = {
        url: FetchState(url, etag, last_modified, capture_id)
        for url, capture_id, etag, last_modified in (warehouse.fetch_states(db_path) if db_path else [])
    }
    report = IngestReport()
    config = FetchConfig(allow_private=allow_private_hosts)
    captures, rejects = read_inputs(paths, schedule=schedule, seen=seen, report=report, fetch_config=config)
    for capture in captures:
        rawstore.put(Path(raw_dir), capture)
    return captures, rejects, report.counts()


@task(cache_policy=NO_CACHE)
def ingest_stored(db_path: str, raw_dir: str, docs: list[str] | None) -> tuple[list[Capture], list[Reject]]:
    """Reprocess: rebuild the Captures of stored document versions from the raw store."""
    captures: list[Capture] = []
    rejects: list[Reject] = []
    for row in warehouse.stored_captures(db_path, docs):
        try:
            captures.append(verify.stored_capture(row, verify.raw_bytes(row, Path(raw_dir))))
        except (OSError, ValueError) as exc:
            rejects.append(Reject(row["source_uri"], "reprocess", type(exc).__name__, str(exc)[:500],
                                  row["capture_id"]))
    return captures, rejects


@task(cache_policy=NO_CACHE)
def clean_and_stage(
    captures: list[Capture],
    rejects: list[Reject],
    run_id: str,
    batch_dir: str,
    raw_dir: str,
    workers: int,
    number: int = 0,
    db_path: str | None = None,
) -> str:
    """Clean one batch (in worker processes) and stage it as Parquet; returns the batch dir.
    Outlets with templates learned in ``db_path`` are cleaned by their own engine."""
    ctx = CleanContext.default(templates=warehouse.template_rows(db_path) if db_path else ())
    results, failed = clean_many(captures, workers=workers, ctx=ctx)
    pause_point(f"mid_clean:{number}")
    outlets = list(ctx.outlets.outlets.values()) + provisional_outlets(results)
    raw_paths = {c.capture_id: str(rawstore.path_for(Path(raw_dir), c.capture_id)) for c in captures}
    target = staging.write_batch(
        Path(batch_dir), results, captures, [*rejects, *failed], outlets, run_id, raw_paths=raw_paths
    )
    return str(target)


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
def load(db_path: str, run_id: str, staging_dir: str, number: int = 0) -> dict[str, Any]:
    """Load one staged batch in one transaction (idempotent: delete-then-insert)."""

    def on_step(step: str) -> None:
        if step == "documents":  # inside the transaction, documents deleted and re-inserted
            pause_point(f"mid_load:{number}")

    return warehouse.load_batch(db_path, run_id, Path(staging_dir), on_step=on_step)


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
def syndicate(db_path: str, run_id: str) -> dict[str, int]:
    """Sign new document versions (MinHash) and recompute near-duplicate clusters."""
    todo = warehouse.unsigned_documents(db_path, syndication.SIGNATURE_VERSION)
    records = syndication.signature_records([(d, c) for d, c, _ in todo], [t for _, _, t in todo])
    warehouse.store_signatures(db_path, run_id, records)
    rows = warehouse.signature_rows(db_path, syndication.SIGNATURE_VERSION)
    clusters, members = syndication.cluster_records(rows)
    warehouse.replace_clusters(db_path, run_id, clusters, members)
    return {"signed": len(records), "clusters": len(clusters),
            "multi_outlet_clusters": sum(1 for c in clusters if c["n_outlets"] >= 2)}  # fmt: skip


@task(cache_policy=NO_CACHE)
def learn_templates(db_path: str, run_id: str) -> dict[str, int]:
    """Mine lines that recur across each outlet's documents; later runs remove them."""
    texts = warehouse.outlet_texts(db_path, MIN_TEMPLATE_SUPPORT)
    mined = mine_templates(texts, min_support=MIN_TEMPLATE_SUPPORT)
    rows = [row for template_set in mined.values() for row in template_set.to_rows()]
    warehouse.store_templates(db_path, run_id, sorted({o for o, _, _ in texts}), rows)
    return {"outlets": len(mined), "templates": len(rows)}


@task(cache_policy=NO_CACHE)
def publish(db_path: str, published_path: str) -> str:
    """Atomically replace the analysts' read-only copy of the warehouse."""
    return str(warehouse.publish(db_path, published_path))


def resolve_input(path: str) -> str:
    """A URL or path as given, or a path relative to the project root (deployments name
    ``seeds``)."""
    given = Path(path)
    if "://" in path or given.is_absolute() or given.exists():
        return path
    return str(project_root() / given)


def _batches(items: list[Capture], size: int) -> list[list[Capture]]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def lineage_inputs(paths: list[str], reprocess: bool, raw_dir: str) -> list[str]:
    """What a run reads, for its lineage events: the raw store, or paths and manifest sources."""
    if reprocess:
        return [raw_dir]
    found: list[str] = []
    for path in paths:
        found.append(path)
        if is_manifest(path):
            try:
                found += [s.uri for s in load_sources(path)]
            except ManifestError:
                continue
    return found


@flow(name="scrubline-pipeline", log_prints=False)
def pipeline(
    paths: list[str] | None = None,
    db_path: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int = 2,
    run_validation: bool = True,
    publish_copy: bool = True,
    schedule: str | None = None,
    reprocess: bool = False,
    docs: list[str] | None = None,
    lineage_dir: str | None = None,
    lock_timeout: float = 600.0,
    allow_private_hosts: bool = False,
) -> dict[str, Any]:
    """Ingest ``paths`` (default: the bundled seeds; a ``sources.yaml`` reads its ``schedule``
    group), or with ``reprocess`` re-clean the stored captures (``docs``: only these doc refs);
    clean, load, validate and publish under the warehouse write lock."""
    run_id = str(flow_run.id or uuid.uuid4())
    db = str(db_path or warehouse.default_db_path())
    home = Path(db).parent
    raw_dir = str(home / "raw")
    paths = [] if reprocess else [resolve_input(p) for p in (paths or [str(seeds_dir())])]
    params = {"paths": paths, "db_path": db, "batch_size": batch_size, "workers": workers,
              "schedule": schedule, "reprocess": reprocess, "docs": docs,
              "allow_private_hosts": allow_private_hosts,
              "run_validation": run_validation}  # fmt: skip
    events_dir = Path(lineage_dir) if lineage_dir else lineage.default_lineage_dir(db)
    started = datetime.now(UTC)
    inputs = [lineage.input_dataset(p) for p in lineage_inputs(paths, reprocess, raw_dir)]
    published_path = str(warehouse.published_db_path(db))
    outputs = lineage.output_datasets(db, published_path if publish_copy else None)
    tags = {"parameters": params, "scrubline_version": scrubline.__version__}

    def event(state: str, **extra: Any) -> None:
        lineage.emit(lineage.run_event(state, run_id, inputs=inputs, outputs=extra.pop("outputs", outputs),
                                       started_at=started, tags=tags, scrubline_version=scrubline.__version__,
                                       **extra), events_dir)  # fmt: skip

    event("START")
    try:
        with warehouse.write_lock(db, timeout=lock_timeout, holder=f"flow run {run_id}"):
            pause_point("locked")
            summary = _locked_run(run_id, db, paths, params, raw_dir, batch_size, workers, schedule,
                                  reprocess, docs, run_validation, publish_copy, published_path)  # fmt: skip
    except BaseException as exc:
        event("FAIL", error="".join(traceback.format_exception_only(exc)).strip())
        raise
    tags["counts"] = _counts(summary)
    loaded = {**summary.get("loaded", {}), "documents": summary.get("documents", 0),
              "footnotes": summary.get("footnotes", 0)}  # fmt: skip
    final_outputs = lineage.output_datasets(db, summary.get("published"), loaded)
    failure = f"data quality failed: {summary.get('dq', {}).get('summary')}"
    if summary["status"] != "completed":
        event("FAIL", outputs=final_outputs, error=failure)
    else:
        event("COMPLETE", outputs=final_outputs)
    create_markdown_artifact(key="scrubline-run", markdown=summary_markdown(summary),
                             description="scrubline run summary")  # fmt: skip
    if summary["status"] != "completed":
        raise RuntimeError(failure)
    return summary


def _locked_run(
    run_id: str, db: str, paths: list[str], params: dict[str, Any], raw_dir: str, batch_size: int,
    workers: int, schedule: str | None, reprocess: bool, docs: list[str] | None, run_validation: bool,
    publish_copy: bool, published_path: str,
) -> dict[str, Any]:
    """The writing part of a run (the caller holds the write lock)."""
    logger = get_run_logger()
    ctx = CleanContext.default()
    warehouse.start_run(
        db, run_id, flow_name="scrubline-pipeline", parameters=params,
        ruleset_version=ctx.ruleset_version, pipeline_version=PIPELINE_VERSION,
        scrubline_version=scrubline.__version__, git_commit=git_commit(),
    )  # fmt: skip
    abandoned = warehouse.mark_abandoned_runs(db, run_id)
    if abandoned:
        logger.warning("runs %s never finished (killed?): marked abandoned", ", ".join(abandoned))
    warehouse.set_run_environment(db, run_id, environment())
    status = "failed"
    summary: dict[str, Any] = {"run_id": run_id, "db_path": db, "reprocess": reprocess,
                               "abandoned_runs": abandoned}  # fmt: skip
    try:
        if reprocess:
            captures, rejects = ingest_stored(db, raw_dir, docs)
        else:
            captures, rejects, summary["ingest"] = ingest(
                paths, raw_dir, schedule, db, bool(params.get("allow_private_hosts"))
            )
        logger.info("ingested %d captures, %d rejects", len(captures), len(rejects))
        pause_point("after_ingest")
        staging_root = Path(db).parent / "staging" / run_id
        loaded: Counter[str] = Counter()
        for number, batch in enumerate(_batches(captures, batch_size)):
            batch_rejects = rejects if number == 0 else []
            batch_dir = str(staging_root / f"{number:05d}")
            staged = clean_and_stage(batch, batch_rejects, run_id, batch_dir, raw_dir, workers, number, db)
            counts = load(db, run_id, staged, number)
            loaded.update({k: v for k, v in counts.items() if isinstance(v, int)})
        summary["loaded"] = dict(loaded)
        summary.update(warehouse.run_summary(db, run_id))
        summary["changes"] = warehouse.run_changes(db, run_id)
        summary["inputs"] = len(captures) + len(rejects)
        if run_validation:
            summary["dq"] = validate(db, run_id, str(Path(db).parent / "dq_site"))
        summary["syndication"] = syndicate(db, run_id)  # after DQ: quarantined docs stay out
        summary["templates"] = learn_templates(db, run_id)
        dq_ok = summary.get("dq", {}).get("success", True)
        status = "completed" if dq_ok else "failed"
    finally:
        warehouse.finish_run(db, run_id, status=status, counts=_counts(summary))
    pause_point("before_publish")
    if publish_copy:  # after finish_run, so the published copy shows this run's final state
        summary["published"] = publish(db, published_path)
    summary["status"] = status
    return summary


_INPUT_KEYS = ("inputs_new", "inputs_changed", "inputs_unchanged", "outputs_changed")


def _counts(summary: dict[str, Any]) -> dict[str, Any]:
    keys = ("inputs", "documents", "rejects", "footnotes", "removed_by_rule")
    counts = {k: summary[k] for k in keys if k in summary}
    loaded = summary.get("loaded", {})
    counts.update({k: loaded.get(k, 0) for k in _INPUT_KEYS if "loaded" in summary})
    return counts


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def summary_markdown(summary: dict[str, Any], limit: int = 50) -> str:
    """The run's artifact: new, changed, unchanged and rejected inputs; documents whose output
    changed and by which rules; removals by rule; footnotes; DQ outcome."""
    rules = summary.get("removed_by_rule", {})
    dq = summary.get("dq") or {}
    loaded = summary.get("loaded", {})
    changes = summary.get("changes") or {"documents": [], "by_rule": [], "rejects": []}
    kind = "reprocess of stored captures" if summary.get("reprocess") else "ingest"
    lines = [
        f"# scrubline run `{summary['run_id']}` — {summary.get('status', '?')} ({kind})",
        "",
        "| inputs | new | changed | unchanged | of which re-cleaned differently | rejected "
        "| documents | footnotes | removed spans |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {summary.get('inputs', 0)} | {loaded.get('inputs_new', 0)} | {loaded.get('inputs_changed', 0)} "
        f"| {loaded.get('inputs_unchanged', 0)} | {loaded.get('outputs_changed', 0)} "
        f"| {summary.get('rejects', 0)} | {summary.get('documents', 0)} | {summary.get('footnotes', 0)} "
        f"| {sum(rules.values())} |",
        "",
    ]
    fetched = summary.get("ingest") or {}
    if any(fetched.values()):
        lines += ["Fetching: " + ", ".join(f"{k} {v}" for k, v in sorted(fetched.items())), ""]
    if summary.get("abandoned_runs"):
        abandoned = ", ".join(summary["abandoned_runs"])
        lines += [f"Runs that never finished, now marked abandoned: {abandoned}", ""]
    docs = changes["documents"]
    if docs:
        lines += ["## New, changed and re-cleaned documents", "", "| change | document | source | rules |",
                  "|---|---|---|---|"]  # fmt: skip
        for d in docs[:limit]:
            rules_changed = ", ".join(
                f"{s['rule_id']}/v{s['rule_version']} {s['spans_before']}→{s['spans_after']}"
                for s in d["span_changes"]
            )
            lines.append(f"| {d['change']} | `{d['doc_id']}` | {_cell(d['source_uri'])} | {rules_changed} |")
        if len(docs) > limit:
            lines.append(f"| … | {len(docs) - limit} more | | |")
        lines.append("")
    if changes["by_rule"]:
        lines += ["## Re-cleaning differences by rule", "", "| rule | documents | spans Δ | chars Δ |",
                  "|---|---|---|---|",
                  *[f"| {r['rule_id']}/v{r['rule_version']} | {r['documents']} | {r['spans_delta']:+d} "
                    f"| {r['chars_delta']:+d} |" for r in changes["by_rule"]], ""]  # fmt: skip
    if changes["rejects"]:
        lines += ["## Rejected inputs", "", "| source | stage | error | message |", "|---|---|---|---|",
                  *[f"| {_cell(r['source_uri'])} | {r['stage']} | {r['error_class']} "
                    f"| {_cell(r['message'])[:200]} |" for r in changes["rejects"][:limit]], ""]  # fmt: skip
    lines += [
        "## Removed spans by rule",
        "",
        "| rule | spans |",
        "|---|---|",
        *[f"| {rule} | {n} |" for rule, n in rules.items()],
        "",
        f"## Footnotes: {summary.get('footnotes', 0)}",
        "",
        f"## Data quality: {'passed' if dq.get('success', True) else 'FAILED'}",
        "",
        str(dq.get("summary", "not run")),
        "",
        f"Generated {datetime.now(UTC).isoformat(timespec='seconds')}",
    ]
    return "\n".join(lines)
