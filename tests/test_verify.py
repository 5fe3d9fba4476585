"""Reversibility end to end (invariant 1): every stored document rebuilds from its raw bytes.

Real DuckDB, real raw store, the real cleaner; the property test feeds generated documents
(mojibake, legacy charsets, BOMs, boilerplate lines) through the same path and verifies each.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from helpers import FETCHED, load_captures, sample_captures
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrubline import verify
from scrubline import warehouse as wh
from scrubline.cli import main
from scrubline.records import Capture


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("verify") / "w.duckdb"
    load_captures(path, sample_captures(), "run-1")
    return path


def verdicts(db: Path, refs=None) -> list[verify.Verdict]:
    return verify.verify_rows(wh.verification_rows(db, refs), db.parent / "raw")


def test_every_stored_document_rebuilds_from_its_raw_bytes(db: Path) -> None:
    found = verdicts(db)
    assert len(found) == 9
    assert {v.status for v in found} == {verify.VERIFIED}, [v for v in found if v.status != "verified"]
    plans = dict(wh.query(db, "SELECT source_uri, normalize_plan FROM documents"))
    assert plans["local:extra/mojibake.txt"]  # a real ftfy plan was replayed
    decoded = dict(wh.query(db, "SELECT source_uri, decode->>'encoding' FROM documents"))
    assert decoded["local:extra/cp1252.txt"] == "cp1252"
    assert decoded["local:extra/utf16.txt"].startswith("utf-16")
    html = wh.query(db, "SELECT stats->>'extractor' FROM documents WHERE source_uri LIKE 'https:%'")
    assert html[0][0].startswith("trafilatura-")


def test_a_changed_clean_text_fails_at_the_spans_stage(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "w.duckdb"
    copy.write_bytes(db.read_bytes())
    (tmp_path / "raw").symlink_to(db.parent / "raw")
    con = wh.connect(copy)
    con.execute("UPDATE documents SET text = text || 'x' WHERE source_uri LIKE '%003_%'")
    con.execute("UPDATE documents SET normalize_plan = [] WHERE source_uri LIKE '%mojibake%'")
    con.close()
    bad = {v.source_uri: v for v in verdicts(copy) if v.status == verify.FAILED}
    assert bad["local:seeds/003_b8ff09be8abf3fd2.txt"].stage == "spans"
    assert bad["local:extra/mojibake.txt"].stage == "normalize"
    assert "first difference at offset" in bad["local:extra/mojibake.txt"].detail


def test_missing_or_corrupted_raw_bytes_fail_at_the_raw_stage(db: Path, tmp_path: Path) -> None:
    rows = list(wh.verification_rows(db, ["cp1252"]))
    assert len(rows) == 1
    row = {**rows[0], "raw_path": str(tmp_path / "nowhere.gz")}
    (found,) = verify.verify_rows([row], tmp_path)
    assert (found.status, found.stage) == (verify.FAILED, "raw")


def test_a_changed_extractor_cannot_verify_instead_of_failing(db: Path) -> None:
    rows = list(wh.verification_rows(db, ["example.com"]))
    (found,) = verify.verify_rows(rows, db.parent / "raw", current_extractor=lambda: "trafilatura-9.9")
    assert found.status == verify.CANNOT_VERIFY and "extractor changed" in found.detail
    unrecorded = {**rows[0], "stats": json.dumps({})}
    (found,) = verify.verify_rows([unrecorded], db.parent / "raw")
    assert found.status == verify.CANNOT_VERIFY and "not recorded" in found.detail


def test_verify_command_reports_and_exits_by_outcome(db: Path, capsys) -> None:
    assert main(["verify", "--db", str(db)]) == 0
    assert "9 verified, 0 failed, 0 cannot verify" in capsys.readouterr().out
    assert main(["verify", "--db", str(db), "--format", "json", "mojibake"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"] == {"verified": 1, "failed": 0, "cannot_verify": 0}


# ------------------------------------------------------------------------- property test

_WORDS = st.sampled_from(["the", "council", "café", "Zürich", "“quoted”", "naïve", "résumé", "budget",
                          "Москва", "said", "on", "Tuesday", "ß", "—", "€5", "prices"])
_LINE = st.lists(_WORDS, min_size=3, max_size=14).map(" ".join)
_BOILERPLATE = st.sampled_from(["All rights reserved.", "Follow us on Twitter", "Subscribe to our newsletter",
                                "You may also like", "Read more"])


@st.composite
def raw_documents(draw) -> tuple[bytes, str]:
    body = draw(st.lists(_LINE, min_size=2, max_size=6))
    tail = draw(st.lists(_BOILERPLATE, max_size=3))
    text = "\n\n".join(body) + ("\n\n" + "\n".join(tail) if tail else "") + "\n"
    damage = draw(st.sampled_from(["none", "mojibake", "crlf"]))
    if damage == "mojibake":
        text = text.encode("utf-8").decode("cp1252", errors="replace")
    elif damage == "crlf":
        text = text.replace("\n", "\r\n")
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return text.encode(encoding, errors="replace"), encoding


@pytest.fixture(scope="module")
def property_db(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("prop") / "w.duckdb"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(raw_documents(), min_size=1, max_size=4))
def test_property_any_cleaned_document_rebuilds_from_raw(property_db: Path, docs) -> None:
    """One warehouse for all examples: each adds documents, and every stored one must verify."""
    run_id = uuid.uuid4().hex
    captures = [Capture(f"local:gen/{uuid.uuid4().hex}.txt", raw, FETCHED, "text/plain") for raw, _ in docs]
    load_captures(property_db, captures, run_id)
    stored = wh.query(property_db, "SELECT count(*) FROM documents WHERE run_id = ?", [run_id])[0][0]
    rejected = wh.query(property_db, "SELECT count(*) FROM rejects WHERE run_id = ?", [run_id])[0][0]
    assert stored + rejected == len(captures)
    found = verdicts(property_db, [c.doc_id for c in captures])
    assert len(found) == stored
    assert [v for v in found if v.status != verify.VERIFIED] == []
