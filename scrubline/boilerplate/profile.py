"""Which rule profile a text needs: ``article`` (extracted main text) or ``fullpage`` (all the
visible text of a page: menus, teaser lists, footers around the article).

A pure, fast look at line shapes (one pass over the lines, no lexicon): full-page text is
made of many short lines, most of them in runs (a menu is a run of one- to four-word lines,
a teaser list alternates short headlines and one-line blurbs), and its prose is a small part
of its characters. Extracted article text is mostly long lines that end like sentences.

``fullpage_score`` is a weighted sum of three shares, each in [0, 1]:

Blank lines and lines with a URL (an endnote or source list in a text file; visible page
text shows link labels, not addresses) are not counted.

- ``runs``: share of non-blank lines inside a run of at least ``RUN`` consecutive short lines
  (at most ``SHORT_WORDS`` words);
- ``short``: share of non-blank lines that are short;
- ``thin``: 1 - the share of characters in prose lines (at least ``PROSE_WORDS`` words).

Two gates make the choice precision-first (v3): calling extracted text full-page runs
``main_zone`` on it, which removes body text, so that mistake costs more than the reverse
(leaving a menu in). A text stays ``article`` whatever its score when

- its longest run of short lines has fewer than ``MIN_MENU_RUN`` lines (a page's menu or
  teaser list is a long run; headings, short paragraphs and list items in extracted text
  make short ones), or
- more than ``MAX_MARKED`` of its lines carry the list or table markup extractors write
  (``- item``, ``* item``, ``+ item``, ``| cell | cell |``): that is extracted text, and
  a page's visible text has no such markup.

The weights and the threshold were chosen on the *tune* halves of both dev sets
(``bench/profile_tune.py``; full-page text vs. trafilatura's recall and default text of the
same pages) and are reported on the *valid* halves there. No phrase, page or site enters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PROFILE_CHOICES = ("auto", "article", "fullpage")
#: Version of the detector: goes into the record with the choice.
DETECTOR_VERSION = 4  # v2: lines with a URL are not counted; v3: the two gates; v4: menu run 10, score 0.18

SHORT_WORDS = 4
RUN = 3
PROSE_WORDS = 12
WEIGHTS = (0.7, 0.3, 0.0)  # runs, short, thin (thin added nothing on the tune halves)
#: v4: 0.22 -> 0.18, re-chosen with the gates for the line model (``profile_tune.py --gates --thresholds``)
THRESHOLD = 0.18
#: Fewer non-blank lines than this: too little shape to tell; such texts stay ``article``.
MIN_LINES = 8
#: Gates (v3, chosen on the tune halves with ``bench/profile_tune.py --gates``; v4: the menu
#: run re-chosen there, 12 -> 10, once the line model became the fullpage zone rule).
MIN_MENU_RUN = 10
MAX_MARKED = 0.05
_MARKED = re.compile(r"^(?:[-*+]\s|\|.*\|$)")


@dataclass(frozen=True, slots=True)
class ProfileChoice:
    """The profile used for one text, why, and the detector's score (None when forced)."""

    profile: str
    requested: str
    score: float | None = None

    def as_stats(self) -> dict[str, object]:
        out: dict[str, object] = {"profile": self.profile, "profile_requested": self.requested}
        if self.score is not None:
            out["profile_score"] = round(self.score, 4)
            out["profile_detector"] = DETECTOR_VERSION
        return out


@dataclass(frozen=True, slots=True)
class LineStats:
    """Line-shape statistics of one text (see the module docstring)."""

    runs: float
    short: float
    thin: float
    lines: int
    longest_run: int
    marked: float


def line_stats(text: str) -> LineStats:
    """The line shapes of ``text``, in one pass over its lines."""
    lines = 0
    short = 0
    in_runs = 0
    run = 0
    longest = 0
    marked = 0
    chars = 0
    prose_chars = 0
    for raw in text.split("\n"):
        s = raw.strip()
        if not s or "://" in s:
            continue  # blank lines, and lines with a URL (a note list, not a menu: visible
            # text shows link labels, not addresses), neither break nor extend a run
        lines += 1
        words = s.count(" ") + 1
        chars += len(s)
        if _MARKED.match(s):
            marked += 1
        if words <= SHORT_WORDS:
            short += 1
            run += 1
            longest = max(longest, run)
            if run == RUN:
                in_runs += RUN
            elif run > RUN:
                in_runs += 1
        else:
            run = 0
            if words >= PROSE_WORDS:
                prose_chars += len(s)
    if not lines:
        return LineStats(0.0, 0.0, 0.0, 0, 0, 0.0)
    return LineStats(in_runs / lines, short / lines, 1 - prose_chars / chars, lines, longest, marked / lines)


def line_shares(text: str) -> tuple[float, float, float, int]:
    """(runs, short, thin, non-blank lines) of ``text``: see the module docstring."""
    st = line_stats(text)
    return st.runs, st.short, st.thin, st.lines


def score_of(st: LineStats) -> float:
    """The weighted score of ``line_stats`` (0 below ``MIN_LINES`` lines)."""
    if st.lines < MIN_LINES:
        return 0.0
    w_runs, w_short, w_thin = WEIGHTS
    return w_runs * st.runs + w_short * st.short + w_thin * st.thin


def gated(st: LineStats) -> bool:
    """True when a gate keeps the text ``article`` whatever its score."""
    return st.longest_run < MIN_MENU_RUN or st.marked > MAX_MARKED


def fullpage_score(text: str) -> float:
    """How much ``text`` looks like full-page text, in [0, 1] (0 for fewer than ``MIN_LINES``
    non-blank lines)."""
    return score_of(line_stats(text))


def choose_profile(text: str, requested: str = "auto") -> ProfileChoice:
    """``requested`` when it names a profile, else what the detector says about ``text``."""
    if requested not in PROFILE_CHOICES:
        raise ValueError(f"unknown profile {requested!r}; expected one of {PROFILE_CHOICES}")
    if requested != "auto":
        return ProfileChoice(requested, requested)
    st = line_stats(text)
    score = score_of(st)
    full = score >= THRESHOLD and not gated(st)
    return ProfileChoice("fullpage" if full else "article", requested, score)
