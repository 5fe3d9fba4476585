"""Metadata candidates: every value the page declares, kept as ``Evidence``."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlsplit

from scrubline.dates import _URL_DATE, text_day
from scrubline.markup import CompiledXPath, HtmlElement, compile_xpath
from scrubline.patternset import AVAILABLE as HYPERSCAN
from scrubline.patternset import PatternSet
from scrubline.records import Evidence

from .tree import _WS

#: Longest metadata candidate value kept (JSON-LD descriptions can be whole articles).
MAX_CANDIDATE_CHARS = 500

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
def _signal_xpath(hints: frozenset[int]) -> CompiledXPath | None:
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
    return compile_xpath(" | ".join(branches)) if branches else None


@lru_cache(maxsize=1)
def _hint_patterns() -> PatternSet:
    return PatternSet([p.encode("ascii") for p in _HINT_PATTERNS], flags=("SINGLEMATCH",))


def _signal_hints(data: bytes | None) -> frozenset[int]:
    """Which signal branches can match the page whose UTF-8 bytes are ``data`` (all of them
    when the bytes or hyperscan are missing)."""
    if data is None or not HYPERSCAN:
        return ALL_SIGNALS
    return frozenset(_hint_patterns().ids(data))


_BYLINE_CLASS = re.compile(r"author|byline", re.IGNORECASE)
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


def _dedupe(evidence: Iterator[Evidence]) -> Iterator[Evidence]:
    seen: set[tuple[str, str]] = set()
    for item in evidence:
        value = _WS.sub(" ", item.value).strip()[:MAX_CANDIDATE_CHARS]
        if value and (item.signal, value) not in seen:
            seen.add((item.signal, value))
            yield Evidence(item.signal, value)
