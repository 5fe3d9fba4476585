"""Text repair and normalization: the only ftfy import in scrubline.

One pinned configuration, and a fast path: text with no sign of damage skips ftfy entirely
(ftfy runs at ~1 MB/s; most documents need nothing). Whatever ftfy changes is returned as a
replayable plan, so ``replay(raw_text, plan)`` reproduces ``text_normalized`` exactly.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy
from ftfy.badness import is_bad

#: Pinned ftfy configuration. Every deviation from ftfy's defaults is deliberate:
CONFIG = ftfy.TextFixerConfig(
    # Curly quotes, apostrophes and dashes are legitimate typography in news text and are
    # what quotes in the source look like; the default would turn “ ” ’ into ASCII.
    uncurl_quotes=False,
    # Fullwidth/halfwidth forms are legitimate in CJK text; don't fold them.
    fix_character_width=False,
    # Everything else keeps ftfy's defaults: mojibake repair, HTML entities when no markup,
    # C1 controls, ligatures (PDF artefacts), line breaks, surrogates, control characters, NFC.
    unescape_html="auto",
    normalization="NFC",
    explain=True,
)

#: Characters or sequences that some enabled ftfy step would act on. If none is present,
#: the text is NFC and not "bad" by ftfy's own mojibake heuristic, ftfy would return it as is.
_SUSPICIOUS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\r\u2028\u2029\ud800-\udfff\ufb00-\ufb06"
    "\ufeff\ufff9-\ufffb\u206a-\u206f\U000e0000-\U000e007f]"
    r"|&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)


#: Codepages whose misreading of UTF-8 ftfy repairs (and we must therefore notice).
_MOJIBAKE_CODEPAGES = (
    "latin-1", "cp1252", "cp1251", "cp1250", "iso-8859-2", "iso-8859-15", "mac_roman", "cp437", "cp850",
)  # fmt: skip


def _pair_class(encoding: str) -> str:
    """``[leads][continuations]``: how a UTF-8 multi-byte sequence looks when misread as
    ``encoding`` (a lead byte 0xC2-0xF4 followed by a continuation byte 0x80-0xBF)."""
    def chars(lo: int, hi: int) -> str:
        decoded = bytes(range(lo, hi + 1)).decode(encoding, errors="ignore")
        return "".join(re.escape(c) for c in sorted(set(decoded)))

    # U+FFFD: a continuation byte the codepage leaves undefined, replaced when decoding
    return f"[{chars(0xC2, 0xF4)}][{chars(0x80, 0xBF)}\ufffd]"


#: Cheap pre-filter for ftfy's (slow) mojibake heuristic: text with no such pair holds no
#: UTF-8 misread through one of these codepages, so ``is_bad`` need not run.
_LEADS = "".join(
    re.escape(c)
    for c in sorted({c for e in _MOJIBAKE_CODEPAGES for c in bytes(range(0xC2, 0xF5)).decode(e, "ignore")})
)
#: (The lookahead on any lead character lets the engine skip most positions in one test.)
_PAIRS = "|".join(_pair_class(e) for e in _MOJIBAKE_CODEPAGES)
_MOJIBAKE_HINT = re.compile(f"(?=[{_LEADS}])(?:{_PAIRS})")


def needs_repair(text: str) -> bool:
    """True when ftfy might change ``text`` under CONFIG (cheap, regex-based checks).

    >>> needs_repair("Plain “curly” text — fine.")
    False
    >>> needs_repair("CafÃ© au lait")
    True
    """
    if _SUSPICIOUS.search(text):
        return True
    if not unicodedata.is_normalized("NFC", text):
        return True
    return not text.isascii() and _MOJIBAKE_HINT.search(text) is not None and is_bad(text)


def normalize(text: str) -> tuple[str, tuple[str, ...]]:
    """Repair mojibake and normalize ``text``; return it with the plan of steps applied.

    >>> normalize("The caf\\u00c3\\u00a9 opened")
    ('The café opened', ('encode:latin-1', 'decode:utf-8'))
    >>> normalize("“Kept” as written")
    ('“Kept” as written', ())
    """
    fixed, plan, _ = normalize_checked(text)
    return fixed, plan


def normalize_checked(text: str) -> tuple[str, tuple[str, ...], bool]:
    """``normalize`` plus whether the text needed a look at all (``needs_repair``): text that
    did not cannot hold mojibake, nor can any part of it."""
    if not needs_repair(text):
        return text, (), False
    fixed = ftfy.fix_and_explain(text, config=CONFIG)
    plan = tuple(f"{step}:{arg}" for step, arg in (fixed.explanation or []))
    return fixed.text, plan, True


def replay(text: str, plan: tuple[str, ...]) -> str:
    """Apply a recorded plan to the original text; gives back ``text_normalized``."""
    if not plan:
        return text
    steps = [tuple(step.split(":", 1)) for step in plan]
    return ftfy.apply_plan(text, steps)


def looks_like_mojibake(text: str) -> bool:
    """ftfy's heuristic for text that is still garbled (a data-quality signal, not a repair).

    >>> looks_like_mojibake("Ð¡Ð¾Ð±Ñ‹Ñ‚Ð¸Ðµ"), looks_like_mojibake("Событие")
    (True, False)
    """
    return not text.isascii() and _MOJIBAKE_HINT.search(text) is not None and is_bad(text)
