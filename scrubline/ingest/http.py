"""Polite, bounded HTTP(S) fetching -> Captures (stdlib only).

``Fetcher.fetch(url)`` returns a ``Capture``, a ``NotModified`` (conditional request answered
304) or a ``Reject(stage="fetch")``; it never raises for a bad URL or a bad server.

Guarantees: only http/https; every hop's host must resolve to public addresses unless
``allow_private`` (loopback, private, link-local, reserved, multicast are refused; the check
runs before each connection, it does not pin the address against DNS rebinding); redirects
followed by hand up to ``max_redirects`` and re-checked; robots.txt honoured per origin
(RFC 9309: 4xx means allow all, 5xx or unreachable means disallow all); at least
``politeness_s`` between two requests to one host; timeouts; retries with exponential backoff
on network errors, 429 and 5xx; a size cap enforced while reading; a content-type allow-list.

``Capture.source_uri`` is the URL asked for (stable identity); where redirects led is kept
in ``http_headers["x-scrubline-final-url"]``.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import HTTPResponse
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from scrubline.records import Capture, Reject

STAGE = "fetch"
FINAL_URL_HEADER = "x-scrubline-final-url"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRYABLE = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class FetchConfig:
    """Every limit of the fetcher in one object."""

    timeout_s: float = 20.0
    retries: int = 2  # extra attempts after the first, on network errors, 429 and 5xx
    backoff_s: float = 1.0  # wait before retry n: backoff_s * 2**(n-1)
    politeness_s: float = 2.0  # minimum delay between two requests to the same host
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    respect_robots: bool = True
    allow_private: bool = False
    user_agent: str = "scrubline/0.1 (source-cleaning ETL)"
    accept_types: tuple[str, ...] = (
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "text/xml",
        "application/xml",
        "application/rss+xml",
        "application/atom+xml",
    )


#: Extra media types a feed or sitemap may come as (JSON Feed, gzipped sitemaps).
FEED_TYPES = (
    "application/feed+json",
    "application/json",
    "application/x-gzip",
    "application/gzip",
    "application/octet-stream",
)


@dataclass(frozen=True, slots=True)
class FetchState:
    """What a previous run knew about a URL: its validators and the capture it gave.

    Built by the flow from the warehouse (latest capture per source URI). A URL with a state
    is *seen*: a feed does not fetch it again; a ``url`` source asks for it conditionally.
    """

    url: str
    etag: str | None = None
    last_modified: str | None = None
    capture_id: str | None = None

    @classmethod
    def of(cls, capture: Capture) -> FetchState:
        """The state a new capture leaves for the next run."""
        headers = capture.http_headers or {}
        return cls(capture.source_uri, headers.get("etag"), headers.get("last-modified"), capture.capture_id)


@dataclass(frozen=True, slots=True)
class NotModified:
    """The server confirmed (304) that the previous capture is still current."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


class _Refused(Exception):
    """A fetch that must stop: carries the Reject's error class and message."""

    def __init__(self, error_class: str, message: str) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.message = message


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:  # noqa: ARG002
        return None  # redirects are followed by Fetcher, which re-checks every hop


@dataclass
class Fetcher:
    """Fetches URLs under one ``FetchConfig``; keeps per-host timing and robots.txt state."""

    config: FetchConfig = field(default_factory=FetchConfig)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _last_request: dict[str, float] = field(default_factory=dict, repr=False)
    _robots: dict[str, RobotFileParser] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._opener = urllib.request.build_opener(_NoRedirect())

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        source_id: str | None = None,
        extra_types: tuple[str, ...] = (),
    ) -> Capture | NotModified | Reject:
        """Fetch one URL; ``etag``/``last_modified`` from a previous capture make it conditional.

        ``extra_types`` widens the content-type allow-list for this request (feeds, sitemaps).
        """
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            _check_url(url, self.config.allow_private)  # before robots.txt is asked for
            if self.config.respect_robots and not self._robots_allow(url):
                raise _Refused("RobotsDisallowed", f"robots.txt disallows {url}")
            status, final_url, response_headers, body = self._follow(url, headers, extra_types)
        except _Refused as refused:
            return Reject(url, STAGE, refused.error_class, refused.message)
        if status == 304:
            return NotModified(url, response_headers.get("etag"), response_headers.get("last-modified"))
        response_headers[FINAL_URL_HEADER] = final_url
        return Capture(
            source_uri=url,
            raw=body,
            fetched_at=datetime.now(UTC),
            content_type=response_headers.get("content-type"),
            http_status=status,
            http_headers=response_headers,
            source_id=source_id,
        )

    # --- one logical request: redirects, retries ---------------------------------------

    def _follow(
        self, url: str, headers: dict[str, str], extra_types: tuple[str, ...] = ()
    ) -> tuple[int, str, dict[str, str], bytes]:
        current = url
        for _ in range(self.config.max_redirects + 1):
            status, response_headers, body = self._with_retries(current, headers, extra_types)
            if status not in _REDIRECTS:
                return status, current, response_headers, body
            location = response_headers.get("location")
            if not location:
                raise _Refused("HTTPError", f"HTTP {status} redirect without Location from {current}")
            current = urljoin(current, location)
            if self.config.respect_robots and not self._robots_allow(current):
                raise _Refused("RobotsDisallowed", f"robots.txt disallows redirect target {current}")
        raise _Refused("TooManyRedirects", f"more than {self.config.max_redirects} redirects from {url}")

    def _with_retries(
        self, url: str, headers: dict[str, str], extra_types: tuple[str, ...] = ()
    ) -> tuple[int, dict[str, str], bytes]:
        attempts = self.config.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                status, response_headers, body = self._request(url, headers, extra_types)
            except _Retryable as exc:
                if attempt == attempts:
                    raise _Refused(exc.error_class, f"{exc.message} (after {attempts} attempts)") from None
                self.sleep(self.config.backoff_s * 2 ** (attempt - 1))
                continue
            return status, response_headers, body
        raise AssertionError("unreachable")

    # --- one HTTP exchange ---------------------------------------------------------------

    def _request(
        self, url: str, headers: dict[str, str], extra_types: tuple[str, ...] = ()
    ) -> tuple[int, dict[str, str], bytes]:
        host = _check_url(url, self.config.allow_private)
        self._wait_for(host)
        request = urllib.request.Request(url, headers={"User-Agent": self.config.user_agent, **headers})
        try:
            response = self._opener.open(request, timeout=self.config.timeout_s)
        except urllib.error.HTTPError as exc:
            response = exc  # 3xx/4xx/5xx: an answer, not a failure of the exchange
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise _Retryable("NetworkError", f"cannot fetch {url}: {reason}") from None
        with response:
            status = response.status
            response_headers = {k.lower(): v for k, v in response.headers.items()}
            if status in _RETRYABLE:
                raise _Retryable("HTTPError", f"HTTP {status} from {url}")
            if status in _REDIRECTS or status == 304:
                return status, response_headers, b""
            if status >= 400:
                raise _Refused("HTTPError", f"HTTP {status} {response.reason} from {url}")
            self._check_content_type(url, response_headers.get("content-type"), extra_types)
            return status, response_headers, self._read_capped(url, response, response_headers)

    def _check_content_type(self, url: str, content_type: str | None, extra_types: tuple[str, ...]) -> None:
        media = (content_type or "").split(";", 1)[0].strip().lower()
        if media and media not in self.config.accept_types and media not in extra_types:
            raise _Refused("UnsupportedContentType", f"content type {media} not accepted from {url}")

    def _read_capped(self, url: str, response: HTTPResponse, headers: dict[str, str]) -> bytes:
        limit = self.config.max_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _Refused("TooLarge", f"{url} declares {declared} bytes, limit is {limit}")
        try:
            body = response.read(limit + 1)
        except (TimeoutError, OSError) as exc:
            raise _Retryable("NetworkError", f"reading {url} failed: {exc}") from None
        if len(body) > limit:
            raise _Refused("TooLarge", f"{url} sent more than {limit} bytes")
        return body

    def _wait_for(self, host: str) -> None:
        last = self._last_request.get(host)
        if last is not None:
            remaining = self.config.politeness_s - (self.clock() - last)
            if remaining > 0:
                self.sleep(remaining)
        self._last_request[host] = self.clock()

    # --- robots.txt ------------------------------------------------------------------------

    def _robots_allow(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        parser = self._robots.get(origin)
        if parser is None:
            parser = self._robots[origin] = self._load_robots(origin)
        return parser.can_fetch(self.config.user_agent, url)

    def _load_robots(self, origin: str) -> RobotFileParser:
        parser = RobotFileParser(origin + "/robots.txt")
        try:
            status, _, body = self._with_retries(origin + "/robots.txt", {})
        except _Refused as refused:
            if refused.message.startswith("HTTP 4"):
                parser.allow_all = True  # no robots.txt: everything allowed
            else:
                parser.disallow_all = True  # server error or unreachable: assume the worst
            return parser
        if status in _REDIRECTS:
            parser.allow_all = True
        else:
            parser.parse(body.decode("utf-8", errors="replace").splitlines())
        return parser


class _Retryable(Exception):
    def __init__(self, error_class: str, message: str) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.message = message


def _check_url(url: str, allow_private: bool) -> str:
    """The URL's host, after checking scheme and (unless allowed) that it is public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _Refused("UnsupportedURL", f"only http(s) URLs with a host are fetched: {url!r}")
    host = parts.hostname
    if allow_private:
        return host
    try:
        infos = socket.getaddrinfo(host, parts.port or None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise _Refused("NetworkError", f"cannot resolve {host}: {exc.strerror}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            raise _Refused("PrivateAddress", f"{host} resolves to non-public address {address}")
    return host
