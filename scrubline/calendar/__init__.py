"""Calendar words per language: month names (with their numbers), weekday names, and the
words a dateline's date puts between day and month.

One ``<language>.yaml`` beside this module per language; adding a language is adding a file
(see ``en.yaml``). Three readers use them: ``scrubline.dates`` (dates written in text:
"24. Januar 2022"), ``scrubline.boilerplate.rules`` (date lines) and ``scrubline.dateline``.
Before the words moved here, dates and rules kept their own month lists, which disagreed on
eight names (jän, jänner, maerz, mrz, setiembre, decembre, wrzesnia, pazdziernika); both now
read every name: that changed no output on the dev sets (``bench/snapshot.py``).
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


@cache
def _month_names() -> dict[str, int]:
    """Month name -> number over every language."""
    numbers: dict[str, int] = {}
    for data in _languages():
        for number, names in data["months"].items():
            for name in names:
                if numbers.setdefault(name, int(number)) != int(number):
                    raise ValueError(f"month name {name!r} has two numbers ({data['language']}.yaml)")
    return numbers


def text_date_months() -> dict[str, int]:
    """Month name -> number for dates written in text (``scrubline.dates``)."""
    return dict(_month_names())


def date_line_months() -> tuple[str, ...]:
    """Month names a date line may hold (``scrubline.boilerplate.rules``): the same names."""
    return tuple(_month_names())


@cache
def weekdays() -> tuple[str, ...]:
    """Weekday names of every language."""
    return tuple(dict.fromkeys(day for data in _languages() for day in data.get("weekdays") or ()))


@cache
def day_month_words() -> tuple[str, ...]:
    """Words between a day and its month name in a dateline's date ("3 de marzo"), every
    language (``scrubline.dateline``)."""
    return tuple(sorted({w for data in _languages() for w in data.get("day_month_words") or ()}))
