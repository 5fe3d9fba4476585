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

import json
import logging
import os
import resource
import shutil
import subprocess
import time
import traceback
import uuid
from collections import Counter, deque
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
#: The embedded API takes ~20 s to start on a busy machine; never fail for that (a value set wins).
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

from prefect import flow, get_run_logger, serve, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.runtime import flow_run  # noqa: E402

import scrubline  # noqa: E402
from scrubline import cluster_update, lineage, rawstore, template_update, warehouse  # noqa: E402
from scrubline.batch import (  # noqa: E402
    DEFAULT_TIME_LIMIT,
    BatchJob,
    CaptureRef,
    close_shared_pools,
    shared_pool,
    write_context,
)
from scrubline.clean import CleanContext, extractor_version, settings_key  # noqa: E402
from scrubline.ingest import FetchConfig, FetchState, IngestReport, ManifestError, iter_inputs, load_sources  # noqa: E402
from scrubline.quality.isolated import validate_in_child  # noqa: E402
from scrubline.records import PIPELINE_VERSION, Capture, Reject  # noqa: E402
from scrubline.resources import project_root, seeds_dir  # noqa: E402

from . import progress  # noqa: E402

#: Documents per clean/stage/load batch: large enough to amortise task and load overhead
#: (Prefect struggles with thousands of task runs), small enough that a killed run, or a
#: document past the time limit (its batch is cleaned again), loses little work.
DEFAULT_BATCH_SIZE = 500


def git_commit() -> str | None:
    """The commit of the code that runs, when it runs from a git checkout."""
    try:
        out = subprocess.run(
            ["git", "-C", str(Path(scrubline.__file__).resolve().parent), "rev-parse", "HEAD"],
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


def peak_rss_mb() -> int:
    """The peak resident memory of this process so far, in MiB (Linux reports KiB): recorded
    after each stage, it shows which stage raised the flow's peak."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


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


class _FetchStates(Mapping[str, FetchState]):
    """The warehouse's fetch states (the latest capture of every http(s) source), read on first
    use: only URL sources and feeds look a URL up, so a run over folders, files and WARCs never
    reads them. Held as a dict they cost ~45 MB per 100,000 stored URLs (measured 2026-12-03),
    and every run of a manifest-with-URLs corpus held all of them."""

    def __init__(self, db_path: str | None) -> None:
        self._db_path = db_path
        self._states: dict[str, FetchState] | None = None

    def _loaded(self) -> dict[str, FetchState]:
        if self._states is None:
            rows = warehouse.fetch_states(self._db_path) if self._db_path else []
            self._states = {url: FetchState(url, etag, modified, capture_id)
                            for url, capture_id, etag, modified in rows}  # fmt: skip
        return self._states

    def __getitem__(self, url: str) -> FetchState:
        return self._loaded()[url]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


def stream_inputs(
    paths: list[str],
    raw_dir: str,
    counts: dict[str, int],
    schedule: str | None = None,
    db_path: str | None = None,
    allow_private_hosts: bool = False,
) -> Iterator[CaptureRef | Reject]:
    """Read every input lazily; each capture's bytes go to the raw store as it is read and only
    its reference goes on. URLs seen by earlier runs (``db_path``) are skipped or fetched
    conditionally; ``counts`` receives how many were unchanged, discovered, skipped."""
    seen = _FetchStates(db_path)
    report = IngestReport()
    config = FetchConfig(allow_private=allow_private_hosts)
    root = Path(raw_dir)
    for item in iter_inputs(paths, schedule=schedule, seen=seen, report=report, fetch_config=config):
        if isinstance(item, Capture):
            rawstore.put(root, item)
            yield CaptureRef.of(item)
        else:
            yield item
    counts.update(report.counts())


def stored_refs(db_path: str, docs: list[str] | None) -> Iterator[CaptureRef | Reject]:
    """Reprocess: references to the stored document versions (bytes stay in the raw store)."""
    for row in warehouse.stored_captures(db_path, docs):
        headers = row.get("http_headers")
        same_source = row.get("capture_source_uri") in (None, row["source_uri"])
        ref = CaptureRef(
            row["capture_id"], row["source_uri"], row["fetched_at"], int(row.get("byte_size") or 0),
            row.get("content_type"), row.get("http_status"),
            json.loads(headers) if isinstance(headers, str) else headers, row.get("warc_record_id"),
            row.get("source_id") if same_source else None, row.get("language_hint"), row.get("outlet_hint"),
        )  # fmt: skip
        if ref.doc_id != row["doc_id"]:
            yield Reject(row["source_uri"], "reprocess", "ValueError",
                         f"cannot rebuild doc id {row['doc_id']} from source {row['source_uri']!r}",
                         row["capture_id"])  # fmt: skip
            continue
        yield ref


@task(cache_policy=NO_CACHE)
def clean_and_stage(job: BatchJob, time_limit: float = DEFAULT_TIME_LIMIT) -> dict[str, Any]:
    """Clean one batch of references on this process's long-lived workers (each document under
    ``time_limit`` seconds) and stage it as Parquet; returns a small summary (the batch dir,
    counts, seconds). Runs in the flow's process, or on a Dask worker."""
    summary = shared_pool(time_limit).run(job)
    pause_point(f"mid_clean:{job.number}")
    return summary


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
def load(db_path: str, run_id: str, staging_dir: str, number: int = 0) -> dict[str, Any]:
    """Load one staged batch in one transaction (idempotent: delete-then-insert)."""

    def on_step(step: str) -> None:
        if step == "documents":  # inside the transaction, documents deleted and re-inserted
            pause_point(f"mid_load:{number}")

    return warehouse.load_batch(db_path, run_id, Path(staging_dir), on_step=on_step)


@task(cache_policy=NO_CACHE)
def validate(db_path: str, run_id: str, site_dir: str) -> dict[str, Any]:
    """Great Expectations suites on what this run loaded; stores results, quarantines. In a
    process of its own, so GE's import and validation's memory leave with it instead of
    staying under the corpus stages after it (``scrubline.quality.isolated``)."""
    return validate_in_child(db_path, run_id, site_dir)


@task(cache_policy=NO_CACHE)
def syndicate(db_path: str, run_id: str) -> dict[str, int]:
    """Sign new document versions (MinHash) and update the near-duplicate clusters they touch."""
    return cluster_update.update_syndication(db_path, run_id)


@task(cache_policy=NO_CACHE)
def learn_templates(db_path: str, run_id: str) -> dict[str, int]:
    """Count the lines of new document versions per outlet and re-mine the outlets they touch;
    later runs remove the lines that recur."""
    return template_update.update_templates(db_path, run_id)


@task(cache_policy=NO_CACHE)
def publish(db_path: str, published_path: str) -> str:
    """Bring the analysts' lake up to date with what this run (and any run not published yet)
    wrote, in one DuckLake transaction: the cost of the new work, not of the corpus."""
    return str(warehouse.publish(db_path, published_path))


def resolve_input(path: str) -> str:
    """A URL or path as given, or a path relative to the project root (deployments name
    ``seeds``)."""
    given = Path(path)
    if "://" in path or given.is_absolute() or given.exists():
        return path
    return str(project_root() / given)


def batched(
    items: Iterator[CaptureRef | Reject], size: int
) -> Iterator[tuple[list[CaptureRef], list[Reject]]]:
    """Group a stream into batches of ``size`` references (rejects ride along with the batch
    being filled); at least one batch, so a run of rejects only still stages them."""
    refs: list[CaptureRef] = []
    rejects: list[Reject] = []
    sent = False
    for item in items:
        if isinstance(item, Reject):
            rejects.append(item)
        else:
            refs.append(item)
        if len(refs) >= size or len(rejects) >= size:
            yield refs, rejects
            refs, rejects, sent = [], [], True
    if refs or rejects or not sent:
        yield refs, rejects


def nothing_scheduled(paths: list[str], schedule: str) -> bool:
    """True when every path is a sources manifest and none lists a source of ``schedule``
    (a manifest that cannot be read counts as work: the run reports it as a reject)."""
    if not paths or not all(is_manifest(p) for p in paths):
        return False
    try:
        return not any(s.schedule == schedule for p in paths for s in load_sources(p))
    except ManifestError:
        return False


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


class _Orchestrator:
    """How the one run body calls its tasks: under Prefect (task runs, a Dask task runner when
    asked) or plainly (``--no-prefect``: the same functions, a thread pool or a Dask client)."""

    prefect = True

    def __init__(self, dask_address: str | None = None, workers: int = 2) -> None:
        self.dask_address = dask_address
        self.workers = workers
        self._runner: Any = None

    def __enter__(self) -> _Orchestrator:
        if self.dask_address:
            from prefect_dask import DaskTaskRunner

            self._runner = DaskTaskRunner(address=self.dask_address).__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._runner is not None:
            self._runner.__exit__(*exc)

    def logger(self) -> Any:
        return get_run_logger()

    def call(self, fn: Any, *args: Any) -> Any:
        return fn(*args)

    def submit(self, fn: Any, **kwargs: Any) -> Any:
        if self._runner is not None:
            return self._runner.submit(fn, kwargs)
        return fn.submit(**kwargs)

    def artifact(self, markdown: str) -> None:
        create_markdown_artifact(key="scrubline-run", markdown=markdown, description="scrubline run summary")


class _Plain(_Orchestrator):
    """``--no-prefect``: no API, no task runs; tasks are called as plain functions."""

    prefect = False

    def __enter__(self) -> _Plain:
        if self.dask_address:
            from distributed import Client

            self._runner = Client(self.dask_address)
        else:
            from concurrent.futures import ThreadPoolExecutor

            self._runner = ThreadPoolExecutor(max_workers=max(1, self.workers))
        return self

    def __exit__(self, *exc: object) -> None:
        if self.dask_address:
            self._runner.close()  # the client only: the cluster is not ours to stop
        else:
            self._runner.shutdown(wait=True)

    def logger(self) -> Any:
        return logging.getLogger("scrubline.run")

    def call(self, fn: Any, *args: Any) -> Any:
        return fn.fn(*args)

    def submit(self, fn: Any, **kwargs: Any) -> Any:
        if self.dask_address:
            return self._runner.submit(fn.fn, pure=False, **kwargs)
        return self._runner.submit(fn.fn, **kwargs)

    def artifact(self, markdown: str) -> None:
        return None


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
    time_limit: float = DEFAULT_TIME_LIMIT,
    dask_address: str | None = None,
) -> dict[str, Any]:
    """Ingest ``paths`` (default: the bundled seeds; a ``sources.yaml`` reads its ``schedule``
    group), or with ``reprocess`` re-clean the stored captures (``docs``: only these doc refs);
    clean, load, validate and publish under the warehouse write lock. ``workers`` batches clean
    at once (each document under ``time_limit`` seconds); with ``dask_address``
    (``tcp://scheduler:8786``) they clean on that Dask cluster."""
    return run_pipeline(_Orchestrator(dask_address, workers), paths=paths, db_path=db_path,
                        batch_size=batch_size, workers=workers, run_validation=run_validation,
                        publish_copy=publish_copy, schedule=schedule, reprocess=reprocess, docs=docs,
                        lineage_dir=lineage_dir, lock_timeout=lock_timeout,
                        allow_private_hosts=allow_private_hosts, time_limit=time_limit,
                        dask_address=dask_address)  # fmt: skip


def serve_deployments(specs: Mapping[str, Mapping[str, Any]]) -> None:
    """Serve the pipeline flow on this machine as deployments (name -> ``to_deployment``
    arguments: schedule, parameters, description), one run at a time each."""
    serve(
        *(
            pipeline.to_deployment(name=name, concurrency_limit=1, tags=["scrubline"], **spec)
            for name, spec in specs.items()
        )
    )


def run_plain(**params: Any) -> dict[str, Any]:
    """The pipeline without Prefect (``scrubline run --no-prefect``): the same run body and
    task functions, no API, no task runs, no artifact."""
    orchestrator = _Plain(params.get("dask_address"), params.get("workers", 2))
    return run_pipeline(orchestrator, **params)


def run_pipeline(
    orchestrator: _Orchestrator,
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
    time_limit: float = DEFAULT_TIME_LIMIT,
    dask_address: str | None = None,
) -> dict[str, Any]:
    """The body of a run, shared by the Prefect flow and ``run_plain``."""
    run_id = str((flow_run.id if orchestrator.prefect else None) or uuid.uuid4())
    db = str(Path(db_path or warehouse.default_db_path()).resolve())  # GE needs absolute paths
    home = Path(db).parent
    raw_dir = str(home / "raw")
    paths = [] if reprocess else [resolve_input(p) for p in (paths or [str(seeds_dir())])]
    if schedule and not reprocess and nothing_scheduled(paths, schedule):
        # a schedule whose group is empty finishes at once: no lock, no ingest, no publish
        return {"run_id": run_id, "status": f"nothing to do (no '{schedule}' sources)",
                "inputs": 0, "documents": 0, "rejects": 0, "footnotes": 0, "removed_by_rule": {},
                "db_path": db}  # fmt: skip
    params = {"paths": paths, "db_path": db, "batch_size": batch_size, "workers": workers,
              "schedule": schedule, "reprocess": reprocess, "docs": docs,
              "allow_private_hosts": allow_private_hosts, "time_limit": time_limit,
              "dask_address": dask_address, "prefect": orchestrator.prefect,
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
            summary = _locked_run(
                orchestrator, run_id, db, paths, params, raw_dir, publish_copy, published_path
            )
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
    orchestrator.artifact(summary_markdown(summary))
    if summary["status"] != "completed":
        raise RuntimeError(failure)
    return summary


def _locked_run(
    orchestrator: _Orchestrator,
    run_id: str,
    db: str,
    paths: list[str],
    params: dict[str, Any],
    raw_dir: str,
    publish_copy: bool,
    published_path: str,
) -> dict[str, Any]:
    """The writing part of a run (the caller holds the write lock)."""
    logger = orchestrator.logger()
    if params.get("dask_address") is None:  # the workers warm up while the run starts
        workers, time_limit = _cleaning(params)
        shared_pool(time_limit).start(workers)
    ctx = CleanContext.default(templates=warehouse.template_rows(db))
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
    reprocess = bool(params.get("reprocess"))
    summary: dict[str, Any] = {"run_id": run_id, "db_path": db, "reprocess": reprocess,
                               "abandoned_runs": abandoned}  # fmt: skip
    timings: dict[str, float] = {}
    summary["timings"] = timings
    memory: dict[str, int] = {"start": peak_rss_mb()}
    summary["peak_rss_mb"] = memory  # the flow process's peak so far, after each stage
    staging_root = Path(db).parent / "staging" / run_id
    for left in staging_root.parent.glob("*"):  # runs killed before they cleaned up (we hold the lock)
        shutil.rmtree(left, ignore_errors=True)
    context_path = str(write_context(ctx, staging_root / "context.pkl"))
    ingest_counts: dict[str, int] = {}
    try:
        # one connection for the stage's loads: a connection closed per batch checkpointed per batch
        with orchestrator, warehouse.held(db):
            if reprocess:
                stream: Iterator[CaptureRef | Reject] = stored_refs(db, params.get("docs"))
            else:
                stream = stream_inputs(paths, raw_dir, ingest_counts, params.get("schedule"), db,
                                       bool(params.get("allow_private_hosts")))  # fmt: skip
            loaded, inputs = _clean_and_load(orchestrator, logger, stream, run_id, db, raw_dir, staging_root,
                                             context_path, params, timings, ctx)  # fmt: skip
        if params.get("dask_address") is None:  # the cleaning workers' memory is not needed any more
            close_shared_pools()
        memory["clean_and_load"] = peak_rss_mb()
        summary["cleaned_by"] = params.pop("_cleaned_by", [])  # pids of the processes that ran the tasks
        if not reprocess:
            summary["ingest"] = ingest_counts
        summary["loaded"] = dict(loaded)
        summary.update(warehouse.run_summary(db, run_id))
        summary["changes"] = warehouse.run_changes(db, run_id)
        summary["inputs"] = inputs
        steps: list[tuple[str, Any, tuple[Any, ...]]] = []
        if params.get("run_validation", True):
            steps.append(("dq", validate, (db, run_id, str(Path(db).parent / "dq_site"))))
        steps += [("syndication", syndicate, (db, run_id)),  # after DQ: quarantined docs stay out
                  ("templates", learn_templates, (db, run_id))]  # fmt: skip
        for key, fn, args in steps:
            began = time.perf_counter()
            summary[key] = orchestrator.call(fn, *args)
            timings[key] = round(time.perf_counter() - began, 3)
            memory[key] = peak_rss_mb()
        dq_ok = summary.get("dq", {}).get("success", True)
        status = "completed" if dq_ok else "failed"
    finally:
        if params.get("dask_address") is None:
            close_shared_pools()
        # the staged Parquet is loaded (or, after a failure, never reused: a run stages anew)
        shutil.rmtree(staging_root, ignore_errors=True)
        warehouse.finish_run(db, run_id, status=status, counts=_counts(summary))
    pause_point("before_publish")
    if publish_copy:  # after finish_run, so the published copy shows this run's final state
        began = time.perf_counter()
        summary["published"] = orchestrator.call(publish, db, published_path)
        timings["publish"] = round(time.perf_counter() - began, 3)
        memory["publish"] = peak_rss_mb()
    summary["status"] = status
    return summary


def _cleaning(params: dict[str, Any]) -> tuple[int, float]:
    """(batches cleaned at once, seconds a document may take) of a run's parameters."""
    return max(1, int(params.get("workers") or 1)), float(params.get("time_limit") or DEFAULT_TIME_LIMIT)


def _clean_and_load(
    orchestrator: _Orchestrator,
    logger: Any,
    stream: Iterator[CaptureRef | Reject],
    run_id: str,
    db: str,
    raw_dir: str,
    staging_root: Path,
    context_path: str,
    params: dict[str, Any],
    timings: dict[str, float],
    ctx: CleanContext,
) -> tuple[Counter[str], int]:
    """Stream batches of references to the cleaning tasks (``workers`` + 1 in flight, so every
    worker stays busy while the flow loads) and load each staged batch, in order, as it comes
    back. Only counts are kept: memory does not grow with the corpus. An input whose exact
    version is loaded already under the same clean settings (``settings_key``) is not cleaned
    again: its batch stages only its capture (a reprocess cleans everything)."""
    workers, time_limit = _cleaning(params)
    read_stage = "reprocess" if params.get("reprocess") else "read"
    bar = progress.current()
    loaded: Counter[str] = Counter()
    done: Counter[str] = Counter()
    in_flight: deque[tuple[int, float, Any]] = deque()
    hosts: set[int] = set()
    inputs = 0
    ingest_s = load_s = wait_s = 0.0
    began = time.perf_counter()

    def finish_one() -> None:
        nonlocal load_s, wait_s
        number, submitted, future = in_flight.popleft()
        waited = time.perf_counter()
        result = future.result()
        loading = time.perf_counter()
        wait_s += loading - waited
        counts = orchestrator.call(load, db, run_id, result["batch_dir"], number)
        load_s += time.perf_counter() - loading
        loaded.update({k: v for k, v in counts.items() if isinstance(v, int)})
        done.update({k: result[k] for k in ("documents", "rejects", "timeouts", "bytes", "seen")})
        done.update(clean_ms=int(result["clean_s"] * 1000), stage_ms=int(result["stage_s"] * 1000))
        hosts.add(result["host_pid"])
        elapsed = time.perf_counter() - began
        logger.info(
            "batch %d: %d documents, %d rejects, %d loaded already%s cleaned in %.1f s, loaded in %.1f s; "
            "%d documents so far, %.0f docs/s",
            number, result["documents"], result["rejects"], result["seen"],
            f" ({result['timeouts']} timeouts)," if result["timeouts"] else ",",
            result["clean_s"] + result["stage_s"], time.perf_counter() - loading, done["documents"],
            done["documents"] / elapsed if elapsed else 0.0,
        )  # fmt: skip
        bar.advance(result["documents"] + result["rejects"] + result["seen"], loaded=done["documents"])

    pulled = time.perf_counter()
    for number, (refs, rejects) in enumerate(batched(stream, int(params.get("batch_size") or 1))):
        ingest_s += time.perf_counter() - pulled
        inputs += len(refs) + len(rejects)
        if number == 0:
            pause_point("after_ingest")
        seen: tuple[CaptureRef, ...] = ()
        if not params.get("reprocess") and refs:
            keys = [(r.doc_id, r.capture_id, settings_key(r, ctx)) for r in refs]
            found = warehouse.already_loaded(db, keys)
            seen = tuple(r for r in refs if (r.doc_id, r.capture_id) in found)
            refs = [r for r in refs if (r.doc_id, r.capture_id) not in found]
        job = BatchJob(run_id, number, tuple(refs), raw_dir, str(staging_root / f"{number:05d}"),
                       context_path, tuple(rejects), read_stage, seen=seen)  # fmt: skip
        in_flight.append(
            (
                number,
                time.perf_counter(),
                orchestrator.submit(clean_and_stage, job=job, time_limit=time_limit),
            )
        )
        while len(in_flight) > workers:
            finish_one()
        pulled = time.perf_counter()
    ingest_s += time.perf_counter() - pulled  # the stream's end: its last files read
    while in_flight:
        finish_one()
    timings.update(ingest=round(ingest_s, 3), clean_wait=round(wait_s, 3), load=round(load_s, 3),
                   clean_worker=done["clean_ms"] / 1000, stage_worker=done["stage_ms"] / 1000,
                   clean_and_load=round(time.perf_counter() - began, 3))  # fmt: skip
    loaded["timeouts"] = done["timeouts"]
    params["_cleaned_by"] = sorted(hosts)
    return loaded, inputs


_INPUT_KEYS = ("inputs_new", "inputs_changed", "inputs_unchanged", "inputs_skipped", "outputs_changed")


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
