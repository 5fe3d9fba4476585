"""Data quality with real Great Expectations on real DuckDB files.

GE is slow to import, so one module-scoped fixture runs ``validate`` twice (a clean run and a
run with injected bad rows) and the tests read its outcomes and the warehouse. Outlet drift
uses the same two runs: run 0 is the history of four synthetic outlets, run 1 their new
documents (one stable, one whose share removed jumps, one with too little history, one whose
citations vanish).
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
from scrubline.records import Attribution, CleanResult, Evidence, Footnote, Outlet, RemovedSpan

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


def _with(pair: tuple[CleanResult, object], **changes) -> tuple[CleanResult, object]:
    return dataclasses.replace(pair[0], **changes), pair[1]


def bad_rows():
    """Injected bad documents, by name."""
    notes = (
        Footnote("[3]", 1, (4,), None, None, None, None, None, ("missing_note",)),
        Footnote("[1]", 2, (0,), "http://exa mple", "http://exa mple", None, None, None,
                 ("malformed_url",)),
        Footnote("[2]", 3, (2,), "https://intranet/x", "https://intranet/x",
                 "https://intranet/x", "intranet", None),  # canonical but not a dotted host
    )
    return {
        "bad_residue": _bad("bad_residue", b"A paragraph about Baku.\nFollow us on Twitter. "
                            b"Read more at example.org\n"),
        "bad_mojibake": _bad("bad_mojibake", "The minister said \ufffd\ufffd it.\n".encode()),
        "bad_empty": _bad("bad_empty", b""),
        "bad_heavy": _heavy_removal(),
        "bad_future": _bad("bad_future", b"An article dated in the future.\n",
                           published_at="2030-01-01"),
        "bad_badness": _with(_bad("bad_badness", "The CafÃ© reopened on Monday.\n".encode()),
                             stats={"mojibake": True}),
        "bad_language": _bad("bad_language", b"An article the guesser called Chinese.\n",
                             language="zh"),
        "bad_no_language": _bad("bad_no_language", b"An article of no language.\n",
                                language=None),
        "bad_notes": _with(_bad("bad_notes", b"[1] [2] [3] notes went wrong.\n"),
                           footnotes=notes),
    }


# ------------------------------------------------------------------- outlets for drift

DRIFT_OUTLETS = [Outlet(o, o.title(), domains=(f"{o}.example",), kind="newspaper")
                 for o in ("steady", "jumpy", "young", "quiet")]
_BODY = ("The regional council met on Tuesday to discuss the budget for the coming year, "
         "and members of the opposition asked for more time to study the proposal. ")
_FOOTER = "All rights reserved. Reproduction of this page requires written permission.\n"
_NOTES = "\n[i] https://reuters.com/world/a\n[ii] https://tass.ru/b\n[iii] https://reuters.com/c\n"


def _outlet_doc(outlet: str, n: int, share: float, notes: bool) -> tuple[CleanResult, object]:
    """A document of ``outlet`` losing about ``share`` of its text to footer lines."""
    body = (_BODY * 12)[: 300 + 7 * n] + (" [i] [ii] [iii]" if notes else "") + "\n"
    body += _NOTES if notes else ""
    footer = _FOOTER * max(1, round(len(body) * share / (1 - share) / len(_FOOTER)))
    name = f"{outlet}_{n:02d}"
    capture = make_capture(name, raw=(body + footer).encode(), source_id=name)
    attribution = Attribution(outlet, 0.9, (Evidence("manifest", outlet),))
    return make_result(capture, outlet=attribution), capture


def drift_history():
    """Run 0: 6 earlier documents of steady, jumpy, quiet (~0.2 removed; quiet cites 3 per
    document) and 2 of young."""
    docs = [_outlet_doc(o, n, 0.2, o == "quiet") for o in ("steady", "jumpy", "quiet")
            for n in range(6)]
    return docs + [_outlet_doc("young", n, 0.2, False) for n in range(2)]


def drift_run():
    """Run 1: 3 documents each; jumpy and young lose ~0.7, quiet keeps ~0.2 but cites none."""
    shares = {"steady": 0.2, "jumpy": 0.7, "young": 0.7, "quiet": 0.2}
    return [_outlet_doc(o, 10 + n, share, False) for o, share in shares.items() for n in range(3)]


def _load(db: Path, tmp: Path, run_id: str, results, captures, rejects, outlets) -> None:
    wh.start_run(db, run_id, flow_name="test", parameters={}, ruleset_version="test-1",
                 pipeline_version="1", scrubline_version="0.1.0", git_commit="abc123")
    batch = staging.write_batch(tmp / "staging" / run_id, results, captures, rejects, outlets,
                                run_id)
    wh.load_batch(db, run_id, batch)


@pytest.fixture(scope="module")
def dq(tmp_path_factory):
    """Run 0: seeds 000-002 and the drift history (clean). Run 1: seeds 003-004, the bad rows
    and the drift run's documents; one link row of run 1 is lost after loading."""
    tmp = tmp_path_factory.mktemp("dq")
    db = tmp / "w.duckdb"
    results, captures, rejects, outlets = seed_batch()
    outlets += DRIFT_OUTLETS
    history = drift_history()
    _load(db, tmp, "run-0", results[:3] + [r for r, _ in history],
          captures[:3] + [c for _, c in history], rejects, outlets)
    bad = bad_rows()
    run = drift_run()
    _load(db, tmp, "run-1", results[3:] + [r for r, _ in [*bad.values(), *run]],
          captures[3:] + [c for _, c in [*bad.values(), *run]], [], outlets)
    lost = (make_capture(SEED_IDS[4]).doc_id,)
    con = wh.connect(db)
    con.execute("DELETE FROM links WHERE doc_id = ?", lost)  # a row lost after staging
    con.close()
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
    (documents,) = [s for s in suites if s.name == "documents"]
    (allowed,) = [e for e in documents.expectations
                  if e["meta"]["name"] == "documents.language_allowed"]
    assert allowed["kwargs"]["value_set"] == documents.meta["allowed_languages"]
    rule = quality.drift_rule(suites)  # the thresholds live in the suites only
    assert sorted(rule) == sorted(quality.DRIFT_PARAMETERS)
    assert rule == next(s.meta["drift"] for s in suites if s.name == "outlets")
    # every category a registered rule can emit is a known category
    from scrubline.boilerplate import default_rules
    from scrubline.boilerplate.rules import PROFILES

    (spans,) = [s for s in suites if s.name == "removed_spans"]
    (known,) = [e for e in spans.expectations if e["meta"]["name"] == "removed_spans.category_known"]
    emitted = {c for p in PROFILES for r in default_rules(p) for c in r.categories} | {"template"}
    assert emitted <= set(known["kwargs"]["value_set"])


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
        "documents.no_replacement_char", "runs.row_counts_match_batches",
    }
    assert failed(dirty, "warning") == {
        "documents.removed_share_typical", "documents.no_boilerplate_residue",
        "documents.published_not_after_fetch", "documents.outlet_id_present",
        "documents.text_not_stub", "documents.language_detected", "documents.language_allowed",
        "documents.no_mojibake", "footnotes.url_not_local_path", "footnotes.marker_has_note",
        "footnotes.url_well_formed", "outlets.no_extraction_drift",
    }
    keys = {name: key[0] for name, key in dq["keys"].items()}
    assert failing_docs(dirty, "documents.text_not_empty") == {keys["bad_empty"]}
    assert failing_docs(dirty, "documents.removed_share_max") == {keys["bad_heavy"]}
    assert failing_docs(dirty, "documents.no_replacement_char") == {keys["bad_mojibake"]}
    assert failing_docs(dirty, "documents.published_not_after_fetch") == {keys["bad_future"]}
    assert failing_docs(dirty, "documents.no_mojibake") == {keys["bad_badness"]}
    assert failing_docs(dirty, "documents.language_allowed") == {keys["bad_language"]}
    assert failing_docs(dirty, "documents.language_detected") == {keys["bad_no_language"]}
    assert failing_docs(dirty, "documents.text_not_stub") == set(keys.values())  # all short
    notes = {name: [(f["doc_id"], f["ordinal"]) for f in result(dirty, name)["failing_sample"]]
             for name in ("footnotes.marker_has_note", "footnotes.url_well_formed")}
    assert notes == {"footnotes.marker_has_note": [(keys["bad_notes"], 1)],
                     "footnotes.url_well_formed": [(keys["bad_notes"], 2),
                                                   (keys["bad_notes"], 3)]}
    counts = result(dirty, "runs.row_counts_match_batches")
    n_docs = 2 + len(bad_rows()) + len(drift_run())  # one link each, one lost
    assert counts["data_path"] == "metrics" and counts["failing_sample"] == [
        {"table_name": "links", "staged": n_docs, "loaded": n_docs - 1, "count_gap": -1}]
    residue = result(dirty, "documents.no_boilerplate_residue")
    assert failing_docs(dirty, "documents.no_boilerplate_residue") == {keys["bad_residue"]}
    assert residue["unexpected_count"] == 1 and residue["data_path"] == "metrics"
    local = result(dirty, "footnotes.url_not_local_path")["failing_sample"]
    assert [(f["doc_id"], f["ordinal"]) for f in local] == [
        (make_capture(SEED_IDS[3]).doc_id, 2)]


def test_residue_patterns_from_the_caller_are_used(dq) -> None:
    metrics = quality.dq_metrics(dq["db"], "run-1", quality.all_residue_patterns(
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
    assert "4 critical failed" in dirty.summary and "3 documents quarantined" in dirty.summary


# ------------------------------------------------------------------------ outlet drift


def test_outlet_drift_flags_the_jump_and_the_lost_citations_only(dq) -> None:
    rows = {r["outlet_id"]: r for r in quality.dq_outlet_drift(dq["db"], "run-1").to_pylist()
            if r["outlet_id"] in {o.outlet_id for o in DRIFT_OUTLETS}}
    assert {o: (r["history_docs"], r["run_docs"], r["eligible"]) for o, r in rows.items()} == {
        "steady": (6, 3, True), "jumpy": (6, 3, True), "young": (2, 3, False),
        "quiet": (6, 3, True)}
    assert {o: (r["share_drifted"], r["citations_drifted"]) for o, r in rows.items()} == {
        "steady": (False, False), "jumpy": (True, False), "young": (False, False),
        "quiet": (False, True)}
    jumpy = rows["jumpy"]
    assert 0.15 <= jumpy["history_share_median"] <= 0.25
    assert 0.65 <= jumpy["run_share_median"] <= 0.75 and jumpy["share_threshold"] == 0.15
    assert jumpy["reason"].startswith("share removed: median 0.7")
    assert rows["quiet"]["history_citations_mean"] == 3 and rows["quiet"]["run_citations_mean"] == 0
    # too little history is the only thing keeping young quiet
    loose = quality.dq_outlet_drift(dq["db"], "run-1", {"min_history_docs": 2}).to_pylist()
    assert {r["outlet_id"] for r in loose if r["drifted"]} == {"jumpy", "young", "quiet"}
    # the first run of an outlet has no history at all
    assert not any(r["drifted"] or r["eligible"]
                   for r in quality.dq_outlet_drift(dq["db"], "run-0").to_pylist())


def test_outlet_drift_is_a_stored_warning_naming_the_outlets(dq) -> None:
    row = result(dq["dirty"], "outlets.no_extraction_drift")
    assert row["severity"] == "warning" and row["data_path"] == "metrics"
    assert [(f["outlet_id"], f["reason"].split(":")[0]) for f in row["failing_sample"]] == [
        ("jumpy", "share removed"), ("quiet", "citations/doc")]
    ((sample,),) = wh.query(dq["db"], "SELECT failing_sample FROM dq_results WHERE run_id = "
                            "'run-1' AND expectation_name = 'outlets.no_extraction_drift'")
    assert '"outlet_id": "jumpy"' in sample
    drifting_docs = {d for (d,) in wh.query(dq["db"], "SELECT doc_id FROM documents "
                                            "WHERE outlet_id IN ('jumpy', 'quiet')")}
    assert not drifting_docs & {k[0] for k in dq["dirty"].quarantined}


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
                              {"column": "title", "regex": "\ufffd"})):
            suite.add_expectation_configuration(ExpectationConfiguration(type=kind,
                                                                         kwargs=kwargs))
        res = batch.validate(suite)
        outcomes[scheme] = {r.expectation_config.type: quality._error(r) for r in res.results}
        source.get_execution_engine().close()
    stock, shim = outcomes["duckdb"], outcomes[quality._register_duckdb_dialect()]
    assert "list index out of range" in stock["expect_column_values_to_not_be_null"]
    assert shim["expect_column_values_to_not_be_null"] is None
    assert "not supported for dialect duckdb" in shim["expect_column_values_to_not_match_regex"]


# ------------------------------------------------------------- per-document quarantine


def _row(name: str, severity: str, success: bool, keys: list[tuple[str, str]] = ()) -> dict:
    return {"expectation_name": name, "severity": severity, "success": success,
            "_quarantine": bool(keys), "_failing_keys": list(keys)}  # fmt: skip


def test_a_few_quarantined_documents_do_not_fail_the_run() -> None:
    from scrubline.quality.validation import _outcome

    bad = [("d1", "c1")]
    rows = [_row("documents.no_replacement_char", "critical", False, bad), _row("runs.ok", "critical", True)]
    outcome = _outcome(rows, bad, None, documents=40, limit=0.05)
    assert outcome.success and outcome.quarantined == bad
    assert "1 documents quarantined (2.5% of 40, limit 5%)" in outcome.summary
    too_many = _outcome(rows, bad, None, documents=10, limit=0.05)
    assert not too_many.success and "quarantined share 10.0% above 5%" in too_many.summary
    table = _outcome([*rows, _row("runs.row_counts_match_batches", "critical", False)], bad, None, 40, 0.05)
    assert not table.success


def test_the_quarantine_limit_lives_in_the_suites() -> None:
    from scrubline.quality.validation import max_quarantined_share

    assert max_quarantined_share(quality.load_suites()) == 0.05


def test_data_docs_load_nothing_from_the_network(dq) -> None:
    from scrubline.quality.offline_docs import remote_references

    site = dq["dirty"].data_docs_path.parent
    pages = list(site.rglob("*.html"))
    assert len(pages) > 3
    assert {str(p.relative_to(site)): remote_references(p.read_text()) for p in pages
            if remote_references(p.read_text())} == {}  # fmt: skip
    index = dq["dirty"].data_docs_path.read_text()
    assert 'src="static/offline/jquery.min.js"' in index
    assert (site / "static" / "offline" / "webfonts" / "fa-solid-900.woff2").is_file()


def test_a_project_overrides_suites_by_name_and_meta_by_key(tmp_path) -> None:
    import json

    packaged = {s.name: s for s in quality.load_suites()}
    mine = json.loads(json.dumps({"name": "runs", "meta": {"index_columns": ["run_id"]}, "expectations": []}))
    (tmp_path / "runs.json").write_text(json.dumps(mine))
    suites = {s.name: s for s in quality.load_suites(overrides=tmp_path, meta={"allowed_languages": ["de"]})}
    assert set(suites) == set(packaged) and suites["runs"].expectations == ()
    (allowed,) = [e for e in suites["documents"].expectations
                  if e["meta"]["name"] == "documents.language_allowed"]  # fmt: skip
    assert allowed["kwargs"]["value_set"] == ["de"]
    assert "allowed_languages" not in suites["runs"].meta  # only keys a suite has are replaced


# ------------------------------------------------------------------------- in a child process


def test_validation_in_its_own_process_gives_the_same_outcome(dq, tmp_path) -> None:
    """The flow validates in a child process (GE's memory leaves with it): same summary as
    validating in this process, on two copies of the same warehouse."""
    import shutil

    from scrubline.boilerplate.residue import residue_patterns
    from scrubline.quality.isolated import summarize, validate_in_child

    here, child = tmp_path / "here.duckdb", tmp_path / "child.duckdb"
    shutil.copy(dq["db"], here)
    shutil.copy(dq["db"], child)
    expected = summarize(quality.validate(here, "run-1", docs_dir=tmp_path / "site-here",
                                          residue_patterns=residue_patterns()))  # fmt: skip
    got = validate_in_child(child, "run-1", tmp_path / "site-child")
    assert not got["success"] and got["quarantined"] > 0  # the bad rows are there
    assert (got["success"], got["summary"], got["quarantined"]) == (
        expected["success"], expected["summary"], expected["quarantined"])  # fmt: skip
    names = sorted(r["expectation_name"] for r in got["failed"])
    assert names == sorted(r["expectation_name"] for r in expected["failed"])
    con = wh.connect(child)
    assert con.execute("SELECT count(*) FROM dq_results WHERE run_id = 'run-1'").fetchone()[0] > 0
    con.close()
    assert Path(got["data_docs"]).is_file()


def test_a_validation_process_that_fails_raises_with_its_error(tmp_path) -> None:
    from scrubline.quality.isolated import ValidationProcessError, validate_in_child

    expected = r"(?s)run run-x failed in its process \(exit 1\).*Is a directory"
    with pytest.raises(ValidationProcessError, match=expected):
        validate_in_child(tmp_path, "run-x", tmp_path / "site")  # a folder is no database
