"""HTML -> main text, metadata and in-content links. The only trafilatura import.

One parse and one trafilatura pass per page, links *off*. The text is byte-identical to
plain ``trafilatura.extract(html, include_comments=False)`` (turning trafilatura's
``include_links`` on changes what it keeps: on the trafilatura-dev set it kept ~900 more
words, mostly navigation such as "Über uns", "NEXT ARTICLE", at no F1 gain). The page is
parsed once (``parse_html``: load_html's tree, from UTF-8 bytes); scrubline reads declared
metadata and HTML notes from the tree before ``bare_extraction`` (which works on a copy)
and the in-content links after.

Links are recovered from the parsed page instead: an ``<a href>`` is an in-content link when
the paragraph-level block around it (``p``, ``li``, ``td``, headings, ...) survived into the
extracted text. Blocks shorter than ``MIN_LOOSE_BLOCK`` characters must match a whole output
line, so a nav item "Home" does not match inside "Homeland".

Metadata: by default chosen from the page's own declarations (``metadata="page"``); with
``metadata="trafilatura"``, trafilatura's choices fill the fields. Every candidate value
seen on the page (JSON-LD, ``<meta>``, ``<title>``, canonical link, ``<html lang>``,
bylines, ``<time>``) is kept as ``Evidence`` so later stages can explain or overrule a
choice.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache, lru_cache
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import ahocorasick
import trafilatura
from lxml.etree import XPath
from lxml.html import HtmlElement, fromstring
from trafilatura import bare_extraction
from trafilatura.settings import Extractor, set_date_params, use_config
from trafilatura.utils import (
    DOCTYPE_TAG,
    HTML_PARSER,
    is_dubious_html,
    load_html,
)

try:
    import hyperscan
except ImportError:  # pragma: no cover - platforms without a hyperscan wheel
    hyperscan = None

from scrubline.footnotes import NOTE_HEADINGS
from scrubline.records import Evidence, Link, Rejected
from scrubline.urls import canonicalize, registered_domain

#: Goes into provenance: which extractor produced the text.
EXTRACTOR_ID = f"trafilatura-{trafilatura.__version__}"
#: Version of what ``extract_html`` returns. Bump it with any change that alters its output
#: on some page; ``tests/test_extract_version.py`` records output hashes per version and
#: fails when they change under the same number. Provenance stores it, so ``scrubline
#: verify`` tells "extractor changed" from a real mismatch, and a refactor that changes no
#: output leaves stored documents verifiable.
EXTRACT_VERSION = 1
#: Blocks shorter than this must equal a whole output line to count as in-content.
MIN_LOOSE_BLOCK = 40
#: How far into the main text a written date is looked for (lowest-priority date signal).
TEXT_DATE_CHARS = 600
#: Longest metadata candidate value kept (JSON-LD descriptions can be whole articles).
MAX_CANDIDATE_CHARS = 500

_BLOCK_TAGS = frozenset(
    {"p", "li", "td", "th", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
     "figcaption", "caption", "pre", "address"}
)  # fmt: skip
_SKIP_HREF = ("javascript:", "#", "data:", "about:")
_WS = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class ExtractConfig:
    """Everything that shapes extraction: one object instead of trafilatura's many kwargs.

    The defaults are trafilatura's balanced mode without comments: F1 0.926 on trafilatura-dev
    (``favor_precision`` scores 0.915 there: it loses more body text than boilerplate).

    ``metadata="page"`` (default) builds title/authors/date/... from the page's own declarations
    (JSON-LD, microdata, ``<meta>``, ``<time>``, bylines, the URL): cheap lxml work.
    ``metadata="trafilatura"`` runs trafilatura's metadata extraction (htmldate + dateparser):
    it finds dates written only in the text, at about half the throughput.
    """

    focus: Literal["balanced", "precision", "recall"] = "balanced"
    include_tables: bool = True
    include_comments: bool = False
    fast: bool = False  # skip trafilatura's fallback extractors (F1 0.917, faster)
    metadata: Literal["page", "trafilatura"] = "page"
    extensive_date_search: bool = True  # htmldate's broader date search (metadata="trafilatura")
    settings_file: str | None = None  # a trafilatura settings.cfg (size limits, ...)

    def extractor(self, url: str | None) -> Extractor:
        """The trafilatura ``Extractor`` for one page (``url`` resolves relative links)."""
        return Extractor(
            config=_settings(self.settings_file),
            output_format="python",
            fast=self.fast,
            precision=self.focus == "precision",
            recall=self.focus == "recall",
            comments=self.include_comments,
            tables=self.include_tables,
            links=False,
            url=url,
            with_metadata=self.metadata == "trafilatura",
            date_params=set_date_params(self.extensive_date_search),
        )


DEFAULT_CONFIG = ExtractConfig()


@dataclass(frozen=True, slots=True)
class Extracted:
    """Main text and metadata of one HTML page."""

    text: str  # one block per line: paragraphs, headings and list items on their own lines
    title: str | None = None
    authors: tuple[str, ...] = ()
    date: str | None = None  # ISO date (YYYY-MM-DD) of publication
    sitename: str | None = None
    hostname: str | None = None
    description: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    language: str | None = None
    license: str | None = None
    canonical_url: str | None = None
    links: tuple[Link, ...] = ()
    metadata_candidates: tuple[Evidence, ...] = ()
    flags: tuple[str, ...] = ()
    html_notes: tuple[str, ...] = ()  # "[n] note text URL" lines appended from an HTML notes list


@lru_cache(maxsize=8)
def _settings(settings_file: str | None) -> Any:
    return use_config(settings_file)


@lru_cache(maxsize=8)
def _template(config: ExtractConfig) -> Extractor:
    return config.extractor(None)


def _extractor(config: ExtractConfig, url: str | None) -> Extractor:
    """``config.extractor(url)`` without rebuilding settings per page (a shallow copy + url)."""
    options = copy.copy(_template(config))
    options.url = url
    options.source = url
    return options


def extract_html(html: str, url: str | None = None, *, config: ExtractConfig = DEFAULT_CONFIG) -> Extracted:
    """Main text, metadata, links and metadata evidence of one HTML page.

    Raises ``Rejected("extract", ...)`` when the page cannot be parsed or has no main text.
    """
    data = _utf8(html)
    tree = parse_html(html, data)
    if tree is None:
        raise Rejected("extract", "not parseable as HTML")
    declared, base_href = _page_candidates(tree, url, _signal_hints(data))  # before extraction
    candidates = tuple(_dedupe(declared))
    notes = html_footnotes(tree, url)  # markers become "[n]", the notes list leaves the tree
    try:
        doc = bare_extraction(tree, options=_extractor(config, url))
    except Exception as exc:  # a trafilatura/lxml failure on one page is a reject, not a crash
        raise Rejected("extract", f"trafilatura failed: {type(exc).__name__}: {exc}") from exc
    text = unicodedata.normalize("NFC", (doc.text or "").strip()) if doc is not None else ""
    if not text:
        raise Rejected("extract", "no main text found")
    if notes is not None:
        text = f"{text}\n\n{notes.heading}\n" + "\n".join(notes.lines)
    written = text_day(text[:TEXT_DATE_CHARS])  # a date in the article's first lines
    if written:
        candidates += (Evidence("text:date", written),)
    meta = page_metadata(candidates, url)
    if config.metadata == "trafilatura":
        meta = _trafilatura_metadata(doc, meta)
        candidates += tuple(_chosen(doc))
    authors = meta["authors"]
    return Extracted(
        text=text,
        title=meta["title"],
        authors=authors,
        date=meta["date"],
        sitename=meta["sitename"],
        hostname=meta["hostname"],
        description=meta["description"],
        categories=meta["categories"],
        tags=meta["tags"],
        language=meta["language"],
        license=meta["license"],
        canonical_url=meta["canonical_url"],
        links=content_links(tree, text, _base_url(base_href, url or meta["canonical_url"])),
        metadata_candidates=candidates,
        flags=_flags(authors, meta["date"], candidates, url, meta["canonical_url"]),
        html_notes=notes.lines if notes is not None else (),
    )


#: C0 controls libxml2 rejects (all but tab, LF, CR); with U+FFFE/U+FFFF, trafilatura strips them.
_CONTROL_BYTES = bytes(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D))


def parse_html(html: str, data: bytes | None = None) -> HtmlElement | None:
    """The tree trafilatura's ``load_html`` builds from a decoded page, built faster.

    ``load_html`` runs a regex substitution over the whole page for control characters
    (~1 ms on a 150 KB page) and parses the Python string; here the page is encoded once to
    UTF-8, checked with a C-level byte scan, and parsed from bytes by the same parser (which
    is trafilatura's own second way in). Pages that need any of ``load_html``'s repairs
    (control characters, a DOCTYPE it rewrites, a self-closing ``<html/>``) or that parse to
    nothing take ``load_html`` itself, so the tree is the same either way. ``data``: the
    page as UTF-8, when the caller has encoded it already.
    """
    data = _utf8(html) if data is None else data
    if data is None:  # lone surrogates: load_html's string parse decides
        return load_html(html)
    beginning = html[:50].lower()
    newline = html.find("\n")
    first_line = html if newline < 0 else html[:newline]
    needs_repair = (
        len(data.translate(None, _CONTROL_BYTES)) != len(data)
        or _has_noncharacter(data)
        or ("doctype" in beginning and DOCTYPE_TAG.search(first_line) is not None)
        or any("<html" in line and line.endswith("/>") for line in html[:4096].splitlines()[:4])
    )
    if needs_repair:
        return load_html(html)
    try:
        tree = fromstring(data, parser=HTML_PARSER)
    except Exception:  # noqa: BLE001 - whatever libxml2 refuses, load_html decides about
        return load_html(html)
    if tree is None or len(tree) < 1:
        return load_html(html)
    if is_dubious_html(beginning) and len(tree) < 2:
        return None  # load_html's rejection: not HTML at all
    return tree


def _utf8(html: str) -> bytes | None:
    """``html`` as UTF-8, or None when it holds lone surrogates."""
    try:
        return html.encode("utf-8")
    except UnicodeEncodeError:
        return None


def _has_noncharacter(data: bytes) -> bool:
    """U+FFFE or U+FFFF in UTF-8 ``data`` (one scan for their common prefix EF BF)."""
    at = data.find(b"\xef\xbf")
    while at >= 0:
        if data[at + 2 : at + 3] in (b"\xbe", b"\xbf"):
            return True
        at = data.find(b"\xef\xbf", at + 2)
    return False


def _trafilatura_metadata(doc: Any, page: dict[str, Any]) -> dict[str, Any]:
    """trafilatura's choices, falling back to ours field by field."""
    chosen = {
        "title": doc.title,
        "authors": _split_authors(doc.author, separators=";"),
        "date": doc.date,
        "sitename": doc.sitename,
        "hostname": doc.hostname,
        "description": doc.description,
        "categories": tuple(doc.categories or ()),
        "tags": tuple(doc.tags or ()),
        "language": doc.language,
        "license": doc.license,
        "canonical_url": doc.url,
    }
    return {key: value or page[key] for key, value in chosen.items()}


# --- HTML footnotes -------------------------------------------------------------------------

#: Anchors that reference a note on the same page: in or around <sup>, or marked as such.
_NOTE_REF_XPATH = XPath(
    "//a[starts-with(@href,'#')][ancestor::sup or sup or contains(@class,'footnote')"
    " or starts-with(@href,'#cite_note') or starts-with(@href,'#fn')]"
)
_MARKER_LABEL = re.compile(r"^\[?\s*(\d{1,3}|[ivxlc]{1,6})\s*\]?$", re.IGNORECASE)
_BACKLINK_TEXT = frozenset({"^", "↩", "↩︎", "↑", "⤴", "back", "zurück", "retour"})
_NOTES_CONTAINER = re.compile(r"footnote|endnote|reflist|references|notes", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class HtmlNotes:
    """An HTML notes list, as the text lines footnotes.py reads: heading + "[n] note URL"."""

    heading: str
    lines: tuple[str, ...]


def html_footnotes(tree: HtmlElement, url: str | None = None) -> HtmlNotes | None:
    """Turn superscript note references and the notes list they point to into text form.

    Each reference (``<sup><a href="#fn3">3</a></sup>``, Wikipedia's ``#cite_note-3``,
    ``<a class="footnote-ref">``) whose target is on the page is rewritten in ``tree`` to
    ``[3]``; the notes are removed from ``tree`` (with their container and heading) and
    returned as ``[3] note text URL`` lines for the end of the text. Pages without a
    resolvable reference are left untouched (None).
    """
    refs = [a for a in _NOTE_REF_XPATH(tree) if len(a.get("href", "")) > 1]
    if not refs:
        return None
    by_id = {el.get("id"): el for el in tree.iterfind(".//*[@id]")}
    numbers: dict[str, int] = {}  # target id -> note number
    rewrites: list[tuple[HtmlElement, int]] = []
    for anchor in refs:
        target = by_id.get(anchor.get("href")[1:])
        label = _MARKER_LABEL.match(_WS.sub(" ", anchor.text_content()).strip())
        if target is None or label is None or _contains(target, anchor):
            continue
        key = target.get("id")
        if key not in numbers:
            value = label.group(1)
            numbers[key] = int(value) if value.isdigit() else len(numbers) + 1
        rewrites.append((anchor, numbers[key]))
    if not rewrites:
        return None
    lines = []
    for key, number in sorted(numbers.items(), key=lambda item: item[1]):
        body = _note_text(by_id[key], url)
        if body:
            lines.append(f"[{number}] {body}")
    if not lines:
        return None
    for anchor, number in rewrites:
        _show_marker(anchor, number)
    heading = _remove_notes(tree, [by_id[key] for key in numbers])
    return HtmlNotes(heading or "Notes", tuple(lines))


def _contains(outer: HtmlElement, inner: HtmlElement) -> bool:
    return any(ancestor is outer for ancestor in inner.iterancestors())


def _note_text(note: HtmlElement, base: str | None) -> str:
    """A note's text without back-links, with its first link's URL when the text lacks it."""
    parts: list[str] = []
    links: list[str] = []

    def walk(element: HtmlElement) -> None:
        if element.text:
            parts.append(element.text)
        for child in element:
            if isinstance(child.tag, str) and not (child.tag == "a" and _is_backlink(child)):
                if child.tag in ("p", "div", "br", "li"):
                    parts.append(" ")
                href = (child.get("href") or "").strip() if child.tag == "a" else ""
                if href and not href.startswith("#"):
                    links.append(urljoin(base or "", href))
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(note)
    body = _WS.sub(" ", "".join(parts)).strip().lstrip("^↑ ").strip()
    link = next((u for u in links if urlsplit(u).scheme in ("http", "https")), None)
    if link and link not in body:
        body = f"{body} {link}".strip()
    return body


def _is_backlink(anchor: HtmlElement) -> bool:
    return (
        (anchor.get("href") or "").startswith("#")
        or _WS.sub("", anchor.text_content()) in _BACKLINK_TEXT
        or "back" in (anchor.get("class") or "")
    )


def _show_marker(anchor: HtmlElement, number: int) -> None:
    """Replace the reference's visible text by ``[n]`` (the whole <sup> when it holds only it)."""
    sup = anchor.getparent()
    target = sup if sup is not None and sup.tag == "sup" and len(sup) == 1 else anchor
    for child in list(target):
        target.remove(child)
    target.text = f"[{number}]"
    if target.tag == "sup":
        target.tag = "span"  # keep "[3]" as written; a <sup> may be dropped or re-formatted


def _remove_notes(tree: HtmlElement, notes: list[HtmlElement]) -> str | None:
    """Remove the notes (and an emptied list, container and heading); the heading's text."""
    heading: str | None = None
    containers = []
    for note in notes:
        parent = note.getparent()
        if parent is None:
            continue
        _drop(note)
        if parent.tag in ("ol", "ul", "dl") and not len(parent):
            containers.append(parent)
    for container in containers:
        outer = container
        parent = container.getparent()
        names = f"{parent.get('class', '')} {parent.get('id', '')}" if parent is not None else ""
        if parent is not None and _NOTES_CONTAINER.search(names) and len(parent.text_content()) < 200:
            outer = parent  # an emptied notes section: <section class="footnotes"><hr><ol>
        previous = outer.getprevious()
        if previous is not None and previous.tag in ("h2", "h3", "h4", "h5", "h6", "p", "strong", "b"):
            text = _WS.sub(" ", previous.text_content()).strip()
            if text.rstrip(":").strip().lower() in NOTE_HEADINGS:
                heading = heading or text
                _drop(previous)
        if outer.getparent() is not None:
            _drop(outer)
    return heading


def _drop(element: HtmlElement) -> None:
    """Remove ``element`` but keep its tail text in the document."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


# --- links ------------------------------------------------------------------------------


def content_links(tree: HtmlElement, text: str, base_url: str | None = None) -> tuple[Link, ...]:
    """Links whose surrounding block made it into ``text``, in text order."""
    flat = _norm(text)
    anchors: list[tuple[int, HtmlElement, str, str]] = []
    for order, anchor_el in enumerate(tree.iter("a")):
        href = (anchor_el.get("href") or "").strip()
        if href and not href[:11].lower().startswith(_SKIP_HREF):
            # a childless <a> (most are) has only .text: cheaper than text_content()'s XPath
            anchor = _norm((anchor_el.text or "") if len(anchor_el) == 0 else anchor_el.text_content())
            if anchor:
                anchors.append((order, anchor_el, href, anchor))
    present = _occurring(flat, {anchor for *_, anchor in anchors})
    lines: set[str] | None = None
    found: list[tuple[int, int, str, str]] = []
    block_texts: dict[HtmlElement, str] = {}
    for order, anchor_el, href, anchor in anchors:
        if anchor not in present:
            continue
        block_el = _block_of(anchor_el)
        block = block_texts.get(block_el)
        if block is None:
            block = block_texts[block_el] = _norm(block_el.text_content())
        if len(block) < MIN_LOOSE_BLOCK:
            lines = _line_units(text) if lines is None else lines
            if block not in lines:
                continue
        start = flat.find(block)
        if start < 0:
            continue
        at = flat.find(anchor, start)
        found.append((at if at >= 0 else start, order, urljoin(base_url or "", href), anchor))
    found.sort()
    unique = {(at, url): anchor for at, _, url, anchor in found}  # an image link + its title
    links = []
    for position, ((_, url), anchor) in enumerate(unique.items()):
        canonical = canonicalize(url)
        domain = registered_domain(canonical) if canonical else None
        links.append(Link(url, anchor, position, canonical, domain))
    return tuple(links)


def _occurring(haystack: str, needles: set[str]) -> set[str]:
    """The ``needles`` that occur in ``haystack``: one Aho-Corasick pass over it instead of
    one scan per needle (a page has ~150 anchors, most of them not in the article)."""
    if len(needles) < 8:
        return {needle for needle in needles if needle in haystack}
    automaton = ahocorasick.Automaton()
    for needle in needles:
        automaton.add_word(needle, needle)
    automaton.make_automaton()
    return {needle for _, needle in automaton.iter(haystack)}


def _line_units(text: str) -> set[str]:
    """Whole output lines, list items without their "- " and table cells: what a block can be."""
    units: set[str] = set()
    for line in text.splitlines():
        line = _norm(line)
        units.add(line.removeprefix("- "))
        if line.startswith("|"):
            units.update(cell.strip() for cell in line.strip("|").split("|"))
    units.discard("")
    return units


def _block_of(element: HtmlElement) -> HtmlElement:
    for ancestor in element.iterancestors():
        if ancestor.tag in _BLOCK_TAGS:
            return ancestor
    parent = element.getparent()
    return parent if parent is not None else element


def _base_url(base_href: str | None, url: str | None) -> str | None:
    return urljoin(url or "", base_href) if base_href else url


def _domain(url: str) -> str | None:
    return registered_domain(url) if urlsplit(url).scheme in ("http", "https") else None


def _norm(text: str) -> str:
    text = " ".join(text.split())  # the same as \s+ -> " ", strip; faster than the regex
    return text if text.isascii() else unicodedata.normalize("NFC", text)


# --- metadata candidates ----------------------------------------------------------------

#: <meta name|property> keys worth keeping as evidence (lowercased).
_META_KEYS = frozenset(
    {
        "author", "article:author", "og:article:author", "dc.creator", "dcterms.creator",
        "citation_author", "parsely-author", "sailthru.author", "byl", "twitter:creator",
        "title", "og:title", "twitter:title", "dc.title", "citation_title", "headline",
        "og:site_name", "application-name", "publisher", "dc.publisher", "citation_publisher",
        "description", "og:description", "twitter:description", "dc.description",
        "article:published_time", "og:article:published_time", "date", "pubdate",
        "publishdate", "publish-date", "dc.date", "dcterms.date", "dc.date.issued",
        "dcterms.issued", "citation_date", "citation_publication_date", "parsely-pub-date",
        "sailthru.date", "article:modified_time", "article:section", "keywords",
        "news_keywords", "article:tag", "parsely-section", "og:locale", "content-language",
        "language", "dc.language", "og:url",
    }
)  # fmt: skip
_JSONLD_FIELDS = {
    "headline": "headline",
    "name": "name",
    "description": "description",
    "datePublished": "datePublished",
    "dateCreated": "dateCreated",
    "dateModified": "dateModified",
    "articleSection": "articleSection",
    "keywords": "keywords",
    "inLanguage": "inLanguage",
    "url": "url",
}
_JSONLD_PEOPLE = ("author", "creator", "publisher")


#: Element-level signals: what an element's @class contains (a byline, a date, ...), its
#: @itemprop, its @rel, or a <time datetime>. One XPath union of the branches a page needs:
#: ``contains()`` on every @class is the expensive part (~0.5 ms a page), so a branch runs
#: only when a cheap scan of the page's bytes (``_signal_hints``) says it can match.
_CLASS_HINTS = ("uthor", "yline", "date", "posted", "publish")
_ITEMPROP, _REL, _TIME = len(_CLASS_HINTS), len(_CLASS_HINTS) + 1, len(_CLASS_HINTS) + 2
ALL_SIGNALS = frozenset(range(len(_CLASS_HINTS) + 3))


def _attribute(name: str) -> str:
    """``name=`` as a byte-regex source, the name in any case (HTML attribute names are)."""
    return "".join(f"[{c}{c.upper()}]" for c in name) + r"\s*=\s*"


#: Superset tests on the raw page: where one finds nothing, its branch cannot match.
_HINT_PATTERNS = (
    *(_attribute("class") + f"""(?:"[^"]*{h}|'[^']*{h}|[^\\s"'>]*{h})""" for h in _CLASS_HINTS),
    _attribute("itemprop") + """["']?(?:author|datePublished|headline)""",
    _attribute("rel") + """["']?(?:author|license)""",
    "<[tT][iI][mM][eE][\\s/>]",
)


@cache
def _signal_xpath(hints: frozenset[int]) -> XPath | None:
    """The union of the signal branches ``hints`` allows (None when it allows none)."""
    branches = []
    contains = [f"contains(.,'{h}')" for k, h in enumerate(_CLASS_HINTS) if k in hints]
    if contains:
        branches.append(f"//body//@class[{' or '.join(contains)}]/..")
    if _ITEMPROP in hints:
        branches.append("//body//@itemprop[.='author' or .='datePublished' or .='headline']/..")
    if _REL in hints:
        branches.append("//body//@rel[.='author' or .='license']/..")
    if _TIME in hints:
        branches.append("//time[@datetime]")
    return XPath(" | ".join(branches)) if branches else None


@lru_cache(maxsize=1)
def _hint_database() -> Any:
    db = hyperscan.Database()
    db.compile(
        expressions=[p.encode("ascii") for p in _HINT_PATTERNS],
        ids=list(range(len(_HINT_PATTERNS))),
        elements=len(_HINT_PATTERNS),
        flags=[hyperscan.HS_FLAG_SINGLEMATCH] * len(_HINT_PATTERNS),
    )
    return db


_hint_scratch = threading.local()


def _signal_hints(data: bytes | None) -> frozenset[int]:
    """Which signal branches can match the page whose UTF-8 bytes are ``data`` (all of them
    when the bytes or hyperscan are missing)."""
    if data is None or hyperscan is None:
        return ALL_SIGNALS
    db = _hint_database()
    scratch = getattr(_hint_scratch, "scratch", None)
    if scratch is None:
        scratch = _hint_scratch.scratch = hyperscan.Scratch(db)
    found: set[int] = set()
    db.scan(data, match_event_handler=lambda pid, *_: found.add(pid), scratch=scratch)
    return frozenset(found)


_BYLINE_CLASS = re.compile(r"author|byline", re.IGNORECASE)
#: /2022/12/01/ or /2022-12-01 or /20221201/ in a URL path.
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:[/_.-]|$)")
_BY_PREFIX = re.compile(r"^(?:by|von|par|por|di|de|door|av|przez|автор:?)\s+", re.IGNORECASE)
#: Candidates kept per signal from repeated elements (bylines, <time>): the first few.
_MAX_REPEATED = 3


#: Elements the page declares metadata in, found in one C-level pass over the tree.
_DECLARING_TAGS = ("title", "link", "meta", "script", "h1", "base")


def _page_candidates(
    tree: HtmlElement, url: str | None = None, hints: frozenset[int] = ALL_SIGNALS
) -> tuple[list[Evidence], str | None]:
    """Every metadata value the page declares, each under the signal it came from (grouped
    by kind: title, lang, canonical, meta, JSON-LD, h1, element signals, URL), and the page's
    ``<base href>`` (links resolve against it)."""
    canonical: list[Evidence] = []
    metas: list[Evidence] = []
    jsonld: list[Evidence] = []
    h1s: list[Evidence] = []
    title: str | None = None
    base: str | None = None
    titles = h1_count = 0
    for element in tree.iter(_DECLARING_TAGS):
        tag = element.tag
        if tag == "meta":
            key = (element.get("name") or element.get("property") or element.get("http-equiv") or "").lower()
            content = (element.get("content") or "").strip()
            if content and key.strip() in _META_KEYS:
                metas.append(Evidence(f"meta:{key.strip()}", content))
        elif tag == "link":
            if "canonical" in (element.get("rel") or "").lower().split() and element.get("href"):
                canonical.append(Evidence("link:canonical", element.get("href").strip()))
        elif tag == "script":
            if (element.get("type") or "").strip().lower() == "application/ld+json" and element.text:
                jsonld.extend(_jsonld_candidates(element.text))
        elif tag == "h1":
            h1_count += 1
            text = _WS.sub(" ", element.text_content()).strip() if h1_count <= _MAX_REPEATED else ""
            if text:
                h1s.append(Evidence("html:h1", text))
        elif tag == "title":
            titles += 1
            title = element.text if titles == 1 else title
        elif base is None and (element.get("href") or "").strip():
            base = element.get("href").strip()
    found: list[Evidence] = []
    if title and title.strip():
        found.append(Evidence("html:title", title.strip()))
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang:
        found.append(Evidence("html:lang", lang.strip()))
    found += canonical + metas + jsonld + h1s
    seen: Counter[str] = Counter()
    signal_xpath = _signal_xpath(hints)
    for element in signal_xpath(tree) if signal_xpath is not None else ():
        for signal, value in _element_signals(element):
            seen[signal] += 1
            if seen[signal] <= _MAX_REPEATED:
                found.append(Evidence(signal, value))
    match = _URL_DATE.search(urlsplit(url).path) if url else None
    if match:
        found.append(Evidence("url:date", "-".join(match.groups())))
    return found, base


def _element_signals(element: HtmlElement) -> Iterator[tuple[str, str]]:
    """(signal, value) pairs one element found by ``_signal_xpath`` stands for."""
    itemprop, rel, css = element.get("itemprop"), element.get("rel"), element.get("class") or ""
    if itemprop in ("datePublished", "headline"):
        value = element.get("content") or element.get("datetime") or element.text_content()
        if value and value.strip():
            yield f"microdata:{itemprop}", value.strip()
    if element.tag == "time" and element.get("datetime", "").strip():
        pub = element.get("pubdate") is not None or itemprop == "datePublished"
        yield ("html:time-pubdate" if pub else "html:time"), element.get("datetime").strip()
    if rel == "license" and element.get("href", "").strip():
        yield "html:license", element.get("href").strip()
    if itemprop == "author" or rel == "author" or _BYLINE_CLASS.search(css):
        name = _byline_name(element)
        if name:
            yield "html:byline", name
    elif itemprop is None and rel is None:  # a class naming a date, a time or a posting
        text = _WS.sub(" ", element.text_content()).strip()
        day = text_day(text) if len(text) <= 120 else None
        if day:
            yield "html:date-text", day


def _byline_name(element: HtmlElement) -> str | None:
    """The name a byline element shows ("By Jane Doe" -> "Jane Doe"), if it is short."""
    if element.get("itemprop") == "author":
        named = element.find(".//*[@itemprop='name']")
        if named is not None:
            element = named
    text = _WS.sub(" ", element.text_content()).strip().strip("|·•,:-–— ")
    text = _BY_PREFIX.sub("", text).strip()
    if not (2 <= len(text) <= 60) or len(text.split()) > 5 or any(ch.isdigit() for ch in text):
        return None
    return text


def _jsonld_candidates(payload: str) -> Iterator[Evidence]:
    try:
        data = json.loads(payload)
    except ValueError:
        return
    for node in _jsonld_nodes(data):
        for key, signal in _JSONLD_FIELDS.items():
            for value in _strings(node.get(key)):
                yield Evidence(f"json-ld:{signal}", value)
        for key in _JSONLD_PEOPLE:
            for value in _names(node.get(key)):
                yield Evidence(f"json-ld:{key}", value)


def _jsonld_nodes(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Objects of a JSON-LD document that describe a page or an article (not people etc.)."""
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _jsonld_nodes(item, depth + 1)
    elif isinstance(data, dict):
        kinds = data.get("@type")
        kinds = " ".join(kinds) if isinstance(kinds, list) else str(kinds or "")
        if re.search(r"Article|Posting|WebPage|Report|NewsArticle", kinds):
            yield data
        if "@graph" in data:
            yield from _jsonld_nodes(data["@graph"], depth + 1)
        if isinstance(data.get("mainEntity"), dict | list):
            yield from _jsonld_nodes(data["mainEntity"], depth + 1)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str) and value.strip():
        yield value.strip()
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str) and item.strip():
                yield item.strip()


def _names(value: Any) -> Iterator[str]:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, dict):
            yield from _strings(item.get("name"))
        else:
            yield from _strings(item)


def _chosen(doc: Any) -> Iterator[Evidence]:
    """What trafilatura picked, as evidence next to the raw candidates."""
    for field in ("title", "author", "date", "sitename", "description", "url", "license"):
        value = getattr(doc, field, None)
        if value:
            yield Evidence(f"trafilatura:{field}", str(value)[:MAX_CANDIDATE_CHARS])


def _dedupe(evidence: Iterator[Evidence]) -> Iterator[Evidence]:
    seen: set[tuple[str, str]] = set()
    for item in evidence:
        value = _WS.sub(" ", item.value).strip()[:MAX_CANDIDATE_CHARS]
        if value and (item.signal, value) not in seen:
            seen.add((item.signal, value))
            yield Evidence(item.signal, value)


def _first(candidates: tuple[Evidence, ...], signal: str) -> str | None:
    return next((c.value for c in candidates if c.signal == signal), None)


#: Where each field is read from, best first (signals of ``_page_candidates``).
_TITLE_SIGNALS = (
    "json-ld:headline", "meta:og:title", "meta:twitter:title", "meta:citation_title", "meta:dc.title",
    "microdata:headline", "meta:headline", "meta:title",
)  # fmt: skip
_AUTHOR_SIGNALS = (
    "json-ld:author", "json-ld:creator", "meta:author", "meta:article:author", "meta:og:article:author",
    "meta:citation_author", "meta:dc.creator", "meta:dcterms.creator", "meta:parsely-author",
    "meta:sailthru.author", "meta:byl", "html:byline",
)  # fmt: skip
_DATE_SIGNALS = (
    "json-ld:datePublished", "meta:article:published_time", "meta:og:article:published_time",
    "microdata:datePublished", "meta:citation_publication_date", "meta:citation_date",
    "meta:dc.date.issued", "meta:dcterms.issued", "meta:dc.date", "meta:dcterms.date", "meta:date",
    "meta:pubdate", "meta:publishdate", "meta:publish-date", "meta:parsely-pub-date",
    "meta:sailthru.date", "html:time-pubdate", "json-ld:dateCreated", "url:date", "html:time",
    "html:date-text", "text:date",
)  # fmt: skip
_SITENAME_SIGNALS = (
    "meta:og:site_name", "json-ld:publisher", "meta:application-name", "meta:publisher",
    "meta:dc.publisher", "meta:citation_publisher",
)  # fmt: skip
_DESCRIPTION_SIGNALS = (
    "meta:og:description", "meta:description", "meta:twitter:description", "meta:dc.description",
    "json-ld:description",
)  # fmt: skip
_LANGUAGE_SIGNALS = ("html:lang", "meta:content-language", "meta:og:locale", "meta:language",
                     "meta:dc.language", "json-ld:inLanguage")  # fmt: skip
_CANONICAL_SIGNALS = ("link:canonical", "meta:og:url")
_TITLE_SEPARATOR = re.compile(r"\s+[|–—·•»:/-]{1,2}\s+")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})\b")
_AUTHOR_JOINERS = re.compile(r"\s*,\s*|\s+(?:and|und|et|y|i|e|&)\s+", re.IGNORECASE)


def page_metadata(candidates: Iterable[Evidence], url: str | None = None) -> dict[str, Any]:
    """Title, authors, date, ... chosen from the page's candidates, best signal first.

    >>> meta = page_metadata([Evidence("html:title", "Storm hits coast | The Courier"),
    ...                       Evidence("meta:article:published_time", "2024-03-05T08:30:00Z"),
    ...                       Evidence("html:byline", "Jane Doe and Omar Said")])
    >>> meta["title"], meta["date"], meta["authors"]
    ('Storm hits coast', '2024-03-05', ('Jane Doe', 'Omar Said'))
    """
    by_signal: dict[str, list[str]] = {}
    for item in candidates:
        by_signal.setdefault(item.signal, []).append(item.value)
    sitename = _pick(by_signal, _SITENAME_SIGNALS)
    canonical = _pick(by_signal, _CANONICAL_SIGNALS)
    if canonical and url:
        canonical = urljoin(url, canonical)
    where = canonical if canonical and canonical.startswith(("http://", "https://")) else url
    return {
        "title": _title(by_signal, sitename),
        "authors": _authors(by_signal),
        "date": _date(by_signal),
        "sitename": sitename,
        "hostname": _domain(where) if where else None,
        "description": _pick(by_signal, _DESCRIPTION_SIGNALS),
        "categories": tuple(
            by_signal.get("json-ld:articleSection", ()) or by_signal.get("meta:article:section", ())
        ),
        "tags": _tags(by_signal),
        "language": _pick(by_signal, _LANGUAGE_SIGNALS),
        "license": _pick(by_signal, ("html:license",)),
        "canonical_url": canonical,
    }


def _pick(by_signal: dict[str, list[str]], signals: tuple[str, ...]) -> str | None:
    return next((by_signal[s][0] for s in signals if s in by_signal), None)


def _title(by_signal: dict[str, list[str]], sitename: str | None) -> str | None:
    title = _pick(by_signal, _TITLE_SIGNALS)
    h1s = by_signal.get("html:h1", [])
    if title is None and len(h1s) == 1:
        title = h1s[0]
    title = title or _pick(by_signal, ("html:title",))
    if title is None:
        return None
    return _strip_site(title, sitename, h1s)


def _strip_site(title: str, sitename: str | None, h1s: list[str]) -> str:
    """Drop the site's name around a title: "Storm hits coast | The Courier" -> "Storm hits coast"."""
    seps = list(_TITLE_SEPARATOR.finditer(title))
    if not seps:
        return title
    head, tail = title[: seps[-1].start()].strip(), title[seps[-1].end() :].strip()
    lead, rest = title[: seps[0].start()].strip(), title[seps[0].end() :].strip()
    for h1 in h1s:
        if h1 in (head, rest):
            return h1
    site = (sitename or "").casefold()
    if site and (tail.casefold() in site or site in tail.casefold()):
        return head
    if site and (lead.casefold() in site or site in lead.casefold()):
        return rest
    return head if len(tail.split()) <= 3 else title


def _authors(by_signal: dict[str, list[str]]) -> tuple[str, ...]:
    for signal in _AUTHOR_SIGNALS:
        values = [v for v in by_signal.get(signal, ()) if "://" not in v and not v.startswith("@")]
        if values:
            names: list[str] = []
            for value in values if signal.startswith("json-ld") else values[:1]:
                names.extend(n for n in _split_authors(value) if n not in names)
            if names:
                return tuple(names)
    return ()


def _date(by_signal: dict[str, list[str]]) -> str | None:
    for signal in _DATE_SIGNALS:
        for value in by_signal.get(signal, ()):
            day = iso_day(value)
            if day:
                return day
    return None


def iso_day(value: str) -> str | None:
    """A declared date as ISO ``YYYY-MM-DD``, or None when it is not a date we can read.

    >>> iso_day("2024-03-05T08:30:00+00:00"), iso_day("05.03.2024"), iso_day("Tue, 05 Mar 2024 08:30:00 GMT")
    ('2024-03-05', '2024-03-05', '2024-03-05')
    """
    value = value.strip()
    match = _ISO_DATE.match(value)
    if match:
        day = match.group(0)
    elif match := _NUMERIC_DATE.match(value):
        day = f"{match.group(3)}-{int(match.group(2)):02d}-{int(match.group(1)):02d}"
    elif match := _COMPACT_DATE.match(value):
        day = "-".join(match.groups())
    else:
        try:
            return parsedate_to_datetime(value).date().isoformat()
        except (TypeError, ValueError, IndexError):
            return None
    try:
        return datetime.fromisoformat(day).date().isoformat()
    except ValueError:
        return None


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "januar january janvier enero gennaio janeiro stycznia jan jän",
            "februar february février fevrier febrero febbraio fevereiro lutego feb",
            "märz maerz march mars marzo março marca mar mär",
            "april avril abril aprile kwietnia apr",
            "mai may mayo maggio maio maja",
            "juni june juin junio giugno junho czerwca jun",
            "juli july juillet julio luglio julho lipca jul",
            "august août aout agosto sierpnia aug",
            "september septembre septiembre settembre setembro września wrzesnia sep sept",
            "oktober october octobre octubre ottobre outubro października pazdziernika oct okt",
            "november novembre noviembre novembro listopada nov",
            "dezember december décembre decembre diciembre dicembre dezembro grudnia dec dez",
        ),
        start=1,
    )
    for name in names.split()
}
_MONTH_WORD = r"([^\W\d_]{3,12})\.?"
_TEXT_DATES = (
    (re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?((?:19|20)\d{2})\b"), "dmy"),
    (re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b"), "ymd"),
    (re.compile(r"\b(\d{1,2})\.?\s(?:de\s)?" + _MONTH_WORD + r"\s(?:de\s)?((?:19|20)\d{2})\b"), "dMy"),
    (re.compile(r"\b" + _MONTH_WORD + r"\s(\d{1,2})(?:st|nd|rd|th)?,?\s((?:19|20)\d{2})\b"), "Mdy"),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})\b"), "dmy"),
)


def text_day(text: str) -> str | None:
    """The first date written in ``text`` (numeric or with a month name), as ``YYYY-MM-DD``.

    >>> text_day("Veröffentlicht am 24. Januar 2022, 10:00"), text_day("Posted March 5th, 2024")
    ('2022-01-24', '2024-03-05')
    """
    best: tuple[int, str] | None = None
    for pattern, order in _TEXT_DATES:
        match = pattern.search(text)
        if not match or (best is not None and match.start() >= best[0]):
            continue
        a, b, c = match.groups()
        if order == "ymd":
            year, month, day = a, b, c
        elif order == "dmy":
            day, month, year = a, b, c
        elif order == "dMy":
            day, month, year = a, str(_MONTHS.get(b.casefold(), 0)), c
        else:
            month, day, year = str(_MONTHS.get(a.casefold(), 0)), b, c
        try:
            found = datetime(int(year), int(month), int(day)).date().isoformat()
        except ValueError:
            continue
        best = (match.start(), found)
    return best[1] if best else None


def _tags(by_signal: dict[str, list[str]]) -> tuple[str, ...]:
    tags: list[str] = list(by_signal.get("meta:article:tag", ()))
    for signal in ("json-ld:keywords", "meta:news_keywords", "meta:keywords"):
        if tags:
            break
        for value in by_signal.get(signal, ()):
            tags.extend(t.strip() for t in value.split(",") if t.strip())
    return tuple(dict.fromkeys(tags))


def _split_authors(author: str | None, separators: str = ";") -> tuple[str, ...]:
    """Names in an author string: split on ";" and, when every piece is a name, on ","/"and"."""
    if not author:
        return ()
    names: list[str] = []
    for part in author.split(separators):
        part = _BY_PREFIX.sub("", _WS.sub(" ", part).strip())
        pieces = [p.strip() for p in _AUTHOR_JOINERS.split(part) if p.strip()]
        if separators == ";" and len(pieces) > 1 and all(len(p.split()) >= 2 for p in pieces):
            names.extend(pieces)
        elif part:
            names.append(part)
    return tuple(dict.fromkeys(names))


# --- flags --------------------------------------------------------------------------------

_BOILERPLATE_AUTHOR = re.compile(
    r"\b(admin|administrator|redaktion|editorial|staff|newsroom|webmaster|team|anonymous|"
    r"unknown|name|guest|facebook|twitter|share|follow|subscribe|abonnieren|kontakt|contact)\b",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PUBLISHED_SIGNALS = frozenset(
    {"json-ld:datePublished", "meta:article:published_time", "meta:og:article:published_time"}
)


def _flags(
    authors: tuple[str, ...],
    date: str | None,
    candidates: tuple[Evidence, ...],
    url: str | None,
    canonical: str | None,
) -> tuple[str, ...]:
    flags: list[str] = []
    if date and date[:10] > datetime.now(UTC).date().isoformat():
        flags.append("date_in_future")
    if date and _disagrees(date, candidates):
        flags.append("date_disagrees_with_published_metadata")
    if any(_author_looks_like_boilerplate(name) for name in authors):
        flags.append("author_looks_like_boilerplate")
    if url and canonical and _domain(url) != _domain(canonical):
        flags.append("canonical_on_other_domain")  # syndicated copy, or a misconfigured page
    return tuple(flags)


def _author_looks_like_boilerplate(name: str) -> bool:
    return (
        bool(_BOILERPLATE_AUTHOR.search(name))
        or "@" in name
        or "://" in name
        or len(name.split()) > 6
        or sum(ch.isdigit() for ch in name) >= 4
    )


def _disagrees(date: str, candidates: tuple[Evidence, ...]) -> bool:
    """The chosen date is more than a day (time zones) from every ISO published date."""
    published = [
        c.value[:10] for c in candidates if c.signal in _PUBLISHED_SIGNALS and _ISO_DATE.match(c.value)
    ]
    try:
        chosen = datetime.fromisoformat(date[:10])
        days = [abs((datetime.fromisoformat(p) - chosen).days) for p in published]
    except ValueError:
        return False
    return bool(days) and min(days) > 1
