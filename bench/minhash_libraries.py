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
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
    for name, sign in library_signers():
        if sign is None:
            print(f"{name} not installed")
            continue
        print(f"{name}: {best(lambda sign=sign: [sign(t) for t in texts]) * per_k:.3f} s / 1k docs")
        m = [sign(t) for t in texts]
        est = np.array([m[i].jaccard(m[j]) for i, j in pairs])
        print(f"  mean |{name} - ours| estimated Jaccard: {np.abs(est - ref).mean():.3f}")


def library_signers() -> list[tuple[str, Callable[[str], Any] | None]]:
    """(name, text -> the library's MinHash of its shingles) for each library, None if absent."""
    signers: list[tuple[str, Callable[[str], Any] | None]] = []
    try:
        from datasketch import MinHash

        def datasketch_sign(text: str) -> Any:
            m = MinHash(num_perm=syndication.NUM_PERM, seed=1)
            m.update_batch(shingles(text))
            return m

        signers.append(("datasketch MinHash (update_batch)", datasketch_sign))
    except ImportError:
        signers.append(("datasketch", None))
    try:
        from rensa import RMinHash

        def rensa_sign(text: str) -> Any:
            m = RMinHash(num_perm=syndication.NUM_PERM, seed=1)
            m.update([s.decode() for s in shingles(text)])
            return m

        signers.append(("rensa RMinHash", rensa_sign))
    except ImportError:
        signers.append(("rensa", None))
    return signers

if __name__ == "__main__":
    main()
