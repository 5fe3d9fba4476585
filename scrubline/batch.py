"""Clean many captures, in parallel processes when asked (HTML extraction is CPU-bound).

Each worker receives the CleanContext once; captures travel in chunks to amortise pickling.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .clean import CleanContext, process_batch
from .records import Capture, CleanResult, Reject

_CONTEXT: CleanContext | None = None


def _init_worker(ctx: CleanContext) -> None:
    global _CONTEXT
    _CONTEXT = ctx


def _work(chunk: list[Capture]) -> tuple[list[CleanResult], list[Reject]]:
    assert _CONTEXT is not None
    return process_batch(chunk, _CONTEXT)


def clean_many(
    captures: Sequence[Capture],
    *,
    workers: int = 1,
    ctx: CleanContext | None = None,
    outlets_csv: Path | None = None,
    chunk_size: int = 16,
) -> tuple[list[CleanResult], list[Reject]]:
    """Clean ``captures`` (order kept); with ``workers > 1`` use that many processes."""
    ctx = ctx or CleanContext.default(outlets_csv)
    if workers <= 1 or len(captures) < 2 * chunk_size:
        return process_batch(captures, ctx)
    chunks = [list(captures[i : i + chunk_size]) for i in range(0, len(captures), chunk_size)]
    results: list[CleanResult] = []
    rejects: list[Reject] = []
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(ctx,)) as pool:
        for chunk_results, chunk_rejects in pool.map(_work, chunks):
            results.extend(chunk_results)
            rejects.extend(chunk_rejects)
    return results, rejects


def stage_batch(
    captures: Sequence[Capture],
    rejects: Sequence[Reject],
    *,
    run_id: str,
    batch_dir: Path,
    ctx: CleanContext | None = None,
    raw_dir: Path | None = None,
    workers: int = 1,
) -> Path:
    """The one batch path: clean ``captures`` (see :func:`clean_many`) and stage the results,
    their rejects and ``rejects`` from reading, with the registry's and newly seen outlets, as a
    Parquet batch for the warehouse loader; returns the batch directory. ``raw_dir``: the raw
    store holding the captures' bytes (their paths are recorded)."""
    from . import rawstore, staging
    from .clean import provisional_outlets

    ctx = ctx or CleanContext.default()
    results, failed = clean_many(captures, workers=workers, ctx=ctx)
    outlets = list(ctx.outlets.outlets.values()) + provisional_outlets(results)
    raw_paths = (
        {c.capture_id: str(rawstore.path_for(raw_dir, c.capture_id)) for c in captures}
        if raw_dir is not None
        else None
    )
    return staging.write_batch(
        Path(batch_dir), results, list(captures), [*rejects, *failed], outlets, run_id, raw_paths=raw_paths
    )
