"""Idempotent, killable, one-writer runs of the real flow (Prefect test harness, real DuckDB).

Runs are killed with SIGKILL in a subprocess at named points (``SCRUBLINE_PAUSE_AT``): after
ingest, mid-clean, mid-load (inside the load transaction) and before publish. Each kill leaves
the warehouse exactly as before the unfinished batch; the next run finishes the work, marks
the killed runs abandoned, and a changed page becomes a new version beside the old one.
Subprocess runs talk to this module's harness API, so only one Prefect server starts.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL
from prefect.testing.utilities import prefect_test_harness

from flows.pipeline import pipeline
from scrubline import warehouse as wh
from scrubline.resources import project_root, seeds_dir

DATA = ("captures", "outlets", "documents", "removed_spans", "footnotes", "links", "rejects", "batches",
        "document_changes", "span_changes")
_RUN = """
import sys
from flows.pipeline import pipeline
db, folder, batch_size, lock_timeout = sys.argv[1:]
summary = pipeline(paths=[folder], db_path=db, workers=1, run_validation=False,
                   batch_size=int(batch_size), lock_timeout=float(lock_timeout))
print("DONE", summary["run_id"], flush=True)
"""


@pytest.fixture(scope="module")
def api_url():
    with prefect_test_harness(server_startup_timeout=120):
        yield PREFECT_API_URL.value()


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("kill")


@pytest.fixture(scope="module")
def db(api_url, home: Path) -> Path:
    """A warehouse holding the five seeds (one completed run)."""
    path = home / "wh" / "w.duckdb"
    pipeline(paths=[str(seeds_dir())], db_path=str(path), workers=1, run_validation=False)
    return path


@pytest.fixture(scope="module")
def changed(home: Path) -> Path:
    """The seeds with new bytes (a new version of each) plus one new article: 6 inputs."""
    folder = home / "seeds"
    folder.mkdir()
    shutil.copy(seeds_dir() / "manifest.jsonl", folder)
    for path in seeds_dir().glob("0*.txt"):
        (folder / path.name).write_bytes(path.read_bytes() + b"\nUpdated on 2 March 2025.\n")
    (folder / "new_article.txt").write_text("Parliament passed the budget on Tuesday after a long debate.\n\n"
                                            "The vote was 80 to 40.\n")
    return folder


def snapshot(db: Path, tables=DATA) -> dict[str, list]:
    con = wh.connect(db, read_only=True)  # a DuckDB file or a published lake
    try:
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}
    finally:
        con.close()


def start_run(api_url: str, db: Path, folder: Path, pause: str | None, pause_dir: Path,
              batch_size: int = 2, lock_timeout: float = 5) -> subprocess.Popen:
    env = {**os.environ, "PREFECT_API_URL": api_url, "SCRUBLINE_PAUSE_DIR": str(pause_dir),
           "SCRUBLINE_PAUSE_AT": pause or "", "PYTHONPATH": str(project_root())}
    args = [sys.executable, "-c", _RUN, str(db), str(folder), str(batch_size), str(lock_timeout)]
    return subprocess.Popen(args, env=env, cwd=project_root(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for(proc: subprocess.Popen, marker: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(f"run exited before {marker.name}: {proc.stderr.read()[-3000:]}")
        assert time.monotonic() < deadline, f"run never reached {marker.name}"
        time.sleep(0.1)


def kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize("point", ["after_ingest", "mid_clean:0", "mid_load:0"])
def test_sigkill_before_the_first_batch_commits_leaves_the_warehouse_unchanged(
    api_url, db: Path, changed: Path, tmp_path: Path, point: str
) -> None:
    before = snapshot(db)
    published = wh.published_db_path(db)
    proc = start_run(api_url, db, changed, point, tmp_path)
    try:
        wait_for(proc, tmp_path / f"{point}.reached")
        # a second process reads the analysts' copy while the run holds the warehouse
        con = wh.connect(published, read_only=True)
        assert con.execute("SELECT count(*) FROM v_documents").fetchone() == (5,)
        con.close()
        kill(proc)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert snapshot(db) == before
    statuses = dict(wh.query(db, "SELECT status, count(*) FROM runs GROUP BY 1"))
    assert statuses.get("running", 0) >= 1  # the killed run; the next run marks it abandoned


def test_sigkill_mid_batch_keeps_committed_batches_only(
    api_url, db: Path, changed: Path, tmp_path: Path
) -> None:
    docs_before = wh.query(db, "SELECT count(*) FROM documents")[0][0]
    batches_before = wh.query(db, "SELECT count(*) FROM batches")[0][0]
    proc = start_run(api_url, db, changed, "mid_load:1", tmp_path)
    try:
        wait_for(proc, tmp_path / "mid_load:1.reached")
        kill(proc)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert wh.query(db, "SELECT count(*) FROM documents")[0][0] == docs_before + 2  # batch 0 only
    assert wh.query(db, "SELECT count(*) FROM batches")[0][0] == batches_before + 1


def test_sigkill_before_publish_keeps_the_published_copy(
    api_url, db: Path, changed: Path, tmp_path: Path
) -> None:
    published = wh.published_db_path(db)
    before = snapshot(published, ("documents", "runs"))
    proc = start_run(api_url, db, changed, "before_publish", tmp_path)
    try:
        wait_for(proc, tmp_path / "before_publish.reached")
        kill(proc)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert snapshot(published, ("documents", "runs")) == before
    assert wh.query(db, "SELECT count(*) FROM v_documents")[0][0] == 6  # all batches committed


def test_the_next_run_completes_the_work_and_keeps_history(api_url, db: Path, changed: Path) -> None:
    summary = pipeline(paths=[str(changed)], db_path=str(db), workers=1, run_validation=False, batch_size=2)
    assert summary["status"] == "completed"
    # each run marks the runs killed before it abandoned; the one killed before publish had finished
    statuses = dict(wh.query(db, "SELECT status, count(*) FROM runs GROUP BY 1"))
    assert statuses == {"completed": 3, "abandoned": 4}
    assert not list((db.parent / "staging").iterdir())  # the killed runs' staged batches are gone too
    published = Path(summary["published"])
    assert wh.query(published, "SELECT count(*) FROM v_documents") == [(6,)]
    # five pages changed: the old version is kept, the latest is shown by default
    assert wh.query(published, "SELECT count(*) FROM documents") == [(11,)]
    history = wh.query(published, "SELECT doc_id FROM v_document_history GROUP BY 1 HAVING count(*) = 2")
    assert len(history) == 5
    latest = wh.query(published, "SELECT count(*) FROM v_documents d JOIN captures c USING (capture_id) "
                                 "WHERE c.source_uri LIKE '%seeds%' AND d.version_no = 2")
    assert latest == [(5,)]
    # the killed runs loaded every batch already: this run found them all unchanged
    assert summary["loaded"]["inputs_unchanged"] == 6 and summary["loaded"]["inputs_new"] == 0
    again = pipeline(paths=[str(changed)], db_path=str(db), workers=1, run_validation=False, batch_size=2)
    assert again["loaded"]["inputs_unchanged"] == 6
    assert snapshot(db, ("documents",))["documents"].__len__() == 11


def test_a_second_run_waits_for_the_lock_or_fails_naming_the_holder(
    api_url, db: Path, changed: Path, tmp_path: Path
) -> None:
    holder = start_run(api_url, db, changed, "locked", tmp_path, lock_timeout=60)
    waiter = None
    try:
        wait_for(holder, tmp_path / "locked.reached")
        with pytest.raises(wh.WarehouseLocked, match="being written by another run"):
            pipeline(paths=[str(changed)], db_path=str(db), workers=1, run_validation=False,
                     lock_timeout=1)
        waiter = start_run(api_url, db, changed, None, tmp_path, lock_timeout=300)
        time.sleep(8)
        assert waiter.poll() is None  # still waiting for the lock
        (tmp_path / "locked.go").touch()
        out_holder, err = holder.communicate(timeout=300)
        assert holder.returncode == 0, err[-3000:]
        out_waiter, err = waiter.communicate(timeout=300)
        assert waiter.returncode == 0, err[-3000:]
    finally:
        for proc in (holder, waiter):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    first, second = out_holder.split()[1], out_waiter.split()[1]
    sql = "SELECT run_id, started_at, finished_at, status FROM runs WHERE run_id IN (?, ?)"
    times = {r[0]: r[1:] for r in wh.query(db, sql, [first, second])}
    assert times[first][2] == times[second][2] == "completed"
    assert times[second][0] >= times[first][1]  # never interleaved: the second started after the first ended
    failed = wh.query(db, "SELECT count(*) FROM runs WHERE status = 'failed'")
    assert failed == [(0,)]  # the run refused the lock never touched the warehouse
    counts = wh.query(db, "SELECT counts FROM runs WHERE run_id = ?", [second])[0][0]
    counts = json.loads(counts)  # the first run loaded every input: the second cleaned none again
    seen = (counts["inputs"], counts["inputs_unchanged"], counts["inputs_skipped"], counts["documents"])
    assert seen == (6, 6, 6, 0)
