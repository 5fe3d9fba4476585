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
import hashlib
import json
import pickle
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
    N_BASE,
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
#: Text -> its ``line_features`` (``_memoized_features``; filled by ``dataset`` too).
_MEMO: dict[str, dict[int, list[float]]] = {}
#: The model file's version (2: block features and boosted trees).
VERSION = 2


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
    domain: str
    x: np.ndarray
    y: np.ndarray
    w: np.ndarray


def dataset(pages: list[devsets.Page], cache: Path | None = None) -> tuple[list[PageLines], list[str]]:
    """Tune pages' labelled lines and every page's text; ``cache``: a pickle of both, reused
    when it was made for the same pages and features (and written otherwise)."""
    key = (FEATURES, [(p.set, p.id) for p in pages])
    if cache is not None and cache.is_file():
        got = pickle.loads(cache.read_bytes())
        if got[0] == key:
            _MEMO.update(got[3])
            return got[1], got[2]
    found, texts = [], []
    for page in pages:
        text = normalize(devsets.fullpage_text(page))[0]
        texts.append(text)
        if page.half != "tune":
            continue
        doc = DocView(text)
        feats = _MEMO[text] = line_features(doc)
        if not feats:
            continue
        got = labels(page, doc, list(feats))
        ys = np.array([got[i][0] if i in got else np.nan for i in feats])
        ws = np.array([got[i][1] if i in got else 0.0 for i in feats])
        found.append(PageLines(page.set, page.domain, np.array(list(feats.values()), dtype=float), ys, ws))
    if cache is not None:
        cache.write_bytes(pickle.dumps((key, found, texts, _MEMO)))
    return found, texts


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = L2) -> dict:
    """L2 logistic regression on standardized ``x`` (Newton's method)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    z1 = np.hstack([z, np.ones((len(z), 1))])
    beta = np.zeros(z1.shape[1])
    reg = np.full(z1.shape[1], l2)
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


def fit_trees(x: np.ndarray, y: np.ndarray, w: np.ndarray, z0: np.ndarray, n_trees: int, depth: int,
              lr: float, bins: int = 32, lam: float = 1.0, min_child: float = 20.0) -> list[dict]:
    """Gradient-boosted trees (logistic loss, histogram splits) on top of the logits ``z0``."""
    w = w / w.sum() * len(w)
    nf = x.shape[1]
    edges = [np.unique(np.quantile(x[:, j], np.linspace(0, 1, bins + 1)[1:-1])) for j in range(nf)]
    nb = bins + 1
    xb = np.stack([np.searchsorted(edges[j], x[:, j], side="left") for j in range(nf)], axis=1)
    flat = xb + np.arange(nf) * nb
    z = z0.copy()
    trees = []
    for _ in range(n_trees):
        p = 1 / (1 + np.exp(-np.clip(z, -30, 30)))
        g, h = w * (p - y), w * p * (1 - p)
        nodes = [np.arange(len(y))]
        feat, thr = [], []
        for _d in range(depth):
            nxt = []
            for idx in nodes:
                best = None
                if len(idx) and h[idx].sum() >= 2 * min_child:
                    gh = np.bincount(flat[idx].ravel(), weights=np.repeat(g[idx], nf), minlength=nf * nb)
                    hh = np.bincount(flat[idx].ravel(), weights=np.repeat(h[idx], nf), minlength=nf * nb)
                    gl = np.cumsum(gh.reshape(nf, nb), axis=1)[:, :-1]
                    hl = np.cumsum(hh.reshape(nf, nb), axis=1)[:, :-1]
                    gt, ht = g[idx].sum(), h[idx].sum()
                    gain = gl**2 / (hl + lam) + (gt - gl) ** 2 / (ht - hl + lam) - gt**2 / (ht + lam)
                    gain[(hl < min_child) | (ht - hl < min_child)] = -1
                    j, t = np.unravel_index(np.argmax(gain), gain.shape)
                    if gain[j, t] > 0 and t < len(edges[j]):
                        best = (int(j), int(t))
                if best is None:
                    feat.append(0)
                    thr.append(1e300)
                    nxt += [idx, idx[:0]]
                else:
                    j, t = best
                    feat.append(j)
                    thr.append(float(edges[j][t]))
                    left = xb[idx, j] <= t
                    nxt += [idx[left], idx[~left]]
            nodes = nxt
        leaves = [float(-lr * g[idx].sum() / (h[idx].sum() + lam)) if len(idx) else 0.0 for idx in nodes]
        for idx, v in zip(nodes, leaves, strict=True):
            z[idx] += v
        trees.append({"feature": feat, "threshold": thr, "leaf": leaves})
    return trees


def _labelled(rows: list[tuple[np.ndarray, PageLines]], traf_weight: float) -> tuple[np.ndarray, ...]:
    keep = []
    for x, p in rows:
        known = ~np.isnan(p.y)
        keep.append((x[known], p.y[known], p.w[known] * (traf_weight if p.set == "traf" else 1.0)))
    return (np.vstack([k[0] for k in keep]), np.concatenate([k[1] for k in keep]),
            np.concatenate([k[2] for k in keep]))  # fmt: skip


def train(found: list[PageLines], smooth: bool, traf_weight: float, trees: int = 0, depth: int = 3,
          lr: float = 0.1, l2: float = L2, n_features: int | None = None) -> dict:
    """Both passes; a trafilatura-dev page weighs ``traf_weight`` wcxb pages. ``trees`` > 0:
    that many boosted trees on the first pass's logit (raw features, same labels and weights),
    before the smoothing pass is fitted on the boosted probabilities. ``l2``: the L2 weight of
    both regressions; ``n_features``: the first that many of ``FEATURES`` only (None: all)."""
    n = n_features or len(FEATURES)
    x, y, w = _labelled([(p.x[:, :n], p) for p in found], traf_weight)
    line = fit(x, y, w, l2)
    data = {"version": VERSION, "features": list(FEATURES[:n]), "line": line, "smooth": None,
            "smooth_features": list(SMOOTH_FEATURES), "threshold": 0.5, "trees": None}  # fmt: skip
    if trees:
        first = Logistic.from_dict(line)
        z0 = np.array([first.logit(list(r)) for r in x])
        grown = fit_trees(x, y, w, z0, trees, depth, lr)
        data["trees"] = {"depth": depth, **{k: [t[k] for t in grown] for k in ("feature", "threshold", "leaf")}}  # noqa: E501
    if smooth:
        model = LineModel.from_dict(data)
        rows = [(np.array(smooth_features([model.first_pass(list(r)) for r in p.x[:, :n]])), p)
                for p in found]
        data["smooth"] = fit(*_labelled(rows, traf_weight), l2)
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


def _memoized_features() -> None:
    """The grid scores the same texts for every setting: compute each text's line features
    once (they do not depend on the model) by caching ``line_features`` by text."""
    import scrubline.boilerplate.linemodel as module

    def features(doc: DocView, blocks: bool = True) -> dict[int, list[float]]:
        # always with the block features: a model that does not read them ignores them
        got = _MEMO.get(doc.text)
        if got is None:
            got = _MEMO[doc.text] = line_features(doc)
        return got

    module.line_features = features


#: ``FEATURES`` up to the block features: the v1 model's set (``--cv-features v1``).
N_V1 = N_BASE


def fold_of(domain: str, k: int) -> int:
    """A site's cross-validation fold: a hash of its registered domain (not the one that
    splits the halves, ``devsets.half``), so every page of a site is in one fold."""
    return int.from_bytes(hashlib.sha256(("cv:" + domain.lower()).encode()).digest()[:8], "big") % k


@dataclass(frozen=True)
class Capacity:
    """What the cross-validation chooses before the threshold and the guard."""

    features: str  # "v1" (the first N_V1) or "block" (all)
    trees: int
    l2: float
    traf_weight: float

    def train(self, found: list[PageLines], smooth: bool, depth: int, lr: float) -> dict:
        return train(found, smooth=smooth, traf_weight=self.traf_weight, trees=self.trees, depth=depth,
                     lr=lr, l2=self.l2, n_features=N_V1 if self.features == "v1" else None)  # fmt: skip


#: The shipped setting (``line_model`` v1): what ``--cv-objective min-gain`` measures gains
#: against, scored on the same folds as every candidate.
SHIPPED = (Capacity("v1", 0, 1.0, 2.0), 0.4, 0.9)
#: ``--cv-objective``: how a setting's per-fold (traf F1, wcxb F1) become one number.
OBJECTIVES = ("mean", "min-gain", "min-gain-fold")


def cv_objective(name: str, f1s: list[tuple[float, float]], base: list[tuple[float, float]] | None) -> float:
    """``mean``: the mean over folds of the two sets' mean F1. ``min-gain``: the worse of the
    two sets' CV gains over the shipped setting ``base`` on the same folds, min(CV traf - CV
    traf shipped, CV wcxb - CV wcxb shipped), so a gain on one set cannot pay for a loss on
    the other. ``min-gain-fold``: the mean over folds of each fold's worse gain."""
    k = len(f1s)
    if name == "mean":
        return sum((a + b) / 2 for a, b in f1s) / k
    assert base is not None and len(base) == k
    if name == "min-gain":
        return min(sum(a - a0 for (a, _), (a0, _) in zip(f1s, base, strict=True)) / k,
                   sum(b - b0 for (_, b), (_, b0) in zip(f1s, base, strict=True)) / k)  # fmt: skip
    if name == "min-gain-fold":
        return sum(min(a - a0, b - b0) for (a, b), (a0, b0) in zip(f1s, base, strict=True)) / k
    raise ValueError(f"unknown CV objective {name!r}: {', '.join(OBJECTIVES)}")


def _changes(cap: Capacity, threshold: float, guard: float | None) -> int:
    """How many of capacity, threshold and guard differ from ``SHIPPED``'s."""
    ship, t0, g0 = SHIPPED
    return (sum(getattr(cap, f) != getattr(ship, f) for f in ("features", "trees", "l2", "traf_weight"))
            + (threshold != t0) + (guard != g0))  # fmt: skip


def rank(scored: dict[tuple, list[tuple[float, float]]], objective: str) -> list[tuple]:
    """(objective, capacity, threshold, guard, per-fold F1s) for every scored setting, best
    first; a tie goes to the better mean of the two sets (for ``min-gain``: equal on the worse
    set, better on the other), then to the setting with fewer changes from the shipped one (a
    tie is no reason to change more; the shipped setting itself first)."""
    base = scored.get(SHIPPED)
    if objective != "mean" and base is None:
        raise ValueError("the shipped setting was not scored on these folds")
    out = [(cv_objective(objective, f1s, base), cap, t, guard, f1s)
           for (cap, t, guard), f1s in scored.items()]  # fmt: skip
    out.sort(key=lambda o: (-round(o[0], 10), -round(cv_objective("mean", o[4], None), 10),
                            _changes(o[1], o[2], o[3])))  # fmt: skip
    return out


def cross_validate(pages: list[devsets.Page], texts: list[str], found: list[PageLines], k: int,
                   capacities: list[Capacity], thresholds: list[float], guards: list[float | None],
                   smooth: bool, depth: int, lr: float,
                   baseline: bool = False) -> dict[tuple, list]:  # fmt: skip
    """Site-grouped ``k``-fold cross-validation inside the tune halves: for each capacity and
    fold, train on the other folds' tune pages and score the fold's tune pages through the
    fullpage rules at every threshold x guard. Returns (capacity, threshold, guard) -> per-fold
    (traf F1, wcxb F1). ``baseline``: the shipped setting (``SHIPPED``) is scored too, on the
    same folds, whether or not the grid holds it."""
    tune = [(p, t) for p, t in zip(pages, texts, strict=True) if p.half == "tune"]
    folds = {i: [(p, t) for p, t in tune if fold_of(p.domain, k) == i] for i in range(k)}
    for i in range(k):
        n_traf = sum(p.set == "traf" for p, _ in folds[i])
        print(f"fold {i}: {n_traf} traf, {len(folds[i]) - n_traf} wcxb tune pages, "
              f"{len({p.domain for p, _ in folds[i]})} sites")  # fmt: skip
    plan = {cap: [(t, g) for t in thresholds for g in guards] for cap in capacities}
    if baseline:
        cap, t, g = SHIPPED
        plan = {cap: [(t, g)], **plan} if cap not in plan else plan
        if (t, g) not in plan[cap]:
            plan[cap].append((t, g))
    scored: dict[tuple, list[tuple[float, float]]] = {}
    for cap, settings in plan.items():
        t0 = time.perf_counter()
        for i in range(k):
            rest = [p for p in found if fold_of(p.domain, k) != i]
            model = LineModel.from_dict(cap.train(rest, smooth, depth, lr))
            held = folds[i]
            for t, guard in settings:
                got = evaluate([p for p, _ in held], [x for _, x in held],
                               fullpage_engine(LineModelRule(model, t, zone_guard=guard)))  # fmt: skip
                f1 = (got.get("traf/tune", 0.0), got.get("wcxb/tune", 0.0))
                scored.setdefault((cap, t, guard), []).append(f1)
        mine = [(key, f1s) for key, f1s in scored.items() if key[0] == cap]
        for (_, t, guard), f1s in mine:
            traf, wcxb = sum(a for a, _ in f1s) / k, sum(b for _, b in f1s) / k
            print(f"  t={t} guard {guard}: CV mean {cv_objective('mean', f1s, None):.4f} "
                  f"(traf {traf:.4f}, wcxb {wcxb:.4f})")  # fmt: skip
        print(f"{cap}: {len(settings)} settings, {time.perf_counter() - t0:.0f} s", flush=True)
    return scored


def _save_scored(path: Path, k: int, scored: dict[tuple, list]) -> None:
    rows = [{"features": cap.features, "trees": cap.trees, "l2": cap.l2, "traf_weight": cap.traf_weight,
             "threshold": t, "guard": g, "folds": f1s} for (cap, t, g), f1s in scored.items()]  # fmt: skip
    path.write_text(json.dumps({"k": k, "scored": rows}, indent=1) + "\n", encoding="utf-8")
    print("wrote", path)


def _load_scored(paths: list[Path], k: int) -> dict[tuple, list]:
    """The union of earlier ``--cv-json`` files (same folds); a setting in two must agree."""
    scored: dict[tuple, list] = {}
    for path in paths:
        got = json.loads(path.read_text(encoding="utf-8"))
        if got["k"] != k:
            raise ValueError(f"{path}: {got['k']} folds, not {k}")
        for r in got["scored"]:
            key = (Capacity(r["features"], r["trees"], r["l2"], r["traf_weight"]), r["threshold"], r["guard"])
            f1s = [tuple(f) for f in r["folds"]]
            if key in scored and scored[key] != f1s:
                raise ValueError(f"{path}: {key} scored differently before")
            scored[key] = f1s
    return scored


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--no-smooth", action="store_true")
    ap.add_argument("--traf-weights", default="1,2,4", help="weights of a trafilatura-dev page to try")
    ap.add_argument("--guards", default="none,0.85,0.9", help="zone guards to try ('none': no guard)")
    ap.add_argument("--thresholds", default="0.4,0.45,0.5")
    ap.add_argument("--trees", type=int, default=0, help="boosted trees on the first pass (0: none)")
    ap.add_argument("--depth", type=int, default=3)
    ap.add_argument("--lr", type=float, default=0.1, help="the trees' learning rate")
    ap.add_argument("--cv", type=int, default=0,
                    help="choose everything by site-grouped K-fold cross-validation inside the tune halves")
    ap.add_argument("--cv-features", default="v1,block", help="feature sets to try under --cv")
    ap.add_argument("--cv-trees", default="0,15", help="numbers of boosted trees to try under --cv")
    ap.add_argument("--cv-l2", default="1,10", help="L2 weights to try under --cv")
    ap.add_argument("--cv-objective", default="mean", choices=OBJECTIVES,
                    help="mean: the two sets' mean F1; min-gain: the worse set's CV gain over the shipped "
                         "setting; min-gain-fold: the mean over folds of the worse set's gain")
    ap.add_argument("--cv-json", type=Path, help="under --cv: store every setting's per-fold F1s here")
    ap.add_argument("--cv-from", help="under --cv: rank the union of these --cv-json files (comma-separated)")
    ap.add_argument("--no-refit", action="store_true", help="under --cv: stop after the ranking")
    ap.add_argument("--cache", type=Path, help="pickle of the dataset and features, reused when it matches")
    args = ap.parse_args()
    pages = devsets.load("all")
    if args.limit:
        pages = pages[:: max(1, len(pages) // args.limit)]
    t0 = time.perf_counter()
    found, texts = dataset(pages, args.cache)
    n = sum(int((~np.isnan(p.y)).sum()) for p in found)
    print(f"{len(pages)} pages, {n} labelled tune lines, {time.perf_counter() - t0:.0f} s")
    _memoized_features()
    guards = [None if v == "none" else float(v) for v in args.guards.split(",")]
    thresholds = [float(v) for v in args.thresholds.split(",")]
    if args.cv:
        run_cv(args, pages, texts, found, guards, thresholds)
        return
    base = evaluate(pages, texts, fullpage_engine(MainZoneRule()))
    print("main_zone (current):", base)
    best = None
    for traf_weight in (float(v) for v in args.traf_weights.split(",")):
        data = train(found, smooth=not args.no_smooth, traf_weight=traf_weight, trees=args.trees,
                     depth=args.depth, lr=args.lr)
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
    data["trained"] = {"traf_weight": traf_weight, "halves": "tune", "by": "bench/line_model.py",
                       "trees": args.trees, "depth": args.depth, "lr": args.lr}
    print(f"chosen on tune: traf weight {traf_weight}, threshold {threshold}, "
          f"zone guard {guard}")  # fmt: skip
    if args.write:
        write(data)


def run_cv(args: argparse.Namespace, pages: list[devsets.Page], texts: list[str], found: list[PageLines],
           guards: list[float | None], thresholds: list[float]) -> None:  # fmt: skip
    """``--cv K``: the capacity, threshold and guard chosen by cross-validation on the tune
    halves (``--cv-objective``), then the model refitted on all tune pages; both halves
    reported. ``--cv-json``: store every setting's per-fold F1s; ``--cv-from``: rank the union
    of such files instead of running the grid (several grids, one choice); ``--no-refit``:
    stop after the ranking (a grid whose files are merged later)."""
    k = args.cv
    if args.cv_from:
        scored = _load_scored([Path(v) for v in args.cv_from.split(",")], k)
    else:
        capacities = [Capacity(f, int(n), float(l2), float(tw)) for f in args.cv_features.split(",")
                      for n in args.cv_trees.split(",") for l2 in args.cv_l2.split(",")
                      for tw in args.traf_weights.split(",")]  # fmt: skip
        scored = cross_validate(pages, texts, found, k, capacities, thresholds, guards, not args.no_smooth,
                                args.depth, args.lr, baseline=args.cv_objective != "mean")  # fmt: skip
        if args.cv_json:
            _save_scored(args.cv_json, k, scored)
    ranked = rank(scored, args.cv_objective)
    base = scored.get(SHIPPED)

    def line(o: tuple) -> str:
        objective, cap, t, guard, f1s = o
        traf, wcxb = sum(a for a, _ in f1s) / k, sum(b for _, b in f1s) / k
        gains = ""
        if base is not None:
            traf0, wcxb0 = sum(a for a, _ in base) / k, sum(b for _, b in base) / k
            gains = (f" gains traf {traf - traf0:+.4f} wcxb {wcxb - wcxb0:+.4f}"
                     f" min-gain-fold {cv_objective('min-gain-fold', f1s, base):+.4f}")  # fmt: skip
        return (f"{objective:+.4f} {cap} t={t} guard {guard}: CV traf {traf:.4f} wcxb {wcxb:.4f}, "
                f"mean {cv_objective('mean', f1s, None):.4f}{gains}")  # fmt: skip

    if base is not None:
        print(f"shipped setting {SHIPPED} on these folds: " + line((0.0, *SHIPPED, base)))
    print(f"top 10 of {len(ranked)} by CV objective {args.cv_objective}:")
    for o in ranked[:10]:
        print("  " + line(o) + " folds (traf/wcxb) " + " ".join(f"{a:.3f}/{b:.3f}" for a, b in o[4]))
    objective, cap, threshold, guard, _ = ranked[0]
    print(f"chosen by {k}-fold CV on tune ({args.cv_objective}): {cap}, threshold {threshold}, "
          f"zone guard {guard} (objective {objective:+.4f})")  # fmt: skip
    if args.cv_objective != "mean" and ((cap, threshold, guard) == SHIPPED or objective <= 0):
        print("the shipped setting is not beaten on both sets: nothing to refit")
        return
    if args.no_refit:
        return
    data = cap.train(found, not args.no_smooth, args.depth, args.lr)
    data["threshold"] = threshold
    data["zone_guard"] = guard
    data["trained"] = {"traf_weight": cap.traf_weight, "halves": "tune", "by": "bench/line_model.py --cv",
                       "cv": {"folds": k, "objective": args.cv_objective, "score": round(objective, 4)},
                       "features": cap.features, "l2": cap.l2, "trees": cap.trees, "depth": args.depth,
                       "lr": args.lr}  # fmt: skip
    got = evaluate(pages, texts, fullpage_engine(LineModelRule(LineModel.from_dict(data))))
    print(f"refitted on all tune: {got}")
    if args.write:
        write(data)


def write(data: dict) -> None:
    """Store the model in the package (rounded weights; tree thresholds exact)."""
    MODEL_PATH.parent.mkdir(exist_ok=True)
    if data["trees"]:
        # leaves rounded; thresholds kept exact (a rounded one could move a line across it)
        data["trees"]["leaf"] = [[round(v, 6) for v in row] for row in data["trees"]["leaf"]]
    for part in ("line", "smooth"):
        if data[part]:
            data[part] = {k: [round(v, 6) for v in val] if isinstance(val, list) else round(val, 6)
                          for k, val in data[part].items()}  # fmt: skip
    MODEL_PATH.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print("wrote", MODEL_PATH)


if __name__ == "__main__":
    main()
