"""Frozen records: the vocabulary shared by every layer of scrubline.

Offsets are code points, half-open ``[start, end)``. Spans index ``text_normalized``;
footnote marker offsets index the clean ``text``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

#: Bumped when the per-document path changes output for reasons other than a rule version.
#: 2: language codes are BCP-47 primary subtags (region apart) and py3langid identifies
#: undeclared ones; outlets are read from the page's declared URL and site name (issue 17).
PIPELINE_VERSION = "2"


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of ``data``: the identity of raw bytes everywhere in scrubline."""
    return hashlib.sha256(data).hexdigest()


def doc_id_for(source_uri: str) -> str:
    """Stable document id: the same source gives the same id across runs and versions."""
    return hashlib.sha256(source_uri.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Capture:
    """Raw bytes of one fetched or read input, and where/when/how they were obtained."""

    source_uri: str
    raw: bytes = field(repr=False)
    fetched_at: datetime
    content_type: str | None = None  # "text/plain", "text/html", ...
    http_status: int | None = None
    http_headers: dict[str, str] | None = None
    warc_record_id: str | None = None
    source_id: str | None = None  # id from a sources manifest
    language_hint: str | None = None
    outlet_hint: str | None = None  # outlet id declared by the manifest
    capture_id: str = ""  # sha256 of raw; filled in automatically
    input_path: str | None = None  # a local file's path relative to the folder it was read from

    def __post_init__(self) -> None:
        if not self.capture_id:
            object.__setattr__(self, "capture_id", sha256_hex(self.raw))

    @property
    def byte_size(self) -> int:
        return len(self.raw)

    @property
    def doc_id(self) -> str:
        return doc_id_for(self.source_id or self.source_uri)


@dataclass(frozen=True, slots=True)
class DecodeDecision:
    """How bytes became text: the chosen charset and the evidence for it."""

    encoding: str
    method: str  # "bom" | "http-header" | "meta" | "utf-8" | "detected"
    evidence: str = ""
    replacement_chars: int = 0  # U+FFFD produced by decoding


class Span(NamedTuple):
    """A span a rule wants removed; rules yield these, one step removes them.

    A named tuple rather than a frozen dataclass: rules create thousands per megabyte, and a
    tuple is several times cheaper to build; it is just as immutable.
    """

    start: int
    end: int
    rule_id: str
    rule_version: int
    category: str
    evidence: str = ""


class RemovedSpan(NamedTuple):
    """A span removed from ``text_normalized``, with the rule that removed it. (A named
    tuple, like ``Span``: the engine builds one per removal, thousands per megabyte.)"""

    start: int
    end: int
    rule_id: str
    rule_version: int
    category: str
    text: str
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class Footnote:
    """An endnote and the markers that reference it."""

    marker: str  # as written, e.g. "[iv]"
    ordinal: int  # 1-based position in the notes list (or marker value)
    ref_offsets: tuple[int, ...]  # starts of the marker in the clean text
    note_text: str | None
    url: str | None
    url_canonical: str | None
    domain: str | None
    cited_outlet_id: str | None
    issues: tuple[str, ...] = ()  # local_file_path, no_url, malformed_url, unreferenced,
    #                                missing_note
    kind: str = "endnote"  # endnote | source_line ("Source: TASS") | inline_url (bare URL)


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink found in the article body."""

    url: str
    anchor: str
    position: int
    url_canonical: str | None = None
    domain: str | None = None


@dataclass(frozen=True, slots=True)
class Outlet:
    """A publisher: news agency, state media, newspaper, think tank, ..."""

    outlet_id: str
    name: str
    domains: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    country: str | None = None
    kind: str | None = None
    language: str | None = None
    provisional: bool = False
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    """One signal behind a metadata decision (outlet, author, dateline)."""

    signal: str  # "domain" | "manifest" | "metadata" | "byline" | "dateline" | "footer" | ...
    value: str
    start: int | None = None  # span in text_normalized where the signal was read
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Attribution:
    """The outlet chosen for a document, how sure we are, and why."""

    outlet_id: str | None
    confidence: float
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    """One cleaned version of one source document."""

    doc_id: str
    capture_id: str
    source_uri: str
    text_normalized: str
    text: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    published_at: str | None = None  # ISO date or datetime as found
    dateline: str | None = None
    language: str | None = None  # BCP-47 primary subtag ("de")
    outlet: Attribution | None = None
    decode: DecodeDecision | None = None
    normalize_plan: tuple[str, ...] = ()  # ftfy steps that changed the text (replayable)
    metadata: dict[str, Any] = field(default_factory=dict)
    metadata_evidence: tuple[Evidence, ...] = ()
    ruleset_version: str = ""
    pipeline_version: str = PIPELINE_VERSION
    language_region: str | None = None  # its region subtag ("CH" of "de-CH"), when declared


@dataclass(frozen=True, slots=True)
class Reject:
    """A bad input: recorded with the stage and a specific reason, never a crash."""

    source_uri: str
    stage: str  # "read" | "decode" | "extract" | "clean" | ...
    error_class: str
    message: str
    capture_id: str | None = None


@dataclass(frozen=True, slots=True)
class CleanResult:
    """Everything the per-document path produces for one capture."""

    document: Document
    removed: tuple[RemovedSpan, ...] = ()
    footnotes: tuple[Footnote, ...] = ()
    links: tuple[Link, ...] = ()
    stats: dict[str, Any] = field(default_factory=dict)


class Rejected(Exception):  # noqa: N818 - reads as "the input was Rejected"
    """Raised by a pure stage when an input cannot be processed; becomes a Reject row."""

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(message)
        self.stage = stage
        self.message = message
