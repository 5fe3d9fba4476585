"""Progress people can see: a terminal bar for ``scrubline run`` (rich, which Prefect already
brings). The run body reports to :func:`current`; the CLI installs a bar with :func:`showing`
when stderr is a terminal; elsewhere (deployments, tests) reports go nowhere and the per-batch
log lines are the progress."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Reporter:
    """Receives progress; this base ignores it."""

    def advance(self, inputs: int, *, loaded: int) -> None:
        return None


_CURRENT: Reporter = Reporter()


def current() -> Reporter:
    return _CURRENT


class RichBar(Reporter):
    """Inputs done (cleaned and loaded or rejected) of the expected total, docs/s, ETA."""

    def __init__(self, total: int | None, label: str = "scrubline run", unit: str = "loaded") -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} docs/s, {task.fields[loaded]} " + unit),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), transient=False,
            console=Console(stderr=True),  # stdout may be the data (clean -o -)
        )  # fmt: skip
        self.task = self.progress.add_task("run", total=total, rate="-", loaded=0)

    def advance(self, inputs: int, *, loaded: int) -> None:
        self.progress.advance(self.task, inputs)
        task = self.progress.tasks[0]
        speed = task.speed
        self.progress.update(self.task, loaded=loaded, rate=f"{speed:.0f}" if speed else "-")


@contextmanager
def showing(reporter: Reporter) -> Iterator[Reporter]:
    """Install ``reporter`` for the runs started inside the block."""
    global _CURRENT
    previous, _CURRENT = _CURRENT, reporter
    progress: Any = getattr(reporter, "progress", None)
    if progress is not None:
        progress.start()
    try:
        yield reporter
    finally:
        if progress is not None:
            progress.stop()
        _CURRENT = previous


def estimate_inputs(paths: list[str]) -> int | None:
    """How many inputs the paths hold, when cheap to tell (plain files and folders: a listing,
    no reading); None when a URL, sources manifest or archive makes the total unknown."""
    from pathlib import Path

    total = 0
    for given in paths:
        path = Path(given)
        if "://" in given or path.suffix.lower() in (".yaml", ".yml", ".warc", ".gz"):
            return None
        if path.is_file():
            total += 1
        elif path.is_dir():
            names = [p.name for p in path.iterdir()]
            if "manifest.jsonl" in names or any(n.endswith((".warc", ".warc.gz")) for n in names):
                return None
            total += sum(1 for n in names if n.lower().endswith((".txt", ".html", ".htm")))
        else:
            return None
    return total
