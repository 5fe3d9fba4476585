"""HTML -> main text, metadata and in-content links. The only trafilatura import.

One trafilatura pass per page: ``bare_extraction`` with metadata, links *off*. The text is
byte-identical to plain ``trafilatura.extract(html, include_comments=False)`` (turning
trafilatura's ``include_links`` on changes what it keeps: on the trafilatura-dev set it kept
~900 more words, mostly navigation such as "Über uns", "NEXT ARTICLE", at no F1 gain).

Links are recovered from the parsed page instead: an ``<a href>`` is an in-content link when
the paragraph-level block around it (``p``, ``li``, ``td``, headings, ...) survived into the
extracted text. Blocks shorter than ``MIN_LOOSE_BLOCK`` characters must match a whole output
line, so a nav item "Home" does not match inside "Homeland".

Metadata: trafilatura's choices fill the fields; every candidate value seen on the page
(JSON-LD, ``<meta>``, ``<title>``, canonical link, ``<html lang>``) is kept as ``Evidence``
so later stages can explain or overrule a choice.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.settings import Extractor, set_date_params, use_config
from trafilatura.utils import load_html

from scrubline.records import Evidence, Link, Rejected
from scrubline.urls import canonicalize, registered_domain

#: Goes into provenance: which extractor produced the text.
EXTRACTOR_ID = f"trafilatura-{trafilatura.__version__}"
#: Blocks shorter than this must equal a whole output line to count as in-content.
MIN_LOOSE_BLOCK = 40
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
    """

    focus: Literal["balanced", "precision", "recall"] = "balanced"
    include_tables: bool = True
    include_comments: bool = False
    fast: bool = False  # skip trafilatura's fallback extractors (F1 0.917, faster)
    extensive_date_search: bool = True  # htmldate's slower, broader date search
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
            with_metadata=True,
            date_params=set_date_params(self.extensive_date_search),
        )


DEFAULT_CONFIG = ExtractConfig()


@dataclass(frozen=True, slots=True)
class Extracted:
    """Main text and metadata of one HTML page."""

    text: str  # one block per line: paragraphs, headings and list items on their own lines
    title: str | None = None
    authors: tuple[str, ...] = ()
    date: str | None = None  # ISO date as trafilatura/htmldate found it
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


@lru_cache(maxsize=8)
def _settings(settings_file: str | None) -> Any:
    return use_config(settings_file)


def extract_html(html: str, url: str | None = None, *, config: ExtractConfig = DEFAULT_CONFIG) -> Extracted:
    """Main text, metadata, links and metadata evidence of one HTML page.

    Raises ``Rejected("extract", ...)`` when the page cannot be parsed or has no main text.
    """
    tree = load_html(html)
    if tree is None:
        raise Rejected("extract", "not parseable as HTML")
    try:
        doc = bare_extraction(tree, options=config.extractor(url))
    except Exception as exc:  # a trafilatura/lxml failure on one page is a reject, not a crash
        raise Rejected("extract", f"trafilatura failed: {type(exc).__name__}: {exc}") from exc
    text = unicodedata.normalize("NFC", (doc.text or "").strip()) if doc is not None else ""
    if not text:
        raise Rejected("extract", "no main text found")
    candidates = tuple(_dedupe(_page_candidates(tree)))
    authors = _split_authors(doc.author)
    date = doc.date
    return Extracted(
        text=text,
        title=doc.title,
        authors=authors,
        date=date,
        sitename=doc.sitename,
        hostname=doc.hostname,
        description=doc.description,
        categories=tuple(doc.categories or ()),
        tags=tuple(doc.tags or ()),
        language=doc.language or _first(candidates, "html:lang"),
        license=doc.license,
        canonical_url=doc.url,
        links=content_links(tree, text, _base_url(tree, url or doc.url)),
        metadata_candidates=candidates + tuple(_chosen(doc)),
        flags=_flags(authors, date, candidates, url, doc.url),
    )


# --- links ------------------------------------------------------------------------------


def content_links(tree: HtmlElement, text: str, base_url: str | None = None) -> tuple[Link, ...]:
    """Links whose surrounding block made it into ``text``, in text order."""
    flat = _norm(text)
    lines = _line_units(text)
    found: list[tuple[int, int, str, str]] = []
    block_texts: dict[HtmlElement, str] = {}
    for order, anchor_el in enumerate(tree.iter("a")):
        href = (anchor_el.get("href") or "").strip()
        anchor = _norm(anchor_el.text_content())
        if not href or not anchor or href.lower().startswith(_SKIP_HREF) or anchor not in flat:
            continue
        block_el = _block_of(anchor_el)
        block = block_texts.get(block_el)
        if block is None:
            block = block_texts[block_el] = _norm(block_el.text_content())
        if len(block) < MIN_LOOSE_BLOCK and block not in lines:
            continue
        start = flat.find(block)
        if start < 0:
            continue
        at = flat.find(anchor, start)
        found.append((at if at >= 0 else start, order, urljoin(base_url or "", href), anchor))
    found.sort()
    unique = {(at, url): anchor for at, _, url, anchor in found}  # an image link + its title
    return tuple(
        Link(url, anchor, position, canonicalize(url), _domain(url))
        for position, ((_, url), anchor) in enumerate(unique.items())
    )


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


def _base_url(tree: HtmlElement, url: str | None) -> str | None:
    base = tree.find(".//base[@href]")
    href = base.get("href").strip() if base is not None else ""
    return urljoin(url or "", href) if href else url


def _domain(url: str) -> str | None:
    return registered_domain(url) if urlsplit(url).scheme in ("http", "https") else None


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", _WS.sub(" ", text).strip())


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
    "datePublished": "datePublished",
    "dateModified": "dateModified",
    "articleSection": "articleSection",
    "keywords": "keywords",
    "inLanguage": "inLanguage",
    "url": "url",
}
_JSONLD_PEOPLE = ("author", "creator", "publisher")


def _page_candidates(tree: HtmlElement) -> Iterator[Evidence]:
    title = tree.findtext(".//title")
    if title and title.strip():
        yield Evidence("html:title", title.strip())
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang:
        yield Evidence("html:lang", lang.strip())
    for link in tree.iterfind(".//link[@rel]"):
        if "canonical" in link.get("rel", "").lower().split() and link.get("href"):
            yield Evidence("link:canonical", link.get("href").strip())
    for meta in tree.iterfind(".//meta[@content]"):
        key = (meta.get("name") or meta.get("property") or meta.get("http-equiv") or "").lower()
        if key.strip() in _META_KEYS and meta.get("content", "").strip():
            yield Evidence(f"meta:{key.strip()}", meta.get("content").strip())
    for script in tree.iterfind(".//script[@type]"):
        if script.get("type", "").strip().lower() == "application/ld+json" and script.text:
            yield from _jsonld_candidates(script.text)


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


def _split_authors(author: str | None) -> tuple[str, ...]:
    if not author:
        return ()
    return tuple(name.strip() for name in author.split(";") if name.strip())


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
