"""The one dateline pattern and its two readers: the outlet signals (``filed_from``) and the
template miner's "never a template" test (``opens_with_dateline``). The cases pin what each
reader decided with its own pattern before they shared one."""

from __future__ import annotations

import pytest

from scrubline.dateline import filed_from, opens_with_dateline


@pytest.mark.parametrize(
    ("head", "found"),
    [
        ("BERLIN (dpa) – Die Regierung", ("BERLIN", "dpa")),
        ("Titel\n  MOSKAU, (TASS) - Text", ("MOSKAU", "TASS")),
        ("NEW YORK , (AP) – text", ("NEW YORK", "AP")),
        ("BAKU – The ministry", ("BAKU", None)),
        ("Berlin (dpa) – mixed case is no capitals dateline", None),
        ('"BERLIN (dpa) – an opening quote', None),
        ("WASHINGTON, 3 March (Reuters) — a date", None),
        ("SAVE15 - Additional 15% off", None),  # digits are no place
        ("FAIR’N GREEN - a curly apostrophe", None),
        ("ŁÓDŹ (PAP) – Ł is outside the capitals", None),
        ("BERLIN (Deutsche Presse-Agentur) – agency longer than 15", None),
        ("Intro line\nKIEW/MOSKAU (AFP) – slash", None),
    ],
)
def test_filed_from(head: str, found: tuple[str, str | None] | None) -> None:
    match = filed_from(head)
    assert (match.group("place", "agency") if match else None) == found


@pytest.mark.parametrize(
    ("line", "dateline"),
    [
        ("BAKU, (BM) – The ministry said", True),
        ("Berlin (dpa) - Die Regierung", True),
        ("WASHINGTON, 3 March (Reuters) — text", True),
        ("Madrid, 3 de marzo (EFE) - texto", True),  # "de" from the calendar files
        ("Moskau/Kiew (AFP) – Text", True),
        ("„Berlin (dpa) – quoted", True),
        ("Mehr zum Thema - Politik", False),
        ("Weitere Artikel", False),
        ("  Berlin (dpa) - leading space", False),
        ("Berlin , (dpa) - space before the comma", False),
        ("Vegan Styled Char Kway Teow (Stir Fry) - five place words", False),
        ("LOCATED IN THE FRENCH MARKET - 1100 N PETERS ST", False),
    ],
)
def test_opens_with_dateline(line: str, dateline: bool) -> None:
    assert opens_with_dateline(line) is dateline
