"""Provenance you can audit: the explain trail is complete, and the W3C PROV-JSON exports of a
document and of a run parse back with ``prov`` into the same graph of entities, activities and
agents. Real DuckDB and the real cleaner (no Prefect: test_pipeline_flow covers the flow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import load_captures, sample_captures
from prov.model import ProvActivity, ProvAgent, ProvDocument, ProvEntity

from scrubline import provenance
from scrubline import warehouse as wh
from scrubline.cli import format_explanation, main


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("prov") / "w.duckdb"
    load_captures(path, sample_captures(), "3f1b3c3e-0000-4000-8000-000000000001")
    return path


def ids(doc: ProvDocument, kind: type) -> set[str]:
    return {str(r.identifier) for r in doc.get_records(kind)}


def relations(doc: ProvDocument, name: str) -> set[tuple[str, ...]]:
    found = set()
    for record in doc.get_records():
        if record.is_relation() and record.get_type().localpart == name:
            found.add(tuple(str(v) for _, v in record.formal_attributes if v is not None)[:2])
    return found


def test_explain_shows_decode_plan_run_and_footnotes(db: Path) -> None:
    info = wh.explanation(db, "mojibake")
    text = format_explanation(info)
    assert "decode     utf-8 by utf-8" in text
    assert "normalize  ftfy plan " in text and "(replayable)" in text
    assert "started " in text and "finished " in text
    assert 'parameters {"test": true}' in text and 'counts {"documents": 9}' in text
    assert "change     run 3f1b3c3e-0000-4000-8000-000000000001: new" in text
    html = format_explanation(wh.explanation(db, "example.com/news"))
    assert "extract    trafilatura-" in html and "fetch      HTTP 200" in html
    assert 'headers    {"content-type": "text/html; charset=utf-8"}' in html
    seed = format_explanation(wh.explanation(db, "003_b8ff"))
    assert "footnotes  15" in seed and "[ii]" in seed and "[local_file_path]" in seed


def test_explain_json_carries_the_same_trail(db: Path, capsys) -> None:
    assert main(["explain", "cp1252", "--db", str(db), "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert json.loads(info["document"]["decode"])["encoding"] == "cp1252"
    assert info["run"]["git_commit"] == "abc123" and info["run"]["finished_at"]
    assert info["capture"]["raw_path"].endswith(".gz") and info["versions"][0]["is_latest"]


def test_document_prov_json_round_trips_with_entities_activities_agents(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "doc.prov.json"
    assert main(["export-prov", "003_b8ff", "--db", str(db), "--output", str(out)]) == 0
    parsed = ProvDocument.deserialize(content=out.read_text(), format="json")
    info = wh.explanation(db, "003_b8ff")
    assert parsed == provenance.document_provenance(info)
    d = info["document"]
    key = f"{d['doc_id']}/{d['capture_id']}"
    entities = ids(parsed, ProvEntity)
    assert {f"capture:{d['capture_id']}", f"text:{key}", f"version:{key}", f"document:{d['doc_id']}",
            f"source:{d['doc_id']}"} <= entities
    assert sum(e.startswith("span:") for e in entities) == len(info["removed"]) > 0
    assert sum(e.startswith("citation:") for e in entities) == 15
    assert any(e.startswith("rule:lexicon_related/v") for e in entities)
    assert ids(parsed, ProvActivity) == {"run:3f1b3c3e-0000-4000-8000-000000000001"}
    assert ids(parsed, ProvAgent) == {"agent:scrubline/0.1.0", "outlet:rcsp"}
    assert (f"version:{key}", "outlet:rcsp") in relations(parsed, "Attribution")
    assert (f"text:{key}", f"capture:{d['capture_id']}") in relations(parsed, "Derivation")
    assert (f"capture:{d['capture_id']}", f"source:{d['doc_id']}") in relations(parsed, "Specialization")
    raw = json.loads(out.read_text())
    derivation = next(v for v in raw["wasDerivedFrom"].values() if v["prov:generatedEntity"] == f"text:{key}")
    assert json.loads(derivation["sl:decode"])["encoding"] == "utf-8"


def test_run_prov_json_lists_what_the_run_read_and_made(db: Path, capsys) -> None:
    run_id = "3f1b3c3e-0000-4000-8000-000000000001"
    assert main(["export-prov", "--run", run_id, "--db", str(db)]) == 0
    parsed = ProvDocument.deserialize(content=capsys.readouterr().out, format="json")
    assert parsed == provenance.run_provenance(wh.run_trail(db, run_id))
    entities = ids(parsed, ProvEntity)
    assert sum(e.startswith("version:") for e in entities) == 9
    assert sum(e.startswith("capture:") for e in entities) == 9
    assert len(relations(parsed, "Usage")) == 9 and len(relations(parsed, "Generation")) == 9
    (run,) = parsed.get_records(ProvActivity)
    assert run.get_startTime() is not None and run.get_endTime() is not None
    assert main(["export-prov", "--run", "nope", "--db", str(db)]) == 1
