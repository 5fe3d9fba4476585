"""A read-only view of one document's lines, shared by every rule.

Rules never edit text: they read this view and yield spans. Costly facts (the lexicon scan,
line shapes, zones) are computed once, on demand, and cached here.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate, repeat
from operator import add
from typing import NamedTuple

from .lexicon import LEAD as _LEAD
from .lexicon import Hit, Lexicon, default_lexicon, lower_same_length

_TERMINAL = frozenset(".!?…\"'”»)]:;。！？")

#: A line of at least this many words that ends like a sentence reads as body text.
BODY_MIN_WORDS = 12
#: The fewest characters such a line can have (one-letter words, one space between them).
_BODY_MIN_CHARS = 2 * BODY_MIN_WORDS - 1


#: The end of a line whose last non-blank character is sentence punctuation (the body-line
#: test of ``first_body_line`` and ``_bodies_from_end``, over the whole text at once).
_TERMINAL_LINE_END = re.compile("[" + re.escape("".join(sorted(_TERMINAL))) + r"][^\S\n]*$", re.MULTILINE)


class cached_property:  # noqa: N801 - named after the functools decorator it replaces
    """``functools.cached_property`` without its per-access lock (Python 3.11 takes one on
    every first access; rules touch a dozen of these per document, and a DocView is never
    shared between threads)."""

    def __init__(self, func: Callable) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __get__(self, obj: object, owner: type | None = None):  # noqa: ANN204
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)  # the instance attribute wins from now on
        return value


class Line(NamedTuple):
    """Shape of one line; ``start``/``end`` exclude the newline. (A named tuple: rules build
    one per line they judge, and a tuple costs a fifth of a frozen dataclass.)"""

    index: int
    start: int
    end: int
    text: str
    words: int
    blank: bool
    terminal: bool  # ends with sentence punctuation

    @property
    def body_like(self) -> bool:
        return self.words >= BODY_MIN_WORDS and self.terminal


@dataclass
class DocView:
    """The document as rules see it."""

    text: str
    language: str | None = None
    lexicon: Lexicon = field(default_factory=default_lexicon)

    @cached_property
    def raw_lines(self) -> list[str]:
        return self.text.split("\n")

    @cached_property
    def line_starts(self) -> list[int]:
        return list(accumulate(map(add, map(len, self.raw_lines[:-1]), repeat(1)), initial=0))

    def __len__(self) -> int:
        return len(self.raw_lines)

    def line(self, i: int) -> Line:
        """The shape of line ``i`` (computed on demand)."""
        cache = self._line_cache
        found = cache.get(i)
        if found is None:
            raw = self.raw_lines[i]
            stripped = raw.strip()
            start = self.line_starts[i]
            found = Line(
                i, start, start + len(raw), stripped, len(stripped.split()), not stripped,
                bool(stripped) and stripped[-1] in _TERMINAL,
            )  # fmt: skip
            cache[i] = found
        return found

    @cached_property
    def _line_cache(self) -> dict[int, Line]:
        return {}

    def line_of(self, offset: int) -> int:
        """Index of the line containing ``offset``."""
        return bisect_right(self.line_starts, offset) - 1

    def lead_offset(self, i: int) -> int:
        """Offset of the first word of line ``i`` (after bullets, quotes and arrows)."""
        start = self.line_starts[i]
        match = _LEAD.match(self.text, start, start + len(self.raw_lines[i]))
        return match.end() if match else start

    @cached_property
    def nl_text(self) -> str:
        """``"\n" + text``: regexes that start with a literal newline find line starts fast
        (offset ``k`` here is the start of a line at offset ``k`` in ``text``)."""
        return "\n" + self.text

    @cached_property
    def text_utf8(self) -> tuple[bytes, bool]:
        """The text as UTF-8 for the hyperscan scans (lone surrogates passed through), and
        whether that is valid UTF-8 (it is not when the text holds lone surrogates)."""
        try:
            return self.text.encode("utf-8"), True
        except UnicodeEncodeError:
            return self.text.encode("utf-8", "surrogatepass"), False

    @cached_property
    def nl_lowered(self) -> str:
        """``"\n" + lowered``: the same trick as ``nl_text``, for case-blind line-start scans."""
        return "\n" + self.lowered

    @cached_property
    def lowered(self) -> str:
        """Lowercased text with the same length (offsets stay valid). Only the reference
        scanners need it: the fast ones match case-blind."""
        return lower_same_length(self.text)

    @cached_property
    def hits_by_line(self) -> dict[int, list[Hit]]:
        """Lexicon hits grouped by line; anchored phrases kept only at a line's lead."""
        grouped: dict[int, list[Hit]] = {}
        starts = self.line_starts
        for hit in self.lexicon.line_hits(self.text, self.text_utf8[0]):
            i = bisect_right(starts, hit.start) - 1
            found = grouped.get(i)
            if found is None:
                grouped[i] = [hit]
            else:
                found.append(hit)
        return grouped

    def content_lines(self, first: int = 0) -> list[int]:
        """Indices of non-blank lines (from line ``first`` on)."""
        lines = self.raw_lines
        return [i for i in range(first, len(lines)) if lines[i] and not lines[i].isspace()]

    def last_body_line(self, skip: Callable[[int], bool] | None = None) -> int:
        """Index of the last body-like line not excluded by ``skip``, or -1. Walks back from
        the end, so it costs only the tail; the body-like lines it passes are remembered, so
        a later call (several rules ask, each with its own ``skip``) walks no line twice."""
        for i in self._bodies_from_end():
            if skip is None or not skip(i):
                return i
        return -1

    def _bodies_from_end(self) -> Iterator[int]:
        """Body-like line indices, last first: those found by earlier walks, then more."""
        found = self._tail_bodies
        yield from found
        lines = self.raw_lines
        terminal = _TERMINAL
        while self._walk_next >= 0:
            i = self._walk_next
            self._walk_next = i - 1
            raw = lines[i]
            # sentence-final (last non-blank character), after the cheapest test: 12 words
            # need 23 characters
            if len(raw) >= _BODY_MIN_CHARS and (
                raw[-1] in terminal or (raw[-1].isspace() and raw.rstrip()[-1:] in terminal)
            ) and len(raw.split()) >= BODY_MIN_WORDS:
                found.append(i)
                yield i

    @cached_property
    def _tail_bodies(self) -> list[int]:
        self._walk_next = len(self.raw_lines) - 1  # the next line the backward walk checks
        return []

    @cached_property
    def first_body_line(self) -> int:
        """Index of the first body-like line, or -1. Walks forward from the start, so it costs
        only the head."""
        terminal = _TERMINAL
        for i, raw in enumerate(self.raw_lines):
            # sentence-final (last non-blank character), after the cheapest test: 12 words
            # need 23 characters
            if len(raw) >= _BODY_MIN_CHARS and (
                raw[-1] in terminal or (raw[-1].isspace() and raw.rstrip()[-1:] in terminal)
            ) and len(raw.split()) >= BODY_MIN_WORDS:
                return i
        return -1

    @cached_property
    def body_lines(self) -> list[int]:
        """Indices of body-like lines (see ``Line.body_like``), ascending; computed with one
        cheap pass (last character first, word count only for sentence-final lines)."""
        lines = self.raw_lines
        line_of = self.line_of
        found = []
        for match in _TERMINAL_LINE_END.finditer(self.text):  # C-speed pass over the text
            i = line_of(match.start())
            if len(lines[i].split()) >= BODY_MIN_WORDS:
                found.append(i)
        return found

    @cached_property
    def line_word_counts(self) -> list[int]:
        """Word count of every line (for zone rules; costs one pass)."""
        return [len(raw.split()) for raw in self.raw_lines]

    def span_of_lines(self, first: int, last: int) -> tuple[int, int]:
        """Span covering lines ``first..last``, their newline and the blank lines after."""
        start = self.line_starts[first]
        j = last + 1
        n = len(self.raw_lines)
        while j < n and not self.raw_lines[j].strip():
            j += 1
        end = self.line_starts[j] if j < n else len(self.text)
        return start, end
