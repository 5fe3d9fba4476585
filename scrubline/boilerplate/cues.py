"""Cues of the shape rules, found in one pass over the text.

Three rules look for lines by how they open: contact lines ("E-Mail: …", "+49 …"), endnote
lines ("[iv] …", "¹ …", "3. …") and figure captions ("Abbildung 4: …"); others look for a
file type and size ("PDF | 38 KB") or an e-mail placeholder ("[email protected]") anywhere in
a line. One scan marks the candidate lines of all; each rule then checks only those. A cue is
a necessary condition, never the verdict.

Two interchangeable scanners give the same lines: hyperscan (when installed), caseless over
the UTF-8 bytes the lexicon scan reads anyway, about 3 ms per MB; and one ``re`` pattern with
a named alternative per cue over the lowercased text (the reference, and the fallback, also
for text that is not valid UTF-8), about 5 ms per MB, most of it stepping from line start to
line start.
"""

from __future__ import annotations

import re
from functools import cache

from scrubline.patternset import AVAILABLE as HYPERSCAN
from scrubline.patternset import PatternSet

from .document import DocView
from .lexicon import LINE_SPACES

#: Contact labels, lowercase ("E-Mail:", "Tel.", "Телефон").
CONTACT_LABEL = (
    r"(?:e-?mail|email|mail|tel\.?|phone|telephone|fax|mob\.?|mobile|телефон|тел\.?|факс|telefon"
    r"|téléphone|teléfono)"
)
#: Figure labels in the lexicon languages: "Abbildung 4:", "Abb. 2.", "Fig. 3 –", "Рис. 1.",
#: "Şəkil 2:". Tables are left out: a table's title heads content that stays.
FIGURE_LABELS = (
    "abbildung", "abb.", "grafik", "schaubild", "figure", "fig.", "chart", "exhibit",
    "illustration", "graphique", "figura", "gráfico", "grafico", "immagine", "imagem",
    "rysunek", "rys.", "wykres", "рисунок", "рис.", "график", "диаграмма", "şəkil", "նկար",
)  # fmt: skip
FIGURE_LABEL = "(?:" + "|".join(re.escape(w) for w in sorted(FIGURE_LABELS, key=len, reverse=True)) + ")"
#: An endnote marker at a line's start: marked ("[iv]", "[12]", "^3", "¹²") or numbered
#: ("4.", "5)", "(6)").
NOTE_MARK_MARKED = r"(?:\[(?:[ivxlcdm]{1,7}|\d{1,3})\]|\^\d{1,3}|[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})"
NOTE_MARK_NUMBERED = r"(?:\d{1,3}[.)]|\(\d{1,3}\))"
NOTE_MARK = f"(?:{NOTE_MARK_MARKED}|{NOTE_MARK_NUMBERED})"

#: A file type and its size, anywhere in a line: "PDF | 38 KB", "(pdf, 298kb)", "ZIP 20,5 MB",
#: "(PDF, 1,2 Mo)", "PDF, 3 МБ".
_FILE_TYPE = r"(?:pdf|docx?|xlsx?|pptx?|odt|ods|rtf|zip|epub|mp3|mp4)"
_SIZE_UNIT = r"(?:[kmg]i?b|[km]byte|[kmg]o|[кмг]б)"
_DOWNLOAD = _FILE_TYPE + r"[^\w\n]{0,4}\d{1,4}(?:[.,]\d{1,3})?[^\S\n]?" + _SIZE_UNIT + r"\b"
#: The same cue, wider, for hyperscan (Unicode classes there compile slowly): a file type and
#: a size unit close together on one line; ``re`` narrows its lines to ``_DOWNLOAD``.
_HS_DOWNLOAD = _FILE_TYPE + r".{1,16}" + _SIZE_UNIT

#: What opens a candidate line, per line-start cue (lowercase). Wider than each rule's
#: pattern (any indentation, any first marker character): the rules filter.
_OPENINGS = {
    "contact": r"(?:" + CONTACT_LABEL + r"|\+)",
    "caption": FIGURE_LABEL,
    "note": r"(?:[\[\^⁰¹²³⁴⁵⁶⁷⁸⁹(]|\d{1,3}[.)])",
}
#: One scan over ``"\n" + lowered text``: a line start, its indentation, then the first cue
#: that fits (the openings cannot both fit one line).
_CUES = re.compile(
    r"\n[^\S\n]*(?:" + "|".join(f"(?P<{name}>{opening})" for name, opening in _OPENINGS.items()) + ")"
)

#: Cues that may stand anywhere in a line (the reference scans for them apart): a download
#: link, and the placeholder of an obfuscated e-mail address ("[email protected]").
_ANYWHERE = {"download": re.compile(_DOWNLOAD), "placeholder": re.compile("protected")}  # lowercased text
_ANYWHERE_ANY_CASE = {name: re.compile(p.pattern, re.IGNORECASE) for name, p in _ANYWHERE.items()}

CUE_NAMES = (*_OPENINGS, *_ANYWHERE)  # contact, caption, note, download, placeholder


def line_cues(doc: DocView) -> dict[str, list[int]]:
    """Lines (ascending) whose opening fits each cue, by cue name (cached on the DocView)."""
    cached = getattr(doc, "_line_cues", None)
    if cached is None:
        data, valid = doc.text_utf8
        if HYPERSCAN and valid:
            cached = _hs_cues(data)
            for name, pattern in _ANYWHERE_ANY_CASE.items():  # narrow the wider hyperscan cues
                cached[name] = [i for i in cached[name] if pattern.search(doc.text, *_bounds(doc, i))]
        else:
            cached = line_cues_reference(doc)
        doc._line_cues = cached  # type: ignore[attr-defined]
    return cached


def _bounds(doc: DocView, i: int) -> tuple[int, int]:
    start = doc.line_starts[i]
    return start, start + len(doc.raw_lines[i])


def line_cues_reference(doc: DocView) -> dict[str, list[int]]:
    """``line_cues`` with ``re`` (the tests compare the two)."""
    found: dict[str, list[int]] = {name: [] for name in CUE_NAMES}
    line_of = doc.line_of
    for match in _CUES.finditer(doc.nl_lowered):
        # offset k in "\n" + text is the newline before the line that starts at k in text
        found[match.lastgroup].append(line_of(match.start()))  # type: ignore[index]
    for name, pattern in _ANYWHERE.items():
        lines = found[name]
        for match in pattern.finditer(doc.lowered):
            i = line_of(match.start())
            if not lines or lines[-1] != i:
                lines.append(i)
    return found


def _hs_cues(data: bytes) -> dict[str, list[int]]:
    """``line_cues`` with hyperscan: one pattern per cue; a match's line is the number of
    newlines before its end (a cue never crosses a line after its leading newline)."""
    ends = _cue_patterns().ends(data)
    found: dict[str, list[int]] = {name: [] for name in CUE_NAMES}
    if not ends:
        return found
    ends.sort()
    line = cursor = 0
    count = data.count
    for end, cue in ends:
        line += count(b"\n", cursor, end)
        cursor = end
        lines = found[CUE_NAMES[cue]]
        if not lines or lines[-1] != line:  # several ends on one line ("tel", "tel.")
            lines.append(line)
    return found


def _hs_spaces() -> str:
    """Python's ``[^\\S\\n]`` spelled out for hyperscan (its ``\\s`` is a different set)."""
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in LINE_SPACES) + "]"


def _hs_source(pattern: str) -> bytes:
    """A line-start cue of ``_CUES`` for hyperscan: "^" or a newline opens the line."""
    return ("(?:^|\\n)" + _hs_spaces() + "*" + pattern).encode("utf-8")


_HS_CUES = (  # in CUE_NAMES order: hyperscan sources
    *(_hs_source(opening) for opening in _OPENINGS.values()),
    _HS_DOWNLOAD.encode("utf-8"),
    b"protected",
)
# on the text as it is: caseless (Unicode case folding for the line-start cues)
_HS_FLAGS = (*[("UTF8", "UCP", "CASELESS")] * len(_OPENINGS), *[("UTF8", "CASELESS")] * len(_ANYWHERE))


@cache
def _cue_patterns() -> PatternSet:
    """The compiled cue database (built once; ids are ``CUE_NAMES`` indexes)."""
    return PatternSet(_HS_CUES, flags=_HS_FLAGS)
