"""Test helpers shared by several test modules (importable: pytest puts tests/ on sys.path)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from scrubline import staging, warehouse
from scrubline.clean import CleanContext, process_batch, provisional_outlets
from scrubline.ingest import read_inputs


def run_without_prefect(db: Path, tmp: Path, run_id: str, inputs: list[Path], ctx: CleanContext) -> None:
    """One pipeline run through the library alone: ingest, clean, stage, load, finish."""
    warehouse.start_run(db, run_id, flow_name="test", parameters={"paths": [str(p) for p in inputs]},
                        ruleset_version=ctx.ruleset_version, pipeline_version="1",
                        scrubline_version="0.1.0", git_commit="abc123def456")  # fmt: skip
    captures, rejects = read_inputs(inputs)
    results, failed = process_batch(captures, ctx)
    outlets = list(ctx.outlets.outlets.values()) + provisional_outlets(results)
    batch = staging.write_batch(tmp / "staging" / run_id, results, captures, [*rejects, *failed],
                                outlets, run_id)  # fmt: skip
    warehouse.load_batch(db, run_id, batch)
    warehouse.finish_run(db, run_id, status="completed",
                         counts={"inputs": len(captures) + len(rejects), "documents": len(results),
                                 "rejects": len(rejects) + len(failed)})  # fmt: skip


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
