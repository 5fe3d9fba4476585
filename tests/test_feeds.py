"""Feeds and sitemaps: parsing, discovery through the Fetcher, seen-state and conditional fetches.

Everything is served by a real HTTP server on 127.0.0.1; nothing reaches the internet.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import QuietHandler, local_server

from scrubline.ingest import (
    FetchConfig,
    Fetcher,
    FetchState,
    IngestReport,
    NotModified,
    Source,
    parse_feed,
    read_inputs,
    read_sources,
)
from scrubline.ingest.feeds import FeedError, discover, inflate

BASE = "https://news.example.org/feeds/main.xml"
RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>News</title>
<item><title>First</title><link>https://news.example.org/a</link>
  <pubDate>Tue, 05 Mar 2024 08:30:00 GMT</pubDate></item>
<item><title>Relative</title><link>/b</link></item>
<item><title>Guid only</title><guid isPermaLink="true">https://news.example.org/c</guid></item>
<item><title>Guid not a link</title><guid isPermaLink="false">tag:x,2024:1</guid></item>
<item><title>Duplicate</title><link>https://news.example.org/a</link></item>
<item><title>Mail</title><link>mailto:desk@example.org</link></item>
</channel></rss>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title>
<entry><title>One</title><link rel="alternate" type="text/html" href="https://blog.example.org/1"/>
  <link rel="edit" href="https://blog.example.org/edit/1"/><updated>2024-03-05T10:00:00Z</updated></entry>
<entry><title>Two</title><link href="/2"/><published>2024-03-06T10:00:00Z</published></entry>
</feed>"""
RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://old.example.org/"><title>Old</title></channel>
<item rdf:about="https://old.example.org/x"><title>X</title><link>https://old.example.org/x</link>
<dc:date>2004-01-02</dc:date></item></rdf:RDF>"""
JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "J",
        "items": [
            {"id": "1", "url": "https://j.example.org/1", "title": "One", "date_published": "2024-01-01"},
            {"id": "2", "external_url": "https://elsewhere.example.com/2"},
            {"id": "3", "content_text": "no url"},
        ],
    }
).encode()
SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://news.example.org/s1</loc><lastmod>2024-03-01</lastmod></url>
<url><loc> https://news.example.org/s2 </loc></url></urlset>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&secret;</title><link>https://x.example.org/1</link></item></channel></rss>"""


def test_rss_items_resolve_relative_links_and_permalink_guids() -> None:
    parsed = parse_feed(RSS, BASE)
    assert parsed.kind == "rss"
    assert [i.url for i in parsed.items] == [
        "https://news.example.org/a",
        "https://news.example.org/b",
        "https://news.example.org/c",
    ]
    assert parsed.items[0].title == "First"
    assert parsed.items[0].published == "Tue, 05 Mar 2024 08:30:00 GMT"
    assert parsed.items[0].found_in == BASE


@pytest.mark.parametrize(
    ("raw", "kind", "urls"),
    [
        (ATOM, "atom", ["https://blog.example.org/1", "https://news.example.org/2"]),
        (RDF, "rdf", ["https://old.example.org/x"]),
        (JSON_FEED, "jsonfeed", ["https://j.example.org/1", "https://elsewhere.example.com/2"]),
        (SITEMAP, "sitemap", ["https://news.example.org/s1", "https://news.example.org/s2"]),
    ],
)
def test_every_feed_format(raw: bytes, kind: str, urls: list[str]) -> None:
    parsed = parse_feed(raw, BASE)
    assert (parsed.kind, [i.url for i in parsed.items]) == (kind, urls)


def test_sitemap_index_lists_child_sitemaps() -> None:
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://news.example.org/sm-1.xml</loc></sitemap>
      <sitemap><loc>/sm-2.xml.gz</loc></sitemap></sitemapindex>"""
    parsed = parse_feed(index, BASE)
    assert parsed.items == ()
    assert parsed.sitemaps == ("https://news.example.org/sm-1.xml", "https://news.example.org/sm-2.xml.gz")


def test_external_entities_are_not_resolved() -> None:
    parsed = parse_feed(XXE, BASE)
    assert [i.url for i in parsed.items] == ["https://x.example.org/1"]
    assert "root:" not in (parsed.items[0].title or "")


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"<html><body><p>a page</p></body></html>", "root element <html>"),
        (b'{"items": []}', "not a JSON Feed"),
        (b"\x00\x01 not xml at all", "not XML"),
    ],
)
def test_documents_that_are_not_feeds(raw: bytes, fragment: str) -> None:
    with pytest.raises(FeedError, match=fragment):
        parse_feed(raw, BASE)


def test_gzip_is_inflated_under_a_cap() -> None:
    assert inflate(gzip.compress(SITEMAP), 10_000) == SITEMAP
    assert inflate(SITEMAP, 10) == SITEMAP  # not gzip: untouched
    with pytest.raises(FeedError, match="larger than 100 bytes"):
        inflate(gzip.compress(b"x" * 10_000), 100)


# --- through a real local server ------------------------------------------------------------

ARTICLE = b"<!DOCTYPE html><html><body><article><p>%s</p></article></body></html>"


class Handler(QuietHandler):
    hits: Counter[str] = Counter()
    ignore_validators = False
    default_type = "text/html"

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        Handler.hits[self.path] += 1
        host = f"http://{self.headers['Host']}"
        feed = RSS.replace(b"https://news.example.org", host.encode())
        index = (
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{host}/sitemap-1.xml</loc></sitemap>"
            f"<sitemap><loc>/sitemap-2.xml.gz</loc></sitemap></sitemapindex>"
        ).encode()
        sitemap_1 = f"<urlset><url><loc>{host}/a</loc></url></urlset>".encode()
        sitemap_2 = gzip.compress(f"<urlset><url><loc>{host}/d</loc></url></urlset>".encode())
        routes = {
            "/robots.txt": lambda: self.send(200, b"User-agent: *\nDisallow: /c\n", "text/plain"),
            "/feed.xml": lambda: self.send(200, feed, "application/rss+xml"),
            "/sitemap-index.xml": lambda: self.send(200, index, "application/xml"),
            "/sitemap-1.xml": lambda: self.send(200, sitemap_1, "application/xml"),
            "/sitemap-2.xml.gz": lambda: self.send(200, sitemap_2, "application/x-gzip"),
            "/not-a-feed": lambda: self.send(200, ARTICLE % b"just a page"),
            "/a": lambda: self.article(b"Article A"),
            "/b": lambda: self.article(b"Article B"),
            "/d": lambda: self.article(b"Article D"),
        }
        routes.get(self.path, lambda: self.send(404))()

    def article(self, text: str | bytes) -> None:
        etag = f'"{self.path[1:]}-v1"'
        if self.headers.get("If-None-Match") == etag and not Handler.ignore_validators:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send(200, ARTICLE % text, ETag=etag, Last_Modified="Tue, 05 Mar 2024 08:30:00 GMT")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with local_server(Handler) as url:
        yield url


@pytest.fixture
def fetcher() -> Fetcher:
    return Fetcher(FetchConfig(allow_private=True, politeness_s=0.0, backoff_s=0.01, timeout_s=5.0))


def test_feed_articles_are_fetched_and_robots_still_applies(server: str, fetcher: Fetcher) -> None:
    report = IngestReport()
    source = Source(kind="feed", url=f"{server}/feed.xml", outlet="courier", language="en")
    captures, rejects = read_sources([source], fetcher=fetcher, report=report)
    assert [c.source_uri for c in captures] == [f"{server}/a", f"{server}/b"]
    assert captures[0].raw == ARTICLE % b"Article A"
    assert {(c.outlet_hint, c.language_hint) for c in captures} == {("courier", "en")}
    # /c is listed by the feed but disallowed by robots.txt: a Reject, not a silent drop
    assert [(r.source_uri, r.error_class) for r in rejects] == [(f"{server}/c", "RobotsDisallowed")]
    assert report.discovered == 3


def test_seen_article_urls_are_skipped_and_counted(server: str, fetcher: Fetcher) -> None:
    before = Handler.hits["/a"]
    seen = {f"{server}/a": FetchState(f"{server}/a", etag='"a-v1"')}
    report = IngestReport()
    captures, _ = read_sources([Source(kind="feed", url=f"{server}/feed.xml")], fetcher=fetcher,
                               seen=seen, report=report)  # fmt: skip
    assert [c.source_uri for c in captures] == [f"{server}/b"]
    assert Handler.hits["/a"] == before  # not even asked for
    assert report.skipped == Counter({"seen": 1})
    assert report.examples["seen"] == [f"{server}/a"]
    assert report.counts() == {"unchanged": 0, "discovered": 3, "skipped:seen": 1}


def test_sitemap_index_with_gzipped_child(server: str, fetcher: Fetcher) -> None:
    items, rejects = discover(f"{server}/sitemap-index.xml", fetcher)
    assert rejects == []
    assert [(i.url, i.found_in) for i in items] == [
        (f"{server}/a", f"{server}/sitemap-1.xml"),
        (f"{server}/d", f"{server}/sitemap-2.xml.gz"),
    ]
    captures, _ = read_sources([Source(kind="sitemap", url=f"{server}/sitemap-index.xml")], fetcher=fetcher)
    assert [c.raw for c in captures] == [ARTICLE % b"Article A", ARTICLE % b"Article D"]


def test_feed_that_is_not_a_feed_or_missing_is_a_reject(server: str, fetcher: Fetcher) -> None:
    sources = [Source(kind="feed", url=f"{server}/not-a-feed"), Source(kind="sitemap", url=f"{server}/gone")]
    captures, rejects = read_sources(sources, fetcher=fetcher)
    assert captures == []
    assert [(r.stage, r.error_class) for r in rejects] == [("discover", "FeedError"), ("fetch", "HTTPError")]
    assert "root element <html>" in rejects[0].message


def test_url_source_is_fetched_conditionally(server: str, fetcher: Fetcher) -> None:
    url = f"{server}/a"
    first, _ = read_sources([Source(kind="url", url=url)], fetcher=fetcher)
    state = FetchState.of(first[0])
    assert state == FetchState(url, '"a-v1"', "Tue, 05 Mar 2024 08:30:00 GMT", first[0].capture_id)
    report = IngestReport()
    again, rejects = read_sources([Source(kind="url", url=url)], fetcher=fetcher, seen={url: state},
                                  report=report)  # fmt: skip
    assert (again, rejects) == ([], [])
    assert report.not_modified == [NotModified(url, '"a-v1"', None)]
    assert report.counts()["unchanged"] == 1


def test_same_bytes_without_304_are_unchanged_too(server: str, fetcher: Fetcher) -> None:
    url = f"{server}/b"
    first, _ = read_sources([Source(kind="url", url=url)], fetcher=fetcher)
    Handler.ignore_validators = True
    try:
        report = IngestReport()
        again, _ = read_sources([Source(kind="url", url=url)], fetcher=fetcher,
                                seen={url: FetchState.of(first[0])}, report=report)  # fmt: skip
    finally:
        Handler.ignore_validators = False
    assert again == []
    assert [n.url for n in report.not_modified] == [url]
    # a changed capture id (the page changed) makes a new capture
    changed = FetchState(url, etag='"old"', capture_id="0" * 64)
    newer, _ = read_sources([Source(kind="url", url=url)], fetcher=fetcher, seen={url: changed})
    assert [c.source_uri for c in newer] == [url]


def test_read_inputs_takes_urls_and_sources_manifests(server: str, tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_text(
        f"- {{kind: feed, url: '{server}/feed.xml', outlet: courier}}\n- {{kind: url, url: '{server}/d'}}\n"
        f"- {{kind: url, url: '{server}/a', schedule: weekly}}\n",
        encoding="utf-8",
    )
    config = FetchConfig(allow_private=True, politeness_s=0.0, timeout_s=5.0)
    report = IngestReport()
    captures, rejects = read_inputs([f"{server}/b", tmp_path / "sources.yaml"], fetch_config=config,
                                    report=report)  # fmt: skip
    # no schedule given: every source; the URL argument first, then the manifest in order
    assert [c.source_uri for c in captures] == [f"{server}/{p}" for p in ("b", "a", "b", "d", "a")]
    assert [r.error_class for r in rejects] == ["RobotsDisallowed"]
    weekly, _ = read_inputs([tmp_path / "sources.yaml"], schedule="weekly", fetch_config=config)
    assert [c.source_uri for c in weekly] == [f"{server}/a"]
    (tmp_path / "broken.yaml").write_text("- {kind: nope}\n", encoding="utf-8")
    _, rejects = read_inputs([tmp_path / "broken.yaml"], fetch_config=config)
    assert [(r.source_uri, r.error_class) for r in rejects] == [(f"local:{tmp_path.name}/broken.yaml",
                                                                  "ManifestError")]  # fmt: skip


def test_private_addresses_stay_refused_for_feed_articles(server: str) -> None:
    strict = Fetcher(FetchConfig(politeness_s=0.0))
    captures, rejects = read_sources([Source(kind="feed", url=f"{server}/feed.xml")], fetcher=strict)
    assert captures == []
    assert [r.error_class for r in rejects] == ["PrivateAddress"]


class LoopingSitemap(QuietHandler):
    """A sitemap index that lists itself under 60 new query strings every time (a crawler trap)."""

    hits: Counter[str] = Counter()

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        LoopingSitemap.hits[self.path.split("?", 1)[0]] += 1
        n = int(self.path.rsplit("=", 1)[1]) if "=" in self.path else 0
        children = "".join(
            f"<sitemap><loc>/sitemap.xml?page={60 * n + k}</loc></sitemap>" for k in range(1, 61)
        )
        body = (
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{children}<sitemap><loc>/sitemap.xml</loc></sitemap></sitemapindex>"
        )
        self.send(200, body.encode(), "application/xml")


def test_sitemap_linking_to_itself_under_new_queries_is_cut_off_cheaply() -> None:
    with local_server(LoopingSitemap) as url:
        fetcher = Fetcher(FetchConfig(allow_private=True, politeness_s=0, respect_robots=False))
        items, rejects = discover(f"{url}/sitemap.xml", fetcher)
    assert items == []
    assert LoopingSitemap.hits["/sitemap.xml"] == 3  # max_per_path, not max_sitemaps (50)
    assert [r.error_class for r in rejects] == ["SitemapLoop"]
