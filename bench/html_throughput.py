"""HTML throughput and metadata accuracy: scrubline's per-document path vs plain trafilatura.

In one run, on the dev set's HTML pages (``html/*.html``, decoded once up front for the
baseline):

1. **per core** (CPU seconds of this one process, so other jobs on the box count less):
   plain ``trafilatura.extract(html, include_comments=False)`` on the decoded text (and on
   the raw bytes), and ``scrubline.clean.process`` on the raw bytes (decode + extract +
   normalize + boilerplate + footnotes + outlets). Page by page, the contenders run one
   after the other, in an order that rotates each round; each page counts with its fastest
   round per contender (as ``timeit`` advises: slower rounds measure the box, not the
   code), and the headline is the sum over pages. Interleaving page by page puts both sides
   under the same load, cache and clock drift (whole rounds, all pages of one contender and
   then the next, swung by ±10% on a shared VM); the ratio of median round totals is kept
   as a second figure;
2. **per stage** of our path (decode, extract_html, normalize, engine, the rest);
3. **folder run**: ``clean_many(workers=1)`` and ``clean_many(workers=N)`` wall time;
4. **metadata accuracy** against ``gold.json`` (title / author / date): trafilatura's
   metadata (``ExtractConfig(metadata="trafilatura")``) and ours (``metadata="page"``), exact
   and normalised (case, punctuation and spacing ignored) match rates.

Usage::

    uv run python bench/html_throughput.py [--rounds 5] [--workers 2] [--limit N] [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import trafilatura  # noqa: E402

from scrubline.batch import clean_many  # noqa: E402
from scrubline.clean import CleanContext, process  # noqa: E402
from scrubline.decode import decode  # noqa: E402
from scrubline.extract import ExtractConfig, extract_html  # noqa: E402
from scrubline.normalize import normalize  # noqa: E402
from scrubline.records import Capture, Rejected  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "benchdata" / "trafilatura-dev"
FIELDS = ("title", "author", "date")


def load_pages(data: Path, limit: int | None) -> list[dict[str, Any]]:
    pages = json.loads((data / "gold.json").read_text(encoding="utf-8"))["pages"]
    pages = pages[:limit] if limit else pages
    for page in pages:
        page["raw"] = (data / page["html"]).read_bytes()
        page["decoded"] = decode(page["raw"], content_type="text/html")[0]
    return pages


def capture_of(page: dict[str, Any]) -> Capture:
    return Capture(
        source_uri=page["url"] or f"local:trafilatura-dev/{page['id']}.html",
        raw=page["raw"],
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        content_type="text/html",
    )


def interleaved_cpu(
    contenders: dict[str, Callable[[int], Any]], n: int, rounds: int
) -> dict[str, list[list[float]]]:
    """CPU seconds of every contender on every page, per round: ``{name: [[round0, ...], ...]}``.

    Page by page, each contender runs once per round, in an order rotated by one each round,
    so no side always runs first (cold caches) or second (warm ones)."""
    names = list(contenders)
    times: dict[str, list[list[float]]] = {name: [[] for _ in range(n)] for name in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for i in range(n):
            for name in order:
                start = time.process_time()
                with contextlib.suppress(Rejected):
                    contenders[name](i)
                times[name][i].append(time.process_time() - start)
    return times


# --- metadata accuracy --------------------------------------------------------------------


def _norm(value: str) -> str:
    return re.sub(r"[\W_]+", " ", value.casefold()).strip()


def metadata_scores(pages: list[dict[str, Any]], config: ExtractConfig) -> dict[str, dict[str, float]]:
    """Exact / normalised match rates of title, author, date on the pages gold annotates."""
    counts = {f: {"gold": 0, "exact": 0, "normalised": 0, "missing": 0} for f in FIELDS}
    for page in pages:
        gold = page.get("metadata") or {}
        try:
            ex = extract_html(page["decoded"], page["url"], config=config)
            ours = {"title": ex.title, "author": "; ".join(ex.authors) or None, "date": ex.date}
        except Rejected:
            ours = dict.fromkeys(FIELDS)
        for field in FIELDS:
            want = (gold.get(field) or "").strip()
            if not want:
                continue
            got = (ours[field] or "").strip()
            row = counts[field]
            row["gold"] += 1
            row["missing"] += not got
            row["exact"] += got == want
            row["normalised"] += bool(got) and _norm(got) == _norm(want)
    return {
        field: {
            "pages": row["gold"],
            "exact": row["exact"] / row["gold"],
            "normalised": row["normalised"] / row["gold"],
            "missing": row["missing"] / row["gold"],
        }
        for field, row in counts.items()
    }


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--limit", type=int, help="first N pages only (quick runs)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    pages = load_pages(args.data, args.limit)
    n = len(pages)
    mb = sum(len(p["raw"]) for p in pages) / 1e6
    decoded = [p["decoded"] for p in pages]
    captures = [capture_of(p) for p in pages]
    ctx = CleanContext.default()
    process(captures[0], ctx)  # warm-up: lexicons compiled, trafilatura imported
    trafilatura.extract(decoded[0], include_comments=False)

    # per stage of our path, too (the sum is close to the full path; "rest" = footnotes,
    # outlets, provenance records, ...)
    extracted: dict[int, str] = {}
    for i, page in enumerate(pages):
        with contextlib.suppress(Rejected):
            extracted[i] = extract_html(page["decoded"], page["url"]).text
    normalized = {i: normalize(text)[0] for i, text in extracted.items()}
    contenders: dict[str, Callable[[int], Any]] = {
        "plain": lambda i: trafilatura.extract(decoded[i], include_comments=False),
        "plain_raw": lambda i: trafilatura.extract(pages[i]["raw"], include_comments=False),
        "ours": lambda i: process(captures[i], ctx),
        "decode": lambda i: decode(pages[i]["raw"], content_type="text/html"),
        "extract_html": lambda i: extract_html(pages[i]["decoded"], pages[i]["url"]),
        "normalize": lambda i: normalize(extracted[i]) if i in extracted else None,
        "boilerplate engine": lambda i: ctx.engine.run(normalized[i]) if i in normalized else None,
    }
    per_page = interleaved_cpu(contenders, n, args.rounds)
    best = {name: sum(min(times) for times in rows) for name, rows in per_page.items()}
    plain, plain_raw, ours = best.pop("plain"), best.pop("plain_raw"), best.pop("ours")
    rounds_s = {
        name: [sum(times[r] for times in per_page[name]) for r in range(args.rounds)]
        for name in ("plain", "plain_raw", "ours")
    }
    median = {name: statistics.median(totals) for name, totals in rounds_s.items()}
    stage = dict(best)
    stage["rest (footnotes, outlets, ...)"] = max(0.0, ours - sum(stage.values()))

    folder = {}
    for workers in sorted({1, args.workers}):
        start = time.perf_counter()
        clean_many(captures, workers=workers, ctx=ctx)
        folder[workers] = time.perf_counter() - start

    meta_start = time.process_time()
    meta_trafilatura = metadata_scores(pages, ExtractConfig(metadata="trafilatura"))
    traf_meta_s = time.process_time() - meta_start
    meta_page = metadata_scores(pages, ExtractConfig(metadata="page"))

    load = os.getloadavg()
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "pages": n,
        "mb": round(mb, 2),
        "cpus": os.cpu_count(),
        "loadavg_end": [round(x, 2) for x in load],
        "per_core": {
            "plain trafilatura.extract(decoded str)": {"docs_s": n / plain, "mb_s": mb / plain},
            "plain trafilatura.extract(raw bytes)": {"docs_s": n / plain_raw, "mb_s": mb / plain_raw},
            "scrubline.clean.process": {"docs_s": n / ours, "mb_s": mb / ours},
            "extract_html(metadata='trafilatura')": {"docs_s": n / traf_meta_s, "mb_s": mb / traf_meta_s},
            "ratio ours/plain": plain / ours,
            "ratio ours/plain(raw bytes)": plain_raw / ours,
            "ratio ours/plain, median round": median["plain"] / median["ours"],
            "rounds_cpu_s": rounds_s,
        },
        "stages_cpu_ms_per_doc": {k: 1000 * v / n for k, v in stage.items()},
        "folder_wall": {
            str(w): {"seconds": s, "docs_s": n / s, "speedup": folder[1] / s} for w, s in folder.items()
        },
        "metadata": {"trafilatura": meta_trafilatura, "page (ours)": meta_page},
    }
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


def print_report(r: dict[str, Any]) -> None:
    print(f"{r['pages']} pages, {r['mb']} MB, {r['cpus']} CPUs, load average at end {r['loadavg_end']}")
    print("\nper core (CPU time; each page's fastest of the interleaved rounds, summed)")
    for name, row in r["per_core"].items():
        if isinstance(row, dict) and "docs_s" in row:
            print(f"  {name:42s} {row['docs_s']:7.1f} docs/s {row['mb_s']:6.2f} MB/s")
    print(f"  ratio ours/plain(str): {r['per_core']['ratio ours/plain']:.3f} (target >= 0.85)")
    print(f"  ratio ours/plain(bytes): {r['per_core']['ratio ours/plain(raw bytes)']:.3f}")
    median_ratio = r["per_core"]["ratio ours/plain, median round"]
    print(f"  ratio ours/plain(str), median round totals: {median_ratio:.3f}")
    print("\nour path per stage (CPU ms per document)")
    for name, ms in r["stages_cpu_ms_per_doc"].items():
        print(f"  {name:32s} {ms:7.2f}")
    print("\nfolder run, clean_many (wall)")
    for workers, row in r["folder_wall"].items():
        print(f"  workers={workers}: {row['docs_s']:6.1f} docs/s, speedup {row['speedup']:.2f}x")
    print("\nmetadata vs gold (exact / normalised / missing)")
    for system, scores in r["metadata"].items():
        cells = "  ".join(
            f"{f} {s['exact']:.2f}/{s['normalised']:.2f}/{s['missing']:.2f} (n={s['pages']})"
            for f, s in scores.items()
        )
        print(f"  {system:14s} {cells}")


if __name__ == "__main__":
    raise SystemExit(main())
