"""Syndication benchmark: duplicate-pair precision/recall and docs/s of MinHash LSH clustering.

A synthetic corpus with known copies is generated from real sentences (the seed corpus and the
dev set's ``txt/trafilatura-recall`` texts, ~14k sentences in several languages):

* **groups**: a base article (8-30 sentences drawn from the pool) published by one outlet,
  and 1-7 copies by other outlets, each with light edits: a prepended dateline and/or byline,
  sentences dropped (5% each), a truncated tail (20% of copies keep 60-90%), word
  substitutions (2% of words), an appended outlet footer, reflowed paragraphs and typographic
  quotes; 5% of copies are verbatim (exact duplicates). The base is published first; 15% of
  copies have no ``published_at`` and fall back to ``fetched_at`` (later than the base).
* **follow-ups** (hard negatives): a new article reusing 25% of some base's sentences.
* **unrelated** articles.

Truth: two documents are duplicates when they come from the same group. Documents are
generated in a stream (chunks of 5000, never all texts in memory) and only
``syndication.signatures`` + ``LSHIndex.add``/``clusters`` are timed (wall and CPU;
``content_hashes`` on its own). Each size runs in a fresh process
so that peak RSS is per size. Pair precision/recall are counted from the cluster x group
contingency table (no pair enumeration); recall is also given per true-Jaccard bucket on a
sample of up to 2000 true pairs (exact Jaccard of the 5-gram sets).

Usage::

    uv run python bench/syndication.py [--sizes 1000,10000,100000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import resource
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from scrubline import syndication  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "benchdata" / "trafilatura-dev"
_SPLIT = re.compile(r"(?<=[.!?…»\"”])\s+(?=[\"“«(]?[^\W\d_])")
T0 = datetime(2025, 1, 1, tzinfo=UTC)

CITIES = ("MOSCOW", "YEREVAN", "BAKU", "TBILISI", "BERLIN", "PARIS", "LONDON", "WARSAW", "GENEVA")
AGENCIES = ("Reuters", "AP", "AFP", "TASS", "Interfax", "dpa", "Armenpress", "APA", "PAP")
NAMES = ("Anna Petrova", "John Miller", "Lena Hovhannisyan", "Rashad Aliyev", "Marie Dubois")
FOOTERS = (
    "© 2025 {o}. All rights reserved.",
    "Subscribe to the {o} newsletter to get the latest news in your inbox every morning.",
    "Follow {o} on Telegram, X and Facebook for breaking news and analysis.",
    "This article was originally published by a partner agency and republished by {o}.",
    "Read more on {o}: the latest stories from the region, updated every hour.",
)


def sentence_pool(data: Path) -> list[str]:
    files = sorted((REPO / "seeds").glob("*.txt")) + sorted(
        (data / "txt" / "trafilatura-recall").glob("*.txt")
    )
    pool: set[str] = set()
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            for s in _SPLIT.split(line.strip()):
                if 6 <= len(s.split()) <= 60:
                    pool.add(s.strip())
    if not pool:
        raise SystemExit(f"no sentences under {data} and seeds/")
    return sorted(pool)


class Corpus:
    """A deterministic synthetic corpus of ``n`` documents; ``doc(i)`` regenerates document i."""

    def __init__(self, n: int, pool: list[str], seed: int = 7) -> None:
        self.pool = pool
        self.vocab = sorted({w for s in pool[:4000] for w in s.split()})
        self.seed = seed
        rng = random.Random(seed)
        specs: list[tuple[str, int, int]] = []  # (kind, group, copy index)
        group = 0
        target_grouped = n // 2
        while len(specs) < target_grouped:
            size = min(2 + min(int(rng.expovariate(0.6)), 6), target_grouped - len(specs))
            if size < 2:
                break
            specs += [("copy", group, c) for c in range(size)]
            group += 1
        self.n_groups = group
        while len(specs) < n:
            if rng.random() < 0.2 and group:
                specs.append(("followup", rng.randrange(group), len(specs)))
            else:
                specs.append(("unrelated", -1, len(specs)))
        rng.shuffle(specs)
        self.specs = specs
        # truth label: group id for copies, a unique negative id otherwise
        self.truth = np.array([g if k == "copy" else -(i + 1) for i, (k, g, _) in enumerate(specs)])

    def __len__(self) -> int:
        return len(self.specs)

    def key(self, i: int) -> str:
        return f"d{i:07d}"

    def _base(self, group: int) -> list[str]:
        rng = random.Random(self.seed * 1_000_003 + group)
        return rng.sample(self.pool, rng.randint(8, 30))

    def doc(self, i: int) -> tuple[str, dict]:
        kind, group, c = self.specs[i]
        rng = random.Random(self.seed * 7_919 + i * 104_729)
        outlet = f"outlet{rng.randrange(40):02d}"
        meta: dict = {"outlet_id": outlet}
        if kind == "unrelated":
            sents = rng.sample(self.pool, rng.randint(8, 30))
            meta["published_at"] = (T0 + timedelta(minutes=rng.randrange(500_000))).isoformat()
            return "\n".join(sents), meta
        base = self._base(group)
        base_time = T0 + timedelta(minutes=random.Random(group).randrange(500_000))
        if kind == "followup":
            keep = rng.sample(base, max(1, len(base) // 4))
            sents = keep + rng.sample(self.pool, len(base) - len(keep))
            rng.shuffle(sents)
            meta["published_at"] = (base_time + timedelta(days=1 + rng.randrange(5))).isoformat()
            return "\n".join(sents), meta
        if c == 0:  # the origin: the base as published first
            meta["published_at"] = base_time.isoformat()
            meta["outlet_id"] = f"outlet{group % 40:02d}"
            return "\n".join(base), meta
        when = base_time + timedelta(minutes=5 + rng.randrange(3000))
        if rng.random() < 0.15:
            meta["fetched_at"] = when + timedelta(hours=1)
        else:
            meta["published_at"] = when.isoformat()
        if rng.random() < 0.05:
            meta["verbatim"] = True
            return "\n".join(base), meta  # verbatim: an exact duplicate of the origin
        return self._edit(base, rng, outlet), meta

    def _edit(self, base: list[str], rng: random.Random, outlet: str) -> str:
        sents = [s for s in base if rng.random() >= 0.05] or base[:1]
        if rng.random() < 0.2:
            sents = sents[: max(1, int(len(sents) * rng.uniform(0.6, 0.9)))]
        out = []
        for s in sents:
            ws = s.split()
            for k in range(len(ws)):
                if rng.random() < 0.02:
                    ws[k] = rng.choice(self.vocab)
            s = " ".join(ws)
            if rng.random() < 0.3:
                s = s.replace('"', "“")
            out.append(s)
        if rng.random() < 0.6:
            out[0] = f"{rng.choice(CITIES)}, {rng.randint(1, 28)} Mar ({rng.choice(AGENCIES)}) — {out[0]}"
        if rng.random() < 0.3:
            out.insert(0, f"By {rng.choice(NAMES)}")
        if rng.random() < 0.5:
            out.append(rng.choice(FOOTERS).format(o=outlet.capitalize()))
        sep = " " if rng.random() < 0.3 else "\n"
        return sep.join(out)


def _pairs(counts: np.ndarray) -> int:
    return int((counts * (counts - 1) // 2).sum())


def _shingle_set(text: str) -> set[tuple[str, ...]]:
    w = syndication.words(text)
    return {tuple(w[i : i + 5]) for i in range(len(w) - 4)} if len(w) >= 5 else {tuple(w)}


def run_one(n: int, data: Path, chunk: int = 5000) -> dict:
    pool = sentence_pool(data)
    corpus = Corpus(n, pool)
    keys = [corpus.key(i) for i in range(n)]
    syndication.signatures(["warm up the lookup tables once"])  # one-time table build
    meta: dict[str, dict] = {}
    sigs = np.empty((n, syndication.NUM_PERM), dtype=np.uint32)
    hashes: list[str] = []
    t_sig = t_hash = cpu_sig = 0.0
    n_chars = 0
    for c0 in range(0, n, chunk):
        texts = []
        for i in range(c0, min(n, c0 + chunk)):
            text, m = corpus.doc(i)
            texts.append(text)
            meta[keys[i]] = m
        n_chars += sum(map(len, texts))
        t, c = time.perf_counter(), time.process_time()
        sigs[c0 : c0 + len(texts)] = syndication.signatures(texts)
        t_sig += time.perf_counter() - t
        cpu_sig += time.process_time() - c
        t = time.perf_counter()
        hashes += syndication.content_hashes(texts)
        t_hash += time.perf_counter() - t
        del texts
    t, c = time.perf_counter(), time.process_time()
    index = syndication.LSHIndex()
    index.add(keys, sigs)
    clusters = index.clusters(meta)
    t_cluster = time.perf_counter() - t
    cpu_cluster = time.process_time() - c
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # pair precision / recall from the contingency table
    label = np.full(n, -1, dtype=np.int64)
    origin_ok = origin_total = 0
    for ci, cl in enumerate(clusters):
        rows = [int(k[1:]) for k in cl.keys]
        label[rows] = ci
        groups = Counter(int(corpus.truth[r]) for r in rows)
        g, _ = groups.most_common(1)[0]
        if g >= 0:
            true_origin = next(
                (r for r in rows if corpus.specs[r][0] == "copy" and corpus.specs[r][2] == 0), None
            )
            if true_origin is not None:
                origin_total += 1
                origin_ok += int(cl.origin == keys[true_origin])
    truth = corpus.truth
    grouped = truth >= 0
    true_pairs = _pairs(np.unique(truth[grouped], return_counts=True)[1])
    clustered = label >= 0
    pred_pairs = _pairs(np.unique(label[clustered], return_counts=True)[1])
    both = clustered & grouped
    cells = np.unique(label[both] * (truth.max() + 1) + truth[both], return_counts=True)[1]
    tp = _pairs(cells)
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0

    # recall by exact Jaccard bucket on a sample of true pairs
    rng = random.Random(1)
    members: dict[int, list[int]] = {}
    for r in np.flatnonzero(grouped).tolist():
        members.setdefault(int(truth[r]), []).append(r)
    multi = [m for m in members.values() if len(m) >= 2]
    buckets: dict[str, list[int]] = {}
    for _ in range(min(2000, true_pairs)):
        a, b = rng.sample(rng.choice(multi), 2)
        sa, sb = _shingle_set(corpus.doc(a)[0]), _shingle_set(corpus.doc(b)[0])
        j = len(sa & sb) / len(sa | sb)
        name = "<0.5" if j < 0.5 else "0.5-0.6" if j < 0.6 else "0.6-0.8" if j < 0.8 else ">=0.8"
        buckets.setdefault(name, []).append(int(label[a] >= 0 and label[a] == label[b]))
    dup_hashes = Counter(hashes)
    total = t_sig + t_cluster
    return {
        "n": n,
        "chars_per_doc": n_chars / n,
        "signature_s": t_sig,
        "content_hash_s": t_hash,
        "content_hash_docs_per_s": n / t_hash,
        "cluster_s": t_cluster,
        "total_s": total,
        "cpu_s": cpu_sig + cpu_cluster,
        "docs_per_s": n / total,
        "docs_per_cpu_s": n / (cpu_sig + cpu_cluster),
        "signature_docs_per_s": n / t_sig,
        "peak_rss_mb": peak,
        "true_pairs": true_pairs,
        "predicted_pairs": pred_pairs,
        "precision": precision,
        "recall": recall,
        "clusters": len(clusters),
        "true_groups": corpus.n_groups,
        "origin_accuracy": origin_ok / origin_total if origin_total else None,
        "exact_duplicate_docs": sum(c - 1 for c in dup_hashes.values() if c > 1),
        "verbatim_copies_generated": sum(1 for m in meta.values() if m.get("verbatim")),
        "recall_by_true_jaccard": {
            k: {"pairs": len(v), "recall": sum(v) / len(v)} for k, v in sorted(buckets.items())
        },
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated corpus sizes")
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: one size, JSON out
    args = ap.parse_args(argv)

    if args.one:
        print(json.dumps(run_one(args.one, args.data)))
        return 0
    results = []
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--data", str(args.data)],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = results[-1]
        print(f"n={n}: {r['total_s']:.1f} s, {r['docs_per_s']:.0f} docs/s", file=sys.stderr)
    info = {
        "date": time.strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "signature_version": syndication.SIGNATURE_VERSION,
        "bands": syndication.BANDS,
        "rows": syndication.ROWS,
        "threshold": syndication.THRESHOLD,
        "cpu": platform.processor() or platform.machine(),
        "results": results,
    }
    print(
        f"{'n':>7} {'chars/doc':>9} {'sig s':>7} {'clust s':>7} {'total s':>7} {'docs/s':>7} "
        f"{'cpu s':>6} {'docs/cpu-s':>10} {'peak MB':>7} {'true pr':>8} {'P':>6} {'R':>6} {'origin':>6}"
    )
    for r in results:
        print(
            f"{r['n']:>7} {r['chars_per_doc']:>9.0f} {r['signature_s']:>7.2f} {r['cluster_s']:>7.2f} "
            f"{r['total_s']:>7.2f} {r['docs_per_s']:>7.0f} {r['cpu_s']:>6.2f} {r['docs_per_cpu_s']:>10.0f} "
            f"{r['peak_rss_mb']:>7.0f} "
            f"{r['true_pairs']:>8} {r['precision']:>6.4f} {r['recall']:>6.4f} "
            f"{r['origin_accuracy'] if r['origin_accuracy'] is not None else float('nan'):>6.3f}"
        )
    for r in results:
        parts = ", ".join(
            f"J {k}: {v['recall']:.3f} of {v['pairs']}" for k, v in r["recall_by_true_jaccard"].items()
        )
        print(f"n={r['n']}: recall by true Jaccard (sampled pairs): {parts}")
    if args.json:
        args.json.write_text(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
