"""Template mining: lines that recur across one outlet's documents are its page template.

Pure functions and plain data. ``mine_outlet`` reads many documents of one outlet (their
``text_normalized``) and keeps the lines that recur in at least ``min_support`` documents
and ``min_share`` of them, with their support (how many documents, which ids). A
``TemplateRule`` (stage 1, id ``template``) then removes exact (whitespace-normalised)
template lines from later documents of that outlet.

Precision first: a recurring line is a template only if it could not be reporting.

- Never a template: speech (a line with quotation marks around words, "…", sagte er), a
  dateline opening ("BAKU, (BM) –", "Berlin (dpa) -"), a line of ``SENTENCE_WORDS`` words or
  more that ends like a sentence (background paragraphs recur in agency copy), a line
  without a letter.
- A template must be short (at most ``SHORT_WORDS`` words) or sit in the head or tail zone
  (before the first / after the last body-like line) in most of its documents; and a short
  line that sits in the body zone needs a lexicon hit or to recur in at least half of the
  outlet's documents (a recurring section heading such as "Hintergrund" stays).
- When applied, a template that is not short is removed only in the head or tail zone.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from ..dateline import opens_with_dateline
from ..records import Span
from .document import DocView
from .lexicon import Lexicon, default_lexicon
from .rules import Rule

#: A template line of at most this many words may be removed anywhere in a document.
SHORT_WORDS = 12
#: A line of this many words or more that ends like a sentence is never a template.
SENTENCE_WORDS = 25
#: Share of an outlet's documents a body-zone line without lexicon hit must recur in.
BODY_ZONE_SHARE = 0.5
#: A template keeps at most this many supporting document ids (the count is exact).
MAX_DOC_IDS = 20

_SENTENCE_END = frozenset(".!?…\"'”»:;。！？")
#: Quotation marks around at least two words: reported speech.
_QUOTES = '"“”„«»‚‘’‹›「」『』'
#: What ``reads_as_speech`` answers, as a regex: kept as its specification (the tests compare
#: the two), not run, since its lazy runs backtrack.
_SPEECH = re.compile(rf"[{_QUOTES}][^{_QUOTES}]*?\w+\W+\w+[^{_QUOTES}]*?[{_QUOTES}]")
_QUOTE = re.compile(rf"[{_QUOTES}]")
_WORD_END = re.compile(r"\w\W")
_WORD = re.compile(r"\w")


def normalize_line(line: str) -> str:
    """The key of a line: whitespace runs collapsed, ends stripped.

    >>> normalize_line("  Teilen\\u00a0 auf   Facebook ")
    'Teilen auf Facebook'
    """
    return " ".join(line.split())


def reads_as_speech(line: str) -> bool:
    """Quotation marks around at least two words.

    >>> reads_as_speech('„Wir werden das schaffen", sagte die Kanzlerin.')
    True
    >>> reads_as_speech("Newsletter abonnieren")
    False
    """
    quotes = [m.start() for m in _QUOTE.finditer(line)]
    if len(quotes) < 2:
        return False
    # ``_SPEECH`` without its backtracking (~70 us a line on prose with curly apostrophes,
    # measured 2026-12-03; tests/test_boilerplate_templates.py checks that both agree): from an opening
    # mark, the first word must end inside the mark-free stretch after it; the run of
    # non-word characters after that word may cross marks; the second word and what follows
    # it up to the closing mark hold none, so a closing mark must come after the second word.
    for opening, following in zip(quotes, quotes[1:], strict=False):
        first = _WORD_END.search(line, opening + 1, following + 1)
        if first is None:
            continue
        second = _WORD.search(line, first.start() + 2)
        if second is not None and second.start() < quotes[-1]:
            return True
    return False


def is_dateline(line: str) -> bool:
    """A dateline opening (``scrubline.dateline``, the one dateline pattern).

    >>> [is_dateline(s) for s in ("BAKU, (BM) – The ministry said", "Berlin (dpa) - Die",
    ...                           "Mehr zum Thema - Politik", "Weitere Artikel")]
    [True, True, False, False]
    """
    return opens_with_dateline(line)


def never_template(line: str) -> str | None:
    """Why a (normalised) line can never be a template, or None."""
    if not any(c.isalpha() for c in line):
        return "no letter"
    words = line.count(" ") + 1
    if words >= SENTENCE_WORDS and line[-1] in _SENTENCE_END:
        return "sentence"
    if reads_as_speech(line):
        return "speech"
    if is_dateline(line):
        return "dateline"
    return None


@dataclass(frozen=True, slots=True)
class Template:
    """One learned template line of an outlet."""

    text: str  # whitespace-normalised line
    support: int  # documents it occurs in
    doc_ids: tuple[str, ...]  # up to MAX_DOC_IDS of them, in mining order
    category: str  # lexicon category of the line if it has a lexicon hit, else "template"
    zone: str  # where it sits in most of its documents: "head", "tail" or "body"
    words: int

    @property
    def short(self) -> bool:
        return self.words <= SHORT_WORDS


@dataclass(frozen=True)
class TemplateSet:
    """The templates of one outlet, with what they were mined from."""

    outlet_id: str
    documents: int  # documents mined
    min_support: int
    templates: tuple[Template, ...] = ()
    _index: dict[str, Template] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index.update((t.text, t) for t in self.templates)

    def __len__(self) -> int:
        return len(self.templates)

    def get(self, normalized_line: str) -> Template | None:
        return self._index.get(normalized_line)

    @property
    def fingerprint(self) -> str:
        """Short hash of the template texts (part of an engine's ruleset version)."""
        h = hashlib.sha256()
        for text in sorted(self._index):
            h.update(text.encode("utf-8", "surrogatepass") + b"\n")
        return h.hexdigest()[:12]

    def to_rows(self) -> list[dict]:
        """One plain dict per template (for the warehouse)."""
        return [
            {
                "outlet_id": self.outlet_id, "text": t.text, "support": t.support,
                "doc_ids": list(t.doc_ids), "category": t.category, "zone": t.zone,
                "words": t.words, "documents": self.documents, "min_support": self.min_support,
                "fingerprint": self.fingerprint,
            }
            for t in self.templates
        ]  # fmt: skip

    @classmethod
    def from_rows(cls, outlet_id: str, rows: Iterable[Mapping]) -> TemplateSet:
        """The inverse of ``to_rows`` (rows of one outlet)."""
        rows = list(rows)
        templates = tuple(
            Template(
                str(r["text"]), int(r["support"]), tuple(r.get("doc_ids") or ()), str(r["category"]),
                str(r["zone"]), int(r.get("words") or len(str(r["text"]).split())),
            )
            for r in rows
        )  # fmt: skip
        documents = max((int(r.get("documents") or 0) for r in rows), default=0)
        min_support = min((int(r.get("min_support") or 0) for r in rows), default=0)
        return cls(outlet_id, documents, min_support, templates)


def _zones(doc: DocView) -> tuple[int, int]:
    """(first, last) body-like line; (-1, -1) when there is none (then every line is in the
    head/tail zone)."""
    body = doc.body_lines
    return (body[0], body[-1]) if body else (-1, -1)


def _zone(i: int, first: int, last: int) -> str:
    if first < 0 or i < first:
        return "head"
    if i > last:
        return "tail"
    return "body"


def _lexicon_category(text: str, lexicon: Lexicon) -> str | None:
    for hit in lexicon.line_hits(text.lower()):
        if hit.phrase.category != "weak":
            return hit.phrase.category
    return None


def document_lines(text: str) -> list[tuple[str, str]]:
    """``(line key, zone)`` of each distinct line of one document (``text_normalized``) that
    could be a template, the zone where it first occurs: what mining counts per document, so
    the counts can be kept up to date one document at a time (``scrubline.template_update``)."""
    doc = DocView(text)
    first, last = _zones(doc)
    in_doc: set[str] = set()
    out: list[tuple[str, str]] = []
    for i, raw in enumerate(doc.raw_lines):
        key = normalize_line(raw)
        if not key or key in in_doc:
            continue
        in_doc.add(key)
        if never_template(key) is None:
            out.append((key, _zone(i, first, last)))
    return out


@dataclass(slots=True)
class LineCount:
    """How often one line occurs in an outlet's documents: documents, per zone of its first
    occurrence, and the first ``MAX_DOC_IDS`` document ids (in doc_id order)."""

    documents: int = 0
    head: int = 0
    tail: int = 0
    body: int = 0
    doc_ids: list[str] = field(default_factory=list)


def line_columns(rows: Iterable[tuple[str, str, str]]) -> dict[str, list[str]]:
    """``template_lines`` columns (doc_id, capture_id, text, zone) for (doc_id, capture_id,
    text_normalized) rows: each version's :func:`document_lines` and the empty line, which
    marks it staged even when it has no candidate line."""
    columns: dict[str, list[str]] = {"doc_id": [], "capture_id": [], "text": [], "zone": []}
    for doc_id, capture_id, text in rows:
        for line, zone in [("", "head"), *document_lines(text)]:
            columns["doc_id"].append(doc_id)
            columns["capture_id"].append(capture_id)
            columns["text"].append(line)
            columns["zone"].append(zone)
    return columns


def needed_support(documents: int, min_support: int = 3, min_share: float = 0.05) -> int:
    """Documents a line must recur in to be a template of an outlet with ``documents``."""
    return max(min_support, math.ceil(min_share * documents))


def select_templates(
    outlet_id: str,
    documents: int,
    counts: Iterable[tuple[str, LineCount]],
    *,
    min_support: int = 3,
    min_share: float = 0.05,
    lexicon: Lexicon | None = None,
) -> TemplateSet:
    """The templates among an outlet's line counts (``documents`` documents counted): lines in
    at least :func:`needed_support` of them that pass the module docstring's safeguards."""
    lexicon = lexicon or default_lexicon()
    needed = needed_support(documents, min_support, min_share)
    templates = []
    for key, c in counts:
        if c.documents < needed or never_template(key):
            continue
        words = key.count(" ") + 1
        category = _lexicon_category(key, lexicon)
        if (c.head + c.tail) * 2 > c.documents:
            zone = "head" if c.head >= c.tail else "tail"
        else:
            zone = "body"
            if words > SHORT_WORDS:
                continue
            if category is None and c.documents < BODY_ZONE_SHARE * documents:
                continue
        support = tuple(c.doc_ids[:MAX_DOC_IDS])
        templates.append(Template(key, c.documents, support, category or "template", zone, words))
    templates.sort(key=lambda t: (-t.support, t.text))
    return TemplateSet(outlet_id, documents, needed, tuple(templates))


def mine_outlet(
    outlet_id: str,
    documents: Iterable[tuple[str, str]],
    *,
    min_support: int = 3,
    min_share: float = 0.05,
    lexicon: Lexicon | None = None,
) -> TemplateSet:
    """Templates of one outlet from ``(doc_id, text_normalized)`` pairs.

    A line is a template when it occurs in at least ``max(min_support, min_share * n)`` of the
    ``n`` documents and passes the safeguards of the module docstring.
    """
    counts: dict[str, LineCount] = {}
    n = 0
    for doc_id, text in documents:
        n += 1
        for key, zone in document_lines(text):
            c = counts.get(key)
            if c is None:
                c = counts[key] = LineCount()
            c.documents += 1
            setattr(c, zone, getattr(c, zone) + 1)
            if len(c.doc_ids) < MAX_DOC_IDS:
                c.doc_ids.append(doc_id)
    return select_templates(outlet_id, n, counts.items(), min_support=min_support, min_share=min_share,
                            lexicon=lexicon)  # fmt: skip


def mine_templates(documents: Iterable[tuple[str, str, str]], **options: object) -> dict[str, TemplateSet]:
    """``mine_outlet`` for every outlet in ``(outlet_id, doc_id, text_normalized)`` triples."""
    by_outlet: dict[str, list[tuple[str, str]]] = {}
    for outlet_id, doc_id, text in documents:
        by_outlet.setdefault(outlet_id, []).append((doc_id, text))
    return {o: mine_outlet(o, docs, **options) for o, docs in by_outlet.items()}  # type: ignore[arg-type]


class TemplateRule(Rule):
    """Lines of a document that are exactly (whitespace-normalised) a learned template of its
    outlet; templates longer than ``SHORT_WORDS`` words only in the head or tail zone."""

    rule_id = "template"
    version = 1
    categories = ("template",)
    stage = 1

    def __init__(self, templates: TemplateSet) -> None:
        self.templates = templates
        self.fingerprint = f"{templates.outlet_id}:{templates.fingerprint}"
        self._lengths = {len(t.text) for t in templates.templates}

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterator[Span]:
        if not self.templates.templates:
            return
        zones: tuple[int, int] | None = None
        lengths, get = self._lengths, self.templates.get
        for i, raw in enumerate(doc.raw_lines):
            if not raw:
                continue
            key = normalize_line(raw)
            if len(key) not in lengths:
                continue
            template = get(key)
            if template is None:
                continue
            if not template.short:
                if zones is None:
                    zones = _zones(doc)
                if _zone(i, *zones) == "body":
                    continue
            evidence = f"template of {self.templates.outlet_id}: {template.support} documents"
            yield self.span(doc, i, i, template.category, evidence)


__all__ = [
    "SHORT_WORDS", "Template", "TemplateRule", "TemplateSet", "mine_outlet",
    "mine_templates", "never_template", "normalize_line",
]  # fmt: skip
