"""Publishing: an atomic, consistent, read-only copy of the warehouse for analysts."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from .db import (
    create_views,
    default_db_path,
    has_fts,
    remove_db_files,
    session,
    sql_ident,
    sql_string,
)
from .reads import build_fts


def published_db_path(db_path: str | Path | None = None) -> Path:
    """The analysts' copy of ``db_path`` (default: the working db): ``published/<name>``
    beside it; ``$SCRUBLINE_PUBLISHED_DB`` overrides it for the default working db."""
    env = os.environ.get("SCRUBLINE_PUBLISHED_DB")
    if env and db_path is None:
        return Path(env)
    working = Path(db_path) if db_path is not None else default_db_path()
    return working.parent / "published" / working.name


def publish(db_path: str | Path, published_path: str | Path | None = None, *, fts: bool = True) -> Path:
    """Make a consistent read-only copy for analysts and atomically replace the published file.

    ``COPY FROM DATABASE`` into a temporary file beside the target: the copy runs in one
    transaction, so it is a consistent MVCC snapshot even while other connections of this
    process write, needs no file-level quiescing, and compacts the file. Views and the fts
    index are then built on the copy, which is checkpointed, closed and ``os.replace``d over
    the published file. Readers holding the old file keep reading it (POSIX keeps the inode);
    new connections see the new one (a process must close its old connections first: DuckDB
    hands a process one instance per path). ``fts=False`` skips the index (most of the time
    on large corpora: ~6 s for 3,000 articles).
    """
    target = Path(published_path) if published_path else published_db_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        with session(db_path) as con:
            source = con.execute("SELECT current_database()").fetchone()[0]
            con.execute(f"ATTACH {sql_string(str(tmp))} AS scrubline_publish")
            try:
                con.execute(f"COPY FROM DATABASE {sql_ident(source)} TO scrubline_publish")
            finally:
                con.execute("DETACH scrubline_publish")
    except BaseException:
        remove_db_files(tmp)
        raise
    try:
        _finish_published_copy(tmp, fts=fts)
        os.replace(tmp, target)
    except BaseException:
        remove_db_files(tmp)
        raise
    remove_db_files(target.with_name(target.name + ".wal"))
    return target


def _finish_published_copy(path: Path, *, fts: bool) -> None:
    with session(path, migrate=False) as con:  # a copy of a migrated database
        create_views(con)
        if fts and has_fts(con):
            build_fts(con)
        con.execute("CHECKPOINT")
