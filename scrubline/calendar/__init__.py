"""Calendar words per language: month names (with their numbers) and weekday names.

One ``<language>.yaml`` beside this module per language; adding a language is adding a file
(see ``en.yaml``). Two readers use them: ``scrubline.extract.dates`` (dates written in text:
"24. Januar 2022") and ``scrubline.boilerplate.rules`` (date lines). Before the words moved
here the two kept their own lists, which disagreed on a few names; each file's
``text_dates_only`` and ``date_lines_only`` keep those differences, so outputs did not change.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from scrubline.yamlfile import load_yaml

CALENDAR_DIR = Path(__file__).parent


@cache
def _languages() -> tuple[dict[str, Any], ...]:
    return tuple(
        load_yaml(path) for path in sorted(CALENDAR_DIR.glob("*.yaml"))
    )


def _month_names(skip: str) -> dict[str, int]:
    """Month name -> number over every language, less each file's ``skip`` list."""
    numbers: dict[str, int] = {}
    for data in _languages():
        left_out = set(data.get(skip) or ())
        for number, names in data["months"].items():
            for name in names:
                if name in left_out:
                    continue
                if numbers.setdefault(name, int(number)) != int(number):
                    raise ValueError(f"month name {name!r} has two numbers ({data['language']}.yaml)")
    return numbers


@cache
def text_date_months() -> dict[str, int]:
    """Month name -> number for dates written in text (``scrubline.extract.dates``)."""
    return _month_names("date_lines_only")


@cache
def date_line_months() -> tuple[str, ...]:
    """Month names a date line may hold (``scrubline.boilerplate.rules``)."""
    return tuple(_month_names("text_dates_only"))


@cache
def weekdays() -> tuple[str, ...]:
    """Weekday names of every language."""
    return tuple(dict.fromkeys(day for data in _languages() for day in data.get("weekdays") or ()))


@cache
def day_month_words() -> tuple[str, ...]:
    """Words between a day and its month name in a dateline's date ("3 de marzo"), every
    language (``scrubline.dateline``)."""
    return tuple(sorted({w for data in _languages() for w in data.get("day_month_words") or ()}))
