"""Boilerplate rules. Each rule DETECTS spans on a DocView; one step (engine) removes them.

A rule has an id, an integer version (bump it whenever its output changes), the categories
it emits and the languages it covers. Precision first: a rule that is not sure leaves the
text in. Stage-2 rules see the spans found by stage 1 (for block and zone reasoning).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from ..footnotes import find_endnote_block
from ..records import Span
from .document import DocView
from .lexicon import Hit


class Rule:
    """Base class: subclasses set the class attributes and implement ``detect``."""

    rule_id: str = ""
    version: int = 1
    categories: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("*",)
    stage: int = 1

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterable[Span]:
        raise NotImplementedError

    def span(self, doc: DocView, first: int, last: int, category: str, evidence: str) -> Span:
        start, end = doc.span_of_lines(first, last)
        return Span(start, end, self.rule_id, self.version, category, evidence)


# --------------------------------------------------------------------------- lexicon lines

#: Longest line (in words) a phrase at the line's start may remove, per category.
ANCHORED_MAX_WORDS = {
    "navigation": 4, "paywall": 10, "ad": 6, "related": 8, "promo": 25, "subscribe": 30,
    "social": 25, "copyright": 45, "contact": 12, "author_bio": 14, "callout": 14,
    "cookie": 60,
}  # fmt: skip
#: Longest line a phrase anywhere in it may remove on its own.
ANYWHERE_MAX_WORDS = 12
#: Distinct phrases (with at least two non-weak ones) that condemn a paragraph of any length.
DENSE_MIN_PHRASES = 4


@dataclass(frozen=True, slots=True)
class LineVerdict:
    """Why a line was judged boilerplate by the lexicon."""

    category: str
    evidence: str


def judge_line(doc: DocView, i: int, hits: list[Hit], tail: bool) -> LineVerdict | None:
    """Decide from lexicon hits, line length and position whether line ``i`` is boilerplate."""
    line = doc.line(i)
    strong = [h for h in hits if h.phrase.category != "weak"]
    if not strong:
        return None
    lead = doc.lead_offset(i)
    at_lead = [h for h in strong if h.start == lead]
    for hit in at_lead:
        if line.words <= ANCHORED_MAX_WORDS.get(hit.phrase.category, ANYWHERE_MAX_WORDS):
            return LineVerdict(hit.phrase.category, f"starts with '{hit.phrase.text}'")
    unanchored = [h for h in strong if not h.phrase.anchored or h.start == lead]
    if unanchored and line.words <= ANYWHERE_MAX_WORDS:
        hit = unanchored[0]
        return LineVerdict(hit.phrase.category, f"short line with '{hit.phrase.text}'")
    distinct = {h.phrase.text for h in hits}
    distinct_strong = {h.phrase.text for h in strong}
    if (len(distinct) >= DENSE_MIN_PHRASES and len(distinct_strong) >= 2) or (
        tail and len(distinct_strong) >= 2
    ):
        counts: dict[str, int] = {}
        for h in strong:
            counts[h.phrase.category] = counts.get(h.phrase.category, 0) + 1
        category = max(counts, key=lambda c: counts[c])
        phrases = ", ".join(sorted(distinct)[:6])
        return LineVerdict(category, f"{len(distinct)} boilerplate phrases: {phrases}")
    return None


def lexicon_verdicts(doc: DocView) -> dict[int, LineVerdict]:
    """Verdicts for every line with lexicon hits (cached on the DocView)."""
    cached = getattr(doc, "_lexicon_verdicts", None)
    if cached is not None:
        return cached
    hits_by_line = doc.hits_by_line
    last_body = -1
    for i in range(len(doc) - 1, -1, -1):
        if doc.raw_lines[i].strip() and doc.line(i).body_like and not any(
            h.phrase.category != "weak" for h in hits_by_line.get(i, ())
        ):
            last_body = i
            break
    verdicts = {}
    for i, hits in hits_by_line.items():
        verdict = judge_line(doc, i, hits, tail=i > last_body)
        if verdict is not None:
            verdicts[i] = verdict
    doc._lexicon_verdicts = verdicts  # type: ignore[attr-defined]
    return verdicts


class LexiconRule(Rule):
    """Lines whose lexicon phrases, length and position mark them as one category."""

    def __init__(self, category: str, version: int = 1) -> None:
        self.category = category
        self.rule_id = f"lexicon_{category}"
        self.version = version
        self.categories = (category,)
        self.__doc__ = f"Lines judged '{category}' by the lexicons (see judge_line)."

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterator[Span]:
        for i, verdict in sorted(lexicon_verdicts(doc).items()):
            if verdict.category == self.category:
                yield self.span(doc, i, i, self.category, verdict.evidence)


# --------------------------------------------------------------------------- contact lines

_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_PLACEHOLDER = r"\[\s*email[\s\u00a0]*(?:&#160;)?protected\s*\]"
_PHONE = r"\+?\(?\d[\d\s().\-/\u00a0]{5,}\d"
_LABEL = r"(?:e-?mail|email|mail|tel\.?|phone|telephone|fax|mob\.?|mobile|телефон|тел\.?|факс|telefon|téléphone|teléfono)"  # noqa: E501
_CONTACT_LINE = re.compile(
    rf"(?:{_LABEL}\s*[:.]?\s*)?(?:{_EMAIL}|{_PLACEHOLDER}|{_PHONE})"
    rf"(?:\s*[,;/|]\s*(?:{_LABEL}\s*[:.]?\s*)?(?:{_EMAIL}|{_PLACEHOLDER}|{_PHONE}))*\s*",
    re.IGNORECASE,
)


def _looks_like_phone(text: str) -> bool:
    digits = sum(c.isdigit() for c in text)
    if digits < 7 or digits > 15:
        return False
    # "1992-1994", "2023 — 2025": year ranges are not phone numbers
    return not re.fullmatch(r"\d{4}\s*[-–—/]\s*\d{4}", text.strip())


class ContactLineRule(Rule):
    """Lines that are nothing but e-mail addresses, obfuscated-e-mail placeholders or phone
    numbers (optionally labelled): contact blocks, wherever they stand."""

    rule_id = "contact_line"
    version = 1
    categories = ("contact",)

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterator[Span]:
        for i, raw in enumerate(doc.raw_lines):
            stripped = raw.strip()
            if not stripped or len(stripped) > 120 or not any(c.isdigit() or c in "@[" for c in stripped):
                continue
            if not _CONTACT_LINE.fullmatch(stripped):
                continue
            if "@" not in stripped and "protected" not in stripped.lower():
                labelled = re.match(_LABEL, stripped, re.IGNORECASE) or stripped.startswith("+")
                if not (_looks_like_phone(stripped) and (labelled or self._in_tail(doc, i))):
                    continue
            yield self.span(doc, i, i, "contact", f"contact line: {stripped[:60]}")

    @staticmethod
    def _in_tail(doc: DocView, i: int) -> bool:
        return all(not doc.line(j).body_like for j in range(i + 1, len(doc)) if doc.raw_lines[j].strip())


# --------------------------------------------------------------------------- endnotes

class EndnotesBlockRule(Rule):
    """The endnote list (with its heading): moved out of the body into the footnotes table."""

    rule_id = "endnotes_block"
    version = 1
    categories = ("endnotes_block",)

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterator[Span]:
        block = find_endnote_block(doc.text)
        if block is None:
            return
        first, last = doc.line_of(block.start), doc.line_of(block.end)
        evidence = f"{len(block.notes)} notes {block.notes[0].marker}..{block.notes[-1].marker}"
        yield self.span(doc, first, last, "endnotes_block", evidence)


# --------------------------------------------------------------------------- tail blocks

_NAME_WORD = re.compile(r"[A-ZÀ-ÞА-ЯЁԱ-Ֆ][a-zà-ÿа-яёա-ֆ'’\-]+\.?|[A-ZА-Я]\.")


def looks_like_name(text: str) -> bool:
    """Two to four capitalised words and nothing else: a signature such as 'Narek Minasyan'.

    >>> looks_like_name("Narek Minasyan"), looks_like_name("Nagorno-Karabakh conflict")
    (True, False)
    """
    words = text.split()
    return 2 <= len(words) <= 4 and all(_NAME_WORD.fullmatch(w) for w in words)


class TailBlockRule(Rule):
    """After the last paragraph of body text, short non-sentence lines that sit inside a
    block of removed boilerplate (between two removed lines, or after the last one up to the
    end) belong to that block: organisation names, postal addresses, signatures."""

    rule_id = "tail_block"
    version = 1
    categories = ("footer", "contact", "author_bio")
    stage = 2
    MAX_WORDS = 12

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterator[Span]:
        if not found:
            return
        removed_lines = set()
        for span in found:
            removed_lines.update(range(doc.line_of(span.start), doc.line_of(max(span.start, span.end - 1)) + 1))
        content = doc.content_lines()
        body = [i for i in content if i not in removed_lines and doc.line(i).body_like]
        tail_start = (body[-1] + 1) if body else 0
        tail = [i for i in content if i >= tail_start]
        removed_tail = [i for i in tail if i in removed_lines]
        if not removed_tail:
            return
        first_removed = removed_tail[0]
        for i in tail:
            if i in removed_lines or i < first_removed:
                continue
            line = doc.line(i)
            if line.words > self.MAX_WORDS or (line.terminal and not line.text.endswith(('"', "”"))):
                continue
            yield self.span(doc, i, i, *self._classify(line.text))

    @staticmethod
    def _classify(text: str) -> tuple[str, str]:
        if looks_like_name(text):
            return "author_bio", "name-shaped line in the footer block"
        if re.search(r"\d", text) and text.count(",") >= 2:
            return "contact", "address-shaped line in the footer block"
        return "footer", "short line inside the footer block"


def default_rules() -> list[Rule]:
    """The registry of rules, in priority order (earlier wins on overlaps)."""
    categories = (
        "cookie", "paywall", "subscribe", "social", "promo", "related", "callout", "ad",
        "copyright", "contact", "author_bio", "navigation",
    )  # fmt: skip
    return [
        EndnotesBlockRule(),
        ContactLineRule(),
        *(LexiconRule(c) for c in categories),
        TailBlockRule(),
    ]
