"""Build a real warehouse without Prefect: clean -> raw store -> stage -> load, as the flow does.

Shared by the provenance, verify and lineage tests, which need stored documents but not the
orchestrator (the flow itself is tested in test_pipeline_flow.py and test_idempotency_kill.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scrubline import rawstore, staging, warehouse
from scrubline.clean import CleanContext, process_batch, provisional_outlets
from scrubline.records import Capture

ROOT = Path(__file__).resolve().parents[1]
FETCHED = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def sample_captures() -> list[Capture]:
    """Seeds, an HTML page, mojibake (ftfy plan), cp1252 and UTF-16 bytes."""
    captures = [
        Capture(f"local:seeds/{p.name}", p.read_bytes(), FETCHED, "text/plain", source_id=p.stem,
                language_hint="en")
        for p in sorted((ROOT / "seeds").glob("0*.txt"))
    ]
    html = (ROOT / "tests" / "data" / "article_en.html").read_bytes()
    footer = "\n\nAll rights reserved.\nFollow us on Twitter\n"
    captures += [
        Capture("https://example.com/news/article", html, FETCHED, "text/html; charset=utf-8",
                http_status=200, http_headers={"content-type": "text/html; charset=utf-8"}),
        Capture("local:extra/mojibake.txt",
                ("The cafÃ© opened its doors on Monday morning to a long queue of visitors.\n\n"
                 "Residents said the new place was “welcome”." + footer).encode("utf-8"),
                FETCHED, "text/plain"),
        Capture("local:extra/cp1252.txt",
                ("Café owners in Zürich say prices rose “sharply” this year, a survey found.\n\n"
                 "The survey covered 300 businesses across the canton." + footer).encode("cp1252"),
                FETCHED, "text/plain"),
        Capture("local:extra/utf16.txt",
                ("Grüße aus Berlin: the city council met on Tuesday to discuss the budget.\n\n"
                 "Members debated for six hours." + footer).encode("utf-16"),
                FETCHED, "text/plain"),
    ]
    return captures


def load_captures(db: Path, captures: list[Capture], run_id: str, ctx: CleanContext | None = None) -> dict:
    """One run of the pure path into ``db``: start, clean, raw store, stage, load, finish."""
    ctx = ctx or CleanContext.default()
    raw = db.parent / "raw"
    warehouse.start_run(db, run_id, flow_name="test", parameters={"test": True},
                        ruleset_version=ctx.ruleset_version, pipeline_version="1",
                        scrubline_version="0.1.0", git_commit="abc123")
    results, rejects = process_batch(captures, ctx)
    for capture in captures:
        rawstore.put(raw, capture)
    raw_paths = {c.capture_id: str(rawstore.path_for(raw, c.capture_id)) for c in captures}
    batch = staging.write_batch(db.parent / "staging" / run_id, results, captures, rejects,
                                list(ctx.outlets.outlets.values()) + provisional_outlets(results), run_id,
                                raw_paths=raw_paths)
    counts = warehouse.load_batch(db, run_id, batch)
    warehouse.finish_run(db, run_id, status="completed", counts={"documents": len(results)})
    return counts
