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
