"""The whole pipeline as a real Prefect flow (test harness), real DuckDB, on the seeds."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers import QuietHandler, local_server
from prefect.testing.utilities import prefect_test_harness

from flows.pipeline import pipeline
from scrubline import warehouse
from scrubline.resources import seeds_dir


@pytest.fixture(scope="module")
def prefect_api():
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """The seeds plus three bad inputs: empty, binary, undecodable."""
    folder = tmp_path_factory.mktemp("inputs")
    for path in seeds_dir().glob("0*.txt"):
        shutil.copy(path, folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (folder / "nul.txt").write_bytes(b"abc\x00\x00\x00def\x00\x00" * 20)
    return folder


@pytest.fixture(scope="module")
def first_run(prefect_api, inputs, tmp_path_factory):
    db = tmp_path_factory.mktemp("wh") / "scrubline.duckdb"
    summary = pipeline(paths=[str(inputs)], db_path=str(db), workers=1, run_validation=False)
    return db, summary


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = warehouse.connect(db, read_only=True)  # a DuckDB file or a published lake
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_run_loads_seeds_and_records_bad_inputs(first_run):
    db, summary = first_run
    assert summary["status"] == "completed"
    assert summary["documents"] == 5
    assert summary["footnotes"] == 15
    assert rows(db, "SELECT count(*) FROM documents") == [(5,)]
    rejects = dict(rows(db, "SELECT regexp_extract(source_uri, '[^/]+$'), message FROM rejects"))
    assert set(rejects) == {"empty.txt", "binary.txt", "nul.txt"}
    assert "empty" in rejects["empty.txt"].lower()
    assert "png" in rejects["binary.txt"].lower()
    run = rows(db, "SELECT status, ruleset_version, scrubline_version FROM runs")
    assert run[0][0] == "completed" and run[0][1].startswith("r")


def test_removed_spans_reconstruct_normalized_text(first_run):
    db, _ = first_run
    docs = rows(db, "SELECT doc_id, capture_id, text_normalized, text FROM documents")
    for doc_id, capture_id, normalized, text in docs:
        spans = rows(
            db,
            "SELECT start_offset, end_offset, removed_text FROM removed_spans "
            "WHERE doc_id = ? AND capture_id = ? ORDER BY start_offset",
            [doc_id, capture_id],
        )
        rebuilt, cursor = [], 0
        for start, end, removed in spans:
            assert normalized[start:end] == removed
            rebuilt.append(normalized[cursor:start])
            cursor = end
        rebuilt.append(normalized[cursor:])
        assert "".join(rebuilt) == text


def test_footnote_issues_queryable(first_run):
    db, _ = first_run
    flagged = dict(
        rows(db, "SELECT marker, issues FROM footnotes WHERE len(issues) > 0 ORDER BY ordinal")
    )
    assert flagged == {"[ii]": ["local_file_path"], "[xiii]": ["no_url"]}


def test_published_copy_is_readable(first_run):
    db, summary = first_run
    published = Path(summary["published"])
    assert published.exists() and published != db
    assert rows(published, "SELECT count(*) FROM v_documents") == [(5,)]
    assert rows(published, "SELECT status FROM runs") == [("completed",)]


def test_second_run_adds_no_rows(first_run, inputs):
    db, _ = first_run
    tables = ("documents", "removed_spans", "footnotes", "captures", "outlets")
    before = {t: rows(db, f"SELECT count(*) FROM {t}")[0][0] for t in tables}
    summary = pipeline(paths=[str(inputs)], db_path=str(db), workers=1, run_validation=False)
    # every input is loaded already under the same clean settings: none is cleaned again
    assert summary["documents"] == 0
    assert (summary["loaded"]["inputs_unchanged"], summary["loaded"]["inputs_skipped"]) == (5, 5)
    after = {t: rows(db, f"SELECT count(*) FROM {t}")[0][0] for t in tables}
    assert after == before
    assert not list((db.parent / "staging").iterdir())  # loaded batches leave no staged copy behind


def test_explain_shows_provenance_and_removals_in_place(first_run):
    from scrubline.cli import format_explanation
    from scrubline.warehouse import explanation

    db, summary = first_run
    info = explanation(str(db), "003_b8ff")
    assert info is not None
    assert info["capture"]["byte_size"] == (seeds_dir() / "003_b8ff09be8abf3fd2.txt").stat().st_size
    assert info["run"]["status"] == "completed" and info["run"]["git_commit"]
    text = format_explanation(info, color=False)
    assert "outlet     rcsp (Research Center on Security Policy)" in text
    assert "evidence: byline = 'RCSP'" in text
    assert re.search(r"\[-You may also like-\]\{lexicon_related/v\d+ related\}", text)
    assert "Narek Minasyan" in text and "authors    Narek Minasyan" in text
    assert "\x1b[" not in text


# ------------------------------------------------------- lineage, artifact, reprocess, sources


def test_every_run_writes_openlineage_start_and_complete(first_run):
    from test_lineage import validate_events

    db, summary = first_run
    events = [e for e in validate_events(db.parent / "lineage") if e["run"]["runId"] == summary["run_id"]]
    assert [e["eventType"] for e in events] == ["START", "COMPLETE"]
    start, complete = events
    assert start["job"] == {**start["job"], "namespace": "scrubline", "name": "scrubline-pipeline"}
    assert any(d["namespace"] == "file" and "/inputs" in d["name"] for d in start["inputs"])
    outputs = {d["name"]: d for d in complete["outputs"]}
    assert outputs["main.documents"]["outputFacets"]["outputStatistics"]["rowCount"] == 5
    assert str(Path(summary["published"]).resolve()) in outputs


def test_run_artifact_lists_inputs_changes_rules_and_dq(first_run):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.pipeline import summary_markdown

    _, summary = first_run
    text = summary_markdown(summary)
    assert "| 8 | 5 | 0 | 0 | 0 | 3 | 5 | 15 |" in text  # inputs, new, changed, unchanged, ...
    assert "## Rejected inputs" in text and "binary.txt" in text
    assert "## Removed spans by rule" in text and "## Footnotes: 15" in text
    assert "## Data quality: passed" in text
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["scrubline-run"])))
    assert any(summary["run_id"] in (a.data or "") for a in artifacts)


def test_reprocess_reports_documents_changed_by_rule(prefect_api, tmp_path):
    from helpers import load_captures, sample_captures

    from scrubline.clean import CleanContext

    db = tmp_path / "w.duckdb"
    old_rules = CleanContext.default()
    old_rules.engine = old_rules.engine.without(["lexicon_related"])  # "the rules before a fix"
    load_captures(db, sample_captures()[:5], "run-old", ctx=old_rules)
    summary = pipeline(reprocess=True, db_path=str(db), workers=1, run_validation=False)
    assert summary["loaded"]["inputs_unchanged"] == 5 and summary["loaded"]["outputs_changed"] >= 1
    by_rule = {(r["rule_id"], r["spans_delta"]) for r in summary["changes"]["by_rule"]}
    assert ("lexicon_related", 1) in by_rule
    changed = rows(db, "SELECT change, text_changed FROM document_changes WHERE run_id = ?",
                   [summary["run_id"]])
    assert changed and {c[0] for c in changed} == {"recleaned"}  # text_changed: False when another
    # rule had removed the same characters before (attribution changed, clean text did not)
    assert rows(db, "SELECT count(*) FROM documents") == [(5,)]  # same versions, re-cleaned
    again = pipeline(reprocess=True, db_path=str(db), workers=1, run_validation=False)
    assert again["loaded"]["outputs_changed"] == 0 and again["changes"]["documents"] == []


def test_sources_manifest_runs_one_schedule_group(prefect_api, tmp_path):
    from scrubline.resources import project_root

    db = tmp_path / "w.duckdb"
    daily = pipeline(paths=["seeds/sources.yaml"], schedule="daily", db_path=str(db), workers=1,
                     run_validation=False)
    assert daily["documents"] == 5 and daily["loaded"]["inputs_new"] == 5
    hourly = pipeline(paths=["seeds/sources.yaml"], schedule="hourly", db_path=str(db), workers=1,
                      run_validation=False)
    assert hourly["documents"] == 0 and hourly["inputs"] == 0
    assert (project_root() / "seeds" / "sources.yaml").is_file()


PAGE = (b"<!doctype html><html><head><meta charset='utf-8'><title>Clash</title></head><body><article>"
        b"<h1>Clash at the border</h1><p>Two soldiers were killed on Tuesday in a clash on the border, "
        b"the defence ministry said in a statement published in the morning.</p><p>Talks between the two "
        b"governments are expected to resume next week in a neutral capital, diplomats said.</p>"
        b"</article></body></html>")  # fmt: skip


class ArticleHandler(QuietHandler):
    """One article with an ETag (304 when the client already has it)."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's API
        if self.path != "/article":
            self.send_error(404)
        elif self.headers.get("If-None-Match") == '"v1"':
            self.send(304)
        else:
            self.send(200, PAGE, ETag='"v1"')


@pytest.fixture
def page_server():
    """A real HTTP server on 127.0.0.1 serving ``ArticleHandler``."""
    with local_server(ArticleHandler) as base:
        yield f"{base}/article"


def test_urls_are_fetched_once_then_conditionally(prefect_api, page_server, tmp_path):
    db = tmp_path / "w.duckdb"
    first = pipeline(paths=[page_server], db_path=str(db), workers=1, run_validation=False,
                     allow_private_hosts=True)  # fmt: skip
    assert first["documents"] == 1
    assert rows(db, "SELECT source_uri, http_status FROM captures") == [(page_server, 200)]
    second = pipeline(paths=[page_server], db_path=str(db), workers=1, run_validation=False,
                      allow_private_hosts=True)  # fmt: skip
    assert second["ingest"]["unchanged"] == 1
    assert rows(db, "SELECT count(*) FROM captures") == [(1,)]
    assert rows(db, "SELECT count(*) FROM documents") == [(1,)]


def test_a_folder_run_never_reads_the_stored_fetch_states(page_server, tmp_path):
    """The fetch states (every stored URL) are read only when a URL is looked up: streaming
    a folder works even when reading them would fail; a URL input reads them (here: fails to,
    and gets a reject that says why)."""
    from flows.pipeline import stream_inputs

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("An article of a few words about the border crossing.\n", encoding="utf-8")
    broken = tmp_path / "not-a-database.duckdb"
    broken.write_bytes(b"this is not a DuckDB file" * 100)
    counts: dict[str, int] = {}
    refs = list(stream_inputs([str(folder)], str(tmp_path / "raw"), counts, db_path=str(broken)))
    assert [(r.source_uri, r.byte_size) for r in refs] == [("local:in/a.txt", 53)]
    (fetched,) = stream_inputs([page_server], str(tmp_path / "raw"), {}, db_path=str(broken),
                               allow_private_hosts=True)  # fmt: skip
    assert fetched.source_uri == page_server and "not a valid DuckDB database" in fetched.message
