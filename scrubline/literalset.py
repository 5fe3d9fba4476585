"""Many literal strings, one pass over a text: Aho-Corasick (the only pyahocorasick import).

The lexicon's reference scanner (``boilerplate/lexicon.py``) and the in-content link test
(``extract/links.py``) find every occurrence of many strings at once with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import ahocorasick

__all__ = ["LiteralSet"]


class LiteralSet:
    """Strings, each with a value, compiled into one Aho-Corasick automaton.

    >>> list(LiteralSet([("he", 1), ("she", 2)]).iter("ushe"))
    [(3, 2), (3, 1)]
    """

    def __init__(self, words: Iterable[tuple[str, Any]]) -> None:
        self._automaton = ahocorasick.Automaton()
        for word, value in words:
            self._automaton.add_word(word, value)
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def iter(self, text: str) -> Iterator[tuple[int, Any]]:
        """(index of the last character, value) of every occurrence in ``text`` (overlapping
        ones too), by end index."""
        if self._empty:
            return iter(())
        return self._automaton.iter(text)
