"""Scale benchmark: ``scrubline run`` end to end on a generated corpus of N documents.

The corpus is made from the trafilatura dev set (``../shared/benchdata/trafilatura-dev``): the
noisy recall texts (real boilerplate left in) and, with ``--html``, that share of the real HTML
pages. Documents are spread over ``--outlets`` synthetic outlets (one domain each,
``outletNN-news.com``, named in ``manifest.jsonl`` as the article URL); every outlet prints its own
recurring header and footer lines (taken from the dev set's "must not appear" boilerplate), so
template mining has something to learn, and ``--syndicated`` of the documents are copies of an
earlier document's body under another outlet. Any other body is a new story: a third of the
paragraphs of each of three random dev texts, shuffled (until 2026-12-03 a body was one dev
text's paragraphs reordered, so with ~300 texts almost every document was a near-duplicate of a
hundred others and syndication clustered the whole corpus). Each document gets a unique
dateline, so every capture is distinct.

Then: one run over the corpus, and a second run over a drop folder holding ``--more`` (1%)
new documents, into the same warehouse; with ``--again`` a third run over the first corpus
(every input loaded already under the same settings: read, hashed, not cleaned). For each
run: wall time, docs/s, peak RSS of the whole process tree (the command and every child:
cleaning workers, Prefect's API server), and per-stage seconds (the run's ``timings``).
Prefect's ephemeral API start-up is part of the wall time; ``--no-prefect`` shows the run
without it.

    uv run python bench/scale.py --n 10000 [--html 0.1] [--workers 2] [--no-prefect]

Run it alone on the machine (it is a throughput measurement); nothing is committed but
the figures (bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

DEV = Path(__file__).resolve().parents[1] / ".." / "shared" / "benchdata" / "trafilatura-dev"


def _pages() -> list[dict]:
    return json.loads((DEV / "gold.json").read_text())["pages"]


def _templates(pages: list[dict], outlets: int, rng: random.Random) -> list[tuple[list[str], list[str]]]:
    """Per outlet: header and footer lines, real boilerplate of the dev set."""
    lines = sorted({s.strip() for p in pages for s in p["without"] if 8 <= len(s.strip()) <= 80})
    out = []
    for _ in range(outlets):
        picked = rng.sample(lines, 6)
        out.append((picked[:2], picked[2:]))
    return out


def generate(folder: Path, n: int, *, start: int = 0, html_share: float = 0.0, outlets: int = 12,
             syndicated: float = 0.03, seed: int = 14) -> int:  # fmt: skip
    """Write documents ``start .. start+n`` and their ``manifest.jsonl``; returns bytes written."""
    rng = random.Random(seed + start)
    pages = _pages()
    texts = [(DEV / p["text"]["trafilatura-recall"]).read_text(encoding="utf-8") for p in pages]
    texts = [t for t in texts if len(t) > 400]
    htmls = [DEV / p["html"] for p in pages]
    templates = _templates(pages, outlets, random.Random(seed))
    folder.mkdir(parents=True, exist_ok=True)
    bodies: list[str] = []
    size = 0
    with (folder / "manifest.jsonl").open("w", encoding="utf-8") as manifest:
        for i in range(start, start + n):
            outlet = rng.randrange(outlets)
            # a real-looking domain: ``.example`` has no registered domain, so no outlet would be
            # attributed (until 2026-12-03 nine documents in ten had none, and per-outlet
            # templates and cross-outlet clusters were barely exercised)
            url = f"https://www.outlet{outlet:02d}-news.com/news/{i:07d}"
            name = f"doc_{i:07d}"
            if rng.random() < html_share:
                raw = htmls[rng.randrange(len(htmls))].read_bytes()
                marker = f"<p>Article {i} filed from desk {outlet}.</p></body>".encode()
                raw = raw.replace(b"</body>", marker, 1) if b"</body>" in raw else raw + marker
                path = folder / f"{name}.html"
            else:
                if bodies and rng.random() < syndicated:
                    body = rng.choice(bodies)  # a copy of an earlier story under another outlet
                else:  # a third of the paragraphs of each of three dev texts, shuffled: a new story
                    picked = [[p for p in t.split("\n") if p.strip()] for t in rng.sample(texts, 3)]
                    head = picked[0][:1]
                    rest = [p for ps in picked for p in rng.sample(ps, max(1, len(ps) // 3))]
                    rng.shuffle(rest)
                    body = "\n".join(head + rest)
                    bodies = (bodies + [body])[-200:]
                top, bottom = templates[outlet]
                dateline = f"DESK {outlet}, report {i}:"
                raw = "\n".join([*top, dateline, body, *bottom]).encode("utf-8") + b"\n"
                path = folder / f"{name}.txt"
            path.write_bytes(raw)
            size += len(raw)
            manifest.write(json.dumps({"id": name, "file": path.name, "url": url}) + "\n")
    return size


class PeakRSS:
    """Peak resident memory of a process and all its descendants, sampled every 0.1 s."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            total = 0
            for proc in procs:
                try:
                    total += proc.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(0.1)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run(folder: Path, db: Path, summary_json: Path, args: argparse.Namespace, dask: str | None = None,
        workers: int | None = None) -> dict:  # fmt: skip
    cmd = [sys.executable, "-m", "scrubline.cli", "run", str(folder), "--db", str(db), "--workers",
           str(workers or args.workers), "--batch-size", str(args.batch_size), "--summary-json",
           str(summary_json), "--no-progress"]  # fmt: skip
    if dask:
        cmd += ["--dask", dask]
    if args.no_prefect:
        cmd.append("--no-prefect")
    if args.no_validate:
        cmd.append("--no-validate")
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    env.setdefault("PREFECT_HOME", str(db.parent / "prefect"))
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    rss = PeakRSS(proc.pid)
    _, err = proc.communicate()
    wall = time.perf_counter() - began
    peak = rss.stop()
    if proc.returncode != 0:
        raise SystemExit(f"run failed ({proc.returncode}):\n{err[-3000:]}")
    summary = json.loads(summary_json.read_text())
    docs = summary.get("documents", 0)
    return {"wall_s": round(wall, 1), "documents": docs, "inputs": summary.get("inputs"),
            "docs_per_s": round(docs / wall, 1), "peak_rss_mb": round(peak / 2**20),
            "timings": summary.get("timings", {}),
            "flow_peak_rss_mb_after": summary.get("peak_rss_mb", {})}  # fmt: skip


def dask_compare(work: Path, args: argparse.Namespace) -> None:
    """The same corpus into a fresh warehouse on a LocalCluster of 1 and of 2 worker processes
    (one thread each); the clean stage's wall time (``clean_and_load``) is the figure."""
    from distributed import LocalCluster

    walls = {}
    for n in (1, 2):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
        with cluster:
            result = run(work / "corpus", work / f"wh-dask{n}" / "scrubline.duckdb", work / f"dask{n}.json",
                         args, dask=cluster.scheduler_address, workers=n)  # fmt: skip
        walls[n] = result["timings"]["clean_and_load"]
        print(f"dask, {n} worker(s):", json.dumps(result), flush=True)
    print(f"clean stage speed-up, 2 workers vs 1: {walls[1] / walls[2]:.2f}x", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--more", type=float, default=0.01, help="share of new documents in the second run")
    parser.add_argument("--html", type=float, default=0.0, help="share of HTML documents")
    parser.add_argument("--outlets", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--no-prefect", action="store_true")
    parser.add_argument("--no-validate", action="store_true")
    parser.add_argument("--keep", help="work folder to keep (default: a temporary one)")
    parser.add_argument("--again", action="store_true",
                        help="then a third run over the first corpus (nothing new: nothing to clean)")
    parser.add_argument(
        "--dask-compare",
        action="store_true",
        help="instead: the clean stage on a Dask LocalCluster of 1, then 2 worker processes",
    )
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="scrubline-scale-"))
    try:
        began = time.perf_counter()
        size = generate(work / "corpus", args.n, html_share=args.html, outlets=args.outlets)
        more = max(1, int(args.n * args.more))
        generate(work / "drop", more, start=args.n, html_share=args.html, outlets=args.outlets)
        print(f"corpus: {args.n} documents, {size / 2**20:.0f} MB, {args.html:.0%} HTML "
              f"({time.perf_counter() - began:.0f} s to generate); then {more} new", flush=True)  # fmt: skip
        if args.dask_compare:
            return dask_compare(work, args)
        db = work / "wh" / "scrubline.duckdb"
        first = run(work / "corpus", db, work / "first.json", args)
        print("first run:", json.dumps(first), flush=True)
        second = run(work / "drop", db, work / "second.json", args)
        print(f"+{args.more:.0%} run:", json.dumps(second), flush=True)
        if args.again:
            third = run(work / "corpus", db, work / "third.json", args)
            print("the first corpus again (every input loaded already):", json.dumps(third), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
