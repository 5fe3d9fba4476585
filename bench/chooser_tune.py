"""Extraction candidates for HTML pages and a learned per-page choice among them (issue 15).

Candidates per page, each cleaned by the rule engine (cached under ``/tmp/scrubline-bench-cache``):

- ``T``: plain ``trafilatura.extract`` (the baseline, uncleaned);
- ``A``: the product path, ``scrubline.clean.process`` on the HTML capture (= "before");
- ``B``: the page's visible text (html-text, ``devsets.fullpage_text``) through
  ``Engine(profile="fullpage")``;
- ``C``: trafilatura ``favor_recall`` text through the article engine;
- ``D``: trafilatura ``favor_precision`` text through the article engine;
- ``R``: trafilatura's readability port (``trafilatura.readability_lxml``) through the article engine;
- ``E``: region consensus: the visible-text lines from the first to the last line that ``A``
  kept, each kept if ``A`` has it or the fullpage engine kept it (recovers list items, specs
  and teasers trafilatura drops inside the main area).

Per-page **oracles** (the best candidate of a set per page, by that page's own F1) bound what
any choice can reach. The **chooser**: one L2 logistic regression per alternative X (inputs
standardised; target "X beats A on this page", weight |F1(X) - F1(A)|), X chosen where its
probability is highest and over a threshold. Features are generic: lengths of A, of the
visible text and of the candidates, their ratios, word-set agreement between candidates, line
shapes, the share of characters the engines removed, and DOM counts (link-text share, ``li``
/ ``p`` / ``td`` / form-control shares, the largest run of same-tag-same-class siblings,
``article`` elements, sub-headings). Nothing names a site, a page or a phrase. The L2 weight
and the threshold are chosen by 5-fold cross-validation **grouped by site on the tune halves**
(objective: mean of the two sets' tune F1); the model is then fit on all of tune and scored
on valid. ``--cost`` times, per page, what the candidates would add to the HTML path.

Usage::

    uv run python bench/chooser_tune.py [--alts B,C,E] [--features all|no-recall|no-recall-no-dom]
        [--cost 200] [--weights out.json]
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import math
import re
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import devsets  # noqa: E402
from devsets import Page, Tally, norm, score  # noqa: E402

from scrubline.boilerplate import Engine  # noqa: E402
from scrubline.clean import CleanContext, process  # noqa: E402
from scrubline.extract import EXTRACT_VERSION  # noqa: E402
from scrubline.extract.tree import parse_html  # noqa: E402
from scrubline.markup import HtmlElement  # noqa: E402
from scrubline.normalize import normalize  # noqa: E402
from scrubline.records import Capture  # noqa: E402

ALL = ("T", "A", "B", "C", "D", "R", "E")
TYPES = ("article", "collection", "documentation", "forum", "listing", "product", "service")
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
_WORD = re.compile(r"\w+")


# --------------------------------------------------------------------------- candidates


def _clean(engine: Engine, text: str) -> str:
    return engine.run(normalize(text)[0])[0] if text and text.strip() else ""


def _traf_variant(page: Page, focus: str) -> str:
    import trafilatura

    def make(p: Page) -> str:
        return trafilatura.extract(p.html(), url=p.url, include_comments=False,
                                   favor_precision=focus == "precision") or ""  # fmt: skip

    return devsets.cached(f"traf-{focus}", trafilatura.__version__, page, make)


def _readability(page: Page) -> str:
    import lxml.html
    import trafilatura
    from trafilatura.readability_lxml import Document

    def make(p: Page) -> str:
        try:
            summary = Document(lxml.html.fromstring(p.html())).summary()
            return lxml.html.fromstring(summary).text_content() if summary else ""
        except Exception:  # noqa: BLE001 - readability failing on a page is an empty candidate
            return ""

    return devsets.cached("traf-readability", trafilatura.__version__, page, make)


def region(a_text: str, visible: str, full: Engine) -> str:
    """Candidate E: the visible lines between the first and the last line ``a_text`` kept,
    each kept if ``a_text`` has it or the fullpage engine keeps it (A's text unchanged when
    none of its lines is found in the visible text)."""
    v = normalize(visible)[0]
    kept = {norm(x) for x in (full.run(v)[0] if v.strip() else "").split("\n") if x.strip()}
    whole, a_lines = norm(a_text), {norm(x) for x in a_text.split("\n")}
    lines = [x for x in v.split("\n") if x.strip()]
    normed = [norm(x) for x in lines]
    in_a = [(len(x) >= 15 and x in whole) or (len(x) > 3 and x in a_lines) for x in normed]
    hits = [i for i, hit in enumerate(in_a) if hit]
    if not hits:
        return a_text
    lo, hi = hits[0], hits[-1]
    return "\n".join(x for i, x in enumerate(lines) if lo <= i <= hi and (in_a[i] or normed[i] in kept))


def candidates(pages: list[Page]) -> dict[str, dict[str, str]]:
    """page key -> {candidate: text, plus the raw inputs A_raw, V, C_raw} (cached)."""
    ctx, article, full = CleanContext.default(), Engine(), Engine(profile="fullpage")
    version = f"{Engine().version}-x{EXTRACT_VERSION}"

    def product(p: Page) -> str:
        uri = p.url or f"file:///{p.set}/{p.id}"
        try:
            doc = process(Capture(uri, p.raw(), _EPOCH, content_type="text/html"), ctx).document
        except Exception:  # noqa: BLE001 - a rejected page is an empty output
            return json.dumps(["", ""])
        return json.dumps([doc.text, doc.text_normalized])

    out = {}
    for n, page in enumerate(pages):
        a, a_raw = json.loads(devsets.cached("chooser-product", version, page, product))
        v, c_raw = devsets.fullpage_text(page), devsets.trafilatura_text(page, recall=True)
        d_raw, r_raw = _traf_variant(page, "precision"), _readability(page)
        row = {"T": devsets.trafilatura_text(page), "A": a, "A_raw": a_raw, "V": v, "C_raw": c_raw}
        for name, engine, text in (("B", full, v), ("C", article, c_raw), ("D", article, d_raw),
                                   ("R", article, r_raw)):  # fmt: skip
            make = lambda p, e=engine, t=text: _clean(e, t)  # noqa: E731
            row[name] = devsets.cached(f"chooser-{name}", version, page, make)
        row["E"] = devsets.cached("chooser-E", version, page, lambda p, r=row: region(r["A"], r["V"], full))
        out[f"{page.set}/{page.id}"] = row
        if n % 400 == 0:
            print(f"  candidates: {n}/{len(pages)}", file=sys.stderr, flush=True)
    return out


# --------------------------------------------------------------------------- features


def _shape(text: str) -> tuple[float, float, float]:
    lines = [x for x in text.split("\n") if x.strip()]
    if not lines:
        return 0.0, 0.0, 0.0
    mean = sum(len(x) for x in lines) / len(lines)
    return math.log1p(len(lines)), math.log1p(mean), sum(len(x) < 40 for x in lines) / len(lines)


def _cover(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a) if a else 1.0


def dom_features(tree: HtmlElement | None) -> dict[str, float]:
    names = ("links", "li", "p", "td", "forms", "rep", "articles", "subheads")
    if tree is None:
        return dict.fromkeys(names, 0.0)
    body = tree.find(".//body")
    body = tree if body is None else body
    total = len(body.text_content()) or 1
    link = sum(len(a.text_content()) for a in body.iter("a"))
    counts: Counter[str] = Counter()
    elements = rep = 0
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        elements += 1
        counts[el.tag] += 1
        if len(el) >= 4:
            siblings = Counter((ch.tag, ch.get("class")) for ch in el if isinstance(ch.tag, str))
            rep = max(rep, siblings.most_common(1)[0][1] if siblings else 0)
    n = elements or 1
    forms = sum(counts[t] for t in ("form", "input", "button", "select"))
    return {"links": link / total, "li": counts["li"] / n, "p": counts["p"] / n, "td": counts["td"] / n,
            "forms": math.log1p(forms), "rep": math.log1p(rep), "articles": math.log1p(counts["article"]),
            "subheads": math.log1p(counts["h2"] + counts["h3"] + counts["h4"])}  # fmt: skip


def features(page: Page, c: dict[str, str]) -> dict[str, float]:
    la, lv, lb, lc = len(c["A_raw"]) + 1, len(c["V"]) + 1, len(c["B"]) + 1, len(c["C_raw"]) + 1
    wa, wb, wc = (set(_WORD.findall(c[k].lower())) for k in ("A", "B", "C"))
    f = {"log_a": math.log(la), "log_v": math.log(lv), "a_v": la / lv, "b_v": lb / lv,
         "b_a": math.log(lb / la), "c_a": math.log(lc / la), "a_removed": 1 - (len(c["A"]) + 1) / la,
         "b_removed": 1 - lb / lv, "cov_b_by_a": _cover(wb, wa), "cov_a_by_b": _cover(wa, wb),
         "cov_c_by_a": _cover(wc, wa), "e_a": math.log((len(c["E"]) + 1) / (len(c["A"]) + 1))}  # fmt: skip
    for key, text in (("a", c["A_raw"]), ("v", c["V"]), ("b", c["B"])):
        f[f"{key}_lines"], f[f"{key}_meanlen"], f[f"{key}_short"] = _shape(text)
    f.update(dom_features(parse_html(page.html())))
    return f


# --------------------------------------------------------------------------- scoring


class Scores:
    """Per page and candidate: traf (tp, fp, fn) or wcxb (P, R), and a per-page F1."""

    def __init__(self, pages: list[Page], cands: dict[str, dict[str, str]]) -> None:
        self.raw: dict[tuple[str, str], tuple[float, ...]] = {}
        self.f1: dict[tuple[str, str], float] = {}
        for p in pages:
            key = f"{p.set}/{p.id}"
            for name in ALL:
                t = Tally()
                score(t, p, cands[key][name])
                if p.set == "traf":
                    self.raw[key, name] = (t.tp, t.fp, t.fn)
                    d = 2 * t.tp + t.fp + t.fn
                    self.f1[key, name] = 2 * t.tp / d if d else 1.0
                else:
                    pr, rc = t.precisions[0], t.recalls[0]
                    self.raw[key, name] = (pr, rc)
                    self.f1[key, name] = 2 * pr * rc / (pr + rc) if pr + rc else 0.0

    def set_f1(self, pages: list[Page], choice: dict[str, str]) -> float:
        """The set's own metric over ``pages`` (all of one set) with each page's chosen output."""
        if not pages:
            return float("nan")
        rows = [self.raw[f"{p.set}/{p.id}", choice[f"{p.set}/{p.id}"]] for p in pages]
        if pages[0].set == "traf":
            tp, fp, fn = (sum(r[i] for r in rows) for i in range(3))
            return 2 * tp / (2 * tp + fp + fn)
        pr, rc = (sum(r[i] for r in rows) / len(rows) for i in range(2))
        return 2 * pr * rc / (pr + rc) if pr + rc else 0.0


def table_row(scores: Scores, pages: list[Page], choice: dict[str, str]) -> dict[str, float]:
    row = {}
    for s in ("traf", "wcxb"):
        for h in devsets.HALVES:
            row[f"{s}/{h}"] = scores.set_f1([p for p in pages if p.set == s and p.half == h], choice)
    for t in TYPES:
        row[f"wcxb:{t}/valid"] = scores.set_f1(
            [p for p in pages if p.set == "wcxb" and p.half == "valid" and p.page_type == t], choice
        )
    return row


def print_table(rows: list[tuple[str, dict[str, float]]]) -> None:
    cols = list(rows[0][1])
    short = [c.replace("wcxb:", "").replace("/valid", " v").replace("/tune", " t") for c in cols]
    print(f"{'system':34}" + "".join(f"{c[:11]:>12}" for c in short))
    for label, row in rows:
        print(f"{label[:34]:34}" + "".join(f"{row[c]:12.3f}" for c in cols))


# --------------------------------------------------------------------------- the chooser


def fit_logistic(z: np.ndarray, y: np.ndarray, w: np.ndarray, lam: float) -> np.ndarray:
    """Weighted L2 logistic regression by Newton steps (deterministic); last weight = bias."""
    n, d = z.shape
    xb = np.hstack([z, np.ones((n, 1))])
    beta = np.zeros(d + 1)
    ridge = lam * np.diag(np.r_[np.ones(d), 0.0]) + 1e-9 * np.eye(d + 1)
    for _ in range(50):
        pr = 1 / (1 + np.exp(-(xb @ beta)))
        grad = xb.T @ (w * (pr - y)) + ridge @ beta
        hess = (xb * (w * pr * (1 - pr))[:, None]).T @ xb + ridge
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta


class Chooser:
    def __init__(self, keys: list[str], alts: list[str], lam: float, threshold: float) -> None:
        self.keys, self.alts, self.lam, self.threshold = keys, alts, lam, threshold
        self.mu = self.sd = np.zeros(0)
        self.beta: dict[str, np.ndarray] = {}

    def matrix(self, pages: list[Page], feats: dict[str, dict[str, float]]) -> np.ndarray:
        return np.array([[feats[f"{p.set}/{p.id}"][k] for k in self.keys] for p in pages], float)

    def fit(self, pages: list[Page], feats: dict[str, dict[str, float]], scores: Scores) -> Chooser:
        x = self.matrix(pages, feats)
        self.mu, self.sd = x.mean(0), x.std(0) + 1e-9
        z = (x - self.mu) / self.sd
        for alt in self.alts:
            keys = [f"{p.set}/{p.id}" for p in pages]
            gain = np.array([scores.f1[k, alt] - scores.f1[k, "A"] for k in keys])
            self.beta[alt] = fit_logistic(z, (gain > 0).astype(float), np.abs(gain) + 1e-3, self.lam)
        return self

    def choose(self, pages: list[Page], feats: dict[str, dict[str, float]]) -> dict[str, str]:
        z = (self.matrix(pages, feats) - self.mu) / self.sd
        zb = np.hstack([z, np.ones((len(z), 1))])
        probs = {alt: 1 / (1 + np.exp(-(zb @ b))) for alt, b in self.beta.items()}
        out = {}
        for i, p in enumerate(pages):
            best, best_p = "A", self.threshold
            for alt in self.alts:
                if probs[alt][i] > best_p:
                    best, best_p = alt, probs[alt][i]
            out[f"{p.set}/{p.id}"] = best
        return out

    def as_json(self) -> dict:
        return {"features": self.keys, "mean": self.mu.round(6).tolist(), "scale": self.sd.round(6).tolist(),
                "threshold": self.threshold, "l2": self.lam,
                "weights": {a: b.round(6).tolist() for a, b in self.beta.items()}}  # fmt: skip


def objective(scores: Scores, pages: list[Page], choice: dict[str, str]) -> float:
    return sum(scores.set_f1([p for p in pages if p.set == s], choice) for s in ("traf", "wcxb")) / 2


def select(
    tune: list[Page], feats: dict, scores: Scores, keys: list[str], alts: list[str]
) -> tuple[Chooser, float]:
    """L2 weight and threshold by 5-fold CV grouped by site on ``tune``; fit on all of it."""
    fold = {p.domain: int(hashlib.sha256(p.domain.encode()).hexdigest(), 16) % 5 for p in tune}
    best = (-1.0, 1.0, 0.5)
    for lam in (0.3, 1.0, 3.0, 10.0, 30.0, 100.0):
        fitted = []
        for k in range(5):
            train = [p for p in tune if fold[p.domain] != k]
            test = [p for p in tune if fold[p.domain] == k]
            fitted.append((test, Chooser(keys, alts, lam, 0.5).fit(train, feats, scores)))
        for threshold in (0.5, 0.6, 0.7, 0.8, 0.9):
            choice: dict[str, str] = {}
            for test, model in fitted:
                model.threshold = threshold
                choice.update(model.choose(test, feats))
            obj = objective(scores, tune, choice)
            if obj > best[0] + 1e-9:
                best = (obj, lam, threshold)
    return Chooser(keys, alts, best[1], best[2]).fit(tune, feats, scores), best[0]


# --------------------------------------------------------------------------- cost


def cost(pages: list[Page], n: int) -> None:
    """CPU ms per page of what the candidates add, beside plain trafilatura, on every k-th page."""
    import html_text
    import trafilatura

    full = Engine(profile="fullpage")
    sample = pages[:: max(1, len(pages) // n)]
    spent: Counter[str] = Counter()
    for page in sample:
        html = page.html()
        t = [time.process_time()]
        trafilatura.extract(html, url=page.url, include_comments=False)
        t.append(time.process_time())
        tree = parse_html(html)
        t.append(time.process_time())
        visible = html_text.extract_text(copy.deepcopy(tree), guess_layout=True) if tree is not None else ""
        t.append(time.process_time())
        kept = _clean(full, visible)
        t.append(time.process_time())
        region(kept, visible, full)  # with a stand-in for A's text: the matching's cost
        t.append(time.process_time())
        dom_features(tree)
        t.append(time.process_time())
        trafilatura.extract(html, url=page.url, include_comments=False, favor_recall=True)
        t.append(time.process_time())
        names = ("plain trafilatura", "parse (the path has its tree)", "visible text (html-text)",
                 "fullpage engine on it", "region consensus (E)", "DOM features (Python walk)",
                 "trafilatura favor_recall")  # fmt: skip
        spent.update({name: t[i + 1] - t[i] for i, name in enumerate(names)})
    base = spent["plain trafilatura"]
    print(f"\ncost on {len(sample)} pages (CPU ms per page; share of plain trafilatura's time):")
    for name, sec in spent.items():
        print(f"  {name:30} {1000 * sec / len(sample):7.2f} ms  {sec / base:6.1%}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--alts", default="B,C,E", help="alternatives to A the chooser may pick")
    ap.add_argument("--features", choices=("all", "no-recall", "no-recall-no-dom"), default="all",
                    help="drop the features that need a second trafilatura pass (and the DOM walk)")
    ap.add_argument("--cost", type=int, default=0, help="also time the candidates on ~N pages")
    ap.add_argument("--weights", type=Path, help="write the fitted chooser here (JSON)")
    args = ap.parse_args(argv)

    pages = devsets.load("all")
    cands = candidates(pages)
    scores = Scores(pages, cands)
    feats = {f"{p.set}/{p.id}": features(p, cands[f"{p.set}/{p.id}"]) for p in pages}
    rows = [(f"{name} alone", table_row(scores, pages, dict.fromkeys(cands, name))) for name in ALL]
    for combo in ("AB", "AC", "AE", "ABC", "ABCE", "ABCDRE"):
        best = {k: max(combo, key=lambda n, k=k: scores.f1[k, n]) for k in cands}
        rows.append((f"oracle per page {{{','.join(combo)}}}", table_row(scores, pages, best)))

    tune = [p for p in pages if p.half == "tune"]
    alts = args.alts.split(",")
    keys = sorted(next(iter(feats.values())))
    if args.features != "all":
        keys = [k for k in keys if k not in ("c_a", "cov_c_by_a")]
    if args.features == "no-recall-no-dom":
        keys = [k for k in keys if k not in dom_features(None)]
    model, cv = select(tune, feats, scores, keys, alts)
    choice = model.choose(pages, feats)
    rows.append((f"chooser A|{'|'.join(alts)} ({args.features})", table_row(scores, pages, choice)))
    print(f"{len(pages)} pages; engine {Engine().version}; extract v{EXTRACT_VERSION}; F1 per set/half")
    print_table(rows)
    print(f"\nchooser: L2 {model.lam}, threshold {model.threshold} (grouped 5-fold CV on tune: mean F1 "
          f"{cv:.4f}, A alone {objective(scores, tune, dict.fromkeys(cands, 'A')):.4f})")  # fmt: skip
    for h in devsets.HALVES:
        picked = Counter(choice[f"{p.set}/{p.id}"] for p in pages if p.half == h)
        print(f"  picks on {h}: {dict(sorted(picked.items()))}")
    print("\nthe chooser run only where A kept under a share of the visible text (a gate on a_v):")
    for limit in (0.05, 0.1, 0.2, 0.3, 0.5):
        gated = {k: (c if feats[k]["a_v"] < limit else "A") for k, c in choice.items()}
        row = table_row(scores, pages, gated)
        cells = []
        for group in ("traf/tune", "traf/valid", "wcxb/tune", "wcxb/valid"):
            s, h = group.split("/")
            sel = [p for p in pages if p.set == s and p.half == h]
            fires = sum(feats[f"{p.set}/{p.id}"]["a_v"] < limit for p in sel) / len(sel)
            cells.append(f"{group} {row[group]:.3f} (runs on {fires:.0%})")
        print(f"  a_v < {limit:4}: " + "  ".join(cells))
    if args.weights:
        args.weights.write_text(json.dumps(model.as_json(), indent=1), encoding="utf-8")
    if args.cost:
        cost(pages, args.cost)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
