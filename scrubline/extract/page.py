"""HTML -> main text, metadata and in-content links. The only trafilatura import.

One parse and one trafilatura pass per page, links *off*. The text is byte-identical to
plain ``trafilatura.extract(html, include_comments=False)`` (turning trafilatura's
``include_links`` on changes what it keeps: on the trafilatura-dev set it kept ~900 more
words, mostly navigation such as "Über uns", "NEXT ARTICLE", at no F1 gain). The page is
parsed once (``parse_html``: load_html's tree, from UTF-8 bytes); scrubline reads declared
metadata and HTML notes from the tree before ``bare_extraction`` (which works on a copy)
and the in-content links after.

Links are recovered from the parsed page instead: an ``<a href>`` is an in-content link when
the paragraph-level block around it (``p``, ``li``, ``td``, headings, ...) survived into the
extracted text. Blocks shorter than ``MIN_LOOSE_BLOCK`` characters must match a whole output
line, so a nav item "Home" does not match inside "Homeland".

Metadata: by default chosen from the page's own declarations (``metadata="page"``); with
``metadata="trafilatura"``, trafilatura's choices fill the fields. Every candidate value
seen on the page (JSON-LD, ``<meta>``, ``<title>``, canonical link, ``<html lang>``,
bylines, ``<time>``) is kept as ``Evidence`` so later stages can explain or overrule a
choice.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from scrubline.dates import text_day
from scrubline.records import Evidence, Link, Rejected

from .candidates import _dedupe, _page_candidates, _signal_hints
from .links import _base_url, content_links
from .metadata import _chosen, _flags, _trafilatura_metadata, page_metadata
from .notes import html_footnotes
from .text import DEFAULT_CONFIG, ExtractConfig, main_text
from .tree import _utf8, parse_html

#: Version of what ``extract_html`` returns. Bump it with any change that alters its output
#: on some page; ``tests/test_extract_version.py`` records output hashes per version and
#: fails when they change under the same number. Provenance stores it, so ``scrubline
#: verify`` tells "extractor changed" from a real mismatch, and a refactor that changes no
#: output leaves stored documents verifiable.
EXTRACT_VERSION = 1
#: How far into the main text a written date is looked for (lowest-priority date signal).
TEXT_DATE_CHARS = 600


@dataclass(frozen=True, slots=True)
class Extracted:
    """Main text and metadata of one HTML page."""

    text: str  # one block per line: paragraphs, headings and list items on their own lines
    title: str | None = None
    authors: tuple[str, ...] = ()
    date: str | None = None  # ISO date (YYYY-MM-DD) of publication
    sitename: str | None = None
    hostname: str | None = None
    description: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    language: str | None = None
    license: str | None = None
    canonical_url: str | None = None
    links: tuple[Link, ...] = ()
    metadata_candidates: tuple[Evidence, ...] = ()
    flags: tuple[str, ...] = ()
    html_notes: tuple[str, ...] = ()  # "[n] note text URL" lines appended from an HTML notes list


def extract_html(html: str, url: str | None = None, *, config: ExtractConfig = DEFAULT_CONFIG) -> Extracted:
    """Main text, metadata, links and metadata evidence of one HTML page.

    Raises ``Rejected("extract", ...)`` when the page cannot be parsed or has no main text.
    """
    data = _utf8(html)
    tree = parse_html(html, data)
    if tree is None:
        raise Rejected("extract", "not parseable as HTML")
    declared, base_href = _page_candidates(tree, url, _signal_hints(data))  # before extraction
    candidates = tuple(_dedupe(declared))
    notes = html_footnotes(tree, url)  # markers become "[n]", the notes list leaves the tree
    try:
        doc = main_text(tree, config, url)
    except Exception as exc:  # a trafilatura/lxml failure on one page is a reject, not a crash
        raise Rejected("extract", f"trafilatura failed: {type(exc).__name__}: {exc}") from exc
    text = unicodedata.normalize("NFC", (doc.text or "").strip()) if doc is not None else ""
    if not text:
        raise Rejected("extract", "no main text found")
    if notes is not None:
        text = f"{text}\n\n{notes.heading}\n" + "\n".join(notes.lines)
    written = text_day(text[:TEXT_DATE_CHARS])  # a date in the article's first lines
    if written:
        candidates += (Evidence("text:date", written),)
    meta = page_metadata(candidates, url)
    if config.metadata == "trafilatura":
        meta = _trafilatura_metadata(doc, meta)
        candidates += tuple(_chosen(doc))
    authors = meta["authors"]
    return Extracted(
        text=text,
        title=meta["title"],
        authors=authors,
        date=meta["date"],
        sitename=meta["sitename"],
        hostname=meta["hostname"],
        description=meta["description"],
        categories=meta["categories"],
        tags=meta["tags"],
        language=meta["language"],
        license=meta["license"],
        canonical_url=meta["canonical_url"],
        links=content_links(tree, text, _base_url(base_href, url or meta["canonical_url"])),
        metadata_candidates=candidates,
        flags=_flags(authors, meta["date"], candidates, url, meta["canonical_url"]),
        html_notes=notes.lines if notes is not None else (),
    )
