"""Train the full-page line model (``scrubline/boilerplate/linemodel.py``) on the tune halves
of both dev sets, choose its threshold there by downstream F1, and report both halves.

Data: every page's full-page text (``devsets.fullpage_text``), normalized as the product
normalizes it; each non-blank line is a sample with the features of ``line_features``.
Labels come from the gold of each set, never from our own rules:

- wcxb-dev: a line of at least 4 tokens is main content when at least half of its 4-token
  shingles are in the page's gold main text; a shorter line when its tokens occur, in order
  and contiguous, in the gold tokens. Each page's lines weigh 1 in all (by tokens), as the
  metric averages pages.
- trafilatura-dev: a line is main content when it contains, or lies within, one of the
  page's "with" segments, boilerplate when the same holds for a "without" segment; other
  lines are not labelled (the set marks a few segments per page).

Model: L2-regularized logistic regression on standardized features, fitted by Newton's
method (deterministic, numpy only here; the package scores it in plain Python), then a
second one over each line's first-pass probability and its neighbours' (``--no-smooth``: the
first pass alone). The grid, all on the tune halves: the weight of a trafilatura-dev page
against a wcxb page (``--traf-weights``; wcxb has five times the tune pages), the threshold,
and the zone guard (nothing removed when the lines outside ``main_zone``'s zones hold more
than that share of the text). Each setting runs through the fullpage rules with the line
model in place of ``main_zone``; the best mean of the two sets' tune F1 is kept. Both halves
are printed for ``main_zone`` and for every setting (valid is reported, never chosen on).

    uv run python bench/line_model.py [--write] [--limit N]   (~8 min for the default grid)

``--write`` stores the model in ``scrubline/boilerplate/data/line_model.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import devsets  # noqa: E402
from devsets import Tally, score, shingles  # noqa: E402

from scrubline.boilerplate import Engine  # noqa: E402
from scrubline.boilerplate.base import Rule  # noqa: E402
from scrubline.boilerplate.document import DocView  # noqa: E402
from scrubline.boilerplate.linemodel import (  # noqa: E402
    FEATURES,
    MODEL_PATH,
    SMOOTH_FEATURES,
    LineModel,
    LineModelRule,
    Logistic,
    line_features,
    smooth_features,
)
from scrubline.boilerplate.rules import MainZoneRule, default_rules  # noqa: E402
from scrubline.normalize import normalize  # noqa: E402

L2 = 1.0


def _tokens(text: str) -> list[str]:
    return devsets._TOKEN.findall(text)


def labels(page: devsets.Page, doc: DocView, lines: list[int]) -> dict[int, tuple[float, float]]:
    """Line -> (label, weight) for the lines the gold says something about."""
    out: dict[int, tuple[float, float]] = {}
    raw = doc.raw_lines
    if page.set == "wcxb":
        gold = page.gold["main"]
        gold_sh = shingles(gold)
        gold_str = " " + " ".join(_tokens(gold)) + " "
        toks = {i: _tokens(raw[i]) for i in lines}
        total = sum(len(t) for t in toks.values()) or 1
        for i, t in toks.items():
            if not t:
                continue
            if len(t) >= 4:
                sh = shingles(raw[i])
                hit = sum((sh & gold_sh).values()) / max(1, sum(sh.values()))
                y = float(hit >= 0.5)
            else:
                y = float(" " + " ".join(t) + " " in gold_str)
            out[i] = (y, len(t) / total)
        return out
    with_ = [devsets.norm(s) for s in page.gold["with"] if s.strip()]
    without = [devsets.norm(s) for s in page.gold["without"] if s.strip()]
    found: dict[int, float] = {}
    for i in lines:
        s = devsets.norm(raw[i])
        if len(s) < 3:
            continue
        pos = any(w in s or (len(s) >= 12 and s in w) for w in with_)
        neg = any(w in s or (len(s) >= 12 and s in w) for w in without)
        if pos != neg:
            found[i] = float(pos)
    for i, y in found.items():
        out[i] = (y, 1.0 / len(found))
    return out


@dataclass
class PageLines:
    """One tune page's content lines: features (text order), labels (NaN: none), weights."""

    set: str
    x: np.ndarray
    y: np.ndarray
    w: np.ndarray


def dataset(pages: list[devsets.Page]) -> tuple[list[PageLines], list[str]]:
    found, texts = [], []
    for page in pages:
        text = normalize(devsets.fullpage_text(page))[0]
        texts.append(text)
        if page.half != "tune":
            continue
        doc = DocView(text)
        feats = line_features(doc)
        if not feats:
            continue
        got = labels(page, doc, list(feats))
        ys = np.array([got[i][0] if i in got else np.nan for i in feats])
        ws = np.array([got[i][1] if i in got else 0.0 for i in feats])
        found.append(PageLines(page.set, np.array(list(feats.values()), dtype=float), ys, ws))
    return found, texts


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> dict:
    """L2 logistic regression on standardized ``x`` (Newton's method)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    z1 = np.hstack([z, np.ones((len(z), 1))])
    beta = np.zeros(z1.shape[1])
    reg = np.full(z1.shape[1], L2)
    reg[-1] = 0.0
    w = w / w.sum() * len(w)
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(z1 @ beta, -30, 30)))
        grad = z1.T @ (w * (p - y)) + reg * beta
        hess = (z1 * (w * p * (1 - p))[:, None]).T @ z1 + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return {"mean": mean.tolist(), "scale": scale.tolist(), "weights": beta[:-1].tolist(),
            "bias": float(beta[-1])}  # fmt: skip


def _labelled(rows: list[tuple[np.ndarray, PageLines]], traf_weight: float) -> tuple[np.ndarray, ...]:
    keep = []
    for x, p in rows:
        known = ~np.isnan(p.y)
        keep.append((x[known], p.y[known], p.w[known] * (traf_weight if p.set == "traf" else 1.0)))
    return (np.vstack([k[0] for k in keep]), np.concatenate([k[1] for k in keep]),
            np.concatenate([k[2] for k in keep]))  # fmt: skip


def train(found: list[PageLines], smooth: bool, traf_weight: float) -> dict:
    """Both passes; a trafilatura-dev page weighs ``traf_weight`` wcxb pages."""
    line = fit(*_labelled([(p.x, p) for p in found], traf_weight))
    data = {"features": list(FEATURES), "line": line, "smooth": None,
            "smooth_features": list(SMOOTH_FEATURES), "threshold": 0.5}  # fmt: skip
    if smooth:
        first = Logistic.from_dict(line)
        rows = [(np.array(smooth_features([first.probability(list(r)) for r in p.x])), p) for p in found]
        data["smooth"] = fit(*_labelled(rows, traf_weight))
    return data


def evaluate(pages: list[devsets.Page], texts: list[str], engine: Engine) -> dict[str, float]:
    tallies: dict[str, Tally] = {}
    for page, text in zip(pages, texts, strict=True):
        out = engine.run(text)[0]
        score(tallies.setdefault(f"{page.set}/{page.half}", Tally()), page, out)
    return {k: round(t.prf("traf" if k.startswith("traf") else "wcxb")[2], 4)
            for k, t in sorted(tallies.items())}  # fmt: skip


def fullpage_engine(zone: Rule) -> Engine:
    """The fullpage profile's rules with ``zone`` as its zone rule."""
    return Engine(default_rules("fullpage", zone=zone), profile="fullpage")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--no-smooth", action="store_true")
    ap.add_argument("--traf-weights", default="1,2,4", help="weights of a trafilatura-dev page to try")
    ap.add_argument("--guards", default="none,0.85,0.9", help="zone guards to try ('none': no guard)")
    ap.add_argument("--thresholds", default="0.4,0.45,0.5")
    args = ap.parse_args()
    pages = devsets.load("all")
    if args.limit:
        pages = pages[:: max(1, len(pages) // args.limit)]
    t0 = time.perf_counter()
    found, texts = dataset(pages)
    n = sum(int((~np.isnan(p.y)).sum()) for p in found)
    print(f"{len(pages)} pages, {n} labelled tune lines, {time.perf_counter() - t0:.0f} s")
    base = evaluate(pages, texts, fullpage_engine(MainZoneRule()))
    print("main_zone (current):", base)
    best = None
    guards = [None if v == "none" else float(v) for v in args.guards.split(",")]
    for traf_weight in (float(v) for v in args.traf_weights.split(",")):
        data = train(found, smooth=not args.no_smooth, traf_weight=traf_weight)
        ranked = sorted(zip(FEATURES, data["line"]["weights"], strict=True), key=lambda t: -abs(t[1]))
        print(f"traf weight {traf_weight}: " + ", ".join(f"{name} {coef:+.2f}" for name, coef in ranked[:8]))
        model = LineModel.from_dict(data)
        for t in (float(v) for v in args.thresholds.split(",")):
            for guard in guards:
                got = evaluate(pages, texts, fullpage_engine(LineModelRule(model, t, zone_guard=guard)))
                tune = (got.get("traf/tune", 0) + got.get("wcxb/tune", 0)) / 2
                print(f"  traf weight {traf_weight} t={t} zone guard {guard}: {got}  tune mean {tune:.4f}",
                      flush=True)  # fmt: skip
                if best is None or tune > best[0]:
                    best = (tune, traf_weight, t, guard, data)
    assert best is not None
    _, traf_weight, threshold, guard, data = best
    data["threshold"] = threshold
    data["zone_guard"] = guard
    data["trained"] = {"traf_weight": traf_weight, "halves": "tune", "by": "bench/line_model.py"}
    print(f"chosen on tune: traf weight {traf_weight}, threshold {threshold}, "
          f"zone guard {guard}")  # fmt: skip
    if args.write:
        MODEL_PATH.parent.mkdir(exist_ok=True)
        for part in ("line", "smooth"):
            if data[part]:
                data[part] = {k: [round(v, 6) for v in val] if isinstance(val, list) else round(val, 6)
                              for k, val in data[part].items()}  # fmt: skip
        MODEL_PATH.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print("wrote", MODEL_PATH)


if __name__ == "__main__":
    main()
