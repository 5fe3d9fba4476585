"""The parsed page: the tree trafilatura's ``load_html`` builds, built faster."""

from __future__ import annotations

import re

from scrubline.markup import HtmlElement, parse_html_bytes

from .text import DOCTYPE_TAG, HTML_PARSER, is_dubious_html, load_html

_WS = re.compile(r"\s+")


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
        tree = parse_html_bytes(data, HTML_PARSER)
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
