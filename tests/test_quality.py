"""Data quality with real Great Expectations on real DuckDB files.

GE is slow to import, so one module-scoped fixture runs ``validate`` twice (a clean run and a
run with injected bad rows) and the tests read its outcomes and the warehouse.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEED_IDS, make_capture, make_result, seed_batch

from scrubline import quality, staging
from scrubline import warehouse as wh
from scrubline.records import CleanResult, RemovedSpan

SQL_PATH_TYPES = {
    "expect_column_values_to_not_be_null", "expect_column_values_to_be_unique",
    "expect_compound_columns_to_be_unique", "expect_column_value_lengths_to_equal",
    "expect_column_value_lengths_to_be_between", "expect_column_values_to_be_between",
    "expect_column_values_to_be_in_set", "expect_column_pair_values_a_to_be_greater_than_b",
    "expect_table_row_count_to_equal",
}


def _bad(name: str, raw: bytes, **doc_changes) -> tuple[CleanResult, object]:
    capture = make_capture(name, raw=raw, source_id=name)
    return make_result(capture, **doc_changes), capture


def _heavy_removal() -> tuple[CleanResult, object]:
    """95 of 100 characters removed by one span: removed_share 0.95."""
    normalized = "Body." + "Subscribe to our partner offers and promotions today! " * 2
    normalized = normalized[:100]
    result, capture = _bad("bad_heavy", normalized.encode())
    span = RemovedSpan(5, 100, "test_promo", 1, "promo", normalized[5:])
    doc = dataclasses.replace(result.document, text=normalized[:5])
    return dataclasses.replace(result, document=doc, removed=(span,)), capture


def bad_rows():
    """Injected bad documents, by name."""
    return {
        "bad_residue": _bad("bad_residue", b"A paragraph about Baku.\nFollow us on Twitter. "
                            b"Read more at example.org\n"),
        "bad_mojibake": _bad("bad_mojibake", "The minister said \ufffd\ufffd it.\n".encode()),
        "bad_empty": _bad("bad_empty", b""),
        "bad_heavy": _heavy_removal(),
        "bad_future": _bad("bad_future", b"An article dated in the future.\n",
                           published_at="2030-01-01"),
    }


def _load(db: Path, tmp: Path, run_id: str, results, captures, rejects, outlets) -> None:
    wh.start_run(db, run_id, flow_name="test", parameters={}, ruleset_version="test-1",
                 pipeline_version="1", scrubline_version="0.1.0", git_commit="abc123")
    batch = staging.write_batch(tmp / "staging" / run_id, results, captures, rejects, outlets,
                                run_id)
    wh.load_batch(db, run_id, batch)


@pytest.fixture(scope="module")
def dq(tmp_path_factory):
    """Run 0: seeds 000-002 (clean). Run 1: seeds 003-004 plus the bad rows."""
    tmp = tmp_path_factory.mktemp("dq")
    db = tmp / "w.duckdb"
    results, captures, rejects, outlets = seed_batch()
    _load(db, tmp, "run-0", results[:3], captures[:3], rejects, outlets)
    bad = bad_rows()
    _load(db, tmp, "run-1", results[3:] + [r for r, _ in bad.values()],
          captures[3:] + [c for _, c in bad.values()], [], outlets)
    clean = quality.validate(db, "run-0", docs_dir=tmp / "site")
    dirty = quality.validate(db, "run-1", docs_dir=tmp / "site",
                             residue_patterns=[r"read more at \S+"])
    keys = {name: (r.document.doc_id, r.document.capture_id) for name, (r, _) in bad.items()}
    return {"db": db, "tmp": tmp, "clean": clean, "dirty": dirty, "keys": keys}


def failed(outcome: quality.DQOutcome, severity: str) -> set[str]:
    return {r["expectation_name"] for r in outcome.results
            if not r["success"] and r["severity"] == severity}


def result(outcome: quality.DQOutcome, name: str) -> dict:
    (row,) = [r for r in outcome.results if r["expectation_name"] == name]
    return row


def failing_docs(outcome: quality.DQOutcome, name: str) -> set[str]:
    return {f["doc_id"] for f in result(outcome, name)["failing_sample"]}


# ------------------------------------------------------------------------- without GE


def test_importing_quality_does_not_import_great_expectations() -> None:
    code = "import sys, scrubline.quality; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_suites_cover_every_table_with_severity_and_rationale() -> None:
    suites = quality.load_suites()
    assert {s.name for s in suites} == {"documents", "removed_spans", "footnotes", "outlets",
                                        "captures", "runs"}
    names = [e["meta"]["name"] for s in suites for e in s.expectations]
    assert len(names) == len(set(names))
    for suite in suites:
        for exp in suite.expectations:
            assert exp["meta"]["name"].startswith(suite.name + ".")
            if exp["meta"]["path"] == "sql":
                assert exp["type"] in SQL_PATH_TYPES, "prove a new type on the SQL path first"
    assert "all rights reserved" in quality.all_residue_patterns(suites)


# ---------------------------------------------------------------------------- with GE


def test_every_expectation_evaluates_on_its_path(dq) -> None:
    for outcome in (dq["clean"], dq["dirty"]):
        assert len(outcome.results) == sum(len(s.expectations) for s in quality.load_suites())
        assert [r["expectation_name"] for r in outcome.results if r["error"]] == []
    paths = {(r["expectation"], r["data_path"]) for r in dq["dirty"].results}
    assert {t for t, p in paths if p == "sql"} == SQL_PATH_TYPES


def test_clean_run_passes_with_warnings_only(dq) -> None:
    clean = dq["clean"]
    assert clean.success and clean.quarantined == []
    assert failed(clean, "critical") == set()
    assert failed(clean, "warning") == {"documents.outlet_id_present"}


def test_injected_bad_rows_fail_exactly_the_expected_expectations(dq) -> None:
    dirty = dq["dirty"]
    assert not dirty.success
    assert failed(dirty, "critical") == {
        "documents.text_not_empty", "documents.removed_share_max",
        "documents.no_replacement_char",
    }
    assert failed(dirty, "warning") == {
        "documents.removed_share_typical", "documents.no_boilerplate_residue",
        "documents.published_not_after_fetch", "documents.outlet_id_present",
        "footnotes.url_not_local_path",
    }
    keys = {name: key[0] for name, key in dq["keys"].items()}
    assert failing_docs(dirty, "documents.text_not_empty") == {keys["bad_empty"]}
    assert failing_docs(dirty, "documents.removed_share_max") == {keys["bad_heavy"]}
    assert failing_docs(dirty, "documents.no_replacement_char") == {keys["bad_mojibake"]}
    assert failing_docs(dirty, "documents.published_not_after_fetch") == {keys["bad_future"]}
    residue = result(dirty, "documents.no_boilerplate_residue")
    assert failing_docs(dirty, "documents.no_boilerplate_residue") == {keys["bad_residue"]}
    assert residue["unexpected_count"] == 1 and residue["data_path"] == "metrics"
    local = result(dirty, "footnotes.url_not_local_path")["failing_sample"]
    assert [(f["doc_id"], f["ordinal"]) for f in local] == [
        (make_capture(SEED_IDS[3]).doc_id, 2)]


def test_residue_patterns_from_the_caller_are_used(dq) -> None:
    metrics = wh.dq_metrics(dq["db"], "run-1", quality.all_residue_patterns(
        quality.load_suites(), [r"read more at \S+"]))["document_metrics"].to_pylist()
    (row,) = [m for m in metrics if m["doc_id"] == dq["keys"]["bad_residue"][0]]
    assert row["residue_hits"] == r"follow us on | read more at \S+"


def test_critical_document_failures_are_quarantined_warnings_are_not(dq) -> None:
    keys = dq["keys"]
    expected = sorted([keys["bad_empty"], keys["bad_heavy"], keys["bad_mojibake"]])
    assert dq["dirty"].quarantined == expected
    rows = wh.query(dq["db"], "SELECT doc_id, capture_id, quarantine_reason FROM documents "
                    "WHERE quarantined ORDER BY 1, 2")
    assert [(d, c) for d, c, _ in rows] == expected
    reasons = {(d, c): reason for d, c, reason in rows}
    assert reasons[keys["bad_heavy"]] == "dq: documents.removed_share_max"
    assert reasons[keys["bad_mojibake"]] == "dq: documents.no_replacement_char"
    shown = {d for (d,) in wh.query(dq["db"], "SELECT doc_id FROM v_documents")}
    assert keys["bad_residue"][0] in shown and keys["bad_future"][0] in shown
    assert make_capture(SEED_IDS[3]).doc_id in shown  # local-path footnote: reported only
    assert not {k[0] for k in expected} & shown


def test_results_are_stored_and_data_docs_built(dq) -> None:
    db, dirty = dq["db"], dq["dirty"]
    stored = wh.query(db, "SELECT count(*), count(*) FILTER (WHERE NOT success) "
                      "FROM dq_results WHERE run_id = 'run-1'")
    assert stored == [(len(dirty.results), len([r for r in dirty.results if not r["success"]]))]
    history = dict(wh.query(db, "SELECT suite, failed_critical FROM v_dq_history "
                            "WHERE run_id = 'run-1'"))
    assert history["documents"] == ["documents.no_replacement_char",
                                    "documents.removed_share_max", "documents.text_not_empty"]
    assert dirty.data_docs_path == dq["tmp"] / "site" / "index.html"
    assert dirty.data_docs_path.is_file()
    assert "3 critical failed" in dirty.summary and "3 documents quarantined" in dirty.summary


def test_why_the_dialect_shim_and_the_metrics_path_exist(dq) -> None:
    """Stock duckdb-engine loses every result under GE; GE's regex is not supported on it."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    snapshot = dq["tmp"] / "probe.duckdb"
    wh.dq_snapshot(dq["db"], "run-1", snapshot)
    context = gx.get_context(mode="ephemeral")
    outcomes = {}
    for scheme in ("duckdb", quality._register_duckdb_dialect()):
        source = context.data_sources.add_sql(scheme.replace("+", "_"),
                                              connection_string=f"{scheme}:///{snapshot}")
        batch = source.add_table_asset("documents", table_name="documents") \
            .add_batch_definition_whole_table("all").get_batch()
        suite = gx.ExpectationSuite(name=f"probe_{scheme}")
        for kind, kwargs in (("expect_column_values_to_not_be_null", {"column": "doc_id"}),
                             ("expect_column_values_to_not_match_regex",
                              {"column": "text", "regex": "\ufffd"})):
            suite.add_expectation_configuration(ExpectationConfiguration(type=kind,
                                                                         kwargs=kwargs))
        res = batch.validate(suite)
        outcomes[scheme] = {r.expectation_config.type: quality._error(r) for r in res.results}
        source.get_execution_engine().close()
    stock, shim = outcomes["duckdb"], outcomes[quality._register_duckdb_dialect()]
    assert "list index out of range" in stock["expect_column_values_to_not_be_null"]
    assert shim["expect_column_values_to_not_be_null"] is None
    assert "not supported for dialect duckdb" in shim["expect_column_values_to_not_match_regex"]
