"""The warehouse's write lock: one writing run at a time, released by the OS if it dies."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


class WarehouseLocked(RuntimeError):
    """Another run holds the warehouse's write lock."""


def lock_path(db_path: str | Path) -> Path:
    """The write lock of a warehouse: ``<db>.lock`` beside it."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


@contextmanager
def write_lock(db_path: str | Path, *, timeout: float, holder: str) -> Iterator[None]:
    """Hold the warehouse's write lock (``filelock``: an OS lock the kernel releases when the
    holding process dies, even by SIGKILL). Waits up to ``timeout`` seconds (negative: forever),
    then raises :class:`WarehouseLocked` naming the holder. ``holder`` describes this run."""
    from filelock import FileLock, Timeout

    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    info = path.with_name(path.name + ".holder")
    lock = FileLock(str(path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        who = info.read_text(encoding="utf-8").strip() if info.is_file() else "unknown"
        raise WarehouseLocked(
            f"warehouse {db_path} is being written by another run ({who}); waited {timeout:g} s"
        ) from None
    try:
        since = datetime.now(UTC).isoformat(timespec="seconds")
        info.write_text(f"{holder}, pid {os.getpid()}, since {since}\n", encoding="utf-8")
        yield
    finally:
        info.unlink(missing_ok=True)
        lock.release()
