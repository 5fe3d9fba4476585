"""Calendar words live in scrubline/calendar/<language>.yaml, read by extract and rules alike."""

from __future__ import annotations

from scrubline import calendar
from scrubline.extract import text_day
from scrubline.yamlfile import load_yaml


def test_every_language_file_names_twelve_months_in_lowercase() -> None:
    files = sorted(calendar.CALENDAR_DIR.glob("*.yaml"))
    assert {p.stem for p in files} >= {"de", "en", "fr", "es", "it", "pt", "pl"}
    for path in files:
        data = load_yaml(path)
        assert data["language"] == path.stem
        assert sorted(data["months"]) == list(range(1, 13)), path.name
        names = [n for names in data["months"].values() for n in names] + list(data["weekdays"])
        assert all(n == n.lower() and n.strip() == n for n in names), path.name
        assert set(data) <= {"language", "months", "weekdays", "day_month_words"}, path.name


def test_text_dates_and_date_lines_read_the_same_month_names() -> None:
    assert set(calendar.text_date_months()) == set(calendar.date_line_months())
    # the eight names only one of them knew before the lists were one
    assert {"jän", "jänner", "maerz", "mrz", "setiembre", "decembre", "wrzesnia", "pazdziernika"} <= set(
        calendar.date_line_months()
    )
    assert calendar.text_date_months()["października"] == 10


def test_text_dates_read_month_names_from_the_files() -> None:
    assert text_day("Publicado el 3 de septiembre de 2024") == "2024-09-03"
    assert text_day("Opublikowano 5 października 2023") == "2023-10-05"
    assert text_day("3 setiembre 2024") == "2024-09-03"  # was a date-line-only name
