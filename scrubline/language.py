"""Document language: the declared language normalized, and a kept language-ID library.

The only py3langid import. A language the source declares (the sources manifest, then the
page: ``<html lang>``, ``content-language``, ``og:locale``, ...) wins, as before; the text is
identified as well and its result kept as evidence (``language:py3langid``, code and
probability), so a wrong declaration shows. Codes are BCP-47 primary subtags, lowercase
(``de-DE``, ``de_de``, ``DE`` -> ``de``); a region subtag goes to its own field
(``de-CH`` -> region ``CH``; ``es-419`` -> ``419``).

Why py3langid (measured 2026-12-02 with ``bench/language_id.py``: 1,958 dev-set texts,
trafilatura-dev recall + fullpage texts and wcxb-dev main contents, each detector on the
first 2,000 characters, agreement with the primary subtag of the page's ``<html lang>`` on
the 1,852 texts that declare one, one process on a shared 2-core machine):

==========================  ==============  ================  =================
detector                    CPU ms / text   agrees (1,852)    languages known
==========================  ==============  ================  =================
stopword guess (replaced)   0.18            1,779 (96.1%)     10 (+7 by script)
py3langid 0.4.0             0.77            1,815 (98.0%)     97
lingua 2.1.1, low accuracy  6.23            1,816 (98.1%)     75
lingua 2.1.1, high accuracy 5.30            1,816 (98.1%)     75
==========================  ==============  ================  =================

py3langid keeps the old guess's answers where the old guess answered (1,894 of 1,908; the
14 others were mostly wrong guesses per the declared language), answers 29 more texts, and
knows ten times the languages. It is slower than the stopword count by 0.6 ms a document,
about 2% of the HTML path (~28 ms a page): the whole clean of the 300 trafilatura-dev pages
(``bench/attribution.py``, CPU time, two runs each on a loaded machine) took 7.5-8.1 s before
and 7.9-9.1 s after, within the noise. Loading its model costs ~0.5 s CPU once per process. lingua
is no more accurate here, 7x slower, and a 96 MB wheel; lingua 2.2 has no wheel for 3.11.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from .records import Evidence

#: Characters of the text given to the detector (its cost grows with the length).
SAMPLE_CHARS = 2000
#: Below this probability the detector's answer is evidence only, never the language.
MIN_CONFIDENCE = 0.5
DETECTOR = "py3langid"
#: Longest byte string a state of py3langid's automaton stands for (its depth from the start
#: state; ``tests/test_language.py`` recomputes it from the model).
AUTOMATON_DEPTH = 6

_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_]([A-Za-z0-9]{1,8}(?:[-_][A-Za-z0-9]{1,8})*))?$")
_SCRIPT = re.compile(r"^[A-Za-z]{4}$")
_REGION = re.compile(r"^(?:[A-Za-z]{2}|[0-9]{3})$")


def normalize_tag(tag: str | None) -> tuple[str | None, str | None]:
    """A language tag as (primary subtag, region subtag), or (None, None) if it is not one.

    >>> normalize_tag("de-DE"), normalize_tag("de_de"), normalize_tag("DE")
    (('de', 'DE'), ('de', 'DE'), ('de', None))
    >>> normalize_tag("zh-Hant-TW"), normalize_tag("es-419"), normalize_tag("de-DE-formal")
    (('zh', 'TW'), ('es', '419'), ('de', 'DE'))
    >>> normalize_tag("de-ere"), normalize_tag("english"), normalize_tag("x-klingon")
    (('de', None), (None, None), (None, None))
    """
    match = _TAG.match((tag or "").strip())
    if not match or match.group(1).lower() in ("x", "i"):
        return None, None
    primary, region = match.group(1).lower(), None
    rest = [p for p in re.split(r"[-_]", match.group(2) or "") if p]
    if rest and _SCRIPT.match(rest[0]):
        rest = rest[1:]
    if rest and _REGION.match(rest[0]):
        region = rest[0].upper()
    return primary, region


def _feature_counts(moves: np.ndarray, rowbase: np.ndarray, output: np.ndarray,
                    data: bytes) -> tuple[np.ndarray, np.ndarray] | None:  # fmt: skip
    """(feature, count) pairs in first-seen order: what py3langid's ``visit_counts`` counts."""
    text = np.frombuffer(data, dtype=np.uint8)
    n = len(text)
    state = np.zeros(n, dtype=np.int64)
    for back in range(min(AUTOMATON_DEPTH, n) - 1, -1, -1):  # position i reads byte i - back
        state[back:] = moves[rowbase[state[back:]] + text[: n - back]]
    features = output[state]
    features = features[features >= 0]
    if not len(features):
        return None
    found, first, counts = np.unique(features, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    return found[order], counts[order]


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    class _FastIdentifier(LanguageIdentifier):  # type: ignore[misc]
        """py3langid with its feature walk done by :func:`_feature_counts` (module docstring)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._moves = np.frombuffer(self.tk_nextmove, dtype=np.dtype(self.tk_nextmove.typecode))
            self._rows = np.asarray(self._rowbase, dtype=np.int64)
            self._output = np.asarray(self.tk_output, dtype=np.int64)

        def _raw_score(self, text: bytes) -> Any:
            counted = _feature_counts(self._moves, self._rows, self._output, text)
            if counted is None:
                return super()._raw_score(text)  # the library's answer for "no features"
            features, counts = counted
            return np.log1p(counts.astype(np.float32)) @ self.nb_ptc[features] + self.nb_pc

    return _FastIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify(text: str) -> tuple[str, float] | None:
    """(language, probability) py3langid finds in the head of ``text``; None without letters.

    >>> identify("Die Truppen haben eine Offensive an der gesamten Front begonnen.")[0]
    'de'
    """
    sample = text[:SAMPLE_CHARS]
    if not any(c.isalpha() for c in sample):
        return None
    code, probability = _identifier().classify(sample)
    return str(code), float(probability)


def guess_language(text: str) -> str | None:
    """The language of ``text`` when the detector is sure enough, else None.

    >>> guess_language("The troops of the army have launched an operation on the front.")
    'en'
    """
    found = identify(text)
    return found[0] if found and found[1] >= MIN_CONFIDENCE else None


@dataclass(frozen=True, slots=True)
class LanguageDecision:
    """The document's language, its region, and what they were read from."""

    language: str | None
    region: str | None
    evidence: tuple[Evidence, ...] = ()


def decide_language(text: str, *, hint: str | None = None, declared: str | None = None) -> LanguageDecision:
    """The manifest's ``hint``, else the page's ``declared`` language, else the detector's.

    >>> d = decide_language("Storm hits the coast and the town is flooded again.", declared="en_GB")
    >>> d.language, d.region, [e.signal for e in d.evidence]
    ('en', 'GB', ['language:declared', 'language:py3langid'])
    """
    evidence: list[Evidence] = []
    chosen: tuple[str | None, str | None] = (None, None)
    for signal, value in (("language:manifest", hint), ("language:declared", declared)):
        if value and value.strip():
            evidence.append(Evidence(signal, value.strip()))
            if chosen[0] is None:
                chosen = normalize_tag(value)
    found = identify(text)
    if found is not None:
        evidence.append(Evidence(f"language:{DETECTOR}", f"{found[0]} {found[1]:.3f}"))
        if chosen[0] is None and found[1] >= MIN_CONFIDENCE:
            chosen = (found[0], None)
    return LanguageDecision(chosen[0], chosen[1], tuple(evidence))
