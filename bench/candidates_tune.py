"""Choose when the HTML path falls back from trafilatura's text to the page's visible text.

Two candidates per page: (A) trafilatura's main text cleaned by the article engine, (B) all
the visible text (html-text, one block per line) cleaned by the fullpage engine. B is what
wins on pages trafilatura mis-reads (listings, product and service pages: it keeps one block
of many). The signal is cheap and general: how much text A kept, absolute and relative to the
page's visible text. This script sweeps the two gates on the **tune** halves of both dev sets
(mean of the two sets' F1) and prints the best setting and the shipped one on both halves.

Usage::

    uv run python bench/candidates_tune.py
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import devsets  # noqa: E402
from devsets import Tally, score  # noqa: E402

from scrubline import extract  # noqa: E402
from scrubline.boilerplate import Engine  # noqa: E402
from scrubline.normalize import normalize  # noqa: E402


def _clean(engine: Engine, text: str) -> str:
    return engine.run(normalize(text)[0])[0] if text.strip() else ""


def rows() -> list[dict]:
    article, full = Engine(), Engine(profile="fullpage")
    out = []
    for page in devsets.load("all"):
        a = devsets.trafilatura_text(page)
        v = devsets.fullpage_text(page)
        out.append({"page": page, "a_chars": len(a), "v_chars": len(v),
                    "a": _clean(article, a), "b": _clean(full, v)})  # fmt: skip
    return out


def f1s(data: list[dict], max_chars: int, max_ratio: float) -> dict[str, float]:
    tallies: dict[str, Tally] = {}
    for r in data:
        page = r["page"]
        ratio = r["a_chars"] / r["v_chars"] if r["v_chars"] else 1.0
        use_b = r["a_chars"] < max_chars and ratio < max_ratio
        score(tallies.setdefault(f"{page.set}/{page.half}", Tally()), page, r["b"] if use_b else r["a"])
        if page.set == "wcxb":
            key = f"wcxb:{page.page_type}/{page.half}"
            score(tallies.setdefault(key, Tally()), page, r["b"] if use_b else r["a"])
    return {k: t.prf(k[:4])[2] for k, t in tallies.items()}


def main() -> int:
    data = rows()
    best = (-1.0, None)
    for max_chars, max_ratio in itertools.product(
        (0, 500, 1000, 1500, 2000, 3000, 5000, 8000, 10**9), (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 1.01)
    ):
        f = f1s(data, max_chars, max_ratio)
        objective = (f["traf/tune"] + f["wcxb/tune"]) / 2
        if objective > best[0] + 1e-9:
            best = (objective, (max_chars, max_ratio))
    print(f"best on tune: max_chars {best[1][0]} max_ratio {best[1][1]} (mean tune F1 {best[0]:.4f})")
    shipped = (getattr(extract, "FALLBACK_MAX_CHARS", 0), getattr(extract, "FALLBACK_MAX_RATIO", 0.0))
    for label, setting in (("never", (0, 0.0)), ("chosen", best[1]), ("shipped", shipped)):
        f = f1s(data, *setting)
        print(f"{label:8} {setting}: " + "  ".join(f"{k} {v:.4f}" for k, v in sorted(f.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
