"""Warehouse layer on real DuckDB files: staging, migrations, idempotent and atomic loads,
versions, views, fts, publish under concurrent readers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from importlib.resources import files
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import FETCHED_AT, SEED_IDS, make_capture, make_result, seed_batch

from scrubline import staging, syndication
from scrubline import warehouse as wh
from scrubline.records import Outlet, Reject

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("runs", "captures", "outlets", "documents", "removed_spans", "footnotes", "links",
          "rejects", "batches")
VIEWS = sorted(p.name.removesuffix(".sql") for p in (files("scrubline.warehouse") / "sql" / "views").iterdir()
               if p.name.startswith("v_") and p.name.endswith(".sql"))


def start(db: Path, run_id: str = "run-1") -> None:
    wh.start_run(db, run_id, flow_name="test", parameters={"paths": ["seeds"]},
                 ruleset_version="test-1", pipeline_version="1", scrubline_version="0.1.0",
                 git_commit=None)


def stage(tmp: Path, run_id: str, batch=None, name: str = "0") -> Path:
    results, captures, rejects, outlets = batch or seed_batch()
    return staging.write_batch(tmp / "staging" / run_id / name, results, captures, rejects,
                               outlets, run_id)


def snapshot(db: Path) -> dict[str, list]:
    """Every row of every table, sorted: equal snapshots mean an unchanged warehouse."""
    con = wh.connect(db, read_only=True)
    try:
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall()))
                for t in TABLES}
    finally:
        con.close()


def count(db: Path, sql: str, params=None) -> int:
    return wh.query(db, sql, params)[0][0]


def changed_batch():
    """Seed 000 with new bytes (a new version) and a provisional outlet reusing 'rcsp'."""
    capture = make_capture(SEED_IDS[0], raw=b"Updated text about a helicopter.\n",
                           fetched_at=FETCHED_AT + timedelta(days=1))
    outlets = [Outlet("rcsp", "rcsp (provisional)", provisional=True),
               Outlet("tass", "TASS Russian News Agency", ("tass.ru", "tass.com"), kind="state media")]
    rejects = [Reject("seeds/broken.html", "decode", "UnicodeDecodeError", "bad bytes")]
    return [make_result(capture)], [capture], rejects, outlets


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    start(db)
    wh.load_batch(db, "run-1", stage(tmp_path, "run-1"))
    return db


# ---------------------------------------------------------------------------------- staging


def test_write_batch_writes_every_table_and_a_manifest(tmp_path: Path, batch) -> None:
    results, captures, rejects, outlets = batch
    out = staging.write_batch(tmp_path / "b", results, captures, rejects, outlets, "run-1")
    manifest = staging.read_manifest(out)
    counts = manifest["counts"]
    lines = counts.pop("template_lines")
    assert counts == {"documents": 5, "removed_spans": 6, "footnotes": 15, "links": 5, "captures": 5,
                      "rejects": 1, "outlets": 5, "doc_signatures": 5, "signature_bands": 5 * 32}
    assert lines >= 5  # the empty line of each document, and its candidate template lines
    sigs = pq.read_table(out / "doc_signatures.parquet").to_pylist()
    texts = {r.document.doc_id: r.document.text for r in results}
    assert all(s["content_hash"] == syndication.content_hash(texts[s["doc_id"]]) for s in sigs)
    docs = pq.read_table(out / "documents.parquet").to_pylist()
    by_id = {d["doc_id"]: d for d in docs}
    for r in results:
        row, doc = by_id[r.document.doc_id], r.document
        assert row["removed_share"] == pytest.approx(1 - len(doc.text) / len(doc.text_normalized))
        assert row["chars_clean"] == len(doc.text)
        assert json.loads(row["decode"]) == {"encoding": "utf-8", "method": "utf-8",
                                             "evidence": "", "replacement_chars": 0}
    assert staging.removed_share("", "") == 0.0
    assert [p.name for p in tmp_path.iterdir()] == ["b"]  # no temp dir left behind


def test_write_batch_replaces_atomically_and_drops_duplicate_keys(tmp_path: Path, batch) -> None:
    results, captures, rejects, outlets = batch
    target = tmp_path / "b"
    staging.write_batch(target, results, captures, rejects, outlets, "run-1")
    out = staging.write_batch(target, results[:1] * 2, captures[:1] * 2, [], [], "run-1")
    manifest = staging.read_manifest(out)
    assert manifest["counts"]["documents"] == 1
    assert manifest["dropped"] == {"documents": 1, "captures": 1, "links": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]


# ------------------------------------------------------------------------------- migrations


def test_migrate_is_idempotent_and_guards_applied_files(tmp_path: Path) -> None:
    con = wh.connect(tmp_path / "m.duckdb")
    try:
        first = wh.migrate(con)
        assert first[0] == "001_init.sql" and len(first) >= 2
        assert wh.migrate(con) == []
        con.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
        with pytest.raises(wh.MigrationError, match="001_init.sql changed"):
            wh.migrate(con)
    finally:
        con.close()


def test_runs_are_started_and_finished(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    start(db)
    wh.finish_run(db, "run-1", status="completed", counts={"documents": 5})
    status, counts, finished = wh.query(db, "SELECT status, counts, finished_at FROM runs")[0]
    assert status == "completed" and json.loads(counts) == {"documents": 5} and finished
    with pytest.raises(KeyError):
        wh.finish_run(db, "nope", status="failed", counts={})


# ------------------------------------------------------------------------------------- load


def test_load_batch_counts_and_reload_adds_nothing(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    start(db)
    batch_dir = stage(tmp_path, "run-1")
    first = wh.load_batch(db, "run-1", batch_dir)
    assert first == {"captures_new": 5, "outlets_new": 5, "outlets_updated": 0,
                     "documents_new": 5, "documents_replaced": 0, "removed_spans": 6,
                     "footnotes": 15, "links": 5, "rejects": 1, "inputs_new": 5,
                     "inputs_changed": 0, "inputs_unchanged": 0, "inputs_skipped": 0, "outputs_changed": 0}
    before = snapshot(db)
    again = wh.load_batch(db, "run-1", batch_dir)
    assert again["documents_new"] == 0 and again["documents_replaced"] == 5
    assert (again["inputs_new"], again["inputs_unchanged"], again["outputs_changed"]) == (0, 5, 0)
    assert again["rejects"] == 0 and again["captures_new"] == 0
    after = snapshot(db)
    for table in ("captures", "outlets", "removed_spans", "footnotes", "links", "rejects"):
        assert after[table] == before[table], table
    assert len(after["documents"]) == 5 and len(after["batches"]) == 1


@pytest.mark.parametrize("table", ["documents", "removed_spans", "captures"])
def test_a_staged_batch_repeating_a_key_is_refused_and_nothing_loads(tmp_path: Path, table: str) -> None:
    # the tables carry no PRIMARY KEY (migration 010): the loader is what keeps keys unique
    db = tmp_path / "w.duckdb"
    start(db)
    batch_dir = stage(tmp_path, "run-1")
    path = batch_dir / f"{table}.parquet"
    rows = pq.read_table(path)
    pq.write_table(pa.concat_tables([rows, rows.slice(0, 1)]), path)
    with pytest.raises(ValueError, match=f"staged {table} repeats its key"):
        wh.load_batch(db, "run-1", batch_dir)
    assert all(not rows for name, rows in snapshot(db).items() if name != "runs")


def test_a_held_warehouse_serves_every_session_and_is_released_after(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    start(db)
    probe = [sys.executable, "-c", f"import duckdb; duckdb.connect({str(db)!r}, read_only=True).close()"]
    with wh.held(db):
        counts = wh.load_batch(db, "run-1", stage(tmp_path, "run-1"))
        assert counts["documents_new"] == 5
        assert count(db, "SELECT count(*) FROM documents") == 5  # a read-only session, same connection
        assert subprocess.run(probe, capture_output=True).returncode != 0  # the file stays open meanwhile
    assert subprocess.run(probe, capture_output=True).returncode == 0
    assert len(snapshot(db)["documents"]) == 5


def test_load_batch_rejects_a_batch_of_another_run(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with pytest.raises(ValueError, match="staged for run"):
        wh.load_batch(db, "run-2", stage(tmp_path, "run-1"))


def test_changed_content_adds_a_version_and_keeps_the_old(loaded: Path, tmp_path: Path) -> None:
    start(loaded, "run-2")
    counts = wh.load_batch(loaded, "run-2", stage(tmp_path, "run-2", changed_batch()))
    assert counts["documents_new"] == 1 and counts["captures_new"] == 1
    doc_id = make_capture(SEED_IDS[0]).doc_id
    history = wh.query(loaded, "SELECT version_no, is_latest, is_current, run_id "
                       "FROM v_document_history WHERE doc_id = ? ORDER BY version_no", [doc_id])
    assert history == [(1, False, False, "run-1"), (2, True, True, "run-2")]
    text = wh.query(loaded, "SELECT text FROM v_documents WHERE doc_id = ?", [doc_id])[0][0]
    assert text.startswith("Updated text")
    assert count(loaded, "SELECT count(*) FROM v_documents") == 5


def test_old_content_seen_again_becomes_latest(loaded: Path, tmp_path: Path) -> None:
    start(loaded, "run-2")
    wh.load_batch(loaded, "run-2", stage(tmp_path, "run-2", changed_batch()))
    original = make_capture(SEED_IDS[0], fetched_at=FETCHED_AT + timedelta(days=2))
    start(loaded, "run-3")
    batch = ([make_result(original)], [original], [], [])
    wh.load_batch(loaded, "run-3", stage(tmp_path, "run-3", batch))
    latest = wh.query(loaded, "SELECT capture_id FROM v_documents WHERE doc_id = ?",
                      [original.doc_id])
    assert latest == [(original.capture_id,)]
    assert count(loaded, "SELECT count(*) FROM captures") == 6  # the capture is not duplicated


def test_outlets_registry_wins_over_provisional(loaded: Path, tmp_path: Path) -> None:
    start(loaded, "run-2")
    counts = wh.load_batch(loaded, "run-2", stage(tmp_path, "run-2", changed_batch()))
    assert counts["outlets_new"] == 0 and counts["outlets_updated"] == 1
    rows = dict(wh.query(loaded, "SELECT outlet_id, name FROM outlets"))
    assert rows["rcsp"] == "Research Center on Security Policy"  # provisional did not overwrite
    assert rows["tass"] == "TASS Russian News Agency"  # registry updated
    promoted = ([], [], [], [Outlet("president-az", "Office of the President", ("president.az",))])
    start(loaded, "run-3")
    wh.load_batch(loaded, "run-3", stage(tmp_path, "run-3", promoted))
    assert wh.query(loaded, "SELECT name, provisional FROM outlets WHERE outlet_id = ?",
                    ["president-az"]) == [("Office of the President", False)]


def test_rejects_are_not_duplicated_within_a_run(loaded: Path, tmp_path: Path) -> None:
    again = ([], [], [Reject("seeds/missing.txt", "read", "FileNotFoundError", "again")], [])
    assert wh.load_batch(loaded, "run-1", stage(tmp_path, "run-1", again, "1"))["rejects"] == 0
    start(loaded, "run-2")
    assert wh.load_batch(loaded, "run-2", stage(tmp_path, "run-2", again))["rejects"] == 1
    assert count(loaded, "SELECT count(*) FROM v_rejects") == 2


# --------------------------------------------------------------------------------- atomicity


def test_exception_inside_the_transaction_leaves_the_warehouse_unchanged(
    loaded: Path, tmp_path: Path
) -> None:
    start(loaded, "run-2")
    before = snapshot(loaded)
    batch_dir = stage(tmp_path, "run-2", changed_batch())

    def boom(step: str) -> None:
        if step == "documents":
            raise RuntimeError("crash after documents were written")

    with pytest.raises(RuntimeError, match="crash after documents"):
        wh._load_batch(loaded, "run-2", batch_dir, on_step=boom)
    assert snapshot(loaded) == before


def test_a_failing_statement_mid_batch_rolls_back(loaded: Path, tmp_path: Path) -> None:
    start(loaded, "run-2")
    before = snapshot(loaded)
    batch_dir = stage(tmp_path, "run-2", changed_batch())
    (batch_dir / "links.parquet").write_bytes(b"not parquet")  # read after documents insert
    with pytest.raises(duckdb.Error):
        wh.load_batch(loaded, "run-2", batch_dir)
    assert snapshot(loaded) == before


_KILLED_LOADER = """
import sys, time
from pathlib import Path
from scrubline import warehouse
db, run_id, batch, marker = sys.argv[1:]
def pause(step):
    if step == "documents":
        Path(marker).write_text(step)
        time.sleep(120)
warehouse._load_batch(db, run_id, Path(batch), on_step=pause)
"""


def test_sigkill_mid_load_leaves_the_warehouse_as_before(loaded: Path, tmp_path: Path) -> None:
    start(loaded, "run-2")
    before = snapshot(loaded)
    batch_dir = stage(tmp_path, "run-2", changed_batch())
    marker = tmp_path / "inside-transaction"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_LOADER, str(loaded), "run-2",
                             str(batch_dir), str(marker)])
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, "loader exited before reaching the pause"
            assert time.monotonic() < deadline, "loader never reached the pause"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert snapshot(loaded) == before
    assert wh.load_batch(loaded, "run-2", batch_dir)["documents_new"] == 1  # re-run finishes


# -------------------------------------------------------------------- views, DQ, quarantine


def test_every_view_is_created_and_answers(loaded: Path) -> None:
    con = wh.connect(loaded)
    try:
        assert sorted(wh.create_views(con)) == VIEWS
        assert {"v_documents", "v_citations", "v_syndication", "v_dq_history"} <= set(VIEWS)
        for view in VIEWS:
            con.execute(f"SELECT * FROM {view}").fetchall()
        assert con.execute("SELECT n_citations FROM v_citations_by_domain "
                           "WHERE domain = 'president.az'").fetchone() == (3,)
        assert con.execute("SELECT cited_outlet_id, n_citations FROM v_outlet_citation_edges "
                           "WHERE citing_outlet_id = 'rcsp' ORDER BY 1").fetchall() == [
            ("reuters", 1), ("tass", 1)]
        assert con.execute("SELECT DISTINCT kind FROM v_citations").fetchall() == [("endnote",)]
        issues = con.execute("SELECT issue, marker FROM v_footnote_anomalies").fetchall()
        assert ("local_file_path", "[ii]") in issues
        assert con.execute("SELECT sum(n_spans) FROM v_removals_by_rule").fetchone() == (6,)
        assert con.execute("SELECT n_documents FROM v_outlet_coverage "
                           "WHERE outlet_id = 'rcsp'").fetchone() == (1,)
    finally:
        con.close()


def test_quarantine_hides_a_version_and_falls_back(loaded: Path, tmp_path: Path) -> None:
    start(loaded, "run-2")
    wh.load_batch(loaded, "run-2", stage(tmp_path, "run-2", changed_batch()))
    new = make_capture(SEED_IDS[0], raw=b"Updated text about a helicopter.\n")
    assert wh.quarantine(loaded, "run-2", [(new.doc_id, new.capture_id)], "documents.x") == 1
    shown = wh.query(loaded, "SELECT capture_id FROM v_documents WHERE doc_id = ?", [new.doc_id])
    assert shown == [(make_capture(SEED_IDS[0]).capture_id,)]
    assert wh.query(loaded, "SELECT run_id, reason FROM quarantine_log") == [("run-2", "documents.x")]
    assert wh.quarantine(loaded, "run-2", [], "none") == 0


def test_dq_results_replace_per_run_and_suite(loaded: Path) -> None:
    row = {"suite": "documents", "expectation": "expect_column_values_to_not_be_null",
           "expectation_name": "documents.outlet_id_present", "column_name": "outlet_id",
           "severity": "warning", "success": False, "observed_value": {"unexpected": 3},
           "failing_sample": [["a", "b"]], "unexpected_count": 3, "data_path": "sql"}
    wh.store_dq_results(loaded, "run-1", [row, {**row, "success": True, "severity": "critical",
                                                "expectation_name": "documents.x"}])
    wh.store_dq_results(loaded, "run-1", [row])
    assert count(loaded, "SELECT count(*) FROM dq_results") == 1
    assert wh.query(loaded, "SELECT n_failed_warning, failed_warning FROM v_dq_history") == [
        (1, ["documents.outlet_id_present"])]


# -------------------------------------------------------------------------- publish, search


def test_publish_makes_a_read_only_searchable_copy(loaded: Path, tmp_path: Path) -> None:
    published = wh.publish(loaded, tmp_path / "pub" / "scrubline.ducklake")
    names = sorted(p.name for p in published.parent.iterdir())
    assert names == ["scrubline.ducklake", "scrubline.ducklake.files"]
    assert count(published, "SELECT count(*) FROM v_documents") == 5
    con = wh.connect(published, read_only=True)
    try:
        hits = wh.search(con, "helicopter", limit=10)
        seed_000 = make_capture(SEED_IDS[0]).doc_id
        assert seed_000 in [h["doc_id"] for h in hits]
        assert wh.search(con, "xyzzyplugh") == []
        with pytest.raises(duckdb.Error):
            con.execute("DELETE FROM documents")
    finally:
        con.close()


def test_a_projects_views_are_created_after_the_packaged_ones(
    loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "desk"
    (project / "views").mkdir(parents=True)
    # "a_..." sorts first but reads the project view made after it, which reads a packaged one
    (project / "views" / "a_top_domain.sql").write_text(
        "SELECT domain FROM z_domains ORDER BY n DESC LIMIT 1"
    )
    (project / "views" / "z_domains.sql").write_text(
        "SELECT domain, n_citations AS n FROM v_citations_by_domain;\n"
    )
    monkeypatch.setenv("SCRUBLINE_HOME", str(project))
    con = wh.connect(loaded)
    try:
        created = wh.create_views(con)
        assert sorted(created[: len(VIEWS)]) == VIEWS  # the packaged views come first
        assert created[len(VIEWS) :] == ["z_domains", "a_top_domain"]
        assert con.execute("SELECT n FROM z_domains WHERE domain = 'president.az'").fetchone() == (3,)
        assert con.execute("SELECT count(*) FROM a_top_domain").fetchone() == (1,)
        (project / "views" / "bad-name.sql").write_text("SELECT 1")
        with pytest.raises(ValueError, match="bad-name.sql"):
            wh.create_views(con)
    finally:
        con.close()


def test_pipeline_sessions_leave_fts_out_and_a_search_loads_it(loaded: Path) -> None:
    # loading fts is ~40 ms of a connection's ~65: the pipeline's sessions never search
    with wh.session(loaded, read_only=True) as con:
        assert not wh.has_fts(con)
    con = wh.connect(loaded)
    try:
        assert wh.has_fts(con)
        wh.create_views(con)
        assert wh.build_fts(con) == 5
    finally:
        con.close()
    with wh.session(loaded, read_only=True) as con:  # the file's own index, fts loaded on demand
        seed_000 = make_capture(SEED_IDS[0]).doc_id
        assert seed_000 in [h["doc_id"] for h in wh.search(con, "helicopter")]
        assert wh.has_fts(con)


def test_fts_skips_quarantined_documents(loaded: Path) -> None:
    key = wh.query(loaded, "SELECT doc_id, capture_id FROM documents WHERE source_uri LIKE ?",
                   ["%000_%"])[0]
    wh.quarantine(loaded, "run-1", [key], "test")
    con = wh.connect(loaded)
    try:
        wh.create_views(con)
        assert wh.build_fts(con) == 4
        assert key[0] not in [h["doc_id"] for h in wh.search(con, "helicopter")]
    finally:
        con.close()


_READER = """
import sys, time
from pathlib import Path
from scrubline import warehouse
db, go = sys.argv[1], Path(sys.argv[2])
sql = "SELECT count(*) FROM v_document_history"
con = warehouse.connect(db, read_only=True)
con.execute("BEGIN")  # one snapshot for the whole transaction
print("before", con.execute(sql).fetchone()[0], flush=True)
while not go.exists():
    time.sleep(0.05)
print("held", con.execute(sql).fetchone()[0], flush=True)
con.execute("COMMIT")
print("fresh", con.execute(sql).fetchone()[0], flush=True)  # the next snapshot, same connection
"""
_WRITER = """
import sys
from pathlib import Path
from scrubline import warehouse
db, run_id, batch, published = sys.argv[1:]
warehouse.load_batch(db, run_id, Path(batch))
warehouse.publish(db, published)
print("published", flush=True)
"""


def test_analysts_read_the_published_copy_while_a_run_loads_and_publishes(
    loaded: Path, tmp_path: Path
) -> None:
    published = wh.publish(loaded, tmp_path / "pub" / "scrubline.ducklake")
    start(loaded, "run-2")
    batch_dir = stage(tmp_path, "run-2", changed_batch())
    go = tmp_path / "go"
    reader = subprocess.Popen([sys.executable, "-c", _READER, str(published), str(go)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().split() == ["before", "5"]
        writer = subprocess.run(
            [sys.executable, "-c", _WRITER, str(loaded), "run-2", str(batch_dir),
             str(published)], capture_output=True, text=True, timeout=120)
        assert writer.returncode == 0, writer.stderr
        go.touch()
        out, _ = reader.communicate(timeout=60)
    finally:
        reader.kill()
    assert out.split("\n")[:2] == ["held 5", "fresh 6"]
    assert reader.returncode == 0


def test_query_is_read_only(loaded: Path) -> None:
    with pytest.raises(duckdb.Error):
        wh.query(loaded, "DELETE FROM documents")
    cols, rows = wh.query_table(loaded, "SELECT count(*) AS n FROM documents")
    assert cols == ["n"] and rows == [(5,)]
    with pytest.raises(FileNotFoundError):
        wh.query(loaded.parent / "missing.duckdb", "SELECT 1")


def test_default_paths_follow_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SCRUBLINE_PUBLISHED_DB", raising=False)
    monkeypatch.setenv("SCRUBLINE_DB", str(tmp_path / "x.duckdb"))
    assert wh.default_db_path() == tmp_path / "x.duckdb"
    assert wh.published_db_path() == tmp_path / "published" / "x.ducklake"
    monkeypatch.delenv("SCRUBLINE_DB")
    assert wh.default_db_path() == ROOT / "warehouse" / "scrubline.duckdb"


def _inserted(lake: Path, table: str) -> int:
    """Rows the lake's latest snapshot inserted into ``table``."""
    with wh.session(":memory:", migrate=False) as con:
        wh.db.attach_lake(con, lake, "pub", read_only=True)
        last = con.execute("SELECT max(snapshot_id) FROM ducklake_snapshots('pub')").fetchone()[0]
        return con.execute(
            "SELECT count(*) FROM ducklake_table_insertions('pub', 'main', ?, ?, ?)", [table, last, last]
        ).fetchone()[0]


def test_a_publish_writes_the_new_work_not_the_warehouse(loaded: Path, tmp_path: Path) -> None:
    lake = wh.publish(loaded, tmp_path / "pub" / "scrubline.ducklake")
    assert _inserted(lake, "documents") == 5  # the first publish: everything
    start(loaded, "run-2")
    wh.load_batch(loaded, "run-2", stage(tmp_path, "run-2", changed_batch()))
    wh.publish(loaded, lake)
    assert _inserted(lake, "documents") == 1  # run 2's one new version, not the six documents
    assert _inserted(lake, "rejects") == 1
    assert count(lake, "SELECT count(*) FROM documents") == 6
    assert count(lake, "SELECT count(*) FROM v_documents") == 5
    assert count(lake, "SELECT count(*) FROM scrubline_published") == 2
    wh.publish(loaded, lake)  # nothing pending: no document row written again
    assert count(lake, "SELECT count(*) FROM documents") == 6
    assert _inserted(lake, "documents") == 0


def test_a_version_loaded_again_by_a_later_run_replaces_its_published_row(loaded: Path, tmp_path: Path) -> None:  # noqa: E501
    lake = wh.publish(loaded, tmp_path / "pub" / "scrubline.ducklake")
    start(loaded, "run-2")  # a reprocess: the same versions, cleaned again by run 2
    wh.load_batch(loaded, "run-2", stage(tmp_path, "run-2"))
    wh.publish(loaded, lake)
    assert wh.query(lake, "SELECT run_id, count(*) FROM documents GROUP BY run_id") == [("run-2", 5)]
    spans = "SELECT count(*) FROM removed_spans"
    assert count(lake, spans) == count(loaded, spans)


def test_the_lake_writes_row_groups_of_bounded_bytes(loaded: Path, tmp_path: Path) -> None:
    # a writer holds a whole row group in memory: DuckLake's default (122,880 rows of texts) made
    # the first publish of 30,000 documents peak at 1.6 GB
    lake = wh.publish(loaded, tmp_path / "pub" / "scrubline.ducklake")
    options = dict(wh.query(lake, "SELECT option_name, value FROM published.options()"))
    assert options["parquet_row_group_size_bytes"] == "32000000"
