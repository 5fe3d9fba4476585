"""Boilerplate rules. Each rule DETECTS spans on a DocView; one step (engine) removes them.

A rule has an id, an integer version (bump it whenever its output changes), the categories
it emits and the languages it covers. Precision first: a rule that is not sure leaves the
text in. Stage-2 rules see the spans found by stage 1 (for block and zone reasoning).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..calendar import date_line_months, weekdays
from ..footnotes import NOTE_HEADINGS, find_endnote_block
from ..records import Span
from .base import Rule
from .cues import CONTACT_LABEL, NOTE_MARK, NOTE_MARK_MARKED, NOTE_MARK_NUMBERED, line_cues
from .document import _TERMINAL as _TERMINAL_CHARS
from .document import DocView, Line
from .lexicon import Hit, Phrase
from .linemodel import LineModelRule
from .shapes import CaptionLineRule, DownloadLinkRule, LayoutRowRule, TemplateMarkupRule

# --------------------------------------------------------------------------- lexicon lines

#: The categories of the lexicon rules, in priority order (earlier wins on overlaps).
LEXICON_CATEGORIES = (
    "cookie", "paywall", "subscribe", "social", "promo", "related", "callout", "ad",
    "copyright", "contact", "author_bio", "navigation", "meta",
)  # fmt: skip
#: Longest line (in words) a phrase at the line's start may remove, per category.
ANCHORED_MAX_WORDS = {
    "navigation": 4, "paywall": 25, "ad": 12, "related": 8, "promo": 25, "subscribe": 30,
    "social": 25, "copyright": 45, "contact": 12, "author_bio": 14, "callout": 14,
    "cookie": 60, "meta": 30,
}  # fmt: skip
#: Longest line a phrase anywhere in it may remove on its own.
ANYWHERE_MAX_WORDS = 12
#: Distinct phrases (with at least two non-weak ones) that condemn a paragraph of any length.
DENSE_MIN_PHRASES = 4


#: Categories whose lead phrases name a link or a heading ("Read more: …", "More news"):
#: a line that reads as a sentence ("Mehr dazu erklärte die Ministerin …") is not one,
#: unless a colon follows the phrase.
TEASER_CATEGORIES = frozenset({"promo", "related", "navigation"})
#: Longest line a one-word lead phrase ("Teilen", "Abo", "Compartir") may remove: one word
#: opens too many sentences.
ONE_WORD_MAX_WORDS = 4
#: Categories whose lead phrase, in a line that ends with "!", makes a call to action:
#: "Unterstütze … bereits mit 2,50!", "Newsletter abonnieren und 10€ Gutschein sichern!".
CALL_TO_ACTION = frozenset({"subscribe", "social", "callout"})
#: Longest such exclaimed line a one-word lead phrase may remove.
EXCLAIMED_MAX_WORDS = 10
#: A teaser lead phrase of this many words ("À lire aussi", "Mira lo que tiene nuestro
#: canal") does not open a sentence by chance: the teaser guard above does not apply.
SPECIFIC_PHRASE_WORDS = 3
#: A phrase of this many words ("We want to hear what you think", "apps for iOS and Android")
#: may remove a line of up to LONG_PHRASE_MAX_WORDS words: at its lead whatever its
#: category's limit, anywhere else instead of ANYWHERE_MAX_WORDS. Five words of boilerplate
#: copy do not turn up by chance in a sentence of reporting.
LONG_PHRASE_WORDS = 5
LONG_PHRASE_MAX_WORDS = 30
#: Characters that end a label ("Anzeige:", "Lesen Sie auch »", "Read more |"): after one,
#: a lead phrase may remove its category's longest line, as after a colon.
LABEL_SEPARATORS = frozenset(":»|>›")
DASHES = frozenset("-–—")  # separators only with a space before them
#: Distinct network names (weak phrases) a "Follow …" line must name to be judged social.
FOLLOW_MIN_NETWORKS = 3
FOLLOW_MAX_WORDS = 40
#: Longest line a two-word paywall phrase ("Log in", "Sign in") may remove; longer paywall
#: phrases ("To view the full story") remove notices up to the category limit.
PAYWALL_SHORT_MAX_WORDS = 10


def _anchored_limit(doc: DocView, line: Line, hit: Hit) -> int:
    """Longest line (in words) that a phrase at the line's lead may remove."""
    phrase = hit.phrase
    limit, ends_colon, short_limit = _phrase_limits(phrase)
    if ends_colon or _separator_follows(doc.text, hit.end):
        return limit
    if phrase.category == "copyright" and _YEAR_AFTER.match(doc.text, hit.end):
        return limit  # "Copyright 2018 - Example e.V.": a notice, however long its holder's name
    if (
        phrase.category in TEASER_CATEGORIES
        and line.terminal
        and line.words >= 8
        and _phrase_words(phrase) < SPECIFIC_PHRASE_WORDS
    ):
        return 0
    if phrase.category in CALL_TO_ACTION and line.text[-1] == "!":
        return max(short_limit, min(limit, EXCLAIMED_MAX_WORDS))  # "Unterstütze uns bereits mit 2,50!"
    return short_limit


#: Characters that, right after a lead phrase, make it code rather than a label: "print(e)",
#: "menu[0]", "share={…}".
CODE_AFTER = frozenset("(=[{")
#: A line above with at least this many words, ending in a letter, wraps onto the next.
WRAPPED_MIN_WORDS = 6


def _not_a_label(doc: DocView, line: Line, hit: Hit) -> bool:
    """A lead phrase that opens code ("print(e)") or the lowercase rest of a sentence wrapped
    from a long line above ("… dass wir so viel" / "mehr aus unserem Leben hätten machen
    können."), not a label."""
    text = doc.text
    if hit.end < line.end and text[hit.end] in CODE_AFTER and hit.phrase.text[-1].isalpha():
        return True  # ("E-Mail:(not displayed)" is still a label: its phrase ends in ":")
    if not (line.terminal and text[hit.start].islower() and line.index > 0):
        return False
    above = doc.raw_lines[line.index - 1].rstrip()
    return above[-1:].isalpha() and len(above.split()) >= WRAPPED_MIN_WORDS


#: A year right after a lead phrase ("Copyright 2018", "Copyright © 2009–2024").
_YEAR_AFTER = re.compile(r"[^\S\n]*(?:©[^\S\n]*)?(?:19|20)\d\d\b")


def _separator_follows(text: str, end: int) -> bool:
    """A label separator right after a lead phrase: "Anzeige - …", "À lire aussi » …",
    "Read more: …", "MEHR | …". A dash counts only with a space before it ("Anzeige-Kunden"
    is a word)."""
    rest = text[end : end + 3]
    sep = rest.lstrip(" \t")[:1]
    return sep in LABEL_SEPARATORS or (sep in DASHES and rest[:1] in " \t")


@lru_cache(maxsize=4096)
def _phrase_words(phrase: Phrase) -> int:
    """Number of words in a phrase (its length class: specific, long)."""
    return len(phrase.text.split())


@lru_cache(maxsize=4096)
def _phrase_limits(phrase: Phrase) -> tuple[int, bool, int]:
    """(category limit, phrase ends with ':', limit without a colon) of a lead phrase."""
    category, text = phrase.category, phrase.text
    limit = ANCHORED_MAX_WORDS.get(category, ANYWHERE_MAX_WORDS)
    if _phrase_words(phrase) >= LONG_PHRASE_WORDS:
        limit = max(limit, LONG_PHRASE_MAX_WORDS)  # "We want to hear what you think …"
    short = limit
    if " " not in text.strip():
        short = min(limit, ONE_WORD_MAX_WORDS)
    elif category == "paywall" and _phrase_words(phrase) <= 2:
        short = min(limit, PAYWALL_SHORT_MAX_WORDS)  # "Log in", "Sign in" also open sentences
    return limit, text.endswith(":"), short


@dataclass(frozen=True, slots=True)
class LineVerdict:
    """Why a line was judged boilerplate by the lexicon."""

    category: str
    evidence: str
    lead: str = ""  # the lead phrase that decided, if one did


def judge_line(doc: DocView, i: int, hits: list[Hit], tail: bool) -> LineVerdict | None:
    """Decide from lexicon hits, line length and position whether line ``i`` is boilerplate."""
    strong = [h for h in hits if h.phrase.category != "weak"]
    if not strong:
        return _follow_line(doc, i, hits)
    line = doc.line(i)
    words = line.words
    lead = doc.lead_offset(i)
    for hit in strong:
        if hit.start == lead and words <= _anchored_limit(doc, line, hit) and not _not_a_label(
            doc, line, hit
        ):
            return LineVerdict(hit.phrase.category, f"starts with '{hit.phrase.text}'", hit.phrase.text)
    # anchored phrases at the lead were judged above, under their own limits
    if words <= ANYWHERE_MAX_WORDS:
        for hit in strong:
            if not hit.phrase.anchored:
                return LineVerdict(hit.phrase.category, f"short line with '{hit.phrase.text}'")
    elif words <= LONG_PHRASE_MAX_WORDS:
        for hit in strong:
            if not hit.phrase.anchored and _phrase_words(hit.phrase) >= LONG_PHRASE_WORDS:
                return LineVerdict(hit.phrase.category, f"line with '{hit.phrase.text}'")
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


def _follow_line(doc: DocView, i: int, hits: list[Hit]) -> LineVerdict | None:
    """"Follow The Gleaner on Twitter and Instagram … and on Facebook …": a weak lead verb
    ("^follow", "^suivez") with FOLLOW_MIN_NETWORKS distinct network names in a line of at
    most FOLLOW_MAX_WORDS words (handles, numbers and addresses make these long). Each alone
    is too common in reporting to mean anything."""
    if len(hits) <= FOLLOW_MIN_NETWORKS:  # the verb and the networks: most lines stop here
        return None
    lead = doc.lead_offset(i)
    text = doc.text
    if not any(h.start == lead and h.phrase.anchored and text[h.end : h.end + 1] == " " for h in hits):
        return None  # "Follow-up talks …" is not a follow line
    networks = {h.phrase.text for h in hits if not h.phrase.anchored}
    if len(networks) < FOLLOW_MIN_NETWORKS or doc.line(i).words > FOLLOW_MAX_WORDS:
        return None
    return LineVerdict("social", f"follow line naming {', '.join(sorted(networks)[:4])}")


def lexicon_verdicts(doc: DocView) -> dict[int, LineVerdict]:
    """Verdicts for every line with lexicon hits (cached on the DocView)."""
    cached = getattr(doc, "_lexicon_verdicts", None)
    if cached is not None:
        return cached
    hits_by_line = doc.hits_by_line
    verdicts: dict[int, LineVerdict] = {}
    if hits_by_line:
        last_body = doc.last_body_line(
            lambda i: any(h.phrase.category != "weak" for h in hits_by_line.get(i, ()))
        )
        for i, hits in hits_by_line.items():
            verdict = judge_line(doc, i, hits, tail=0 <= last_body < i)
            if verdict is not None:
                verdicts[i] = verdict
    doc._lexicon_verdicts = verdicts  # type: ignore[attr-defined]
    return verdicts


def _verdicts_by_category(doc: DocView) -> dict[str, list[tuple[int, LineVerdict]]]:
    """``lexicon_verdicts`` grouped by category, lines ascending (cached on the DocView)."""
    cached = getattr(doc, "_verdicts_by_category", None)
    if cached is None:
        cached = {}
        for i, verdict in sorted(lexicon_verdicts(doc).items()):
            cached.setdefault(verdict.category, []).append((i, verdict))
        doc._verdicts_by_category = cached  # type: ignore[attr-defined]
    return cached


class LexiconRule(Rule):
    """Lines whose lexicon phrases, length and position mark them as one category."""

    #: v2: lexicon phrases ending in ":" are read as strings (they were YAML mappings and
    #: never matched); more phrases per language.
    #: v3: one-word lead phrases remove at most ONE_WORD_MAX_WORDS words; teaser categories
    #: leave sentence-like lines alone (see ``_anchored_limit``); a lead phrase no longer
    #: also counts as a phrase "anywhere in a short line" (that bypassed its own limit).
    #: v4: "¡" and "¿" count as lead characters ("¡Síguenos en Instagram!"); more phrases.
    #: v5: a label separator after a lead phrase ("Anzeige - …", "À lire aussi » …") lifts
    #: the short limit like a colon; teaser lead phrases of 3+ words skip the teaser guard;
    #: lead phrases of 5+ words may remove lines up to LONG_PHRASE_MAX_WORDS.
    #: v6: a weak lead verb ("Follow …") with 3+ network names is a social line.
    #: v7: phrases of 5+ words anywhere in a line of up to 30 words; app-store promos.
    #: v8: line-final phrases ("… findest du hier."); referral, channel, print-issue,
    #: affiliate-disclosure and medical-review phrases; "Autor"/"Author" labels.
    #: v9: photo credits (a stock or photo agency closing a short line), "Abonnieren Sie".
    #: v10: a lead phrase opening code ("print(e)") or a wrapped sentence's lowercase rest is
    #: no label (see ``_not_a_label``).
    #: v11: a call to action ending in "!" may be up to EXCLAIMED_MAX_WORDS words long; "…"
    #: and "." count as lead characters; press-release section labels; "Weiter zu …".
    #: v12: "Copyright" followed by a year lifts the one-word limit; blog-widget, follow-by-
    #: e-mail, donation, site-credit and "Erstellt am" phrases (de, en).
    def __init__(self, category: str, version: int = 12) -> None:
        self.category = category
        self.rule_id = f"lexicon_{category}"
        self.version = version
        self.categories = (category,)
        self.__doc__ = f"Lines judged '{category}' by the lexicons (see judge_line)."

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> list[Span]:
        # a list, not a generator: fourteen of these run on every document, most find nothing
        verdicts = _verdicts_by_category(doc).get(self.category)
        if not verdicts:
            return []
        return [self.span(doc, i, i, self.category, verdict.evidence) for i, verdict in verdicts]


class LexiconRules(Rule):
    """Consecutive lexicon rules of the registry run as one: their spans, in line order, are
    those each would yield (a line has one verdict, so they never overlap), for one call
    instead of one per category. The engine forms these when it groups its rules by stage;
    the registry, rule packs and the audit still see one rule per category."""

    def __init__(self, rules: Sequence[LexiconRule]) -> None:
        self.rules = {rule.category: rule for rule in rules}
        self.rule_id = "+".join(rule.rule_id for rule in rules)
        self.stage = rules[0].stage

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> list[Span]:
        verdicts = lexicon_verdicts(doc)
        if not verdicts:
            return []
        rules = self.rules
        spans = []
        for i in sorted(verdicts):
            verdict = verdicts[i]
            rule = rules.get(verdict.category)
            if rule is not None:
                spans.append(rule.span(doc, i, i, verdict.category, verdict.evidence))
        return spans


# --------------------------------------------------------------------------- contact lines

_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"


def _contact_pattern(ws: str) -> str:
    """A line of contact items; ``ws`` is the whitespace class (``\\s`` on one stripped line,
    ``[^\\S\\n]`` when scanning the whole text line by line)."""
    placeholder = rf"\[{ws}*email(?:{ws}|\u00a0)*(?:&#160;)?protected{ws}*\]"
    phone = rf"\+?\(?\d(?:[\d().\-/\u00a0]|{ws}){{5,}}\d"
    item = rf"(?:{CONTACT_LABEL}{ws}*[:.]?{ws}*)?(?:{_EMAIL}|{placeholder}|{phone})"
    return rf"{item}(?:{ws}*[,;/|]{ws}*{item})*{ws}*"


_CONTACT_LINE = re.compile(_contact_pattern(r"\s"), re.IGNORECASE)


def _contact_candidates(doc: DocView) -> set[int]:
    """The only lines that can be contact lines: those holding an "@" or an e-mail
    placeholder, those starting with a contact label or "+", and, after the last body line,
    those starting with a digit or "(" (an unlabelled phone number). Found with C-level scans;
    no Python work per line."""
    text = doc.text
    cues = line_cues(doc)
    lines: set[int] = {*cues["contact"], *cues["placeholder"]}  # a label or "+" opens the line
    at = text.find("@")
    while at >= 0:
        i = doc.line_of(at)
        lines.add(i)
        nxt = doc.line_starts[i + 1] if i + 1 < len(doc.line_starts) else len(text)
        at = text.find("@", nxt)
    last_body = doc.last_body_line()
    if last_body < len(doc) - 1:
        tail_start = doc.line_starts[last_body + 1]
        for m in _PHONE_CUE.finditer(doc.nl_text, tail_start):
            lines.add(doc.line_of(m.start()))  # offset k in "\n" + text: the line at k
    return lines


#: A line starting with a digit or "(": an unlabelled phone number's shape (see _CONTACT_LINE).
_PHONE_CUE = re.compile(r"\n[^\S\n]*[(\d]")


def _looks_like_phone(text: str) -> bool:
    digits = sum(c.isdigit() for c in text)
    if digits < 7 or digits > 15:
        return False
    # "1992-1994", "2023 — 2025": year ranges are not phone numbers
    return not _YEAR_RANGE.fullmatch(text.strip())


_YEAR_RANGE = re.compile(r"\d{4}\s*[-–—/]\s*\d{4}")
_LABEL_AT = re.compile(CONTACT_LABEL, re.IGNORECASE)
_ANY_DIGIT = re.compile(r"\d")


class ContactLineRule(Rule):
    """Lines that are nothing but e-mail addresses, obfuscated-e-mail placeholders or phone
    numbers (optionally labelled): contact blocks, wherever they stand."""

    rule_id = "contact_line"
    version = 2  # v2: the e-mail placeholder in any case ("[EMAIL PROTECTED]")
    categories = ("contact",)

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterator[Span]:
        for i in sorted(_contact_candidates(doc)):
            stripped = doc.raw_lines[i].strip()
            if not stripped or len(stripped) > 120:
                continue
            if not _CONTACT_LINE.fullmatch(stripped):
                continue
            if "@" not in stripped and "protected" not in stripped.lower():
                labelled = _LABEL_AT.match(stripped) or stripped.startswith("+")
                if not (_looks_like_phone(stripped) and (labelled or self._in_tail(doc, i))):
                    continue
            yield self.span(doc, i, i, "contact", f"contact line: {stripped[:60]}")

    @staticmethod
    def _in_tail(doc: DocView, i: int) -> bool:
        """No body-like line after line ``i``."""
        return doc.last_body_line() <= i


# --------------------------------------------------------------------------- endnotes

#: Note lines by marker style, matched at a line's start in "\n" + text.
_NOTE_CUE_MARKED = re.compile(r"\n[ \t\u00a0]*" + NOTE_MARK_MARKED + r"[ \t\u00a0]*\S", re.IGNORECASE)
_NOTE_CUE_NUMBERED = re.compile(r"\n[ \t\u00a0]*" + NOTE_MARK_NUMBERED + r"[ \t\u00a0]*\S")
_NOTE_LINE_START = re.compile(r"[ \t\u00a0]*" + NOTE_MARK + r"[ \t\u00a0]*\S", re.IGNORECASE)


def _adjacent_pair(lines: list[str], candidates: list[int]) -> bool:
    """Two of ``candidates`` (ascending line indices) with only blank lines between them."""
    for a, b in zip(candidates, candidates[1:], strict=False):
        if b == a + 1 or all(not lines[j].strip() for j in range(a + 1, b)):
            return True
    return False


def _may_have_notes(doc: DocView) -> bool:
    """Cheap necessary condition for ``find_endnote_block`` to find a list: two note lines
    with only blank lines between them (a notes list of two or more, footnotes._runs, always
    has such a pair, and most texts have none), two marker lines of one style, and for
    "1." / "(1)" lists also a URL or a heading line (see footnotes._is_notes_run)."""
    text, starts, lines = doc.text, doc.line_starts, doc.raw_lines
    cues = line_cues(doc)["note"]  # a superset of the note lines: test for a pair there first
    if not _adjacent_pair(lines, cues):
        return False
    notes = [i for i in cues if _NOTE_LINE_START.match(text, starts[i])]
    if not _adjacent_pair(lines, notes):
        return False
    nl_text = doc.nl_text  # offset k there: the newline before the line at k in the text
    if sum(1 for i in notes if _NOTE_CUE_MARKED.match(nl_text, starts[i])) >= 2:
        return True
    if sum(1 for i in notes if _NOTE_CUE_NUMBERED.match(nl_text, starts[i])) < 2:
        return False
    if "://" in text or "www." in text:
        return True
    return _NOTE_HEADING.search(nl_text) is not None


#: A notes heading on a line of its own. The lookahead on the headings' first letters (implied
#: by the alternation, so it changes nothing that matches) spares the engine the alternation
#: on most lines.
_NOTE_HEADING = re.compile(
    r"\n\s*(?=[" + re.escape("".join(sorted({h[0] for h in NOTE_HEADINGS}))) + r"])(?:"
    + "|".join(re.escape(h) for h in sorted(NOTE_HEADINGS, key=len, reverse=True))
    + r")\s*:?[^\S\n]*(?=\n|\Z)",
    re.IGNORECASE,
)


class EndnotesBlockRule(Rule):
    """The endnote list (with its heading): moved out of the body into the footnotes table."""

    rule_id = "endnotes_block"
    version = 1
    categories = ("endnotes_block",)

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterator[Span]:
        if not _may_have_notes(doc):
            return
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


def _removed_lines(doc: DocView, found: Sequence[Span]) -> Callable[[int], bool]:
    """``is_removed(i)``: does a span of ``found`` touch line ``i``? (Bisects the spans,
    sorted and disjoint as the engine passes them; costs nothing per span up front.)"""
    spans = found if all(a.end <= b.start for a, b in zip(found, found[1:], strict=False)) else (
        merge_spans_sorted(found)
    )
    starts = [s.start for s in spans]
    line_starts, size, n = doc.line_starts, len(doc.text), len(doc)

    def is_removed(i: int) -> bool:
        nxt = line_starts[i + 1] if i + 1 < n else size + 1
        k = bisect_right(starts, nxt - 1) - 1
        return k >= 0 and spans[k].end > line_starts[i]

    return is_removed


def _removed_from(doc: DocView, found: Sequence[Span], first: int) -> list[bool]:
    """Flags for lines ``first..`` (index 0 = line ``first``): touched by a span of ``found``."""
    n = len(doc)
    flags = [False] * (n - first)
    start = doc.line_starts[first]
    line_of = doc.line_of
    for span in found:
        if span.end <= start or span.end <= span.start:
            continue
        a = max(line_of(span.start), first)
        b = line_of(max(span.start, span.end - 1))
        flags[a - first : b - first + 1] = [True] * (b - a + 1)
    return flags


def previous_content_line(doc: DocView, i: int) -> int | None:
    """Index of the last non-blank line before line ``i``, or None."""
    j = i - 1
    while j >= 0 and not doc.raw_lines[j].strip():
        j -= 1
    return j if j >= 0 else None


def merge_spans_sorted(found: Sequence[Span]) -> list[Span]:
    """Spans as disjoint, sorted coverage (for rules called outside the engine)."""
    out: list[Span] = []
    for span in sorted(found, key=lambda s: s.start):
        if out and span.start < out[-1].end:
            if span.end > out[-1].end:
                last = out[-1]
                out[-1] = Span(last.start, span.end, last.rule_id, last.rule_version, last.category)
        elif span.end > span.start:
            out.append(span)
    return out


def _opens_lowercase(text: str) -> bool:
    """The first letter or digit of ``text`` (after bullets, quotes and dashes) is a
    lowercase letter."""
    if text[:1].isalpha():  # most lines open with their first word
        return text[0].islower()
    first = _FIRST_ALNUM.search(text)
    return first is not None and first.group().islower()


_FIRST_ALNUM = re.compile(r"[^\W_]")


def _wrapped_prose(lines: list[str], i: int, text: str) -> bool:
    """Line ``i`` (stripped: ``text``) is part of a sentence wrapped over several lines: it
    opens in lowercase ("programmieren Dein Unterbewusstsein …", "- offen und neugierig
    sind"), or the next line does ("Wir" / "programmieren …"). Footer items do not continue
    one another; wrapped prose does."""
    if _opens_lowercase(text):
        return True
    for j in range(i + 1, min(i + 3, len(lines))):
        following = lines[j]
        if following and not following.isspace():
            return _opens_lowercase(following)  # (leading spaces: the regex skips them)
    return False


class TailBlockRule(Rule):
    """After the last paragraph of body text, short non-sentence lines that sit inside a
    block of removed boilerplate (between two removed lines, or after the last one up to the
    end) belong to that block: organisation names, postal addresses, signatures. Consecutive
    lines of one category make one span.

    v2: one span per run of consecutive lines of a category (was one per line).
    v3: lines of a sentence wrapped over several lines (one opens in lowercase) stay."""

    rule_id = "tail_block"
    version = 3
    categories = ("footer", "contact", "author_bio")
    stage = 2
    MAX_WORDS = 12

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterator[Span]:
        if not found:
            return
        last_body = doc.last_body_line()
        if last_body >= 0 and max(s.end for s in found) <= doc.line_starts[last_body]:
            return  # every removed line comes before the last body line: no tail block
        is_removed = _removed_lines(doc, found)
        last_body = doc.last_body_line(is_removed)
        if last_body < 0:  # no body text: nothing to call a tail
            return
        lines = doc.raw_lines
        first_removed = next(
            (i for i in range(last_body + 1, len(lines)) if lines[i].strip() and is_removed(i)), -1
        )
        if first_removed < 0:
            return
        terminal = _TERMINAL_CHARS
        removed = _removed_from(doc, found, first_removed)
        run: list[int] = []  # consecutive qualifying lines of one category
        run_class: tuple[str, str] = ("", "")
        n = len(lines)
        max_words = self.MAX_WORDS
        for i in range(first_removed + 1, n + 1):
            found_class = ("", "")
            if i < n:
                text = lines[i].strip()
                if not text:
                    continue  # blank lines neither join nor break a run
                if not removed[i - first_removed] and (text[-1] not in terminal or text[-1] in '"”'):
                    words = text.split()
                    if len(words) <= max_words and not _wrapped_prose(lines, i, text):
                        found_class = self._classify(text, words)
            qualifies = bool(found_class[0])
            if run and found_class[0] != run_class[0]:
                category, evidence = run_class
                if len(run) > 1:
                    evidence = f"{evidence} ({len(run)} lines)"
                yield self.span(doc, run[0], run[-1], category, evidence)
                run = []
            if qualifies:
                run.append(i)
                run_class = found_class

    @staticmethod
    def _classify(text: str, words: list[str] | None = None) -> tuple[str, str]:
        words = text.split() if words is None else words
        if 2 <= len(words) <= 4 and all(_NAME_WORD.fullmatch(w) for w in words):  # looks_like_name
            return "author_bio", "name-shaped line in the footer block"
        if text.count(",") >= 2 and _ANY_DIGIT.search(text):
            return "contact", "address-shaped line in the footer block"
        return "footer", "short line inside the footer block"


# --------------------------------------------------------------------------- date lines

#: Month and weekday names of every language: scrubline/calendar/<language>.yaml.
_MONTHS = date_line_months()
_WEEKDAYS = weekdays()
#: Words that label a date as the post's metadata ("Veröffentlicht am", "Updated").
_DATE_LABELS = (
    "veröffentlicht am", "veröffentlicht", "veröffentlichung", "aktualisiert am", "aktualisiert",
    "zuletzt aktualisiert", "erstellt am", "erschienen am", "stand", "datum", "published on",
    "published", "updated on", "updated", "last updated", "posted on", "posted", "publié le",
    "publié", "mis à jour le", "mis à jour", "publicado el", "publicado", "actualizado el",
    "actualizado", "pubblicato il", "pubblicato", "aggiornato il", "aggiornato", "atualizado em",
    "opublikowano", "aktualizacja",
)  # fmt: skip


def _alt(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_MONTH = rf"(?:{_alt(_MONTHS)})\.?"
_DATE = (
    rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-](?:\d{{4}}|\d{{2}})|\d{{4}}-\d{{1,2}}-\d{{1,2}}"
    rf"|\d{{1,2}}\.?\s*(?:de\s+|di\s+)?{_MONTH},?\s+(?:de\s+)?\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
_TIME = r"\d{1,2}(?:[:.]|h)\d{2}(?:\s*(?:uhr|h|am|pm|a\.m\.|p\.m\.))?"
_LABEL_PART = rf"(?:{_alt(_DATE_LABELS)})\s*:?"
#: A line that is nothing but a date (and a time), optionally labelled.
_DATE_LINE = re.compile(
    rf"[\W_]*(?P<label>{_LABEL_PART}\s*)?(?:(?:{_alt(_WEEKDAYS)}),?\s+)?{_DATE}"
    rf"(?:\s*(?:,|\||-|–|·|/|um|at|à|a las|alle|às|o)?\s*{_TIME})?[\W_]*",
    re.IGNORECASE,
)
#: A line that is only a date label ("Veröffentlicht am:", "Published:").
_DATE_LABEL_LINE = re.compile(rf"[\W_]*{_LABEL_PART}[\W_]*", re.IGNORECASE)


def is_date_line(text: str) -> tuple[bool, bool]:
    """(the stripped line is a date line, it carries a label).

    >>> is_date_line("23.10.2018"), is_date_line("Veröffentlicht am 8. November 2021, 08:30 Uhr")
    ((True, False), (True, True))
    >>> is_date_line("Lunes 02 Mayo, 2022 | 09:37"), is_date_line("Oct 9, 2019")
    ((True, False), (True, False))
    >>> is_date_line("ab 1. Januar 2023 für Wasserpfeifentabak"), is_date_line("2019")
    ((False, False), (False, False))
    """
    if len(text) > 80:
        return False, False
    match = _DATE_LINE.fullmatch(text)
    if match is None:
        return False, False
    return True, match.group("label") is not None


#: Every date form above has a year or a "d.m" / "d/m" / "y-m" pair.
_DATE_CUE = re.compile(r"\d(?:\d{3}|[./-]\d)")  # (a leading \d lets the engine skip fast)


class DateLineRule(Rule):
    """Lines that are only a date (and time, optionally labelled: "Veröffentlicht am …",
    "Updated …", "Publié le …"), in any of the lexicon languages, among the ``WINDOW``
    content lines just before the first or just after the last body line: the post's
    metadata. A label line just above ("Published:") goes with it. A date in the middle of
    the body (a chronology heading) stays, and so does every date of a text without body."""

    rule_id = "date_line"
    version = 1
    categories = ("meta",)
    MAX_CHARS = 100
    WINDOW = 4

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterator[Span]:
        first_body = doc.first_body_line
        if first_body < 0:
            return  # no body text: nothing to call the post's metadata
        lines = doc.raw_lines
        candidates = self._window(lines, first_body - 1, -1) + self._window(
            lines, doc.last_body_line() + 1, 1
        )
        done = -1
        for i in sorted(candidates):
            raw = lines[i]
            if i <= done or len(raw) > self.MAX_CHARS or not _DATE_CUE.search(raw):
                continue
            line = raw.strip()
            if not is_date_line(line)[0]:
                continue
            first = i
            prev = previous_content_line(doc, i)
            if prev is not None and prev > done and _DATE_LABEL_LINE.fullmatch(lines[prev].strip()):
                first = prev  # "Published:" on the line above
            done = i
            yield self.span(doc, first, i, "meta", f"date line: {line[:40]}")

    def _window(self, lines: list[str], start: int, step: int) -> list[int]:
        """Up to ``WINDOW`` content lines from ``start`` on, walking by ``step``."""
        out: list[int] = []
        i = start
        while 0 <= i < len(lines) and len(out) < self.WINDOW:
            if lines[i].strip():
                out.append(i)
            i += step
        return out


# --------------------------------------------------------------------------- related blocks


class RelatedBlockRule(Rule):
    """A heading line that introduces teasers ("Empfohlene Beiträge", "Related stories",
    "À lire aussi"), removed by a lexicon rule, takes the run of teaser lines under it:
    short lines that do not end like a sentence (titles, dates, "Read more"), up to the next
    body-like line or blank-separated sentence.

    v2: a promo line ending in a colon introduces teasers too ("Auch interessant:", "Lesen
    Sie auch:"); without the colon ("Weiterlesen") it is a link, not a heading."""

    rule_id = "related_block"
    version = 2
    categories = ("related",)
    stage = 2
    #: A heading is the phrase and at most this many more words.
    HEADING_WORDS = 4
    MAX_WORDS = 12
    MAX_LINES = 12

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterator[Span]:
        lines = doc.raw_lines
        by_category = _verdicts_by_category(doc)
        headings = sorted(
            [
                i for i, _ in by_category.get("related", ())
                if len(lines[i].split()) <= self.HEADING_WORDS + 2 and lines[i].rstrip()[-1:] not in ".!?"
            ] + [  # a promo line that introduces what follows: "Auch interessant:", "Lesen Sie auch:"
                i for i, _ in by_category.get("promo", ())
                if len(lines[i].split()) <= self.HEADING_WORDS + 2 and lines[i].rstrip()[-1:] == ":"
            ]
        )  # fmt: skip
        if not headings:
            return
        removed = set()
        for span in found:
            removed.update(range(doc.line_of(span.start), doc.line_of(max(span.start, span.end - 1)) + 1))
        for h in headings:
            run: list[int] = []
            j = h + 1
            while j < len(lines) and len(run) < self.MAX_LINES:
                text = lines[j].strip()
                j += 1
                if not text:
                    continue
                if j - 1 in removed:
                    break
                words = len(text.split())
                if words > self.MAX_WORDS or (text[-1] in ".!?" and words > 3):
                    break
                run.append(j - 1)
            if run:
                yield self.span(doc, run[0], run[-1], "related", f"teasers under '{lines[h].strip()[:40]}'")


class AuthorBioBlockRule(Rule):
    """An author label standing alone near the end ("Über den Autor", "AUTOR", "About the
    author"), removed by the lexicon, takes the bio under it: the at most ``MAX_LINES``
    content lines between it and the end of the text (or the next removed line), whatever
    their shape ("ist Gründungspartner der Kanzlei … Zu seinen Tätigkeitsfeldern zählen …").
    A label followed by more than that is a byline over an article, not a bio."""

    rule_id = "author_bio_block"
    version = 1
    categories = ("author_bio",)
    stage = 2
    MAX_LINES = 3
    MAX_WORDS = 80

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterator[Span]:
        labels = [
            i for i, v in _verdicts_by_category(doc).get("author_bio", ())
            if v.lead and _is_label(doc.raw_lines[i], v.lead)
        ]  # fmt: skip
        if not labels:
            return
        is_removed = _removed_lines(doc, found)
        lines = doc.raw_lines
        for h in labels:
            run: list[int] = []
            for j in range(h + 1, len(lines)):
                if not lines[j].strip():
                    continue
                if is_removed(j):
                    break
                run.append(j)
                if len(run) > self.MAX_LINES:
                    break
            if 0 < len(run) <= self.MAX_LINES and all(len(lines[j].split()) <= self.MAX_WORDS for j in run):
                yield self.span(doc, run[0], run[-1], "author_bio", f"bio under '{lines[h].strip()[:30]}'")


def _is_label(raw: str, phrase: str) -> bool:
    """Is the line nothing but ``phrase`` (and punctuation)?"""
    return _LABEL_PUNCT.sub("", raw.lower()) == _LABEL_PUNCT.sub("", phrase)


_LABEL_PUNCT = re.compile(r"[\W_]+")


class OrphanHeadingRule(Rule):
    """A heading left with nothing under it: the short line (at most ``MAX_WORDS`` words,
    opening with a letter or digit, not ending like a sentence) just above a block of lines
    that the lexicon rules removed and that runs to the end of the text ("Gut versorgt mit X"
    over a removed promo, "Weitere Tourentipps" over a removed affiliate notice). It heads
    what was removed, so it takes that block's category. Only at the end of a text that
    keeps body text above it, and not over blocks that zone and footer rules removed (their
    reach is wider than a heading's: "Sources:" over a list they took stays)."""

    rule_id = "orphan_heading"
    version = 1
    categories = tuple(c for c in LEXICON_CATEGORIES if c != "navigation")
    stage = 3
    MAX_WORDS = 8

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterator[Span]:
        text = doc.text
        if not found or (found[-1].end < len(text) and not text[found[-1].end :].isspace()):
            return  # nothing removed at the end
        starts = doc.line_starts
        k = len(found) - 1
        while k > 0 and found[k - 1].end >= starts[doc.line_of(found[k].start)]:
            k -= 1  # walk up the removed block at the end
        category = found[k].category
        first = doc.line_of(found[k].start)
        if category not in self.categories or starts[first] != found[k].start:
            return  # a block of another kind, or one that starts inside a line
        j = previous_content_line(doc, first)
        if j is None:
            return
        heading = doc.raw_lines[j].strip()
        if len(heading.split()) > self.MAX_WORDS or not heading[0].isalnum() or heading[-1] in ".!?…;":
            return
        if doc.last_body_line(_removed_lines(doc, found)) >= 0:
            yield self.span(doc, j, j, category, f"heading over the removed {category} block at the end")


# --------------------------------------------------------------------------- zones (full page)


class MainZoneRule(Rule):
    """Full-page text only (``profile="fullpage"``): find the main-content zone, the run of
    lines with the highest text density, and remove the short lines outside it (menus,
    teaser lists, footers), keeping any line there that reads as body text.

    Each line scores ``len - PENALTY / 2`` when it is a sentence-final line of at least
    ``SENTENCE_WORDS`` words, ``len - PENALTY`` when it is long without ending like a
    sentence, and ``-PENALTY`` (``-PENALTY / 2`` for one or two words) otherwise; the zone is
    the maximum-sum run (Kadane). Without any positive run there is no zone and nothing is
    removed. Lines outside the zone survive when they end like a sentence and have at least
    ``KEEP_WORDS`` words, unless they come after the last zone and more than ``TAIL_NEAR``
    content lines away from it (footer blurbs past the menus). At most ``GAP_LINES`` content
    lines between two zones (subheadings, list items, captions) belong to the zones.

    Precision first: when the lines to remove would hold more than ``MAX_REMOVED`` of the
    text's characters, the zones are no clear main content (a page of lists, tables or short
    items, or extracted text the detector mistook for a full page) and nothing is removed.

    v2: ``GAP_LINES`` and ``TAIL_NEAR``. v3: ``MAX_REMOVED``."""

    rule_id = "main_zone"
    version = 3
    categories = ("navigation", "footer")
    PENALTY = 80
    SENTENCE_WORDS = 8
    LONG_WORDS = 15
    KEEP_WORDS = 15
    SECONDARY = 0.3
    GAP_LINES = 4
    TAIL_NEAR = 3
    MAX_REMOVED = 0.85

    def scores(self, doc: DocView) -> list[float]:
        penalty, half = self.PENALTY, self.PENALTY / 2
        out: list[float] = []
        for raw, w in zip(doc.raw_lines, doc.line_word_counts, strict=True):
            if not w:
                out.append(0.0)
            elif w >= self.SENTENCE_WORDS and raw.rstrip()[-1:] in _TERMINAL_CHARS:
                out.append(len(raw.strip()) - half)
            elif w >= self.LONG_WORDS:
                out.append(len(raw.strip()) - penalty)
            else:
                out.append(-penalty if w > 2 else -half)
        return out

    @staticmethod
    def _best_run(scores: list[float], lo: int, hi: int) -> tuple[float, int, int]:
        """Maximum-sum run of ``scores[lo:hi]`` (Kadane): (sum, first, last); last < first
        when no run is positive."""
        best = cur = 0.0
        start = best_start = lo
        best_end = lo - 1
        for i in range(lo, hi):
            v = scores[i]
            if cur <= 0:
                cur, start = v, i
            else:
                cur += v
            if cur > best:
                best, best_start, best_end = cur, start, i
        return best, best_start, best_end

    def zones(self, doc: DocView) -> list[tuple[int, int]]:
        """The main zone and the other dense runs scoring at least ``SECONDARY`` of it,
        as ``(first, last)`` line pairs in text order."""
        scores = self.scores(doc)
        best, first, last = self._best_run(scores, 0, len(scores))
        if last < first:
            return []
        found = [(first, last)]
        todo = [(0, first), (last + 1, len(scores))]
        while todo:
            lo, hi = todo.pop()
            if hi - lo <= 0:
                continue
            value, a, b = self._best_run(scores, lo, hi)
            if b >= a and value >= self.SECONDARY * best:
                found.append((a, b))
                todo += [(lo, a), (b + 1, hi)]
        return sorted(found)

    def inside(self, doc: DocView, zones: list[tuple[int, int]]) -> list[bool]:
        """Per line: inside ``zones``, where at most ``GAP_LINES`` content lines between two
        zones belong to them."""
        inside = [False] * len(doc)
        for a, b in zones:
            inside[a : b + 1] = [True] * (b - a + 1)
        words = doc.line_word_counts
        for (_, b1), (a2, _) in zip(zones, zones[1:], strict=False):
            if sum(1 for i in range(b1 + 1, a2) if words[i]) <= self.GAP_LINES:
                inside[b1 + 1 : a2] = [True] * (a2 - b1 - 1)
        return inside

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterator[Span]:
        zones = self.zones(doc)
        if not zones:
            return
        n = len(doc)
        inside = self.inside(doc, zones)
        words = doc.line_word_counts
        first, last = zones[0][0], zones[-1][1]
        tail_limit = self._tail_limit(words, last)
        evidence = "outside the dense zones " + ", ".join(f"{a}-{b}" for a, b in zones[:6])
        raw = doc.raw_lines
        drop = [
            not (inside[i] or not words[i] or (
                words[i] >= self.KEEP_WORDS and raw[i].rstrip()[-1:] in _TERMINAL_CHARS and i <= tail_limit
            ))
            for i in range(n)
        ]  # fmt: skip
        total = sum(len(line.strip()) for line in raw)
        if not total or sum(len(raw[i].strip()) for i in range(n) if drop[i]) > self.MAX_REMOVED * total:
            return
        run: list[int] = []
        for i in range(n + 1):
            if i == n or not drop[i]:
                if run:
                    category = "navigation" if run[0] < first else "footer"
                    yield self.span(doc, run[0], run[-1], category, evidence)
                    run = []
            else:
                run.append(i)

    def _tail_limit(self, words: list[int], last: int) -> int:
        """Last line that may still be kept as a sentence: the ``TAIL_NEAR``-th content line
        after the last zone (beyond it, past a run of menu and link lines, sentences are
        footer and teaser text)."""
        seen = 0
        for i in range(last + 1, len(words)):
            if words[i]:
                seen += 1
                if seen > self.TAIL_NEAR:
                    return i - 1
        return len(words)


PROFILES = ("article", "fullpage")


def zone_rule() -> Rule:
    """The zone rule of the fullpage profile: the learned line model (``linemodel.py``; it
    reads ``main_zone``'s zones as one of its features)."""
    return LineModelRule()


def default_rules(profile: str = "article", zone: Rule | None = None) -> list[Rule]:
    """The registry of rules, in priority order (earlier wins on overlaps).

    ``profile``: ``"article"`` (default) for extracted article text; ``"fullpage"`` for all the
    visible text of a page (menus, teasers and footers included), which adds a zone rule:
    ``zone``, by default :func:`zone_rule` (the benches compare others in its place)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; expected one of {PROFILES}")
    return [
        EndnotesBlockRule(),
        ContactLineRule(),
        *(LexiconRule(c) for c in LEXICON_CATEGORIES),
        CaptionLineRule(),
        DownloadLinkRule(),
        LayoutRowRule(),
        TemplateMarkupRule(),
        DateLineRule(),
        *([zone or zone_rule()] if profile == "fullpage" else []),
        TailBlockRule(),
        RelatedBlockRule(),
        AuthorBioBlockRule(),
        OrphanHeadingRule(),
    ]
