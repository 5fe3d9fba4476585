"""Fetcher against a real HTTP server on 127.0.0.1 (no mocks, no internet)."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Iterator

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
