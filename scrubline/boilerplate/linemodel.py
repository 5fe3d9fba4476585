"""A learned line classifier for full-page text: which lines are the page's main content.

Full-page text (all the visible text of a page, one block per line) holds menus, teaser
lists, link rows and footers around the main content. ``MainZoneRule`` finds the densest
run of lines with hand-set scores; this model reads the same kind of shallow line shapes
(Kohlschütter et al., "Boilerplate detection using shallow text features", WSDM 2010:
word counts, punctuation and the shape of the neighbouring lines carry most of the signal)
plus the main-zone rule's own verdict, and gives each line a probability of being main
content. A logistic regression: a weighted sum of standardized features, scored in plain
Python (a few thousand multiply-adds a page; no numpy at run time).

The weights are data (``data/line_model.json``), trained by ``bench/line_model.py`` on the
*tune* halves of both dev sets only (split by site, ``bench/devsets.py``); its threshold,
zone guard and the weight of a trafilatura-dev page were chosen there by downstream F1, and
the valid halves are only reported. Nothing in the
features names a site, a page or a phrase: they are lengths, shares, positions and
neighbours. Deterministic: the same text gives the same lines, always.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from operator import mul
from pathlib import Path

from ..records import Span
from .base import Rule
from .document import _TERMINAL, DocView

MODEL_PATH = Path(__file__).resolve().parent / "data" / "line_model.json"

#: A line of at most this many words is "short" (menu items, labels, teaser titles).
SHORT_WORDS = 4
_ALNUM = re.compile(r"[^\W_]")
_DIGIT = re.compile(r"\d")
_PUNCT = re.compile(r"[^\w\s]")
_URLISH = re.compile(r"https?://|www\.|@\w+\.\w")
_BULLET = frozenset("•·-–—*>»›|")

FEATURES = (
    "log_words", "log_chars", "terminal", "sentence", "avg_word_len", "digit_share",
    "title_share", "punct_share", "separators", "position", "position_sq",
    "prev_log_words", "next_log_words", "prev_terminal", "next_terminal",
    "window3_log_words", "window10_log_words", "in_zone", "short_run", "repeated",
    "doc_short_share", "doc_log_lines", "char_share", "zone_distance", "before_zone",
    "after_zone", "heading_like", "blank_before", "blank_after", "bullet", "urlish",
    "copyright_sign", "words_in_zone", "sentence_in_zone", "words_x_position", "sentence_after_zone",
    "short_run_x_title", "window3_x_zone",
    "block_log_words_mean", "block_log_words_max", "block_terminal", "block_punct", "block_sentence",
    "block_log_lines", "block_log_size", "log_words_vs_block", "block_first",
)  # fmt: skip


def _zone_flags(doc: DocView) -> tuple[list[bool], int, int]:
    """(inside a dense zone per line, first zone line, last zone line), as ``MainZoneRule``
    draws the zones."""
    from .rules import MainZoneRule  # rules imports this module's rule class

    rule = MainZoneRule()
    zones = rule.zones(doc)
    if not zones:
        return [False] * len(doc), -1, -1
    return rule.inside(doc, zones), zones[0][0], zones[-1][1]


#: The features before the block features (the v1 model's set).
N_BASE = FEATURES.index("block_log_words_mean")


def _distances(flags: list[bool]) -> list[int]:
    """Per position: how many positions away the nearest true flag is (0 on one)."""
    far = len(flags) + 1
    out = [far] * len(flags)
    last = -far
    for k, f in enumerate(flags):
        if f:
            last = k
        out[k] = k - last
    last = 2 * far + len(flags)
    for k in range(len(flags) - 1, -1, -1):
        if flags[k]:
            last = k
        out[k] = min(out[k], last - k)
    return out


def _blocks(lines: list[int], counts: list[int], logw: list[float], terminal: list[bool],
            punct: list[float]) -> list[tuple[list[float], bool]]:  # fmt: skip
    """Per content line, the aggregates of its block (the run of content lines between blank
    lines: mean and top word count (log), shares of sentence endings, punctuation and sentence
    lines, its size in lines and words (log)) and whether it opens the block."""
    out: list[tuple[list[float], bool]] = []
    n = len(lines)
    k = 0
    while k < n:
        j = k + 1
        while j < n and lines[j] == lines[j - 1] + 1:
            j += 1
        size = j - k
        span = range(k, j)
        agg = [
            sum(logw[m] for m in span) / size, max(logw[m] for m in span),
            sum(terminal[m] for m in span) / size,
            sum(punct[m] for m in span) / size,
            sum(terminal[m] and counts[m] >= 8 for m in span) / size,
            math.log1p(size), math.log1p(sum(counts[m] for m in span)),
        ]  # fmt: skip
        out += [(agg, m == k) for m in span]
        k = j
    return out


def line_features(doc: DocView, blocks: bool = True) -> dict[int, list[float]]:
    """Line index -> feature vector (in ``FEATURES`` order), for every non-blank line;
    ``blocks=False``: without the block features at the end (a model that does not read them)."""
    raw = doc.raw_lines
    words = doc.line_word_counts
    lines = [i for i in range(len(raw)) if words[i]]
    if not lines:
        return {}
    texts = [raw[i].strip() for i in lines]
    counts = [words[i] for i in lines]
    logw = [math.log1p(w) for w in counts]
    chars = [len(t) for t in texts]
    total = sum(chars) or 1
    terminal = [t[-1] in _TERMINAL for t in texts]
    inside, first_zone, last_zone = _zone_flags(doc)
    n = len(lines)
    prefix = [0.0]
    for v in logw:
        prefix.append(prefix[-1] + v)
    short = [w <= SHORT_WORDS for w in counts]
    run_len = [0] * n
    k = 0
    while k < n:
        if not short[k]:
            k += 1
            continue
        j = k
        while j < n and short[j]:
            j += 1
        run_len[k:j] = [j - k] * (j - k)
        k = j
    seen: dict[str, int] = {}
    for t in texts:
        seen[t] = seen.get(t, 0) + 1
    doc_short = sum(short) / n
    doc_lines = math.log1p(n)
    gap = _distances([inside[i] for i in lines])
    puncts = [len(_PUNCT.findall(t)) for t in texts]
    shares = [p / c for p, c in zip(puncts, chars, strict=True)]
    runs = _blocks(lines, counts, logw, terminal, shares) if blocks else []
    out: dict[int, list[float]] = {}
    before = 0
    for k, i in enumerate(lines):
        t = texts[k]
        c = chars[k]
        w = counts[k]
        digits = len(_DIGIT.findall(t))
        letters = len(_ALNUM.findall(t)) - digits or 1  # [^\W_] is [^\W\d_] and \d
        punct = puncts[k]
        tokens = t.split()
        title = sum(tok[:1].isupper() for tok in tokens) / w
        lo3, hi3 = max(0, k - 3), min(n, k + 4)
        lo10, hi10 = max(0, k - 10), min(n, k + 11)
        win3 = (prefix[hi3] - prefix[lo3] - logw[k]) / max(1, hi3 - lo3 - 1)
        win10 = (prefix[hi10] - prefix[lo10] - logw[k]) / max(1, hi10 - lo10 - 1)
        position = before / total
        distance = math.log1p(gap[k]) if first_zone >= 0 else 0.0
        nxt_long = k + 1 < n and counts[k + 1] >= 12 and terminal[k + 1]
        out[i] = [
            logw[k], math.log1p(c), float(terminal[k]), float(terminal[k] and w >= 8),
            min(c / w, 15.0), digits / (letters + digits), title,
            punct / c, float(t.count("|") + t.count(" · ") + t.count(" / ") >= 2),
            position, (position - 0.5) ** 2,
            logw[k - 1] if k else 0.0, logw[k + 1] if k + 1 < n else 0.0,
            float(terminal[k - 1]) if k else 0.0, float(terminal[k + 1]) if k + 1 < n else 0.0,
            win3, win10, float(inside[i]), math.log1p(run_len[k]), float(seen[t] > 1),
            doc_short, doc_lines, c / total, distance,
            float(first_zone >= 0 and i < first_zone), float(first_zone >= 0 and i > last_zone),
            float(w <= 12 and not terminal[k] and nxt_long),
            float(i == 0 or not words[i - 1]), float(i + 1 >= len(raw) or not words[i + 1]),
            float(t[0] in _BULLET), float(bool(_URLISH.search(t))), float("©" in t),
            logw[k] * inside[i], float(terminal[k] and w >= 8 and inside[i]), logw[k] * position,
            float(terminal[k] and w >= 8 and first_zone >= 0 and i > last_zone),
            math.log1p(run_len[k]) * title, win3 * inside[i],
        ]  # fmt: skip
        if blocks:
            out[i] += [*runs[k][0], logw[k] - runs[k][0][0], float(runs[k][1])]
        before += c
    return out


_IN_ZONE = FEATURES.index("in_zone")

SMOOTH_FEATURES = ("logit", "prev_p", "next_p", "window1_p", "window3_p", "window10_p")


def smooth_features(probabilities: list[float]) -> list[list[float]]:
    """Per line, its first-pass probability (as a logit) and its neighbours' (in
    ``SMOOTH_FEATURES`` order): a line among main-content lines is main content more likely."""
    n = len(probabilities)
    prefix = [0.0]
    for p in probabilities:
        prefix.append(prefix[-1] + p)

    def window(k: int, r: int) -> float:
        lo, hi = max(0, k - r), min(n, k + r + 1)
        return (prefix[hi] - prefix[lo] - probabilities[k]) / max(1, hi - lo - 1)

    out = []
    for k, p in enumerate(probabilities):
        q = min(max(p, 1e-6), 1 - 1e-6)
        out.append([
            math.log(q / (1 - q)), probabilities[k - 1] if k else 0.0,
            probabilities[k + 1] if k + 1 < n else 0.0, window(k, 1), window(k, 3), window(k, 10),
        ])  # fmt: skip
    return out


@dataclass(frozen=True)
class Logistic:
    """One logistic regression over standardized features."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    @classmethod
    def from_dict(cls, data: dict) -> Logistic:
        return cls(tuple(data["mean"]), tuple(data["scale"]), tuple(data["weights"]), float(data["bias"]))

    def __post_init__(self) -> None:
        if not len(self.mean) == len(self.scale) == len(self.weights):
            raise ValueError("line model: mean, scale and weights differ in length")
        # w * (x - m) / s summed = sum(x * w / s) + (bias - sum(w * m / s)): one C-level
        # dot product a line instead of a Python loop over the features
        terms = list(zip(self.weights, self.mean, self.scale, strict=True))
        object.__setattr__(self, "_coef", tuple(w / s for w, _, s in terms))
        object.__setattr__(self, "_offset", self.bias - sum(w * m / s for w, m, s in terms))

    def logit(self, features: list[float]) -> float:
        return self._offset + sum(map(mul, features, self._coef))  # type: ignore[attr-defined]

    def probability(self, features: list[float]) -> float:
        return _sigmoid(self.logit(features))


def _sigmoid(z: float) -> float:
    if z < -30:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True)
class Trees:
    """Gradient-boosted regression trees of one depth, added to the first pass's logit: full
    binary trees, node ``k``'s children ``2k + 1`` (feature <= threshold) and ``2k + 2``; a node
    that does not split has an unreachable threshold. Features are raw (not standardized)."""

    depth: int
    #: per tree: (features of the inner nodes, their thresholds, the leaves' values)
    trees: tuple[tuple[tuple[int, ...], tuple[float, ...], tuple[float, ...]], ...]

    @classmethod
    def from_dict(cls, data: dict) -> Trees:
        depth = int(data["depth"])
        rows = zip(data["feature"], data["threshold"], data["leaf"], strict=True)
        trees = tuple((tuple(map(int, f)), tuple(map(float, t)), tuple(map(float, v))) for f, t, v in rows)
        inner = 2**depth - 1
        if any(len(f) != inner or len(t) != inner or len(v) != inner + 1 for f, t, v in trees):
            raise ValueError("line model: a tree is not a full binary tree of its depth")
        return cls(depth, trees)

    def score(self, features: list[float]) -> float:
        total = 0.0
        levels = range(self.depth)
        inner = 2**self.depth - 1
        for feature, threshold, leaf in self.trees:
            k = 0
            for _ in levels:
                k = 2 * k + (2 if features[feature[k]] > threshold[k] else 1)
            total += leaf[k - inner]
        return total


@dataclass(frozen=True)
class LineModel:
    """The line pass, the optional smoothing pass over the line probabilities, and the
    threshold under which a line is dropped."""

    line: Logistic
    smooth: Logistic | None
    threshold: float
    #: No clear main content, nothing removed: when the lines outside ``main_zone``'s dense
    #: zones hold more than this share of the characters (a page of lists, tables or short
    #: items), or when there is no zone at all; None: no such guard. Chosen on the tune
    #: halves with the threshold (``bench/line_model.py --guards``).
    zone_guard: float | None = None
    fingerprint: str = ""
    #: Boosted trees over the same features, added to the first pass's logit; None: none.
    trees: Trees | None = None

    @classmethod
    def from_dict(cls, data: dict) -> LineModel:
        # a model may use the first features only (the vectors are longer: ``sum(map(mul))``
        # and the trees read the ones they name)
        names = list(data["features"])
        if not names or names != list(FEATURES[: len(names)]) or (
            data.get("smooth") and list(data["smooth_features"]) != list(SMOOTH_FEATURES)
        ):
            raise ValueError("line model: its features are not this code's; retrain: bench/line_model.py")
        blob = json.dumps(data, sort_keys=True).encode()
        smooth = Logistic.from_dict(data["smooth"]) if data.get("smooth") else None
        guard = data.get("zone_guard")
        guard = None if guard is None else float(guard)
        trees = Trees.from_dict(data["trees"]) if data.get("trees") else None
        return cls(Logistic.from_dict(data["line"]), smooth, float(data["threshold"]), guard,
                   hashlib.sha256(blob).hexdigest()[:12], trees)  # fmt: skip

    @property
    def reads_blocks(self) -> bool:
        """Whether the model reads any block feature (the ones after ``N_BASE``)."""
        return len(self.line.weights) > N_BASE or (
            self.trees is not None and any(f >= N_BASE for tree in self.trees.trees for f in tree[0])
        )

    def first_pass(self, features: list[float]) -> float:
        """A line's first-pass probability: the logistic regression, plus the trees if any."""
        if self.trees is None:
            return self.line.probability(features)
        return _sigmoid(self.line.logit(features) + self.trees.score(features))

    def probabilities(self, features: list[list[float]]) -> list[float]:
        """Main-content probability of each line, given its ``line_features`` in text order."""
        first = [self.first_pass(f) for f in features]
        if self.smooth is None:
            return first
        return [self.smooth.probability(f) for f in smooth_features(first)]


@cache
def default_model() -> LineModel | None:
    """The shipped model, or None when the package has none."""
    if not MODEL_PATH.is_file():
        return None
    return LineModel.from_dict(json.loads(MODEL_PATH.read_text(encoding="utf-8")))


class LineModelRule(Rule):
    """Full-page text only (``profile="fullpage"``): remove the lines the line model gives a
    main-content probability under its threshold, in runs of consecutive lines (blank lines
    between two dropped lines go with them). Evidence: the run's highest probability.

    Precision first: when the lines to remove would hold more than ``MAX_REMOVED`` of the
    text's characters, or the lines outside ``main_zone``'s zones more than the model's
    ``zone_guard``, the page has no clear main content and nothing is removed."""

    rule_id = "line_model"
    #: 2: the shipped model reads the block features (chosen by site-grouped CV on tune with
    #: the min-gain objective, bench/RESULTS.md 2026-12-03); 1 was the first 38 features only
    version = 2
    categories = ("navigation", "footer")
    MAX_REMOVED = 0.95

    def __init__(self, model: LineModel | None = None, threshold: float | None = None,
                 zone_guard: float | None | str = "default") -> None:  # fmt: skip
        self.model = model or default_model()
        if self.model is None:
            raise ValueError("no line model: data/line_model.json is missing from the package")
        self.threshold = self.model.threshold if threshold is None else threshold
        self.zone_guard = self.model.zone_guard if zone_guard == "default" else zone_guard
        self.fingerprint = f"{self.model.fingerprint}:{self.threshold}:{self.zone_guard}"

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterator[Span]:
        features = line_features(doc, blocks=self.model.reads_blocks)
        if not features:
            return
        probability = dict(zip(features, self.model.probabilities(list(features.values())), strict=True))
        raw = doc.raw_lines
        drop = [i for i, p in probability.items() if p < self.threshold]
        if not drop:
            return
        sizes = {i: len(raw[i].strip()) for i in features}
        total = sum(sizes.values())
        if sum(sizes[i] for i in drop) > self.MAX_REMOVED * total:
            return
        if self.zone_guard is not None:
            outside = sum(sizes[i] for i, f in features.items() if not f[_IN_ZONE])
            if outside > self.zone_guard * total:
                return
        dropped = set(drop)
        last_kept = max(i for i in features if i not in dropped)  # one is kept: MAX_REMOVED < 1
        runs: list[list[int]] = []
        for i in drop:
            if runs and all(not raw[j].strip() for j in range(runs[-1][-1] + 1, i)):
                runs[-1].append(i)
            else:
                runs.append([i])
        for run in runs:
            category = "footer" if run[0] > last_kept else "navigation"
            top = max(probability[i] for i in run)
            yield self.span(doc, run[0], run[-1], category, f"line model: p(main) <= {top:.2f}")
