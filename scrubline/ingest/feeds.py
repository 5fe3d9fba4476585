"""Feeds and sitemaps -> article URLs, fetched only through our ``Fetcher``.

``parse_feed(raw, base_url)`` reads one fetched document: RSS 2.0, RSS 1.0 (RDF), Atom,
JSON Feed, an XML sitemap (``urlset``) or a sitemap index (``sitemapindex``); gzip-compressed
bodies (``sitemap.xml.gz``) are inflated under a size cap. ``discover(url, fetcher)`` fetches a
feed or sitemap and follows sitemap indexes (bounded depth and count), so robots.txt,
politeness, size caps and the private-address rule apply to every request.

A sitemap index that lists itself, or one path under ever new query strings (``?page=1``,
``?page=2``, ... a trap costing ``politeness_s`` per document), is cut off cheaply: children are
deduplicated by canonical URL (``scrubline.urls.canonicalize``) and at most
``max_per_path`` (3) query variants of one scheme/host/path are followed; the rest is one
``Reject(error_class="SitemapLoop")``.

Why not feedparser (issue #16), measured 2026-12-02 (best of 3, shared 2-core box): a
1,000-item RSS 2.0 feed parses in 30 ms here and 158 ms with feedparser 6.0.14, a 1,000-entry
Atom feed in 17 ms vs 148 ms; the same article URLs in the same order. feedparser is 5-9x
slower and reads no sitemaps (this module must anyway): not taken. trafilatura's feeds
module fetches by itself (outside our Fetcher's robots/politeness/address policy): not taken.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from scrubline.ingest.codec import DecodeError, decode_all
from scrubline.ingest.http import FEED_TYPES, Fetcher, NotModified
from scrubline.ingest.limits import LimitExceeded
from scrubline.markup import XmlElement, local_name, parse_xml
from scrubline.records import Capture, Reject
from scrubline.urls import canonicalize

STAGE = "discover"
#: Sitemap index nesting followed at most (index -> index -> sitemap).
MAX_DEPTH = 3


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One article URL a feed or sitemap lists."""

    url: str
    title: str | None = None
    published: str | None = None  # pubDate / updated / lastmod as written
    found_in: str = ""  # the feed or sitemap URL


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one feed/sitemap document lists: articles, and (for an index) child sitemaps."""

    kind: str  # rss | rdf | atom | jsonfeed | sitemap | sitemapindex
    items: tuple[FeedItem, ...] = ()
    sitemaps: tuple[str, ...] = ()


class FeedError(ValueError):
    """A document that is not a feed or sitemap we can read."""


def inflate(raw: bytes, limit: int) -> bytes:
    """``raw`` itself, or its gzip-decompressed content when it is gzip (capped at ``limit``)."""
    if not raw.startswith(b"\x1f\x8b"):
        return raw
    try:
        return decode_all(raw, "gzip", max_bytes=limit)
    except DecodeError as exc:
        raise FeedError(f"corrupt gzip: {exc}") from None
    except LimitExceeded as exc:
        raise FeedError(f"gzip content larger than {limit} bytes or a bomb ({exc.message})") from None


def parse_feed(raw: bytes, base_url: str) -> Parsed:
    """Articles (and child sitemaps) listed by one feed or sitemap document.

    >>> rss = b'<rss><channel><item><title>A</title><link>/a</link></item></channel></rss>'
    >>> parse_feed(rss, "https://ex.org/feed").items[0].url
    'https://ex.org/a'
    """
    text = raw.lstrip()
    if text.startswith(b"{"):
        return _json_feed(raw, base_url)
    try:
        root = parse_xml(raw)
    except ValueError as exc:  # markup.XmlError among them
        raise FeedError(f"not XML: {exc}") from None
    if root is None:
        raise FeedError("not XML: empty document")
    kind = local_name(root).lower()
    if kind in ("rss", "rdf"):
        items = [_rss_item(item, base_url) for item in root.iter("{*}item")]
    elif kind == "feed":
        kind, items = "atom", [_atom_entry(entry, base_url) for entry in root.iter("{*}entry")]
    elif kind == "urlset":
        kind, items = "sitemap", [_sitemap_url(url, base_url) for url in root.iter("{*}url")]
    elif kind == "sitemapindex":
        children = (_text(sm, "loc") for sm in root.iter("{*}sitemap"))
        return Parsed(kind, sitemaps=tuple(_unique(urljoin(base_url, c) for c in children if c)))
    else:
        raise FeedError(f"not a feed or sitemap: root element <{kind}>")
    return Parsed(kind, tuple(_unique_items(item for item in items if item is not None)))


def _text(element: XmlElement, name: str) -> str | None:
    child = element.find(f"{{*}}{name}")  # any namespace or none
    value = (child.text or "").strip() if child is not None else ""
    return value or None


def _rss_item(item: XmlElement, base: str) -> FeedItem | None:
    link = _text(item, "link")
    guid = item.find("{*}guid")
    if not link and guid is not None and guid.get("isPermaLink", "true").lower() == "true":
        link = (guid.text or "").strip() or None
    if not link:
        link = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    published = _text(item, "pubDate") or _text(item, "date") or _text(item, "published")
    return _item(link, _text(item, "title"), published, base)


def _atom_entry(entry: XmlElement, base: str) -> FeedItem | None:
    href = None
    for link in entry.iter("{*}link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            href = link.get("href")
            break
    published = _text(entry, "published") or _text(entry, "updated")
    return _item(href, _text(entry, "title"), published, base)


def _sitemap_url(url: XmlElement, base: str) -> FeedItem | None:
    return _item(_text(url, "loc"), None, _text(url, "lastmod"), base)


def _json_feed(raw: bytes, base: str) -> Parsed:
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise FeedError(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith("https://jsonfeed.org/"):
        raise FeedError("JSON document is not a JSON Feed (no jsonfeed.org version)")
    items = []
    for entry in data.get("items") or []:
        if isinstance(entry, dict):
            link = entry.get("url") or entry.get("external_url")
            title, published = entry.get("title"), entry.get("date_published")
            items.append(_item(link if isinstance(link, str) else None, title, published, base))
    return Parsed("jsonfeed", tuple(_unique_items(item for item in items if item is not None)))


def _item(link: str | None, title: object, published: object, base: str) -> FeedItem | None:
    if not link or not link.strip():
        return None
    url = urljoin(base, link.strip())
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return FeedItem(
        url,
        title.strip() if isinstance(title, str) and title.strip() else None,
        published.strip() if isinstance(published, str) and published.strip() else None,
        base,
    )


def _unique(urls: Iterator[str]) -> Iterator[str]:
    seen: set[str] = set()
    for url in urls:
        if url not in seen:
            seen.add(url)
            yield url


def _unique_items(items: Iterator[FeedItem]) -> Iterator[FeedItem]:
    seen: set[str] = set()
    for item in items:
        if item.url not in seen:
            seen.add(item.url)
            yield item


def discover(
    url: str, fetcher: Fetcher, *, max_items: int = 1000, max_sitemaps: int = 50, max_per_path: int = 3
) -> tuple[list[FeedItem], list[Reject]]:
    """Article URLs a feed or sitemap (index) at ``url`` lists, fetched through ``fetcher``.

    At most ``max_items`` articles and ``max_sitemaps`` documents; a document that cannot be
    fetched or read is a Reject (stage ``fetch`` or ``discover``), the others still count.
    """
    items: list[FeedItem] = []
    rejects: list[Reject] = []
    queue: list[tuple[str, int]] = [(url, 0)]
    fetched: set[str] = set()
    per_path: dict[str, int] = {}
    looped = False
    while queue and len(items) < max_items:
        current, depth = queue.pop(0)
        key = canonicalize(current) or current
        if key in fetched:
            continue
        parts = urlsplit(key)
        path_key = f"{parts.scheme}://{parts.netloc}{parts.path}"
        if per_path.get(path_key, 0) >= max_per_path:
            if not looped:
                message = f"more than {max_per_path} query variants of {path_key}: not followed"
                rejects.append(Reject(current, STAGE, "SitemapLoop", message))
                looped = True
            continue
        per_path[path_key] = per_path.get(path_key, 0) + 1
        if len(fetched) >= max_sitemaps:
            message = f"stopped after {max_sitemaps} feed/sitemap documents"
            rejects.append(Reject(current, STAGE, "TooManySitemaps", message))
            break
        fetched.add(key)
        result = fetcher.fetch(current, extra_types=FEED_TYPES)
        if isinstance(result, Reject):
            rejects.append(result)
            continue
        if isinstance(result, NotModified):  # not asked conditionally; nothing to list
            continue
        try:
            parsed = parse_feed(inflate(result.raw, fetcher.config.max_bytes), current)
        except FeedError as exc:
            rejects.append(_reject(result, str(exc)))
            continue
        items.extend(parsed.items[: max_items - len(items)])
        if parsed.sitemaps and depth + 1 >= MAX_DEPTH:
            rejects.append(_reject(result, f"sitemap index nested deeper than {MAX_DEPTH}"))
            continue
        queue.extend((child, depth + 1) for child in parsed.sitemaps)
    return items, rejects


def _reject(capture: Capture, message: str) -> Reject:
    return Reject(capture.source_uri, STAGE, "FeedError", message, capture.capture_id)
