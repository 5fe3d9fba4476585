"""Fetcher against a real HTTP server on 127.0.0.1 (no mocks, no internet)."""

from __future__ import annotations

import contextlib
import gzip
import time
import zlib
from collections import Counter
from collections.abc import Iterator

import brotli
import pytest
from helpers import QuietHandler, local_server

from scrubline.ingest.http import FINAL_URL_HEADER, FetchConfig, Fetcher, NotModified
from scrubline.records import Capture, Reject

PAGE = b"<!DOCTYPE html><html><body><p>Hello from the test server.</p></body></html>"
ETAG = '"v1"'
LAST_MODIFIED = "Tue, 05 Mar 2024 08:30:00 GMT"


class Handler(QuietHandler):
    hits: Counter[str] = Counter()

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        Handler.hits[self.path] += 1
        routes = {
            "/robots.txt": lambda: self.send(200, b"User-agent: *\nDisallow: /private\n", "text/plain"),
            "/page": self.page,
            "/redirect": lambda: self.send(302, Location="/page"),
            "/loop": lambda: self.send(302, Location="/loop"),
            "/to-private": lambda: self.send(301, Location="/private/x"),
            "/missing": lambda: self.send(404, b"not here"),
            "/slow": self.slow,
            "/big": lambda: self.send(200, b"x" * 50_000),
            "/big-undeclared": self.big_undeclared,
            "/file.pdf": lambda: self.send(200, b"%PDF-1.7", "application/pdf"),
            "/flaky": self.flaky,
            "/down": lambda: self.send(503),
            "/private/x": lambda: self.send(200, PAGE),
        }
        routes.get(self.path, lambda: self.send(404))()

    def page(self) -> None:
        if self.headers.get("If-None-Match") == ETAG:
            self.send_response(304)
            self.send_header("ETag", ETAG)
            self.end_headers()
            return
        self.send(200, PAGE, ETag=ETAG, Last_Modified=LAST_MODIFIED)

    def slow(self) -> None:
        time.sleep(1.0)
        with contextlib.suppress(BrokenPipeError):  # the client gave up, as intended
            self.send(200, PAGE)

    def big_undeclared(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()  # no Content-Length: the cap must hold while reading
        self.wfile.write(b"y" * 50_000)

    def flaky(self) -> None:
        if Handler.hits[self.path] == 1:
            self.send(503)
        else:
            self.send(200, PAGE)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with local_server(Handler) as url:
        yield url


def fetcher(**overrides: object) -> Fetcher:
    settings = {"allow_private": True, "politeness_s": 0.0, "backoff_s": 0.01, "timeout_s": 5.0}
    return Fetcher(FetchConfig(**(settings | overrides)))


def test_page_becomes_a_capture(server: str) -> None:
    result = fetcher().fetch(f"{server}/page", source_id="p1")
    assert isinstance(result, Capture)
    assert result.raw == PAGE
    assert result.http_status == 200
    assert result.content_type == "text/html; charset=utf-8"
    assert result.http_headers["etag"] == ETAG
    assert result.source_id == "p1"


def test_conditional_request_answers_not_modified(server: str) -> None:
    result = fetcher().fetch(f"{server}/page", etag=ETAG, last_modified=LAST_MODIFIED)
    assert result == NotModified(f"{server}/page", ETAG, None)


def test_redirect_is_followed_and_recorded(server: str) -> None:
    result = fetcher().fetch(f"{server}/redirect")
    assert isinstance(result, Capture)
    assert result.source_uri == f"{server}/redirect"
    assert result.http_headers[FINAL_URL_HEADER] == f"{server}/page"


@pytest.mark.parametrize(
    ("path", "error_class", "fragment"),
    [
        ("/loop", "TooManyRedirects", "more than 3 redirects"),
        ("/missing", "HTTPError", "HTTP 404"),
        ("/big", "TooLarge", "limit is 10000"),
        ("/big-undeclared", "TooLarge", "more than 10000 bytes"),
        ("/file.pdf", "UnsupportedContentType", "application/pdf"),
        ("/private/x", "RobotsDisallowed", "robots.txt disallows"),
        ("/to-private", "RobotsDisallowed", "redirect target"),
        ("/down", "HTTPError", "HTTP 503"),
    ],
)
def test_bad_answers_are_rejects(server: str, path: str, error_class: str, fragment: str) -> None:
    result = fetcher(max_redirects=3, max_bytes=10_000).fetch(server + path)
    assert isinstance(result, Reject)
    assert (result.stage, result.error_class) == ("fetch", error_class)
    assert fragment in result.message


def test_slow_page_times_out(server: str) -> None:
    result = fetcher(timeout_s=0.2, retries=0).fetch(f"{server}/slow")
    assert isinstance(result, Reject)
    assert result.error_class == "NetworkError"


def test_transient_failure_is_retried(server: str) -> None:
    result = fetcher(retries=2).fetch(f"{server}/flaky")
    assert isinstance(result, Capture)
    assert Handler.hits["/flaky"] == 2


def test_robots_can_be_ignored_by_configuration(server: str) -> None:
    assert isinstance(fetcher(respect_robots=False).fetch(f"{server}/private/x"), Capture)


def test_private_addresses_and_other_schemes_are_refused(server: str) -> None:
    strict = Fetcher(FetchConfig(politeness_s=0.0))
    loopback = strict.fetch(f"{server}/page")
    assert isinstance(loopback, Reject) and loopback.error_class == "PrivateAddress"
    for url in ("file:///etc/passwd", "ftp://example.org/x", "http:///nohost"):
        result = strict.fetch(url)
        assert isinstance(result, Reject) and result.error_class == "UnsupportedURL"


def test_politeness_delay_between_requests_to_one_host(server: str) -> None:
    naps: list[float] = []
    polite = Fetcher(FetchConfig(allow_private=True, politeness_s=5.0), sleep=naps.append)
    polite.fetch(f"{server}/page")
    polite.fetch(f"{server}/page")
    assert naps and all(0 < nap <= 5.0 for nap in naps)


# --- hostile servers (#18): every protocol failure is a Reject, nothing hangs or floods -------

BOMB = gzip.compress(b"\0" * 30_000_000)


class Hostile(QuietHandler):
    hits: Counter[str] = Counter()

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        Hostile.hits[self.path] += 1
        raw = {
            "/bad-status": b"HTTP/1.1 abc nonsense\r\n\r\n",
            "/many-headers": b"HTTP/1.1 200 OK\r\n"
            + b"".join(b"X-H%d: v\r\n" % i for i in range(150))
            + b"\r\n",
            "/long-header": b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n",
            "/truncated-chunked": b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n40\r\nshort",
            "/short-body": b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 500\r\n\r\n"
            + PAGE[:40],
            "/bad-redirect": b"HTTP/1.1 302 Found\r\nLocation: http://[::1\r\nContent-Length: 0\r\n\r\n",
        }.get(self.path)
        if raw is not None:
            with contextlib.suppress(OSError):
                self.wfile.write(raw)
            return
        encoded = {
            "/gzip": ("gzip", gzip.compress(PAGE)),
            "/deflate": ("deflate", zlib.compress(PAGE)),
            "/br": ("br", brotli.compress(PAGE)),
            "/bomb": ("gzip", BOMB),
        }
        if self.path in encoded:
            encoding, body = encoded[self.path]
            self.send(200, body, Content_Encoding=encoding)
        elif self.path == "/host":
            self.send(200, self.headers.get("Host", "").encode(), "text/plain")
        elif self.path in ("/trickle-body", "/trickle-headers"):
            self.trickle(self.path.endswith("headers"))
        else:
            self.send(404)

    def trickle(self, headers: bool) -> None:
        data = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"s" * 100 if headers else None
        with contextlib.suppress(OSError):
            if data is None:
                self.wfile.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n"
                )
                data = b"x" * 1000
            for byte in data:  # one byte every 50 ms: each read is quick, the whole is not
                self.wfile.write(bytes([byte]))
                time.sleep(0.05)


@pytest.fixture(scope="module")
def hostile() -> Iterator[str]:
    with local_server(Hostile) as url:
        yield url


@pytest.mark.parametrize(
    ("path", "error_class"),
    [
        ("/bad-status", "ProtocolError"),
        ("/many-headers", "TooManyHeaders"),
        ("/long-header", "ProtocolError"),
        ("/truncated-chunked", "ProtocolError"),
        ("/short-body", "ProtocolError"),  # fewer bytes than Content-Length: never a capture
        ("/bad-redirect", "ProtocolError"),  # httpx: "Invalid URL in location header"
    ],
)
def test_malformed_answers_are_rejects(hostile: str, path: str, error_class: str) -> None:
    result = fetcher(respect_robots=False, retries=0).fetch(hostile + path)
    assert isinstance(result, Reject), result
    assert (result.stage, result.error_class) == ("fetch", error_class)


@pytest.mark.parametrize("path", ["/gzip", "/deflate", "/br"])
def test_content_encoding_is_decoded(hostile: str, path: str) -> None:
    result = fetcher(respect_robots=False).fetch(hostile + path)
    assert isinstance(result, Capture)
    assert result.raw == PAGE


def test_compression_bomb_is_cut_off_while_decoding(hostile: str) -> None:
    result = fetcher(respect_robots=False, max_bytes=2_000_000).fetch(hostile + "/bomb")
    assert isinstance(result, Reject)
    assert result.error_class in ("TooLarge", "CompressionBomb")
    assert "inflates" in result.message


@pytest.mark.parametrize("path", ["/trickle-body", "/trickle-headers"])
def test_total_deadline_cuts_a_trickling_server(hostile: str, path: str) -> None:
    started = time.monotonic()
    result = fetcher(respect_robots=False, retries=0, timeout_s=2.0, deadline_s=0.5).fetch(hostile + path)
    assert isinstance(result, Reject)
    assert result.error_class == "Timeout"
    assert time.monotonic() - started < 2.0  # per-read timeouts alone would let it run 50 s


def test_connection_goes_to_the_vetted_address_with_the_host_name_kept(hostile: str) -> None:
    port = hostile.rsplit(":", 1)[1]
    asked: list[str] = []

    def resolve(host: str, _port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    pinned = Fetcher(FetchConfig(allow_private=True, politeness_s=0, respect_robots=False), resolve=resolve)
    result = pinned.fetch(f"http://news.example:{port}/host")
    assert isinstance(result, Capture)
    assert result.raw == f"news.example:{port}".encode()
    assert asked == ["news.example"]


def test_dns_rebinding_cannot_reach_a_private_address(hostile: str) -> None:
    port = hostile.rsplit(":", 1)[1]
    answers = iter([["93.184.216.34"]])  # public at check time, then loopback ever after

    def rebinding(_host: str, _port: int) -> list[str]:
        return next(answers, ["127.0.0.1"])

    config = FetchConfig(politeness_s=0, respect_robots=False, retries=0, timeout_s=0.5, deadline_s=1.0)
    before = Hostile.hits["/host"]
    result = Fetcher(config, resolve=rebinding).fetch(f"http://rebind.example:{port}/host")
    assert isinstance(result, Reject)
    assert result.error_class in ("PrivateAddress", "NetworkError", "Timeout")
    assert Hostile.hits["/host"] == before  # the local server was never reached
