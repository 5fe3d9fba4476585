"""Test helpers shared by several test modules (importable: pytest puts tests/ on sys.path)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from scrubline import rawstore, staging, warehouse
from scrubline.batch import stage_batch
from scrubline.clean import CleanContext
from scrubline.ingest import read_inputs
from scrubline.records import Capture

ROOT = Path(__file__).resolve().parents[1]
FETCHED = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def run_without_prefect(db: Path, tmp: Path, run_id: str, inputs: list[Path], ctx: CleanContext) -> None:
    """One pipeline run through the library alone: ingest, clean and stage (the library's one
    batch path), load, finish."""
    warehouse.start_run(db, run_id, flow_name="test", parameters={"paths": [str(p) for p in inputs]},
                        ruleset_version=ctx.ruleset_version, pipeline_version="1",
                        scrubline_version="0.1.0", git_commit="abc123def456")  # fmt: skip
    captures, rejects = read_inputs(inputs)
    batch = stage_batch(captures, rejects, run_id=run_id, batch_dir=tmp / "staging" / run_id, ctx=ctx)
    warehouse.load_batch(db, run_id, batch)
    staged = staging.read_manifest(batch)["counts"]
    warehouse.finish_run(db, run_id, status="completed",
                         counts={"inputs": len(captures) + len(rejects), "documents": staged["documents"],
                                 "rejects": staged["rejects"]})  # fmt: skip


def sample_captures() -> list[Capture]:
    """Seeds, an HTML page, mojibake (ftfy plan), cp1252 and UTF-16 bytes."""
    captures = [
        Capture(f"local:seeds/{p.name}", p.read_bytes(), FETCHED, "text/plain", source_id=p.stem,
                language_hint="en")
        for p in sorted((ROOT / "seeds").glob("0*.txt"))
    ]  # fmt: skip
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
    ]  # fmt: skip
    return captures


def load_captures(db: Path, captures: list[Capture], run_id: str, ctx: CleanContext | None = None) -> dict:
    """One run of the library path into ``db`` with a raw store beside it: start, raw store,
    clean and stage, load, finish; returns the load counts."""
    ctx = ctx or CleanContext.default()
    raw = db.parent / "raw"
    warehouse.start_run(db, run_id, flow_name="test", parameters={"test": True},
                        ruleset_version=ctx.ruleset_version, pipeline_version="1",
                        scrubline_version="0.1.0", git_commit="abc123")  # fmt: skip
    for capture in captures:
        rawstore.put(raw, capture)
    batch = stage_batch(captures, [], run_id=run_id, batch_dir=db.parent / "staging" / run_id, ctx=ctx,
                        raw_dir=raw)  # fmt: skip
    counts = warehouse.load_batch(db, run_id, batch)
    documents = staging.read_manifest(batch)["counts"]["documents"]
    warehouse.finish_run(db, run_id, status="completed", counts={"documents": documents})
    return counts


class QuietHandler(BaseHTTPRequestHandler):
    """A test server's request handler: no access log, and ``send`` for one whole response."""

    default_type = "text/html; charset=utf-8"

    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass

    def send(self, status: int, body: bytes = b"", ctype: str | None = None, **headers: str) -> None:
        """Status, Content-Type, Content-Length, ``headers`` (``_`` -> ``-``), then the body."""
        self.send_response(status)
        self.send_header("Content-Type", ctype or self.default_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def local_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
