"""Footnotes: endnote lists, the inline markers that cite them, and their URLs.

``find_endnote_block`` locates the notes list in the normalized text (the boilerplate engine
removes that block from the body); ``link_footnotes`` then pairs each note with the markers
left in the clean text and flags anomalies.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from .records import Footnote
from .urls import canonicalize, find_urls, is_local_path, registered_domain

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_VALUE = {c: str(i) for i, c in enumerate(_SUPERSCRIPTS)}

#: One endnote line: a marker, then the note.
_NOTE_LINE = re.compile(
    r"[ \t\u00a0]*(?:"
    r"\[(?P<bracket>[ivxlcdm]{1,7}|\d{1,3})\]"
    r"|\^(?P<caret>\d{1,3})"
    r"|(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})"
    r"|(?P<num>\d{1,3})[.)]"
    r"|\((?P<paren>\d{1,3})\)"
    r")[ \t\u00a0]*(?P<body>\S.*)?$",
    re.IGNORECASE,
)

#: Headings that introduce a notes list (lowercased, trailing colon removed).
NOTE_HEADINGS = frozenset(
    {
        "notes", "endnotes", "footnotes", "references", "sources", "bibliography", "citations",
        "anmerkungen", "fußnoten", "quellen", "einzelnachweise", "literatur", "quellenangaben",
        "notes et références", "références", "sources et références",
        "notas", "referencias", "fuentes", "note", "fonti", "przypisy", "źródła",
        "примечания", "источники", "ссылки", "сноски", "литература",
        "qeydlər", "mənbələr", "istinadlar", "ծանոթագրություններ", "աղբյուրներ", "ծանոթություններ",
    }
)  # fmt: skip

_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def roman_to_int(text: str) -> int | None:
    """Value of a lowercase or uppercase Roman numeral, or None if it is not one.

    >>> roman_to_int("xiv"), roman_to_int("IV"), roman_to_int("iiii")
    (14, 4, None)
    """
    text = text.lower()
    if not text or any(c not in _ROMAN for c in text):
        return None
    total = 0
    for i, c in enumerate(text):
        value = _ROMAN[c]
        total += -value if i + 1 < len(text) and _ROMAN[text[i + 1]] > value else value
    return total if _int_to_roman(total) == text else None


def _int_to_roman(n: int) -> str:
    out = []
    for value, sym in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):  # fmt: skip
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Note:
    """One endnote as found in the normalized text."""

    marker: str  # as written: "[iv]", "3.", "¹"
    key: int  # numeric value of the marker
    style: str  # bracket | caret | sup | num | paren
    body: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class EndnoteBlock:
    """The notes list: its span in the normalized text (heading included) and its notes."""

    start: int
    end: int
    heading: str | None
    notes: tuple[Note, ...]


def _parse_note_line(line: str, offset: int) -> Note | None:
    match = _NOTE_LINE.match(line)
    if not match or not match.group("body"):
        return None
    for style in ("bracket", "caret", "sup", "num", "paren"):
        raw = match.group(style)
        if raw is None:
            continue
        if style == "sup":
            key = int("".join(_SUP_VALUE[c] for c in raw))
        elif raw.isdigit():
            key = int(raw)
        else:
            key = roman_to_int(raw)
            if key is None:
                return None
        marker = match.group(0)[: match.start("body")].strip()
        body = match.group("body").strip()
        return Note(marker, key, style, body, offset, offset + len(line.rstrip()))
    return None


def _runs(text: str) -> list[tuple[list[Note], int]]:
    """Runs of consecutive note lines (blank lines allowed between), with the index of
    the first line of each run."""
    runs: list[tuple[list[Note], int]] = []
    current: list[Note] = []
    first_line = 0
    offset = 0
    for i, line in enumerate(text.split("\n")):
        note = _parse_note_line(line, offset) if line.strip() else None
        if note is not None and (not current or note.style == current[0].style):
            if not current:
                first_line = i
            current.append(note)
        elif line.strip():
            if current:
                runs.append((current, first_line))
            current = [note] if note is not None else []
            first_line = i
        offset += len(line) + 1
    if current:
        runs.append((current, first_line))
    return runs


def _is_notes_run(notes: list[Note], heading: str | None) -> bool:
    """Does a run of numbered lines read as a notes list rather than an ordinary list?"""
    if len(notes) < 2:
        return False
    keys = [n.key for n in notes]
    ascending = sum(1 for a, b in zip(keys, keys[1:], strict=False) if b > a)
    if ascending < (len(keys) - 1) * 0.8 or keys[0] > 3:
        return False
    if heading is not None or notes[0].style in ("bracket", "caret", "sup"):
        return True
    # "1." / "(1)" lists are notes only when most of them cite something.
    with_url = sum(1 for n in notes if find_urls(n.body))
    return with_url >= 0.5 * len(notes)


def find_endnote_block(text: str) -> EndnoteBlock | None:
    """The last endnote list in ``text``, or None.

    >>> block = find_endnote_block("Body[i] text.\\n\\n[i] https://a.org/x\\n\\n[ii] Book, p. 3\\n")
    >>> [n.marker for n in block.notes], block.notes[1].body
    (['[i]', '[ii]'], 'Book, p. 3')
    """
    lines = text.split("\n")
    for notes, first_line in reversed(_runs(text)):
        heading, start = _heading_before(lines, first_line)
        if not _is_notes_run(notes, heading):
            continue
        return EndnoteBlock(start if heading else notes[0].start, notes[-1].end, heading, tuple(notes))
    return None


def _heading_before(lines: list[str], first_line: int) -> tuple[str | None, int]:
    """The notes heading just above line ``first_line`` (blank lines skipped), if any."""
    j = first_line - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    if j < 0:
        return None, 0
    candidate = lines[j].strip().rstrip(":").strip().lower()
    if candidate in NOTE_HEADINGS:
        return lines[j].strip(), sum(len(s) + 1 for s in lines[:j])
    return None, 0


def _marker_pattern(style: str) -> re.Pattern[str]:
    return {
        "bracket": re.compile(r"\[([ivxlcdm]{1,7}|\d{1,3})\]", re.IGNORECASE),
        "caret": re.compile(r"\^(\d{1,3})\b"),
        "sup": re.compile(r"([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})"),
        "num": re.compile(r"\[(\d{1,3})\]|(?<=\w)([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})"),
        "paren": re.compile(r"(?<=[\w.,;”\"])\s?\((\d{1,3})\)"),
    }[style]


def _marker_key(raw: str) -> int | None:
    if all(c in _SUP_VALUE for c in raw):  # before isdigit(): "¹".isdigit() is True
        return int("".join(_SUP_VALUE[c] for c in raw))
    if raw.isascii() and raw.isdigit():
        return int(raw)
    return roman_to_int(raw)


def find_markers(text: str, style: str) -> dict[int, list[tuple[int, str]]]:
    """Inline markers of a notes style in ``text``: key -> [(offset, marker as written)]."""
    found: dict[int, list[tuple[int, str]]] = {}
    for match in _marker_pattern(style).finditer(text):
        raw = next(g for g in match.groups() if g)
        key = _marker_key(raw)
        if key is not None:
            start = match.start() + (len(match.group(0)) - len(match.group(0).lstrip()))
            found.setdefault(key, []).append((start, match.group(0).strip()))
    return found


def link_footnotes(
    block: EndnoteBlock | None,
    clean_text: str,
    outlet_for_domain: Callable[[str], str | None] = lambda _domain: None,
) -> tuple[Footnote, ...]:
    """Pair notes with their markers in the clean text; flag every anomaly."""
    if block is None:
        return ()
    markers = find_markers(clean_text, block.notes[0].style)
    footnotes = []
    seen = set()
    for ordinal, note in enumerate(block.notes, start=1):
        seen.add(note.key)
        refs = markers.get(note.key, [])
        footnotes.append(_footnote(note, ordinal, refs, outlet_for_domain))
    # markers whose note is missing (only within the range the notes list covers)
    highest = max(n.key for n in block.notes)
    for key in sorted(k for k in markers if k not in seen and k <= highest + 5):
        refs = markers[key]
        footnotes.append(
            Footnote(
                marker=refs[0][1], ordinal=len(footnotes) + 1,
                ref_offsets=tuple(o for o, _ in refs), note_text=None, url=None,
                url_canonical=None, domain=None, cited_outlet_id=None, issues=("missing_note",),
            )
        )  # fmt: skip
    return tuple(footnotes)


#: "Source: …" lines, in the languages of our lexicons.
_SOURCE_LINE = re.compile(
    r"^[ \t]*(?P<label>sources?|source\(s\)|quellen?|источники?|fuentes?|fontes?|fonti|źródło|"
    r"mənbə|աղբյուր)[ \t]*:[ \t]*(?P<body>\S[^\n]*)$",
    re.IGNORECASE | re.MULTILINE,
)


def find_citations(
    clean_text: str,
    *,
    first_ordinal: int = 1,
    outlet_for_domain: Callable[[str], str | None] = lambda _domain: None,
    outlet_for_name: Callable[[str], str | None] = lambda _name: None,
) -> tuple[Footnote, ...]:
    """Citations outside an endnote list: "Source: …" lines and bare URLs in the text.

    >>> [(c.kind, c.domain) for c in find_citations("Text.\\nSource: https://tass.ru/x\\nSee www.bbc.com/n")]
    [('source_line', 'tass.ru'), ('inline_url', 'bbc.com')]
    """
    found: list[tuple[int, str, str, str]] = []  # (offset, kind, marker, body)
    covered: list[tuple[int, int]] = []
    for match in _SOURCE_LINE.finditer(clean_text):
        found.append((match.start("label"), "source_line", match.group("label") + ":", match.group("body")))
        covered.append((match.start(), match.end()))
    for start, _end, url in find_urls(clean_text):
        if not any(a <= start < b for a, b in covered):
            found.append((start, "inline_url", url, url))
    citations = []
    for n, (offset, kind, marker, body) in enumerate(sorted(found), start=first_ordinal):
        note = Note(marker, n, kind, body.strip(), offset, offset + len(body))
        cite = _footnote(note, n, [(offset, marker)], outlet_for_domain)
        if cite.cited_outlet_id is None and "no_url" in cite.issues:
            named = outlet_for_name(body.strip().rstrip("."))
            cite = replace(cite, cited_outlet_id=named)
        citations.append(replace(cite, kind=kind))
    return tuple(citations)


def _footnote(
    note: Note,
    ordinal: int,
    refs: list[tuple[int, str]],
    outlet_for_domain: Callable[[str], str | None],
) -> Footnote:
    issues: list[str] = []
    urls = find_urls(note.body)
    url = urls[0][2] if urls else None
    canonical = domain = outlet = None
    if url is None:
        issues.append("no_url")
    elif is_local_path(url):
        issues.append("local_file_path")
    else:
        canonical = canonicalize(url)
        if canonical is None:
            issues.append("malformed_url")
        else:
            domain = registered_domain(canonical)
            outlet = outlet_for_domain(domain) if domain else None
    if not refs:
        issues.append("unreferenced")
    return Footnote(
        marker=note.marker,
        ordinal=ordinal,
        ref_offsets=tuple(o for o, _ in refs),
        note_text=note.body,
        url=url,
        url_canonical=canonical,
        domain=domain,
        cited_outlet_id=outlet,
        issues=tuple(issues),
    )
