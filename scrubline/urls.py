"""URL finding, canonicalization and registered domains (offline, public-suffix aware)."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import tldextract

#: A URL as written in a note or a line of text (also www.-URLs and Windows file paths).
URL_RE = re.compile(
    r"(?:(?:https?|ftp|file)://[^\s<>\"“”«»]+|\bwww\.[^\s<>\"“”«»]+|\b[A-Za-z]:[\\/][^\s<>\"]+)",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\"»”’"

_TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "yclid", "msclkid", "mc_cid", "mc_eid", "igshid",
        "ab_channel", "ref_src", "ref_url", "_ga", "ocid", "cmpid", "spm", "si", "feature",
        "smid", "wt.mc_id", "cid", "s_cid", "share", "sh", "src", "utm",
    }
)  # fmt: skip
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}


def find_urls(text: str) -> list[tuple[int, int, str]]:
    """URLs in ``text`` as ``(start, end, url)`` with trailing punctuation trimmed."""
    if "://" not in text and "www." not in text.lower() and ":\\" not in text and ":/" not in text:
        return []  # the common case, decided at C speed
    found = []
    for match in URL_RE.finditer(text):
        url = match.group(0)
        trimmed = url.rstrip(_TRAILING)
        # keep a closing parenthesis that closes one opened inside the URL
        while trimmed.count("(") > trimmed.count(")") and len(trimmed) < len(url):
            trimmed = url[: len(trimmed) + 1]
        found.append((match.start(), match.start() + len(trimmed), trimmed))
    return found


#: A local file path or file: URL, case-insensitive: file:, a drive letter, a home folder, a UNC
#: share. The one definition: the DQ metrics pass ``LOCAL_PATH.pattern`` to DuckDB (RE2 reads
#: the same syntax), so the cleaner's issue and the check agree.
LOCAL_PATH = re.compile(r"(?i)^(?:file:|[a-z]:[\\/]|/users/|/home/|~/|\\\\)")


def is_local_path(url: str) -> bool:
    """True for file:// URLs and filesystem paths (a broken link and a privacy leak).

    >>> is_local_path("file:///C:/Users/Editor/Downloads/report.pdf")
    True
    >>> is_local_path("https://example.org/file.pdf")
    False
    """
    return LOCAL_PATH.match(url) is not None


def canonicalize(url: str) -> str | None:
    """Canonical form of an http(s) URL, or None when it cannot be parsed as one.

    Lowercases scheme and host, drops default ports, fragments and tracking parameters.

    >>> canonicalize("HTTPS://WWW.YouTube.com:443/watch?v=UA93&ab_channel=BakuTV#t=3")
    'https://www.youtube.com/watch?v=UA93'
    >>> canonicalize("www.reuters.com/world/")
    'https://www.reuters.com/world/'
    """
    candidate = url.strip()
    if candidate.lower().startswith("www."):
        candidate = "https://" + candidate
    try:
        parts = urlsplit(candidate)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in ("http", "https") or not _valid_host(host) or " " in candidate:
        return None
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not (k.lower().startswith("utm_") or k.lower() in _TRACKING_PARAMS)
    ]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def _valid_host(host: str) -> bool:
    if not host or len(host) > 253:
        return False
    if host == "localhost":
        return True
    return "." in host and all(
        label and len(label) <= 63 and re.fullmatch(r"[\w-]+", label) for label in host.split(".")
    )


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=() : use the public suffix snapshot bundled with tldextract, offline.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=65536)
def registered_domain(url_or_host: str) -> str | None:
    """The registered domain (eTLD+1) of a URL or host name, or None.

    >>> registered_domain("https://news.bbc.co.uk/x")
    'bbc.co.uk'
    """
    result = _extractor()(url_or_host)
    return result.top_domain_under_public_suffix or None
