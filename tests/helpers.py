"""Test helpers shared by several test modules (importable: pytest puts tests/ on sys.path)."""

from __future__ import annotations

from pathlib import Path

from scrubline import staging, warehouse
from scrubline.clean import CleanContext, process_batch, provisional_outlets
from scrubline.ingest import read_inputs


def run_without_prefect(db: Path, tmp: Path, run_id: str, inputs: list[Path], ctx: CleanContext) -> None:
    """One pipeline run through the library alone: ingest, clean, stage, load, finish."""
    warehouse.start_run(db, run_id, flow_name="test", parameters={"paths": [str(p) for p in inputs]},
                        ruleset_version=ctx.ruleset_version, pipeline_version="1",
                        scrubline_version="0.1.0", git_commit="abc123def456")  # fmt: skip
    captures, rejects = read_inputs(inputs)
    results, failed = process_batch(captures, ctx)
    outlets = list(ctx.outlets.outlets.values()) + provisional_outlets(results)
    batch = staging.write_batch(tmp / "staging" / run_id, results, captures, [*rejects, *failed],
                                outlets, run_id)  # fmt: skip
    warehouse.load_batch(db, run_id, batch)
    warehouse.finish_run(db, run_id, status="completed",
                         counts={"inputs": len(captures) + len(rejects), "documents": len(results),
                                 "rejects": len(rejects) + len(failed)})  # fmt: skip
