"""DuckDB-side DQ metrics without Great Expectations: the one-pass residue scan, run counts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import make_capture, make_result

from scrubline import quality, staging
from scrubline import warehouse as wh
from scrubline.boilerplate.residue import residue_patterns

TEXTS = {
    "clean": "The council met on Tuesday.\nSubscribers to the plan objected.\n",
    "footer": "The council met.\nSubscribe to our newsletter\n© 2025 All rights reserved\n",
    "anchored": "The council met.\n  • you may also like\nOthers said you may also like it.\n",
    "extra": "The council met. Read more at example.org/x. Read more at example.com\n",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> tuple[Path, dict[str, tuple[str, str]]]:
    """One run of four documents; returns the db and doc_id -> (name, clean text)."""
    tmp = tmp_path_factory.mktemp("metrics")
    db = tmp / "w.duckdb"
    captures = [make_capture(name, raw=text.encode(), source_id=name)
                for name, text in TEXTS.items()]
    results = [make_result(c) for c in captures]
    wh.start_run(db, "run", flow_name="test", parameters={}, ruleset_version="t",
                 pipeline_version="1", scrubline_version="0", git_commit=None)
    wh.load_batch(db, "run", staging.write_batch(tmp / "s", results, captures, [], [], "run"))
    return db, {r.document.doc_id: (name, r.document.text)
                for r, name in zip(results, TEXTS, strict=True)}


def test_one_pass_residue_scan_agrees_with_pattern_by_pattern(db) -> None:
    path, names = db
    patterns = quality.all_residue_patterns(quality.load_suites(),
                                            [*residue_patterns(), r"read more at \S+"])
    rows = {names[r["doc_id"]][0]: r
            for r in quality.dq_metrics(path, "run", patterns)["document_metrics"].to_pylist()}
    con = duckdb.connect()
    for name, text in names.values():  # the reference: each pattern on its own
        expected = [p for p in patterns
                    if con.execute("SELECT regexp_matches(?, ?, 'i')", [text, p]).fetchone()[0]]
        assert rows[name]["residue_hits"].split(" | ") == expected or (
            not expected and rows[name]["residue_hits"] == "")
        assert (rows[name]["residue_count"] > 0) == bool(expected), name
    assert rows["clean"]["residue_count"] == 0  # "Subscribers" is not "subscribe to our ..."
    assert rows["extra"]["residue_count"] == 2  # two matches of one pattern
    assert rows["anchored"]["residue_hits"] == "(?m)^[\\s>*•-]*you may also like"  # not mid-line
    no_patterns = quality.dq_metrics(path, "run", [])["document_metrics"].to_pylist()
    assert {r["residue_count"] for r in no_patterns} == {0}


def test_suite_meta_references_must_exist(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text(
        '{"name": "x", "meta": {"index_columns": ["a"]}, "expectations": [{"type": '
        '"expect_column_values_to_be_in_set", "kwargs": {"column": "a", "value_set": '
        '"$meta.nope"}, "meta": {"name": "x.a", "severity": "warning", "path": "sql", '
        '"rationale": "r"}}]}')
    with pytest.raises(ValueError, match="no 'nope'"):
        quality.load_suites(tmp_path)


def test_run_counts_match_the_staged_batches_until_a_row_goes_missing(db) -> None:
    """Runs last in this module: it deletes a row of the shared warehouse."""
    path, _ = db

    def counts() -> dict[str, tuple[int, int, int, int]]:
        return {r["table_name"]: (r["batches"], r["staged"], r["loaded"], r["count_gap"])
                for r in quality.dq_run_counts(path, "run").to_pylist()}

    assert counts() == {"documents": (1, 4, 4, 0), "links": (1, 4, 4, 0),
                        "removed_spans": (1, 1, 1, 0), "footnotes": (1, 0, 0, 0)}
    con = wh.connect(path)
    con.execute("DELETE FROM removed_spans")
    con.close()
    assert counts()["removed_spans"] == (1, 1, 0, -1)
    assert [r["count_gap"] for r in quality.dq_run_counts(path, "no-such-run").to_pylist()] == [0] * 4
