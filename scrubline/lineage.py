"""OpenLineage run events for every pipeline run, written to files a lineage server can ingest.

One START event when a run begins and one COMPLETE or FAIL event when it ends, per the
OpenLineage spec: run id = the Prefect flow run id, job = ``<namespace>/scrubline-pipeline``,
inputs = the sources the run read (files, folders, URLs, the raw store for a reprocess),
outputs = the warehouse tables it writes (and the published copy). Events go through the
openlineage-python client's file transport, one JSON file per event:
``<lineage dir>/scrubline-<timestamp>.json``. Marquez or any OpenLineage consumer ingests them
by POSTing each file to its lineage endpoint (``/api/v1/lineage``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    error_message_run,
    job_type_job,
    nominal_time_run,
    output_statistics_output_dataset,
    processing_engine_run,
    tags_run,
)
from openlineage.client.transport.file import FileConfig, FileTransport

from .staging import to_json

PRODUCER = "https://github.com/scrubline/scrubline"
DEFAULT_NAMESPACE = "scrubline"
JOB_NAME = "scrubline-pipeline"
#: Warehouse tables a run writes, with the run-summary count that says how many rows it wrote.
OUTPUT_TABLES: dict[str, str | None] = {
    "runs": None, "captures": "captures_new", "outlets": "outlets_new", "documents": "documents",
    "removed_spans": "removed_spans", "footnotes": "footnotes", "links": "links",
    "rejects": "rejects", "document_changes": None, "span_changes": None, "dq_results": None,
}  # fmt: skip


def namespace() -> str:
    """The job namespace: ``$OPENLINEAGE_NAMESPACE`` or ``scrubline``."""
    return os.environ.get("OPENLINEAGE_NAMESPACE") or DEFAULT_NAMESPACE


def default_lineage_dir(db_path: str | Path) -> Path:
    """``$SCRUBLINE_LINEAGE_DIR`` or ``lineage/`` beside the working database."""
    env = os.environ.get("SCRUBLINE_LINEAGE_DIR")
    return Path(env) if env else Path(db_path).parent / "lineage"


def input_dataset(source: str) -> InputDataset:
    """A source as an OpenLineage dataset: URLs by host and path, local paths as ``file``."""
    parts = urlsplit(source)
    if parts.scheme in ("http", "https") and parts.hostname:
        return InputDataset(namespace=f"{parts.scheme}://{parts.netloc}", name=parts.path or "/")
    return InputDataset(namespace="file", name=str(Path(source).resolve()))


def output_datasets(
    db_path: str | Path, published: str | Path | None = None, loaded: Mapping[str, Any] | None = None
) -> list[OutputDataset]:
    """The warehouse tables (``duckdb://<file>``, ``main.<table>``) and the published copy;
    with ``loaded`` (the run's counts) each table carries the rows this run wrote."""
    ns = f"duckdb://{Path(db_path).resolve()}"
    out = []
    for table, key in OUTPUT_TABLES.items():
        facets: dict[str, Any] = {}
        if loaded is not None and key is not None and isinstance(loaded.get(key), int):
            facets["outputStatistics"] = output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(
                rowCount=int(loaded[key]), producer=PRODUCER
            )
        out.append(OutputDataset(namespace=ns, name=f"main.{table}", outputFacets=facets))
    if published is not None:
        out.append(OutputDataset(namespace="file", name=str(Path(published).resolve())))
    return out


def run_event(
    state: str,
    run_id: str,
    *,
    inputs: Sequence[InputDataset],
    outputs: Sequence[OutputDataset],
    started_at: datetime,
    tags: Mapping[str, Any] | None = None,
    error: str | None = None,
    scrubline_version: str = "",
    when: datetime | None = None,
) -> RunEvent:
    """One OpenLineage RunEvent (START, COMPLETE or FAIL) of a pipeline run."""
    run_facets: dict[str, Any] = {
        "processing_engine": processing_engine_run.ProcessingEngineRunFacet(
            version=scrubline_version or "unknown", name="scrubline",
            openlineageAdapterVersion=version("openlineage-python"), producer=PRODUCER,
        ),
        "nominalTime": nominal_time_run.NominalTimeRunFacet(
            nominalStartTime=_iso(started_at), producer=PRODUCER
        ),
        "tags": tags_run.TagsRunFacet(
            tags=[
                tags_run.TagsRunFacetFields(key=k, value=v if isinstance(v, str) else to_json(v) or "",
                                            source="SCRUBLINE")
                for k, v in sorted((tags or {}).items())
            ],
            producer=PRODUCER,
        ),
    }  # fmt: skip
    if error is not None:
        run_facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
            message=error[:2000], programmingLanguage="PYTHON", producer=PRODUCER
        )
    job = Job(
        namespace=namespace(),
        name=JOB_NAME,
        facets={"jobType": job_type_job.JobTypeJobFacet(
            processingType="BATCH", integration="PREFECT", jobType="FLOW", producer=PRODUCER)},
    )  # fmt: skip
    return RunEvent(
        eventType=RunState[state],
        eventTime=_iso(when or datetime.now(UTC)),
        run=Run(runId=run_id, facets=run_facets),
        job=job,
        inputs=list(inputs),
        outputs=list(outputs),
        producer=PRODUCER,
    )


def emit(event: RunEvent, lineage_dir: str | Path) -> None:
    """Write one event as ``<lineage_dir>/scrubline-<timestamp>.json`` (file transport)."""
    folder = Path(lineage_dir)
    folder.mkdir(parents=True, exist_ok=True)
    transport = FileTransport(FileConfig(log_file_path=str(folder / "scrubline"), append=False))
    OpenLineageClient(transport=transport).emit(event)


def _iso(when: datetime) -> str:
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")
