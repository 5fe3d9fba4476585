"""The streaming run at scale: long-lived workers, the hard per-document time limit, the
plain (no Prefect) run, the embedded API's start-up setting, and the clean stage on a real
Dask ``LocalCluster`` of two worker processes through prefect-dask's ``DaskTaskRunner``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from prefect.testing.utilities import prefect_test_harness

from flows.pipeline import pipeline, run_plain
from scrubline import rawstore, staging, warehouse
from scrubline.batch import SLOW_MARKER_ENV, BatchJob, CaptureRef, WorkerPool, write_context
from scrubline.clean import CleanContext
from scrubline.records import Capture
from scrubline.resources import project_root, seeds_dir

SLOW = "PATHOLOGICAL-PAGE-7f3a"


def _article(n: int, extra: str = "") -> bytes:
    body = " ".join(
        f"Sentence {n}.{i} of a plain article about the harbour and its ships." for i in range(12)
    )
    return f"Harbour report number {n}\n\n{body}\n{extra}\n".encode()


def _refs(raw_dir: Path, texts: list[bytes]) -> list[CaptureRef]:
    refs = []
    for i, raw in enumerate(texts):
        capture = Capture(f"local:t/{i}.txt", raw, datetime(2026, 1, 1, tzinfo=UTC), "text/plain")
        rawstore.put(raw_dir, capture)
        refs.append(CaptureRef.of(capture))
    return refs


@pytest.fixture
def slow_marker(monkeypatch):
    monkeypatch.setenv(SLOW_MARKER_ENV, SLOW)  # workers inherit it: the document really spins


def _job(tmp: Path, refs: list[CaptureRef], number: int = 0) -> BatchJob:
    context = write_context(CleanContext.default(), tmp / "context.pkl")
    return BatchJob("run-1", number, tuple(refs), str(tmp / "raw"), str(tmp / f"batch{number}"), str(context))


def test_a_document_past_the_time_limit_is_rejected_and_its_worker_replaced(tmp_path, slow_marker):
    refs = _refs(tmp_path / "raw", [_article(1), _article(2, SLOW), _article(3)])
    pool = WorkerPool(size=1, time_limit=2.0)
    try:
        first = pool.pids
        summary = pool.run(_job(tmp_path, refs))
        assert summary["documents"] == 2 and summary["timeouts"] == 1
        assert pool.replaced == 1 and pool.pids != first
        rejects = duckdb.sql(f"SELECT * FROM '{tmp_path / 'batch0' / 'rejects.parquet'}'").fetchall()
        assert len(rejects) == 1
        cols = dict(zip(staging.SCHEMAS["rejects"].names, rejects[0], strict=True))
        assert cols["error_class"] == "timeout" and cols["stage"] == "clean"
        assert cols["source_uri"] == "local:t/1.txt" and f"({refs[1].byte_size} bytes)" in cols["message"]
        docs = duckdb.sql(f"SELECT source_uri FROM '{tmp_path / 'batch0' / 'documents.parquet'}'").fetchall()
        assert sorted(d[0] for d in docs) == ["local:t/0.txt", "local:t/2.txt"]
        # the fresh worker takes the next batch as usual
        again = pool.run(_job(tmp_path, _refs(tmp_path / "raw", [_article(4)]), number=1))
        assert again["documents"] == 1 and again["timeouts"] == 0
    finally:
        pool.close()
    assert pool.pids == []


def test_a_fresh_process_warms_up_before_its_first_document_is_timed():
    # a worker's first document used to pay for loading py3langid's model and the HTML
    # extractor (~0.8 s): on a busy machine, a 1 ms article overran a short time limit
    probe = (
        "import sys; from scrubline import language; from scrubline.batch import warm_up; "
        "state = lambda: (language._identifier.cache_info().currsize, 'trafilatura' in sys.modules); "
        "before = state(); warm_up(html=False); text = state(); warm_up(); print(before, text, state())"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "(0, False) (1, False) (1, True)"  # the extractor only where HTML may come


def test_workers_live_across_batches(tmp_path):
    refs = _refs(tmp_path / "raw", [_article(n) for n in range(4)])
    pool = WorkerPool(size=1, time_limit=30)
    try:
        pids = {pool.run(_job(tmp_path, refs[i : i + 2], number=i))["pid"] for i in (0, 2)}
    finally:
        pool.close()
    assert len(pids) == 1  # one process cleaned both batches: no start-up cost per batch


def test_workers_started_ahead_take_the_first_batches(tmp_path):
    refs = _refs(tmp_path / "raw", [_article(n) for n in range(4)])
    pool = WorkerPool(time_limit=30)
    try:
        pool.start(2)  # returns at once: the processes load their models meanwhile
        started = set(pool.pids)
        assert len(started) == 2
        pool.start(2)  # already there: nothing more starts
        assert set(pool.pids) == started
        pids = {pool.run(_job(tmp_path, refs[i : i + 2], number=i))["pid"] for i in (0, 2)}
        assert pids <= started and set(pool.pids) == started
    finally:
        pool.close()
    assert pool.pids == []


def test_a_missing_raw_store_entry_is_a_reject_not_a_crash(tmp_path):
    refs = _refs(tmp_path / "raw", [_article(1), _article(2)])
    rawstore.path_for(tmp_path / "raw", refs[0].capture_id).unlink()
    pool = WorkerPool(size=1)
    try:
        summary = pool.run(_job(tmp_path, refs))
    finally:
        pool.close()
    assert summary["documents"] == 1 and summary["rejects"] == 1


def _corpus(folder: Path, n: int, slow: bool = False) -> Path:
    folder.mkdir(parents=True)
    for path in seeds_dir().glob("0*.txt"):
        shutil.copy(path, folder)
    for i in range(n):
        (folder / f"gen_{i:03d}.txt").write_bytes(_article(i, SLOW if slow and i == 3 else ""))
    return folder


def _rows(db: Path, sql: str) -> list[tuple]:
    con = warehouse.connect(db, read_only=True)  # a DuckDB file or a published lake
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_plain_run_without_prefect_streams_batches_and_records_the_timeout(
    tmp_path, slow_marker, monkeypatch
):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")  # nothing listens: no API is used
    folder = _corpus(tmp_path / "in", 12, slow=True)
    db = tmp_path / "wh" / "w.duckdb"
    summary = run_plain(paths=[str(folder)], db_path=str(db), workers=2, batch_size=4, run_validation=False,
                        time_limit=2.0)  # fmt: skip
    assert summary["status"] == "completed" and summary["inputs"] == 17
    assert summary["documents"] == 16 and summary["loaded"]["timeouts"] == 1
    assert _rows(db, "SELECT count(*) FROM batches")[0][0] == 5
    assert _rows(db, "SELECT error_class, stage FROM rejects") == [("timeout", "clean")]
    again = run_plain(paths=[str(folder)], db_path=str(db), workers=2, batch_size=4, run_validation=False,
                      time_limit=2.0)  # fmt: skip
    assert again["loaded"].get("documents_new", 0) == 0
    assert _rows(db, "SELECT count(*) FROM documents")[0][0] == 16


def test_embedded_api_start_up_failure_names_the_setting(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="1", DO_NOT_TRACK="1")  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-m", "scrubline.cli", "run", "--db", str(tmp_path / "w.duckdb"), "--no-validate"],
        capture_output=True, text=True, env=env, cwd=project_root(), timeout=300, check=False,
    )  # fmt: skip
    assert out.returncode == 1, out.stdout + out.stderr
    assert "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS" in out.stderr
    assert "--no-prefect" in out.stderr


def test_the_flow_cleans_on_a_dask_local_cluster_of_two_workers(tmp_path):
    from distributed import Client, LocalCluster

    folder = _corpus(tmp_path / "in", 20)
    db = tmp_path / "wh" / "w.duckdb"
    with (
        prefect_test_harness(server_startup_timeout=120),
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
    ):
        summary = pipeline(paths=[str(folder)], db_path=str(db), workers=2, batch_size=5,
                           run_validation=False, dask_address=cluster.scheduler_address)  # fmt: skip
        with Client(cluster) as client:
            worker_pids = set(client.run(os.getpid).values())
        plain = run_plain(paths=[str(folder)], db_path=str(tmp_path / "plain" / "w.duckdb"), workers=2,
                          batch_size=5, run_validation=False,
                          dask_address=cluster.scheduler_address)  # fmt: skip
        assert len(cluster.workers) == 2  # the plain run's client left the cluster running
    assert plain["documents"] == 25 and set(plain["cleaned_by"]) <= worker_pids
    assert summary["status"] == "completed" and summary["documents"] == 25
    assert _rows(db, "SELECT count(*) FROM batches")[0][0] == 5
    assert _rows(db, "SELECT count(DISTINCT doc_id) FROM documents")[0][0] == 25
    assert len(worker_pids) == 2
    assert set(summary["cleaned_by"]) <= worker_pids  # the clean stage ran on the cluster's workers


def test_a_copy_published_without_the_fts_index_is_searched_at_query_time(tmp_path):
    from scrubline import warehouse as wh

    folder = _corpus(tmp_path / "in", 2)
    db = tmp_path / "wh" / "w.duckdb"
    summary = run_plain(paths=[str(folder)], db_path=str(db), workers=1, run_validation=False)
    published = Path(summary["published"])
    assert _rows(published, "SELECT count(*) FROM duckdb_schemas() "
                 "WHERE schema_name = 'fts_main_search_documents'") == [(0,)]  # fmt: skip
    con = wh.connect(published, read_only=True)
    try:
        hits = wh.search(con, "helicopter", limit=10)
        assert hits and all(h["score"] > 0 for h in hits)
        assert wh.search(con, "xyzzyplugh") == []
    finally:
        con.close()
