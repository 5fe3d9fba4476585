"""OpenLineage run events: built with the openlineage-python client, written by its file
transport, validated against the spec's RunEvent schema (tests/data, transcribed from the spec).

The flow-level check (START + COMPLETE of a real Prefect run, run id = flow run id) lives in
test_pipeline_flow.py, which already starts Prefect.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from scrubline import lineage

SCHEMA = json.loads((Path(__file__).parent / "data" / "openlineage-runevent-2-0-2.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def validate_events(folder: Path) -> list[dict]:
    """Every event file in ``folder``, schema-checked, oldest first."""
    events = []
    for path in sorted(folder.glob("scrubline-*.json")):
        event = json.loads(path.read_text())
        errors = sorted(VALIDATOR.iter_errors(event), key=str)
        assert not errors, f"{path.name}: {errors[0].message} at {list(errors[0].absolute_path)}"
        events.append(event)
    return events


def test_start_and_fail_events_are_valid_run_events(tmp_path: Path) -> None:
    run_id = str(uuid.uuid4())
    started = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    inputs = [lineage.input_dataset(str(tmp_path)), lineage.input_dataset("https://example.com/feed.xml")]
    outputs = lineage.output_datasets(tmp_path / "w.duckdb", tmp_path / "published" / "w.duckdb",
                                      {"documents": 7, "removed_spans": 12})
    for state, error in (("START", None), ("FAIL", "RuntimeError: boom")):
        lineage.emit(lineage.run_event(state, run_id, inputs=inputs, outputs=outputs, started_at=started,
                                       tags={"parameters": {"paths": ["seeds"]}}, error=error,
                                       scrubline_version="0.1.0"), tmp_path / "lineage")
    start, fail = validate_events(tmp_path / "lineage")
    assert (start["eventType"], fail["eventType"]) == ("START", "FAIL")
    assert start["run"]["runId"] == fail["run"]["runId"] == run_id
    assert start["job"] == fail["job"] and start["job"]["name"] == "scrubline-pipeline"
    assert start["job"]["namespace"] == "scrubline"
    assert fail["run"]["facets"]["errorMessage"]["message"] == "RuntimeError: boom"
    assert {(d["namespace"], d["name"]) for d in start["inputs"]} == {
        ("file", str(tmp_path.resolve())), ("https://example.com", "/feed.xml")}
    tables = {d["name"]: d for d in start["outputs"] if d["namespace"].startswith("duckdb://")}
    assert {"main.documents", "main.removed_spans", "main.captures", "main.runs"} <= set(tables)
    assert tables["main.documents"]["outputFacets"]["outputStatistics"]["rowCount"] == 7
    tags = {t["key"]: t["value"] for t in start["run"]["facets"]["tags"]["tags"]}
    assert json.loads(tags["parameters"]) == {"paths": ["seeds"]}
    assert start["run"]["facets"]["nominalTime"]["nominalStartTime"] == "2026-01-02T03:04:05.000Z"


def test_the_schema_catches_a_broken_event(tmp_path: Path) -> None:
    run_id = str(uuid.uuid4())
    lineage.emit(lineage.run_event("START", run_id, inputs=[], outputs=[], started_at=datetime.now(UTC)),
                 tmp_path)
    (path,) = tmp_path.glob("scrubline-*.json")
    event = json.loads(path.read_text())
    assert validate_events(tmp_path)[0]["run"]["runId"] == run_id
    for broken in ({**event, "run": {"runId": "run-1"}}, {**event, "job": {"name": "x"}},
                   {**event, "eventType": "DONE"}):
        path.write_text(json.dumps(broken))
        with pytest.raises(AssertionError):
            validate_events(tmp_path)


def test_namespace_and_folder_follow_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPENLINEAGE_NAMESPACE", "newsroom")
    monkeypatch.setenv("SCRUBLINE_LINEAGE_DIR", str(tmp_path / "ol"))
    assert lineage.namespace() == "newsroom"
    assert lineage.default_lineage_dir("/x/w.duckdb") == tmp_path / "ol"
    monkeypatch.delenv("SCRUBLINE_LINEAGE_DIR")
    assert lineage.default_lineage_dir("/x/w.duckdb") == Path("/x/lineage")
