"""Our vectorised MinHash (scrubline.syndication) against datasketch and rensa (issue 16).

Same texts, same shingles (word 5-grams of scrubline.syndication.words), 128 permutations.
Reports seconds per 1,000 documents (best of 3, one core) and, for the libraries, how well
their estimated Jaccard agrees with ours on near-duplicate pairs made by editing each text.

    uv run --with datasketch --with rensa python bench/minhash_libraries.py [--docs 2000]
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import numpy as np

from scrubline import syndication

TEXTS = Path(__file__).resolve().parents[2] / "shared" / "benchdata" / "trafilatura-dev" / "txt"


def corpus(n: int) -> list[str]:
    base = [p.read_text(encoding="utf-8") for p in sorted(TEXTS.rglob("*.txt"))]
    rng = random.Random(7)
    out = []
    while len(out) < n:  # a text, then an edited copy of it (up to a fifth dropped at its start)
        text = rng.choice(base).split()
        cut = rng.randrange(0, max(1, len(text) // 5))
        out += [" ".join(text), " ".join(text[cut:])]
    return out[:n]


def shingles(text: str) -> list[bytes]:
    w = syndication.words(text)
    k = syndication.SHINGLE_WORDS
    grams = [" ".join(w[i : i + k]) for i in range(max(1, len(w) - k + 1))] if w else []
    return [g.encode() for g in grams]


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=2000)
    args = parser.parse_args()
    texts = corpus(args.docs)
    per_k = 1000 / len(texts)
    ours = best(lambda: syndication.signatures(texts))
    print(f"scrubline.syndication.signatures: {ours * per_k:.3f} s / 1k docs")
    sigs = syndication.signatures(texts)
    pairs = [(i, i + 1) for i in range(0, len(texts) - 1, 2)]
    ref = np.array([syndication.similarity(sigs[i], sigs[j]) for i, j in pairs])
    try:
        from datasketch import MinHash

        def ds() -> list:
            out = []
            for t in texts:
                m = MinHash(num_perm=syndication.NUM_PERM, seed=1)
                m.update_batch(shingles(t))
                out.append(m)
            return out

        print(f"datasketch MinHash (update_batch): {best(ds) * per_k:.3f} s / 1k docs")
        m = ds()
        est = np.array([m[i].jaccard(m[j]) for i, j in pairs])
        print(f"  mean |datasketch - ours| estimated Jaccard: {np.abs(est - ref).mean():.3f}")
    except ImportError:
        print("datasketch not installed")
    try:
        from rensa import RMinHash

        def rs() -> list:
            out = []
            for t in texts:
                m = RMinHash(num_perm=syndication.NUM_PERM, seed=1)
                m.update([s.decode() for s in shingles(t)])
                out.append(m)
            return out

        print(f"rensa RMinHash: {best(rs) * per_k:.3f} s / 1k docs")
        m = rs()
        est = np.array([m[i].jaccard(m[j]) for i, j in pairs])
        print(f"  mean |rensa - ours| estimated Jaccard: {np.abs(est - ref).mean():.3f}")
    except ImportError:
        print("rensa not installed")


if __name__ == "__main__":
    main()
