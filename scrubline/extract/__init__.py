"""HTML -> main text, metadata and in-content links (``extract_html``), split by job:

``text.py`` (trafilatura's main text and ``ExtractConfig``; the only trafilatura import),
``tree.py`` (``parse_html``), ``notes.py`` (HTML footnotes), ``links.py`` (in-content links),
``candidates.py`` (metadata evidence the page declares), ``metadata.py`` (the choice among it,
and flags), ``page.py`` (``extract_html``, which runs them). Dates are parsed by
``scrubline.dates``, which ingest shares.
The names callers use are re-exported here.
"""

from scrubline.dates import iso_day, text_day

from .candidates import ALL_SIGNALS, MAX_CANDIDATE_CHARS, _page_candidates, _signal_hints
from .links import MIN_LOOSE_BLOCK, _occurring, content_links
from .metadata import page_metadata
from .notes import HtmlNotes, html_footnotes
from .page import EXTRACT_VERSION, TEXT_DATE_CHARS, Extracted, extract_html
from .text import DEFAULT_CONFIG, EXTRACTOR_ID, ExtractConfig
from .tree import parse_html

__all__ = [
    "ALL_SIGNALS",
    "DEFAULT_CONFIG",
    "EXTRACTOR_ID",
    "EXTRACT_VERSION",
    "MAX_CANDIDATE_CHARS",
    "MIN_LOOSE_BLOCK",
    "TEXT_DATE_CHARS",
    "ExtractConfig",
    "Extracted",
    "HtmlNotes",
    "_occurring",
    "_page_candidates",
    "_signal_hints",
    "content_links",
    "extract_html",
    "html_footnotes",
    "iso_day",
    "page_metadata",
    "parse_html",
    "text_day",
]
