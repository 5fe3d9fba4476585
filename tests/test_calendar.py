"""Calendar words live in scrubline/calendar/<language>.yaml, read by extract and rules alike."""

from __future__ import annotations

import yaml

from scrubline import calendar
from scrubline.extract import text_day


def test_every_language_file_names_twelve_months_in_lowercase() -> None:
    files = sorted(calendar.CALENDAR_DIR.glob("*.yaml"))
    assert {p.stem for p in files} >= {"de", "en", "fr", "es", "it", "pt", "pl"}
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["language"] == path.stem
        assert sorted(data["months"]) == list(range(1, 13)), path.name
        names = [n for names in data["months"].values() for n in names] + list(data["weekdays"])
        assert all(n == n.lower() and n.strip() == n for n in names), path.name
        every = set(names)
        assert set(data["text_dates_only"] or ()) <= every and set(data["date_lines_only"] or ()) <= every


def test_the_two_readers_differ_only_by_the_listed_names() -> None:
    text, lines = set(calendar.text_date_months()), set(calendar.date_line_months())
    assert text - lines == {"jän", "maerz", "decembre", "wrzesnia", "pazdziernika"}
    assert lines - text == {"jänner", "mrz", "setiembre"}
    assert calendar.text_date_months()["października"] == 10


def test_text_dates_read_month_names_from_the_files() -> None:
    assert text_day("Publicado el 3 de septiembre de 2024") == "2024-09-03"
    assert text_day("Opublikowano 5 października 2023") == "2023-10-05"
    assert text_day("3 setiembre 2024") is None  # a date-line-only name (see es.yaml)
