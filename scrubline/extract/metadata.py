"""Metadata choice: title, authors, date, ... from the candidates, best signal first; flags."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrubline.dates import _ISO_DATE, iso_day
from scrubline.records import Evidence
from scrubline.urls import registered_domain

from .candidates import _BY_PREFIX, MAX_CANDIDATE_CHARS
from .tree import _WS

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


def _chosen(doc: Any) -> Iterator[Evidence]:
    """What trafilatura picked, as evidence next to the raw candidates."""
    for field in ("title", "author", "date", "sitename", "description", "url", "license"):
        value = getattr(doc, field, None)
        if value:
            yield Evidence(f"trafilatura:{field}", str(value)[:MAX_CANDIDATE_CHARS])


def _domain(url: str) -> str | None:
    return registered_domain(url) if urlsplit(url).scheme in ("http", "https") else None


# --- flags --------------------------------------------------------------------------------

_BOILERPLATE_AUTHOR = re.compile(
    r"\b(admin|administrator|redaktion|editorial|staff|newsroom|webmaster|team|anonymous|"
    r"unknown|name|guest|facebook|twitter|share|follow|subscribe|abonnieren|kontakt|contact)\b",
    re.IGNORECASE,
)
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
