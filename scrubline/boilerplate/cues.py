"""Line-start cues of the shape rules, found in one pass over the text.

Three rules look for lines by how they open: contact lines ("E-Mail: …", "+49 …"), endnote
lines ("[iv] …", "¹ …", "3. …") and figure captions ("Abbildung 4: …"). Each used to scan
every line start with its own regex; one regex with a named alternative per cue scans them
once, and each rule then checks only its candidate lines with its exact pattern. A cue is a
necessary condition, never the verdict.
"""

from __future__ import annotations

import re

from .document import DocView

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
#: An endnote marker at a line's start: "[iv]", "[12]", "^3", "¹²", "4.", "5)", "(6)".
NOTE_MARK = r"(?:\[(?:[ivxlcdm]{1,7}|\d{1,3})\]|\^\d{1,3}|[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3}|\d{1,3}[.)]|\(\d{1,3}\))"

#: One scan over ``"\n" + lowered text``: a line start, its indentation, then the first cue
#: that fits (the alternatives cannot both fit one line's opening). Wider than each rule's
#: pattern (any indentation, any first marker character): the rules filter.
_CUES = re.compile(
    r"\n[^\S\n]*(?:(?P<contact>" + CONTACT_LABEL + r"|\+)|(?P<caption>" + FIGURE_LABEL
    + r")|(?P<note>[\[\^⁰¹²³⁴⁵⁶⁷⁸⁹(]|\d{1,3}[.)]))"
)  # fmt: skip

CUE_NAMES = ("contact", "caption", "note")


def line_cues(doc: DocView) -> dict[str, list[int]]:
    """Lines (ascending) whose opening fits each cue, by cue name (cached on the DocView)."""
    cached = getattr(doc, "_line_cues", None)
    if cached is not None:
        return cached
    found: dict[str, list[int]] = {name: [] for name in CUE_NAMES}
    line_of = doc.line_of
    for match in _CUES.finditer(doc.nl_lowered):
        # offset k in "\n" + text is the newline before the line that starts at k in text
        found[match.lastgroup].append(line_of(match.start()))  # type: ignore[index]
    doc._line_cues = found  # type: ignore[attr-defined]
    return found
