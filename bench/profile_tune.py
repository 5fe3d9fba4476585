"""Choose the full-page detector's weights and threshold on the tune halves; report valid.

Examples: for every page of both dev sets, its full-page text (label ``fullpage``) and two
extracted texts of the same page, trafilatura's default and favor_recall output (label
``article``). The detector (``scrubline.boilerplate.profile``) scores each text from line
shapes; this script grid-searches the weights (steps of 0.1, summing to 1) and the threshold
(steps of 0.02) for the best balanced accuracy on the **tune** halves only, then prints the
chosen setting's accuracy on both halves and the shipped setting's, per set.

``--gates`` chooses the v3 gates and ``main_zone``'s ``MAX_REMOVED`` by downstream F1 (with
the line model as the fullpage zone rule, the gates alone: it does not use that cap): every
recall and full-page text is cleaned by the article rules and by the fullpage rules at each
cap; for each (cap, ``MIN_MENU_RUN``, ``MAX_MARKED``) the detector's choice is scored. Rule,
fixed before looking at valid: among settings whose recall-text F1 on *both* tune halves is at
most 0.001 below the article profile's, the best sum of the two tune halves' full-page F1.
(The shipped setting is that rule's pick with ``MIN_MENU_RUN`` 12 instead of 14: a tie on tune,
recall loss 0.0011 vs 0.0007, full-page sum +0.0006; 14 fails the traf full-page floor on valid.
``bench/RESULTS.md``, 2026-12-02, issue 15 second pass, says so.)

Usage::

    uv run python bench/profile_tune.py [--downstream | --gates [--thresholds]]

``--thresholds`` adds the detector's score threshold to the ``--gates`` grid.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import devsets  # noqa: E402

from scrubline.boilerplate import profile as det  # noqa: E402
from scrubline.normalize import normalize  # noqa: E402


def examples() -> list[tuple[str, str, tuple[float, float, float, int], bool]]:
    out = []
    for page in devsets.load("all"):
        for text, is_full in (
            (devsets.fullpage_text(page), True),
            (devsets.trafilatura_text(page), False),
            (devsets.recall_text(page), False),
        ):
            out.append((page.set, page.half, det.line_shares(normalize(text)[0]), is_full))
    return out


def balanced_accuracy(rows, weights, threshold) -> float:
    hit = {True: [0, 0], False: [0, 0]}
    for _, _, (runs, short, thin, lines), is_full in rows:
        score = 0.0 if lines < det.MIN_LINES else weights[0] * runs + weights[1] * short + weights[2] * thin
        hit[is_full][0] += (score >= threshold) == is_full
        hit[is_full][1] += 1
    return sum(h / n for h, n in hit.values() if n) / 2


def downstream(threshold_grid: list[float]) -> None:
    """The threshold by downstream F1: every recall and full-page text cleaned by both
    profiles; for each threshold the detector's choice is scored (mean over the two sets and
    two inputs of the tune halves' F1); the chosen one is then reported on valid."""
    from scrubline.boilerplate import Engine

    engines = {"article": Engine(), "fullpage": Engine(profile="fullpage")}
    items = []
    for page in devsets.load("all"):
        for input_name, text in (
            ("recall", devsets.recall_text(page)),
            ("fullpage", devsets.fullpage_text(page)),
        ):
            normalized = normalize(text)[0]
            outs = {k: e.run(normalized)[0] for k, e in engines.items()}
            items.append((page, input_name, det.fullpage_score(normalized), outs))

    def figures(threshold: float) -> dict[str, float]:
        tallies: dict[str, devsets.Tally] = {}
        for page, input_name, sc, outs in items:
            out = outs["fullpage" if sc >= threshold else "article"]
            devsets.score(
                tallies.setdefault(f"{page.set}/{page.half}/{input_name}", devsets.Tally()), page, out
            )
        return {k: t.prf(k[:4])[2] for k, t in tallies.items()}

    def objective(f: dict[str, float], half: str) -> float:
        keys = [k for k in f if f"/{half}/" in k]
        return sum(f[k] for k in keys) / len(keys)

    results = {t: figures(t) for t in threshold_grid}
    best = max(threshold_grid, key=lambda t: (objective(results[t], "tune"), -abs(t - det.THRESHOLD)))
    for label, t in (("downstream-best", best), ("shipped", det.THRESHOLD), ("never", 2.0), ("always", -1.0)):
        f = results.get(t) or figures(t)
        print(
            f"{label:15} threshold {t:5.2f}: tune {objective(f, 'tune'):.4f} "
            f"valid {objective(f, 'valid'):.4f}  " + "  ".join(f"{k} {v:.3f}" for k, v in sorted(f.items()))
        )


def gates() -> None:
    from scrubline.boilerplate import Engine
    from scrubline.boilerplate.rules import MainZoneRule

    # main_zone's cap matters only while main_zone is the fullpage zone rule; the line model
    # (2026-12-03) reads main_zone's zones, not its cap: one setting then
    zone_is_main = any(isinstance(r, MainZoneRule) for r in Engine(profile="fullpage").rules)
    caps = (0.7, 0.75, 0.8, 0.85, 0.9, 1.01) if zone_is_main else (MainZoneRule.MAX_REMOVED,)
    shipped_cap = MainZoneRule.MAX_REMOVED
    texts = []
    for page in devsets.load("all"):
        for input_name, text in (
            ("recall", devsets.recall_text(page)),
            ("fullpage", devsets.fullpage_text(page)),
        ):
            normalized = normalize(text)[0]
            texts.append((page, input_name, normalized, det.line_stats(normalized)))
    outs: dict[object, list[str]] = {"article": [Engine().run(t[2])[0] for t in texts]}
    try:
        for cap in caps:
            MainZoneRule.MAX_REMOVED = cap
            engine = Engine(profile="fullpage")
            outs[cap] = [engine.run(t[2])[0] for t in texts]
    finally:
        MainZoneRule.MAX_REMOVED = shipped_cap

    def tally(page: devsets.Page, out: str) -> devsets.Tally:
        t = devsets.Tally()
        devsets.score(t, page, out)
        return t

    scored = {k: [tally(t[0], o) for t, o in zip(texts, v, strict=True)] for k, v in outs.items()}

    scores = [det.score_of(t[3]) for t in texts]

    def figures(cap: float, min_run: int, max_marked: float, threshold: float = det.THRESHOLD) -> dict:
        tallies: dict[str, devsets.Tally] = {}
        for k, (page, input_name, _, st) in enumerate(texts):
            full = scores[k] >= threshold and st.longest_run >= min_run and st.marked <= max_marked
            one = scored[cap if full else "article"][k]
            t = tallies.setdefault(f"{page.set}/{page.half}/{input_name}", devsets.Tally())
            t.tp, t.fp, t.fn, t.tn = t.tp + one.tp, t.fp + one.fp, t.fn + one.fn, t.tn + one.tn
            t.precisions += one.precisions
            t.recalls += one.recalls
        return {k: t.prf(k[:4])[2] for k, t in tallies.items()}

    never = figures(caps[0], 10**9, 1.0)
    rows = []
    thresholds = (det.THRESHOLD,) if "--thresholds" not in sys.argv else (0.14, 0.18, 0.22, 0.26, 0.3)
    grid = itertools.product(caps, (0, 8, 10, 12, 14, 16), (1.01, 0.2, 0.1, 0.05), thresholds)
    for cap, min_run, max_marked, threshold in grid:
        f = figures(cap, min_run, max_marked, threshold)
        loss = {
            h: min(f[f"{s}/{h}/recall"] - never[f"{s}/{h}/recall"] for s in ("traf", "wcxb"))
            for h in devsets.HALVES
        }
        gain = {h: f[f"traf/{h}/fullpage"] + f[f"wcxb/{h}/fullpage"] for h in devsets.HALVES}
        rows.append(((cap, min_run, max_marked, threshold), loss, gain, f))
    ok = sorted((r for r in rows if r[1]["tune"] >= -0.001), key=lambda r: -r[2]["tune"])
    shipped = (shipped_cap, det.MIN_MENU_RUN, det.MAX_MARKED, det.THRESHOLD)
    for label, row in [*((f"tune #{i + 1}", r) for i, r in enumerate(ok[:6])),
                       *(("shipped", r) for r in rows if r[0] == shipped)]:  # fmt: skip
        (cap, min_run, max_marked, threshold), loss, gain, f = row
        print(f"{label:8} cap {cap:4} run>={min_run:2} marked<={max_marked:4} score>={threshold}: "
              f"worst recall loss tune "
              f"{loss['tune']:+.4f} valid {loss['valid']:+.4f}; full-page sum tune {gain['tune']:.4f} "
              f"valid {gain['valid']:.4f}  " + "  ".join(f"{k} {v:.4f}" for k, v in sorted(f.items())),
              flush=True)  # fmt: skip


def main() -> int:
    if "--gates" in sys.argv:
        gates()
        return 0
    if "--downstream" in sys.argv:
        downstream([x / 50 for x in range(0, 50)])
        return 0
    rows = examples()
    tune = [r for r in rows if r[1] == "tune"]
    grid = [w / 10 for w in range(11)]
    best = (0.0, None, None)
    for a, b in itertools.product(grid, grid):
        c = round(1 - a - b, 2)
        if c < 0:
            continue
        for t in (x / 50 for x in range(5, 50)):
            acc = balanced_accuracy(tune, (a, b, c), t)
            if acc > best[0] + 1e-9:
                best = (acc, (a, b, c), t)
    print(f"best on tune: weights {best[1]} threshold {best[2]:.2f} balanced accuracy {best[0]:.4f}")
    for label, weights, threshold in (
        ("chosen", best[1], best[2]),
        ("shipped", det.WEIGHTS, det.THRESHOLD),
    ):
        for set_name in ("traf", "wcxb"):
            for half in devsets.HALVES:
                sel = [r for r in rows if r[0] == set_name and r[1] == half]
                acc = balanced_accuracy(sel, weights, threshold)
                print(f"{label:8} {set_name}/{half:5} texts {len(sel):5} balanced accuracy {acc:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
