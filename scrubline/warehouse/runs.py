"""Run records: start, finish, abandoned runs, environment, and what a run wrote/changed."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scrubline import staging

from .db import count, create_views, dicts, session, sql


def start_run(
    db_path: str | Path,
    run_id: str,
    *,
    flow_name: str,
    parameters: dict,
    ruleset_version: str,
    pipeline_version: str,
    scrubline_version: str,
    git_commit: str | None,
) -> None:
    """Record a run as ``running`` (a restarted run id is reset to running) and refresh views."""
    with session(db_path) as con:
        con.execute(
            sql("runs/start"),
            [
                run_id,
                flow_name,
                scrubline_version,
                git_commit,
                ruleset_version,
                pipeline_version,
                staging.to_json(parameters),
            ],
        )
        create_views(con)


def finish_run(db_path: str | Path, run_id: str, *, status: str, counts: dict) -> None:
    """Close a run with its final status (completed | failed) and counts."""
    with session(db_path) as con:
        updated = con.execute(sql("runs/finish"), [status, staging.to_json(counts), run_id]).fetchall()
    if not updated:
        raise KeyError(f"unknown run {run_id!r}; call start_run first")


def mark_abandoned_runs(db_path: str | Path, current_run_id: str) -> list[str]:
    """Runs still marked ``running`` (killed before finish_run) become ``abandoned``.

    Call only while holding the warehouse write lock: no other run can then be running.
    """
    with session(db_path) as con:
        rows = con.execute(sql("runs/mark_abandoned"), [current_run_id]).fetchall()
    return sorted(r[0] for r in rows)


def set_run_environment(db_path: str | Path, run_id: str, environment: Mapping[str, Any]) -> None:
    """Record the library versions that shaped a run's output (extractor, ftfy, ...)."""
    with session(db_path) as con:
        con.execute(
            "UPDATE runs SET environment = ? WHERE run_id = ?", [staging.to_json(dict(environment)), run_id]
        )


def run_summary(db_path: str | Path, run_id: str) -> dict[str, Any]:
    """What one run wrote: documents, rejects, footnotes and removed spans by rule."""
    with session(db_path, read_only=True) as con:
        by_rule = con.execute(sql("runs/removed_by_rule"), [run_id]).fetchall()
        return {
            "documents": count(con, "SELECT count(*) FROM documents WHERE run_id = ?", [run_id]),
            "rejects": count(con, "SELECT count(*) FROM rejects WHERE run_id = ?", [run_id]),
            "footnotes": count(
                con,
                "SELECT count(*) FROM footnotes f JOIN documents d USING (doc_id, capture_id) "
                "WHERE d.run_id = ?",
                [run_id],
            ),
            "removed_by_rule": dict(by_rule),
        }


def run_changes(db_path: str | Path, run_id: str) -> dict[str, Any]:
    """What one run changed: documents by change (new | changed | recleaned) and, for recleaned
    documents, removed spans before/after per rule id and version; rejected inputs."""
    with session(db_path, read_only=True) as con:
        docs = dicts(con, sql("runs/changed_documents"), [run_id])
        spans = dicts(con, sql("runs/span_changes"), [run_id])
        by_rule = dicts(con, sql("runs/span_changes_by_rule"), [run_id])
        rejects = dicts(con, sql("runs/rejects"), [run_id])
    for doc in docs:
        doc["span_changes"] = [
            s for s in spans if (s["doc_id"], s["capture_id"]) == (doc["doc_id"], doc["capture_id"])
        ]
    return {"documents": docs, "by_rule": by_rule, "rejects": rejects}
