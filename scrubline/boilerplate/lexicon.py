"""Boilerplate vocabularies as data: one YAML file per language, phrases grouped by category.

All lexicons are compiled into one multi-pattern matcher and matched in a single pass over
the document, whatever its case (pages mix languages; a Russian footer under an English
article is common). Hits are kept only on word boundaries; anchored phrases only at a line's
lead (its first word, after bullets, quotes and arrows: ``document._LEAD``); line-final
phrases only at a line's end (before closing punctuation).

Two interchangeable scanners give the same hits in the same order:

- hyperscan (when installed; a manylinux wheel): the phrases as pure literals over the UTF-8
  bytes of the text as it is, ASCII letters matched in any case, other letters in the case
  forms ``case_variants`` lists; anchored phrases as ``"\\n" + phrase`` (a line start), plus a
  second scan over the first line and the few lines whose lead is not their first character.
  About 2 ms per MB, and no lowercased copy of the text (lowercasing cost more than the scan).
- pyahocorasick (the reference, and the fallback): every occurrence in the lowercased text,
  then the anchor filter in Python. About 30 ms per MB. It finds a phrase in any mix of case;
  the fast scanner only in the forms ``case_variants`` gives where a phrase has more than
  ``MAX_CASE_COMBINATIONS`` letters outside ASCII (Cyrillic, Armenian: "читайте также",
  "ЧИТАЙТЕ ТАКЖЕ", "Читайте также", "Читайте Также"; not "чИтАйТе").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from scrubline.literalset import LiteralSet
from scrubline.patternset import AVAILABLE as HYPERSCAN  # same hits, ~15x faster (module docstring)
from scrubline.patternset import PatternSet
from scrubline.yamlfile import load_yaml

LEXICON_DIR = Path(__file__).parent / "lexicons"

#: Characters that may precede a line's first word: bullets, quotes, arrows, list dashes,
#: Spanish opening marks ("¡Síguenos…!", "¿Ya conoces…?") and leading dots ("… weiter zu",
#: "...mehr").
LEAD_CHARS = "•·▪►▶→»«>*|-–—\"'“”„‘’[(#¡¿.…"
LEAD = re.compile(r"[\s" + re.escape(LEAD_CHARS) + r"]*")
#: A line start followed by at least one lead character that is not a newline (run on
#: ``"\n" + text``).
_LEAD_RUN = re.compile(r"\n(?:[^\S\n]|[" + re.escape(LEAD_CHARS) + r"])+")
#: Python's whitespace (``str.isspace``, the ``\s`` of ``re``) without the newline; a test
#: checks this list against the Unicode database.
LINE_SPACES = "\t\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + (
    "\u2028\u2029\u202f\u205f\u3000"
)


@dataclass(frozen=True, slots=True)
class Phrase:
    """One lexicon entry. ``anchored`` phrases count only at the start of a line, ``final``
    ones only at its end ("… findest du hier.")."""

    text: str  # lowercased
    category: str
    language: str
    anchored: bool
    final: bool = False


class Hit(NamedTuple):
    """A phrase found in the text at ``[start, end)`` (offsets into the document)."""

    start: int
    end: int
    phrase: Phrase


def load_phrases(paths: Iterable[Path]) -> list[Phrase]:
    """Read lexicon files into phrases; a leading ``^`` marks an anchored phrase, a trailing
    ``$`` a line-final one."""
    phrases: list[Phrase] = []
    for path in paths:
        data = load_yaml(path) or {}
        language = str(data.get("language") or path.stem)
        phrases.extend(parse_phrases(data.get("categories") or {}, language))
    return phrases


def parse_phrases(categories: Mapping[str, Any], language: str) -> list[Phrase]:
    """``{category: [phrase, ...]}`` as written in a lexicon or a rule pack, as phrases."""
    phrases: list[Phrase] = []
    for category, entries in categories.items():
        for entry in entries or []:
            raw = str(entry)
            anchored = raw.startswith("^")
            final = raw.endswith("$") and not anchored
            text = raw[1 if anchored else 0 : -1 if final else None].lower()
            if text.strip():
                phrases.append(Phrase(text, str(category), language, anchored, final))
    return phrases


class Lexicon:
    """A compiled set of phrases (every language at once)."""

    def __init__(self, phrases: Iterable[Phrase]) -> None:
        self.phrases = list(phrases)
        by_text: dict[str, list[Phrase]] = {}
        for phrase in self.phrases:
            by_text.setdefault(phrase.text, []).append(phrase)
        self._by_text = {t: tuple(e) for t, e in by_text.items()}
        self._texts = list(self._by_text)
        self._lengths = [len(t) for t in self._texts]
        # per distinct text: the entries a hit yields at a line's lead, and elsewhere (an
        # anchored phrase that starts with a lead character can never be at a lead)
        self._at_lead = [
            tuple(e for e in self._by_text[t] if not e.anchored or not LEAD.match(t).end())
            for t in self._texts
        ]
        self._elsewhere = [tuple(e for e in self._by_text[t] if not e.anchored) for t in self._texts]
        self._empty = not by_text
        self._lead_base = 2 * len(self._texts)  # hyperscan ids from here: "\n" + a lead char
        self._automaton: LiteralSet | None = None
        self._hs: PatternSet | None = None

    def __getstate__(self) -> dict:
        # compiled matchers are rebuilt on demand in the receiving process
        return {"phrases": self.phrases}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["phrases"])  # type: ignore[misc]

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted({p.language for p in self.phrases}))

    def with_phrases(self, extra: Iterable[Phrase]) -> Lexicon:
        """A new lexicon with more phrases (per-outlet rule packs)."""
        return Lexicon([*self.phrases, *extra])

    # ------------------------------------------------------------------ reference scanner

    @property
    def automaton(self) -> LiteralSet:
        if self._automaton is None:
            self._automaton = LiteralSet((text, (len(text), k)) for k, text in enumerate(self._texts))
        return self._automaton

    def scan(self, lowered: str) -> Iterator[Hit]:
        """Every phrase occurrence in ``lowered`` that sits on word boundaries (anchored
        phrases included wherever they occur)."""
        if self._empty:
            return
        for end_index, (length, k) in self.automaton.iter(lowered):
            end = end_index + 1
            start = end - length
            if not _on_boundaries(lowered, start, end):
                continue
            for phrase in self._by_text[self._texts[k]]:
                yield Hit(start, end, phrase)

    def line_hits_reference(self, lowered: str) -> list[Hit]:
        """``line_hits`` the slow, obvious way (the tests compare the two)."""
        hits = []
        for hit in self.scan(lowered):
            if hit.phrase.anchored:
                line_start = lowered.rfind("\n", 0, hit.start) + 1
                line_end = lowered.find("\n", hit.start)
                lead = LEAD.match(lowered, line_start, line_end if line_end >= 0 else len(lowered))
                if hit.start != lead.end():
                    continue
            if hit.phrase.final and not at_line_end(lowered, hit.end):
                continue
            hits.append(hit)
        return hits

    # ------------------------------------------------------------------ fast scanner

    def line_hits(self, text: str, data: bytes | None = None) -> list[Hit]:
        """Phrase hits in ``text`` (any case, see the module docstring) on word boundaries,
        anchored phrases only at a line's lead; in text order (by end, longer phrases first
        at the same end). ``data``: ``text`` encoded as by ``utf8``, when the caller has it."""
        if self._empty:
            return []
        if not HYPERSCAN:
            return self.line_hits_reference(lower_same_length(text))
        # offsets, word boundaries, line leads and line ends are the same in any case
        found: dict[tuple[int, int], bool] = {}  # (end, text index) -> at a line's lead
        # the first line (no newline before it) and the lines whose first word follows
        # spaces, bullets or quotes (the main scan reports their starts) get a second scan
        # of "\n" + their remainder
        data = utf8(text) if data is None else data
        leads = [LEAD.match(text).end()]
        leads += [
            _LEAD_RUN.match(text, start - 1).end() for start in self._hs_scan(text, found, None, data)
        ]
        self._scan_leads(text, leads, found)
        lengths = self._lengths
        order = sorted([(end, -lengths[k], k) for end, k in found])
        hits: list[Hit] = []
        append = hits.append
        at_lead, elsewhere = self._at_lead, self._elsewhere
        n = len(text)
        for end, neg_length, k in order:
            start = end + neg_length
            # boundaries (as _on_boundaries)
            if start > 0 and text[start].isalnum() and text[start - 1].isalnum():
                continue
            if end < n and text[end - 1].isalnum() and text[end].isalnum():
                continue
            for phrase in at_lead[k] if found[(end, k)] else elsewhere[k]:
                if not phrase.final or at_line_end(text, end):
                    append(Hit(start, end, phrase))
        return hits

    def _scan_leads(self, text: str, leads: list[int], found: dict[tuple[int, int], bool]) -> None:
        """Anchored phrases on lines whose first word follows bullets, quotes or spaces: scan
        ``"\\n" + line remainder`` of each such line and map the hits back."""
        pieces = []
        offsets = []  # (offset of the piece in the buffer, offset of its lead in the text)
        cursor = 0
        for lead in leads:
            end = text.find("\n", lead)
            piece = text[lead : end if end >= 0 else len(text)]
            if not piece:
                continue
            pieces.append(piece)
            offsets.append((cursor + 1, lead))
            cursor += len(piece) + 1
        if pieces:
            self._hs_scan("\n" + "\n".join(pieces), found, offsets)

    def _hs_scan(
        self, buffer: str, found: dict[tuple[int, int], bool], offsets: list[tuple[int, int]] | None,
        data: bytes | None = None,
    ) -> list[int]:
        """Scan ``buffer`` (the text, or "\\n"-joined lead pieces when ``offsets`` is given;
        ``data``: its encoding, if known); record hits as (end offset in the text, text
        index) -> at lead. Returns the starts of the lines (after the first) that begin with
        a lead character (main scan only)."""
        if data is None:
            data = utf8(buffer)
        raw = self._patterns().ends(data)
        lead_lines: list[int] = []
        if not raw:
            return lead_lines
        raw.sort()
        ascii_only = len(data) == len(buffer)
        prev_b = prev_c = 0
        piece = 0
        lead_base = self._lead_base
        for end_b, pid in raw:
            anchored = pid & 1
            if offsets is not None and (not anchored or pid >= lead_base):
                continue  # unanchored phrases and lead lines were found by the main scan
            if ascii_only:
                end_c = end_b
            else:
                end_c = prev_c + len(data[prev_b:end_b].decode("utf-8", "surrogatepass"))
                prev_b, prev_c = end_b, end_c
            if pid >= lead_base:  # "\n" + a lead character: end_c - 1 starts that line
                lead_lines.append(end_c - 1)
                continue
            k = pid >> 1
            if offsets is None:
                end = end_c
            else:
                while piece + 1 < len(offsets) and offsets[piece + 1][0] <= end_c - len(self._texts[k]):
                    piece += 1
                at, lead = offsets[piece]
                end = lead + end_c - at
            key = (end, k)
            if anchored:
                found[key] = True
            else:
                found.setdefault(key, False)
        return lead_lines

    def _patterns(self) -> PatternSet:
        """The compiled database (built once)."""
        if self._hs is None:
            expressions, ids = [], []
            for k, text in enumerate(self._texts):
                for form in case_variants(text):
                    raw = utf8(form)
                    if self._elsewhere[k]:
                        expressions.append(raw)
                        ids.append(2 * k)
                    if len(self._at_lead[k]) > len(self._elsewhere[k]):
                        expressions.append(b"\n" + raw)
                        ids.append(2 * k + 1)
            for j, char in enumerate(LINE_SPACES + LEAD_CHARS):  # lines that start with a lead
                expressions.append(("\n" + char).encode("utf-8"))
                ids.append(self._lead_base + j)
            # caseless: ASCII letters, any case
            self._hs = PatternSet(expressions, ids=ids, flags=("CASELESS",), literal=True)
        return self._hs


#: Up to this many letters outside ASCII in a phrase, the fast scanner matches each of them in
#: both cases ("zurück", "ZURÜCK", "zurÜck"); beyond, it matches the phrase's common forms.
MAX_CASE_COMBINATIONS = 3


def case_variants(phrase: str) -> list[str]:
    """The forms of a lowercase ``phrase`` the fast scanner looks for, ASCII letters aside
    (they match in any case): each combination of lower and upper case of its letters outside
    ASCII, or, past ``MAX_CASE_COMBINATIONS`` of them, lower, UPPER, Capitalized and Title
    Case."""
    uppers = {i: _upper(c) for i, c in enumerate(phrase) if not c.isascii()}
    cased = [i for i, u in uppers.items() if u != phrase[i]]
    if len(cased) > MAX_CASE_COMBINATIONS:
        whole = "".join(uppers.get(i, c) for i, c in enumerate(phrase))
        first = uppers.get(0, phrase[:1]) + phrase[1:]
        title = "".join(
            uppers.get(i, c) if i == 0 or not phrase[i - 1].isalpha() else c for i, c in enumerate(phrase)
        )  # fmt: skip
        return sorted({phrase, whole, first, title})
    forms = set()
    for upper in itertools.product((False, True), repeat=len(cased)):
        chars = list(phrase)
        for i, up in zip(cased, upper, strict=True):
            if up:
                chars[i] = uppers[i]
        forms.add("".join(chars))
    return sorted(forms)


def _upper(char: str) -> str:
    """The one uppercase character that lowercases back to ``char`` (not an ASCII one: "ı"
    stays, as "I" lowercases to "i"), or ``char`` itself ("ß" has "ẞ")."""
    up = "ẞ" if char == "ß" else char.upper()
    if len(up) != 1 or up.isascii() or up.lower() != char:
        return char
    return up


def lower_same_length(text: str) -> str:
    """``text`` lowercased with the same length (offsets stay valid): a character whose
    lowercase is longer ("İ") is kept as it is."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def utf8(text: str) -> bytes:
    """``text`` as the bytes the hyperscan scans read: UTF-8, lone surrogates passed through
    (literal matching does not care; ``DocView.text_utf8`` tells scans that do)."""
    return text.encode("utf-8", "surrogatepass")


#: What may follow a line-final phrase before the line ends: closing punctuation and spaces
#: (not a colon: "Das Konzeptpapier finden Sie hier:" introduces what follows).
_LINE_END = re.compile(r"(?:[.!…\"'”’»)\]]|[^\S\n])*(?:\n|\Z)")


def at_line_end(text: str, end: int) -> bool:
    """Only closing punctuation and spaces between ``end`` and the end of its line."""
    return _LINE_END.match(text, end) is not None


def _on_boundaries(text: str, start: int, end: int) -> bool:
    """True when the match neither starts nor ends inside a word."""
    if start > 0 and text[start].isalnum() and text[start - 1].isalnum():
        return False
    return not (end < len(text) and text[end - 1].isalnum() and text[end].isalnum())


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """Every lexicon shipped in ``lexicons/``."""
    return Lexicon(load_phrases(sorted(LEXICON_DIR.glob("*.yaml"))))
