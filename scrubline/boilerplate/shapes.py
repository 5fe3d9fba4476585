"""Rules that recognise a line by its shape alone, whatever the page says around it:
numbered figure captions, download links, layout-table rows and unrendered client-side
template markup.

Each looks only at candidate lines found by C-level scans: captions and download links at
the lines the one cue scan (``cues.py``) marks, layout rows at lines holding "|", template
markup at lines holding "{{" or "{%".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from ..records import Span
from .base import Rule
from .cues import FIGURE_LABEL, line_cues
from .document import DocView

#: A line that opens with a figure label, its number and a separator: "Abbildung 4: …" (any
#: case). The separator is required: "Abbildung 4 zeigt, dass …" is a sentence of the body.
_CAPTION = re.compile(
    r"\n[^\S\n]*" + FIGURE_LABEL + r"[^\S\n]?\d{1,3}[a-z]?[^\S\n]*[:.|–—-][^\S\n]*\S", re.IGNORECASE
)


class CaptionLineRule(Rule):
    """Numbered figure captions ("Abbildung 4: klassische Schwachschicht.", "Figure 2. Sales
    by region", "Рис. 3 — …"): the caption of an image or chart that is not in the text.
    Captions can be long, so length does not matter; the label, its number and a separator
    must open the line."""

    rule_id = "caption_line"
    version = 1
    categories = ("caption",)
    MAX_WORDS = 80

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterator[Span]:
        nl_text, starts = doc.nl_text, doc.line_starts
        for i in line_cues(doc)["caption"]:  # lines opening with a figure label
            if _CAPTION.match(nl_text, starts[i]) and doc.line(i).words <= self.MAX_WORDS:
                yield self.span(doc, i, i, "caption", f"figure caption: {doc.line(i).text[:40]}")


class DownloadLinkRule(Rule):
    """Download links: a short line that names a file type and its size ("Informations-
    schreiben vom 14. Oktober 2021 PDF | 38 KB | Datei ist nicht barrierefrei", "Download
    (ZIP 20,5 MB)"). The link text of a file, not prose; its URL is in the links table."""

    rule_id = "download_link"
    version = 1
    categories = ("navigation",)
    MAX_WORDS = 16

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterator[Span]:
        for i in line_cues(doc)["download"]:
            line = doc.line(i)
            if line.words <= self.MAX_WORDS:
                yield self.span(doc, i, i, "navigation", f"download link: {line.text[:40]}")


#: A cell separator: a pipe not escaped ("© 2021 example.org \\| Impressum" is one cell).
_CELL_SEP = re.compile(r"(?<!\\)\|")


class LayoutRowRule(Rule):
    """Rows of a layout table (a page laid out with nested tables, as many older sites are,
    comes out as rows of empty cells): at least ``MIN_EMPTY`` empty cells and at most one
    filled cell of at most ``MAX_WORDS`` words ("| | | Die folgenden Hotel Links öffnen als
    extra Fenster | | | | | | |"). A data table's rows have several filled cells, its
    section rows fewer empty ones; a long filled cell is the page's text and stays."""

    rule_id = "layout_row"
    version = 1
    categories = ("markup",)
    MIN_EMPTY = 5
    MAX_WORDS = 15

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterator[Span]:
        text, lines, starts = doc.text, doc.raw_lines, doc.line_starts
        at = text.find("|")  # one C-level scan: most texts have no pipe at all
        while at >= 0:
            i = doc.line_of(at)
            row = lines[i].strip()
            if row[:1] == "|" and row[-1:] == "|" and row.count("|") > self.MIN_EMPTY:
                cells = [c.strip() for c in _CELL_SEP.split(row[1:-1])]
                filled = [c for c in cells if c]
                if (
                    len(cells) - len(filled) >= self.MIN_EMPTY
                    and len(filled) <= 1
                    and (not filled or len(filled[0].split()) <= self.MAX_WORDS)
                ):
                    yield self.span(doc, i, i, "markup", f"layout table row: {row[:40]}")
            at = text.find("|", starts[i + 1]) if i + 1 < len(starts) else -1


#: A Mustache/Handlebars/Angular/Vue/Jinja tag: "{{#images}}", "{{ post.author }}", "{% if %}".
_TAG = r"(?:\{\{[^{}\n]{0,80}\}\}\}?|\{%[^%\n]{0,80}%\})"
#: A line that holds a template tag (the cue; lines are then judged one by one).
_TAG_CUE = re.compile(r"\{\{|\{%")
_TAG_RE = re.compile(_TAG)
#: A section opened or closed on a line: "{{#topArticle}}", "{{^id}}", "{{/topArticle}}".
_SECTION = re.compile(r"\{\{\s*([#^/])\s*([\w.\-]+)\s*\}\}")


class TemplateMarkupRule(Rule):
    """Unrendered client-side template markup that leaked into the text: lines that are
    template tags and at most ``MAX_WORDS`` words besides ("{{#images}}", "Nachrichten
    {{/id}}"), and the lines of a section whose opening and closing tags stand on lines of
    that kind ("{{^topArticle}} … Erstelle jetzt die erste! … {{/topArticle}}": text shown
    only in some state of the page, never rendered for this reader)."""

    rule_id = "template_markup"
    version = 1
    categories = ("markup",)
    MAX_WORDS = 4
    MAX_SECTION_LINES = 12

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterator[Span]:
        text = doc.text
        if _TAG_CUE.search(text) is None:  # one C-level scan ("{" first): most texts stop here
            return
        lines = doc.raw_lines
        markup: dict[int, str] = {}  # line -> evidence
        opened: dict[str, int] = {}  # section name -> line of its opening tag
        for match in _TAG_CUE.finditer(text):
            i = doc.line_of(match.start())
            if i in markup:
                continue
            raw = lines[i]
            rest = _TAG_RE.sub(" ", raw)
            if rest == raw or len(rest.split()) > self.MAX_WORDS:
                continue
            markup[i] = f"template markup: {raw.strip()[:40]}"
            for kind, name in _SECTION.findall(raw):
                if kind in "#^":
                    opened[name] = i
                elif name in opened:
                    first = opened.pop(name)
                    if i - first <= self.MAX_SECTION_LINES:
                        for j in range(first + 1, i):
                            markup.setdefault(j, f"inside template section {{{{{name}}}}}")
        for i in sorted(markup):
            yield self.span(doc, i, i, "markup", markup[i])
