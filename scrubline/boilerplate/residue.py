"""Boilerplate residue patterns for data-quality checks, derived from the lexicons.

Only specific phrases (three words or more) qualify: "subscribe to our newsletter" left in a
clean text is residue, "share" is not. Patterns are RE2-compatible (DuckDB's regexp).
"""

from __future__ import annotations

import re

from .lexicon import Lexicon, default_lexicon

_RE2_SPECIAL = re.compile(r"([.^$|?*+()\[\]{}\\])")
MIN_WORDS = 3


def _escape(text: str) -> str:
    return _RE2_SPECIAL.sub(r"\\\1", text)


def residue_patterns(lexicon: Lexicon | None = None) -> list[str]:
    """One pattern per specific lexicon phrase; anchored phrases match only at a line start.

    >>> pats = residue_patterns()
    >>> "subscribe to our newsletter" in pats and "(?m)^[\\\\s>*•-]*you may also like" in pats
    True
    """
    patterns: dict[str, None] = {}
    for phrase in (lexicon or default_lexicon()).phrases:
        if phrase.category == "weak" or len(phrase.text.split()) < MIN_WORDS:
            continue
        body = _escape(phrase.text)
        patterns[f"(?m)^[\\s>*•-]*{body}" if phrase.anchored else body] = None
    return list(patterns)
