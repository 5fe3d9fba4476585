"""In-content links: an ``<a href>`` whose paragraph-level block survived into the text."""

from __future__ import annotations

import unicodedata
from urllib.parse import urljoin

from scrubline.literalset import LiteralSet
from scrubline.markup import HtmlElement
from scrubline.records import Link
from scrubline.urls import canonicalize, registered_domain

#: Blocks shorter than this must equal a whole output line to count as in-content.
MIN_LOOSE_BLOCK = 40

_BLOCK_TAGS = frozenset(
    {"p", "li", "td", "th", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
     "figcaption", "caption", "pre", "address"}
)  # fmt: skip
_SKIP_HREF = ("javascript:", "#", "data:", "about:")


def content_links(tree: HtmlElement, text: str, base_url: str | None = None) -> tuple[Link, ...]:
    """Links whose surrounding block made it into ``text``, in text order."""
    flat = _norm(text)
    anchors: list[tuple[int, HtmlElement, str, str]] = []
    for order, anchor_el in enumerate(tree.iter("a")):
        href = (anchor_el.get("href") or "").strip()
        if href and not href[:11].lower().startswith(_SKIP_HREF):
            # a childless <a> (most are) has only .text: cheaper than text_content()'s XPath
            anchor = _norm((anchor_el.text or "") if len(anchor_el) == 0 else anchor_el.text_content())
            if anchor:
                anchors.append((order, anchor_el, href, anchor))
    present = _occurring(flat, {anchor for *_, anchor in anchors})
    lines: set[str] | None = None
    found: list[tuple[int, int, str, str]] = []
    block_texts: dict[HtmlElement, str] = {}
    for order, anchor_el, href, anchor in anchors:
        if anchor not in present:
            continue
        block_el = _block_of(anchor_el)
        block = block_texts.get(block_el)
        if block is None:
            block = block_texts[block_el] = _norm(block_el.text_content())
        if len(block) < MIN_LOOSE_BLOCK:
            lines = _line_units(text) if lines is None else lines
            if block not in lines:
                continue
        start = flat.find(block)
        if start < 0:
            continue
        at = flat.find(anchor, start)
        found.append((at if at >= 0 else start, order, urljoin(base_url or "", href), anchor))
    found.sort()
    unique = {(at, url): anchor for at, _, url, anchor in found}  # an image link + its title
    links = []
    for position, ((_, url), anchor) in enumerate(unique.items()):
        canonical = canonicalize(url)
        domain = registered_domain(canonical) if canonical else None
        links.append(Link(url, anchor, position, canonical, domain))
    return tuple(links)


def _occurring(haystack: str, needles: set[str]) -> set[str]:
    """The ``needles`` that occur in ``haystack``: one Aho-Corasick pass over it instead of
    one scan per needle (a page has ~150 anchors, most of them not in the article)."""
    if len(needles) < 8:
        return {needle for needle in needles if needle in haystack}
    return {needle for _, needle in LiteralSet((needle, needle) for needle in needles).iter(haystack)}


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


def _base_url(base_href: str | None, url: str | None) -> str | None:
    return urljoin(url or "", base_href) if base_href else url


def _norm(text: str) -> str:
    text = " ".join(text.split())  # the same as \s+ -> " ", strip; faster than the regex
    return text if text.isascii() else unicodedata.normalize("NFC", text)
