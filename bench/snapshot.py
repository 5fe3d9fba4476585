"""A byte-level snapshot of the product path's output on both dev sets, for refactors that
must change nothing.

Runs ``scrubline.clean.process`` (as ``bench/quality.py`` calls it: ``CleanContext.default()``,
profile ``auto``) over every page of trafilatura-dev and wcxb-dev with three inputs: the HTML
capture (``text/html``), the trafilatura recall text and the full-page visible text (both
``text/plain``; generated inputs come from ``bench/devsets.py``'s cache). Each output record
(``scrubline.export.result_record``: text, removed spans, footnotes, links, metadata, stats; or
the reject record) is hashed with sha256 over its canonical JSON; the hashes go to a JSON file.
``--compare OLD.json`` prints every record whose hash differs and exits 1 if any does.

Usage::

    uv run python bench/snapshot.py --output before.json
    uv run python bench/snapshot.py --output after.json --compare before.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import devsets  # noqa: E402
from quality import _EPOCH  # noqa: E402

from scrubline.clean import CleanContext, process  # noqa: E402
from scrubline.export import reject_record, result_record  # noqa: E402
from scrubline.records import Capture, Reject, Rejected  # noqa: E402

INPUTS = {
    "html": (lambda p: p.raw(), "text/html"),
    "recall": (devsets.recall_text, "text/plain"),
    "fullpage": (devsets.fullpage_text, "text/plain"),
}


def record_hash(page: devsets.Page, data: str | bytes, content_type: str, ctx: CleanContext) -> str:
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    uri = page.url or f"file:///{page.set}/{page.id}"
    capture = Capture(uri, raw, _EPOCH, content_type=content_type)
    try:
        record = result_record(process(capture, ctx))
    except Rejected as exc:
        record = reject_record(Reject(uri, exc.stage, "Rejected", exc.message, capture.capture_id))
    blob = json.dumps(record, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--output", type=Path, required=True, help="write the hashes here (JSON)")
    ap.add_argument("--compare", type=Path, help="an earlier snapshot: report every difference")
    ap.add_argument("--sets", choices=("traf", "wcxb", "all"), default="all")
    ap.add_argument("--input", choices=[*INPUTS, "all"], default="all")
    args = ap.parse_args(argv)

    pages = devsets.load(args.sets)
    ctx = CleanContext.default()
    hashes: dict[str, str] = {}
    for name in INPUTS if args.input == "all" else (args.input,):
        load, content_type = INPUTS[name]
        t0 = time.perf_counter()
        for page in pages:
            hashes[f"{name}/{page.set}/{page.id}"] = record_hash(page, load(page), content_type, ctx)
        print(f"{name}: {len(pages)} pages in {time.perf_counter() - t0:.0f} s", flush=True)
    args.output.write_text(json.dumps(hashes, indent=0, sort_keys=True), encoding="utf-8")
    if not args.compare:
        return 0
    old = json.loads(args.compare.read_text(encoding="utf-8"))
    differ = sorted(k for k in hashes.keys() & old.keys() if hashes[k] != old[k])
    missing = sorted(old.keys() ^ hashes.keys())
    for key in differ:
        print(f"differs: {key}")
    print(f"{len(hashes)} records; {len(differ)} differ; {len(missing)} only in one snapshot")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
