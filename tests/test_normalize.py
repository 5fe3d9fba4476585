"""Normalization: ftfy with the pinned config, the fast path never skips a needed repair,
and recorded plans replay exactly."""

from __future__ import annotations

import ftfy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrubline.normalize import CONFIG, needs_repair, normalize, replay

CODEPAGES = ("cp1252", "latin-1", "cp1251", "iso-8859-2", "mac_roman", "cp437", "cp1250")
ALPHABET = st.sampled_from(
    list("abcxyz ABC.,;:!?-\n") + list("äöüßéèçñœ€“”‘’„«»—…") + list("абвгдежзийклмнопрстуфхцчшщыэюяЁё")
    + list("іїєґ") + list("ąćęłńóśźż") + list("əğışçö") + list("աբգդեզէըթժ") + list("αβγδ")
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“Curly” quotes and ‘apostrophes’ stay", "“Curly” quotes and ‘apostrophes’ stay"),
        ("ＦＵＬＬＷＩＤＴＨ stays", "ＦＵＬＬＷＩＤＴＨ stays"),
        ("Baku â€“ the capital", "Baku – the capital"),
        ("РњРѕСЃРєРІР° вЂ” СЃС‚РѕР»РёС†Р° Р\xa0РѕСЃСЃРёРё", "Москва — столица России"),
        ("line one\r\nline two", "line one\nline two"),
        ("ﬁnal", "final"),
    ],
)
def test_pinned_config(text: str, expected: str) -> None:
    assert normalize(text)[0] == expected


@given(st.text(ALPHABET, min_size=1, max_size=80), st.sampled_from(CODEPAGES))
@settings(max_examples=300, deadline=None)
def test_fast_path_never_skips_a_repair_ftfy_would_make(text: str, codepage: str) -> None:
    misread = text.encode("utf-8").decode(codepage, errors="replace")
    if ftfy.fix_text(misread, config=CONFIG) != misread:
        assert needs_repair(misread)


@given(st.text(ALPHABET, max_size=200))
@settings(max_examples=200, deadline=None)
def test_clean_text_passes_untouched_or_with_a_replayable_plan(text: str) -> None:
    fixed, plan = normalize(text)
    assert replay(text, plan) == fixed
    if not needs_repair(text):
        assert (fixed, plan) == (text, ())
