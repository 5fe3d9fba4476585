"""The dateline: the opening of a story that says where it was filed, with a date and the
agency it came through: "BAKU, (BM) –", "Berlin (dpa) -", "WASHINGTON, 3 March (Reuters) —",
"Moskau/Kiew (AFP) –".

One pattern (``dateline_pattern``): a place (capitalised words, "/" allowed, at most five),
an optional comma, an optional date (the words between day and month come from the calendar
files), an optional agency in parentheses, then a dash. Two readers:

- ``filed_from`` (``outlets.read_signals``: the dateline and agency evidence of a document)
  takes the first line of a text's head that opens with a dateline in capitals: the place
  all capital letters (spaces, dots, apostrophes, hyphens; 2-41 characters), no date, an
  agency of letters, dots, hyphens and spaces (at most 15), no opening quote;
- ``opens_with_dateline`` (``boilerplate.templates``: a dateline is never a template) takes
  any such opening at the line's start, of at most four place words and no space before its
  comma, that has a parenthesised agency, a comma or a place in capitals ("Mehr zum Thema -"
  has ordinary words before its dash).

Before the one pattern each reader had its own; on the dev sets' 3,321 texts (recall and
full-page inputs) and their 565,213 lines the readers above decide exactly as those did.
"""

from __future__ import annotations

import re
from functools import cache

from scrubline.calendar import day_month_words

_CAPITAL = "A-ZÀ-ÞĀ-ŽА-ЯЁ"
_WORD = rf"[{_CAPITAL}][\w'’.\-]*"


@cache
def dateline_pattern() -> re.Pattern[str]:
    """The dateline opening of a line (``re.MULTILINE``; groups ``quote``, ``place``,
    ``comma``, ``date`` and ``agency``)."""
    joiners = "".join(f"{re.escape(w)}\\s+|" for w in day_month_words()).rstrip("|")
    day_month = rf"\d{{1,2}}\.?\s*(?:{joiners})?\w+\.?" if joiners else r"\d{1,2}\.?\s*\w+\.?"
    return re.compile(
        rf"^[ \t]*(?P<quote>[\"'“„])?(?P<place>{_WORD}(?:[ /]{_WORD}){{0,4}})(?P<comma>\s*,)?"
        rf"(?P<date>\s+(?:{day_month}|\w+\.?\s+\d{{1,2}})(?:,?\s+\d{{4}})?,?)?"
        r"\s*(?:\((?P<agency>[^()]{1,40})\)\s*)?[–—-]+(?:\s|$)",
        re.MULTILINE,
    )


_CAPITALS_PLACE = re.compile(r"[A-ZÀ-ÞА-ЯЁ][A-ZÀ-ÞА-ЯЁ .'\-]{1,40}")
_AGENCY = re.compile(r"[A-Za-zА-Яа-яЁё.\- ]{1,15}")


def filed_from(head: str) -> re.Match[str] | None:
    """The first dateline in capitals that opens a line of ``head`` (see the module
    docstring): the match, with its ``place`` and (when given) ``agency`` groups.

    >>> filed_from("Title\\nBERLIN (dpa) – Die Regierung").group("place", "agency")
    ('BERLIN', 'dpa')
    >>> filed_from("Berlin (dpa) – Die Regierung") is None
    True
    """
    for match in dateline_pattern().finditer(head):
        agency = match.group("agency")
        if (
            match.group("quote") is None
            and match.group("date") is None
            and _CAPITALS_PLACE.fullmatch(match.group("place"))
            and (agency is None or _AGENCY.fullmatch(agency))
        ):
            return match
    return None


def opens_with_dateline(line: str) -> bool:
    """Whether a (normalised) line opens with a dateline (see the module docstring).

    >>> [opens_with_dateline(s) for s in ("BAKU, (BM) – The ministry said", "Berlin (dpa) - Die",
    ...                                   "Mehr zum Thema - Politik", "Weitere Artikel")]
    [True, True, False, False]
    """
    match = dateline_pattern().match(line)
    if match is None or match.start("place") > (match.group("quote") is not None):
        return False  # white space before the place
    if (match.group("comma") or ",")[0] != ",":
        return False  # white space before the comma
    if len(re.split("[ /]", match.group("place"))) > 4:
        return False
    head = line[: match.end()]
    words = re.findall(r"[^\W\d_]+", head.split("(")[0])
    return "(" in head or "," in head or (bool(words) and all(w.isupper() for w in words if len(w) > 1))
