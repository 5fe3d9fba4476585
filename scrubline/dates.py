"""Date parsing, shared: declared dates (``iso_day``), dates in URLs and written in text
(``text_day``, month names from ``scrubline/calendar/``), and ISO timestamps as aware UTC
datetimes (``utc_datetime``: manifests, WARC-Date, syndication). No heavy imports, so ingest
and extract both use it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrubline.calendar import text_date_months

#: /2022/12/01/ or /2022-12-01 or /20221201/ in a URL path.
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:[/_.-]|$)")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})\b")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_day(value: str) -> str | None:
    """A declared date as ISO ``YYYY-MM-DD``, or None when it is not a date we can read.

    >>> iso_day("2024-03-05T08:30:00+00:00"), iso_day("05.03.2024"), iso_day("Tue, 05 Mar 2024 08:30:00 GMT")
    ('2024-03-05', '2024-03-05', '2024-03-05')
    """
    value = value.strip()
    match = _ISO_DATE.match(value)
    if match:
        day = match.group(0)
    elif match := _NUMERIC_DATE.match(value):
        day = f"{match.group(3)}-{int(match.group(2)):02d}-{int(match.group(1)):02d}"
    elif match := _COMPACT_DATE.match(value):
        day = "-".join(match.groups())
    else:
        try:
            return parsedate_to_datetime(value).date().isoformat()
        except (TypeError, ValueError, IndexError):
            return None
    try:
        return datetime.fromisoformat(day).date().isoformat()
    except ValueError:
        return None


#: Month name -> number, every language's (``scrubline/calendar/<language>.yaml``).
_MONTHS = text_date_months()
_MONTH_WORD = r"([^\W\d_]{3,12})\.?"
_TEXT_DATES = (
    (re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?((?:19|20)\d{2})\b"), "dmy"),
    (re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b"), "ymd"),
    (re.compile(r"\b(\d{1,2})\.?\s(?:de\s)?" + _MONTH_WORD + r"\s(?:de\s)?((?:19|20)\d{2})\b"), "dMy"),
    (re.compile(r"\b" + _MONTH_WORD + r"\s(\d{1,2})(?:st|nd|rd|th)?,?\s((?:19|20)\d{2})\b"), "Mdy"),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})\b"), "dmy"),
)


def text_day(text: str) -> str | None:
    """The first date written in ``text`` (numeric or with a month name), as ``YYYY-MM-DD``.

    >>> text_day("Veröffentlicht am 24. Januar 2022, 10:00"), text_day("Posted March 5th, 2024")
    ('2022-01-24', '2024-03-05')
    """
    best: tuple[int, str] | None = None
    for pattern, order in _TEXT_DATES:
        match = pattern.search(text)
        if not match or (best is not None and match.start() >= best[0]):
            continue
        a, b, c = match.groups()
        if order == "ymd":
            year, month, day = a, b, c
        elif order == "dmy":
            day, month, year = a, b, c
        elif order == "dMy":
            day, month, year = a, str(_MONTHS.get(b.casefold(), 0)), c
        else:
            month, day, year = str(_MONTHS.get(a.casefold(), 0)), b, c
        try:
            found = datetime(int(year), int(month), int(day)).date().isoformat()
        except ValueError:
            continue
        best = (match.start(), found)
    return best[1] if best else None


def utc_datetime(value: str) -> datetime:
    """An ISO 8601 date or datetime as an aware UTC datetime (naive values taken as UTC).

    Raises ``ValueError`` when ``value`` is not ISO 8601.

    >>> utc_datetime("2024-03-05T10:30:00+02:00").isoformat(), utc_datetime("2024-03-05").isoformat()
    ('2024-03-05T08:30:00+00:00', '2024-03-05T00:00:00+00:00')
    """
    when = datetime.fromisoformat(value)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
