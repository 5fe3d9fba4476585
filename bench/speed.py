"""Rule-engine throughput on text input: MB/s per core and peak RSS.

The corpus is the dev set's text inputs (``txt/trafilatura-recall`` + ``txt/fullpage``), each
page one document, replicated until it reaches ``--mb`` megabytes (UTF-8). Only
``Engine.run`` is timed (normalisation is not part of the rule engine). One process, one
core: the figure is per core.

Usage::

    uv run python bench/speed.py [--mb 50] [--profile article|fullpage] [--repeat 3] [--json out.json]

CPU time (``time.process_time``) of each pass over the corpus; with ``--repeat N`` the best
of N passes is reported (on a shared machine the slower passes measure the neighbours).
The load average at the start is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scrubline.boilerplate import Engine  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "benchdata" / "trafilatura-dev"


def load_corpus(data: Path, megabytes: float) -> list[str]:
    docs = [
        p.read_text(encoding="utf-8")
        for sub in ("trafilatura-recall", "fullpage")
        for p in sorted((data / "txt" / sub).glob("*.txt"))
    ]
    size = sum(len(d.encode("utf-8")) for d in docs)
    if not size:
        raise SystemExit(f"no text files under {data}/txt")
    reps = max(1, int(megabytes * 1e6 // size) + (megabytes * 1e6 % size > 0))
    return docs * reps


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--mb", type=float, default=50.0, help="corpus size to reach (MB, UTF-8)")
    ap.add_argument("--profile", default="article")
    ap.add_argument("--repeat", type=int, default=1, help="passes; the fastest is reported")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    docs = load_corpus(args.data, args.mb)
    nbytes = sum(len(d.encode("utf-8")) for d in docs)
    engine = Engine(profile=args.profile)
    engine.run(docs[0])  # warm-up: lexicon compiled, caches filled
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    load = os.getloadavg()[0]
    passes = []
    for _ in range(max(1, args.repeat)):
        removed = 0
        t0 = time.perf_counter()
        c0 = time.process_time()
        for doc in docs:
            _, spans = engine.run(doc)
            removed += len(spans)
        passes.append((time.process_time() - c0, time.perf_counter() - t0))
    cpu, wall = min(passes)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "engine_version": engine.version,
        "profile": args.profile,
        "docs": len(docs),
        "megabytes": nbytes / 1e6,
        "wall_s": wall,
        "cpu_s": cpu,
        "mb_per_s_per_core": nbytes / 1e6 / cpu,
        "docs_per_s": len(docs) / wall,
        "spans": removed,
        "passes_cpu_s": [round(c, 3) for c, _ in passes],
        "load_average_1min": load,
        "peak_rss_mb": peak_kb / 1024,
        "rss_before_run_mb": rss_before / 1024,
    }
    print(
        f"engine {engine.version} profile={args.profile}: {len(docs)} docs, {nbytes / 1e6:.1f} MB, "
        f"load average {load:.1f}, best of {len(passes)} passes"
    )
    print(
        f"  {result['mb_per_s_per_core']:.1f} MB/s per core (CPU time), {result['docs_per_s']:.0f} docs/s, "
        f"{removed} spans, peak RSS {result['peak_rss_mb']:.0f} MB"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
