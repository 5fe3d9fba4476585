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
    return not text.isascii() and is_bad(text)


def normalize(text: str) -> tuple[str, tuple[str, ...]]:
    """Repair mojibake and normalize ``text``; return it with the plan of steps applied.

    >>> normalize("The caf\\u00c3\\u00a9 opened")
    ('The café opened', ('encode:latin-1', 'decode:utf-8'))
    >>> normalize("“Kept” as written")
    ('“Kept” as written', ())
    """
    if not needs_repair(text):
        return text, ()
    fixed = ftfy.fix_and_explain(text, config=CONFIG)
    plan = tuple(f"{step}:{arg}" for step, arg in (fixed.explanation or []))
    return fixed.text, plan


def replay(text: str, plan: tuple[str, ...]) -> str:
    """Apply a recorded plan to the original text; gives back ``text_normalized``."""
    if not plan:
        return text
    steps = [tuple(step.split(":", 1)) for step in plan]
    return ftfy.apply_plan(text, steps)
