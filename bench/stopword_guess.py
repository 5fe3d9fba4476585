"""The stopword language guess scrubline used before py3langid (scrubline/language.py at f1ef307),
kept verbatim as the baseline of bench/language_id.py."""

from __future__ import annotations

import re
from collections import Counter

_STOPWORDS = {
    "en": "the and of to in is that for was with on as by it are from have has this",
    "de": "der die und das ist nicht mit den von zu sich des auf für ein eine dem im",
    "fr": "le la les et des est une dans pour que qui pas sur au du avec ce sont",
    "es": "el la los las y de que en por con para una del se es al como más pero",
    "it": "il di che la per un una non sono della del le gli con è anche nel",
    "pt": "o os as e de que em para com uma não do da dos das por mais foi",
    "pl": "i w na nie się z do że to jest o jak ale po od za przez",
    "az": "və bu bir ilə üçün da də ki olan olaraq görə isə amma çox",
    "tr": "ve bir bu ile için da de ki olarak daha gibi çok ama olan",
    "ru": "и в не на что с по как это из к но о от за для его он",
}
_LANGS_OF: dict[str, tuple[str, ...]] = {}
for _lang, _words in _STOPWORDS.items():
    for _word in _words.split():
        _LANGS_OF[_word] = (*_LANGS_OF.get(_word, ()), _lang)
_WORD = re.compile(r"[^\W\d_]+")

#: Script ranges decisive on their own.
_SCRIPTS = (
    ("hy", re.compile("[\u0530-\u058f]")),
    ("ka", re.compile("[\u10a0-\u10ff]")),
    ("ar", re.compile("[\u0600-\u06ff]")),
    ("he", re.compile("[\u0590-\u05ff]")),
    ("el", re.compile("[\u0370-\u03ff]")),
    ("zh", re.compile("[\u4e00-\u9fff]")),
    ("ja", re.compile("[\u3040-\u30ff]")),
)
_CYRILLIC = re.compile("[\u0400-\u04ff]")
SAMPLE_CHARS = 2000


def guess_language(text: str) -> str | None:
    """ISO 639-1 code of the text's main language, or None if unsure.

    >>> guess_language("The troops of the army have launched an operation on the front.")
    'en'
    >>> guess_language("Die Truppen haben eine Offensive an der gesamten Front begonnen, und das ist neu.")
    'de'
    """
    sample = text[:SAMPLE_CHARS]
    letters = sum(1 for c in sample if c.isalpha())
    if not letters:
        return None
    for code, pattern in _SCRIPTS:
        if len(pattern.findall(sample)) > 0.3 * letters:
            return code
    if len(_CYRILLIC.findall(sample)) > 0.3 * letters:
        return "ru"
    counts: Counter[str] = Counter()
    for word in _WORD.findall(sample.lower()):
        for lang in _LANGS_OF.get(word, ()):
            counts[lang] += 1
    if not counts:
        return None
    (best, n), *rest = counts.most_common(2) + [("", 0)]
    return best if n >= 3 and n > 1.3 * rest[0][1] else None
