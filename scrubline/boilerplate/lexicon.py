"""Boilerplate vocabularies as data: one YAML file per language, phrases grouped by category.

All lexicons are compiled into one Aho-Corasick automaton and matched in a single pass over
the lowercased document (pages mix languages; a Russian footer under an English article is
common). Hits are kept only on word boundaries.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick
import yaml

LEXICON_DIR = Path(__file__).parent / "lexicons"


@dataclass(frozen=True, slots=True)
class Phrase:
    """One lexicon entry. ``anchored`` phrases count only at the start of a line."""

    text: str  # lowercased
    category: str
    language: str
    anchored: bool


@dataclass(frozen=True, slots=True)
class Hit:
    """A phrase found in the text at ``[start, end)`` (offsets into the document)."""

    start: int
    end: int
    phrase: Phrase


def load_phrases(paths: Iterable[Path]) -> list[Phrase]:
    """Read lexicon files into phrases; a leading ``^`` marks an anchored phrase."""
    phrases: list[Phrase] = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        language = str(data.get("language") or path.stem)
        for category, entries in (data.get("categories") or {}).items():
            for entry in entries or []:
                raw = str(entry)
                anchored = raw.startswith("^")
                text = (raw[1:] if anchored else raw).lower()
                if text.strip():
                    phrases.append(Phrase(text, str(category), language, anchored))
    return phrases


class Lexicon:
    """A compiled set of phrases (every language at once)."""

    def __init__(self, phrases: Iterable[Phrase]) -> None:
        self.phrases = list(phrases)
        by_text: dict[str, list[Phrase]] = {}
        for phrase in self.phrases:
            by_text.setdefault(phrase.text, []).append(phrase)
        self._automaton = ahocorasick.Automaton()
        for text, entries in by_text.items():
            self._automaton.add_word(text, (len(text), tuple(entries)))
        if by_text:
            self._automaton.make_automaton()
        self._empty = not by_text

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted({p.language for p in self.phrases}))

    def with_phrases(self, extra: Iterable[Phrase]) -> Lexicon:
        """A new lexicon with more phrases (per-outlet rule packs)."""
        return Lexicon([*self.phrases, *extra])

    def scan(self, lowered: str) -> Iterator[Hit]:
        """Every phrase occurrence in ``lowered`` that sits on word boundaries."""
        if self._empty:
            return
        for end_index, (length, entries) in self._automaton.iter(lowered):
            end = end_index + 1
            start = end - length
            if not _on_boundaries(lowered, start, end):
                continue
            for phrase in entries:
                yield Hit(start, end, phrase)


def _on_boundaries(text: str, start: int, end: int) -> bool:
    """True when the match neither starts nor ends inside a word."""
    if start > 0 and text[start].isalnum() and text[start - 1].isalnum():
        return False
    return not (end < len(text) and text[end - 1].isalnum() and text[end].isalnum())


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """Every lexicon shipped in ``lexicons/``."""
    return Lexicon(load_phrases(sorted(LEXICON_DIR.glob("*.yaml"))))
