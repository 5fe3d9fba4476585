"""The one per-document path: ``process(capture, context) -> CleanResult``.

bytes --decode--> str --extract (HTML only)--> str --normalize--> text_normalized
--boilerplate rules--> spans --remove once--> text; then footnotes, links and outlet.
Pure: no Prefect, no DuckDB. A bad input raises ``Rejected`` (``process_batch`` turns it
into a ``Reject`` row); any other exception is a bug, recorded as a reject of stage
``clean`` so one document never stops a batch.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from .boilerplate import Engine
from .boilerplate.engine import ruleset_version
from .boilerplate.packs import available_packs, load_pack
from .boilerplate.profile import DETECTOR_VERSION, PROFILE_CHOICES, ProfileChoice, choose_profile
from .boilerplate.rules import zone_rule
from .boilerplate.templates import TemplateSet
from .decode import decode, looks_like_html
from .footnotes import find_citations, find_endnote_block, link_footnotes
from .language import decide_language, identify
from .normalize import looks_like_mojibake, normalize_checked
from .outlets import PAGE_URL_SIGNALS, OutletRegistry, attribute, read_signals
from .records import (
    PIPELINE_VERSION,
    Capture,
    CleanResult,
    DecodeDecision,
    Document,
    Evidence,
    Link,
    Outlet,
    Reject,
    Rejected,
)
from .resources import default_outlets_csv, project_packs_dir
from .urls import registered_domain

#: See ``CleanContext.max_line_chars``.
DEFAULT_MAX_LINE_CHARS = 200_000


def longest_line(text: str) -> int:
    """The length of the longest line of ``text`` (without building a list of lines).

    >>> longest_line("ab\\ncde\\n")
    3
    """
    longest = start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            return max(longest, len(text) - start)
        longest = max(longest, end - start)
        start = end + 1


@dataclass
class CleanContext:
    """What the per-document path needs besides the capture: rules and reference data."""

    engine: Engine = field(default_factory=Engine)
    outlets: OutletRegistry = field(default_factory=OutletRegistry)
    #: per-outlet rule packs: outlet id -> engine with rules disabled / phrases added
    outlet_engines: dict[str, Engine] = field(default_factory=dict)
    #: rule profile: ``auto`` (the line-shape detector picks ``article`` or ``fullpage`` per
    #: document), or one of them for every document
    profile: str = "auto"
    #: the longest line the line rules are given (characters); a document with a longer line
    #: is rejected, "line too long" (no prose line is that long: a minified blob, a data dump)
    max_line_chars: int = DEFAULT_MAX_LINE_CHARS
    #: the fullpage variant of each engine, built on first use (engine version -> engine)
    _fullpage: dict[str, Engine] = field(default_factory=dict, repr=False, compare=False)
    #: what every engine's settings key shares (see :func:`settings_key`), built on first use
    _settings: str | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.profile not in PROFILE_CHOICES:
            raise ValueError(f"unknown profile {self.profile!r}; expected one of {PROFILE_CHOICES}")

    @classmethod
    def default(
        cls,
        outlets_csv: Path | None = None,
        templates: Iterable[Mapping[str, Any]] = (),
        profile: str | None = None,
    ) -> CleanContext:
        """Default rules, the outlet registry (the project's ``outlets.csv``, else the packaged
        one), and one engine per outlet that has a rule pack (``boilerplate/packs/``) or
        learned ``templates`` rows. ``profile``: as the field; None reads ``$SCRUBLINE_PROFILE``
        (default ``auto``), so ``scrubline run --profile`` reaches the flow's context without a
        flow parameter."""
        path = outlets_csv or default_outlets_csv()
        registry = OutletRegistry.load(path) if path.is_file() else OutletRegistry()
        chosen = profile or os.environ.get("SCRUBLINE_PROFILE") or "auto"
        return cls(outlets=registry, outlet_engines=outlet_engines(templates), profile=chosen)

    def with_profile(self, engine: Engine, profile: str) -> Engine:
        """``engine`` itself for ``article``; for ``fullpage`` the same rules (pack, templates)
        plus the full-page zone rule where ``default_rules("fullpage")`` puts it."""
        if profile == engine.profile or profile != "fullpage":
            return engine
        found = self._fullpage.get(engine.version)
        if found is None:
            found = self._fullpage[engine.version] = fullpage_variant(engine)
        return found

    @property
    def ruleset_version(self) -> str:
        return self.engine.version


def outlet_engines(template_rows: Iterable[Mapping[str, Any]] = ()) -> dict[str, Engine]:
    """Engines for outlets with a rule pack or learned templates."""
    by_outlet: dict[str, list[Mapping[str, Any]]] = {}
    for row in template_rows:
        by_outlet.setdefault(str(row["outlet_id"]), []).append(row)
    # the project's packs/<outlet_id>.yaml replace the packaged pack of the same outlet
    packs = {**available_packs(), **available_packs(project_packs_dir())}
    engines = {}
    for outlet_id in sorted(set(by_outlet) | set(packs)):
        rows = by_outlet.get(outlet_id)
        templates = TemplateSet.from_rows(outlet_id, rows) if rows else None
        pack = load_pack(outlet_id, packs[outlet_id].parent) if outlet_id in packs else None
        engines[outlet_id] = Engine.for_outlet(pack=pack, templates=templates)
    return engines


def fullpage_variant(engine: Engine) -> Engine:
    """``engine`` with the zone rule of the fullpage profile (before ``tail_block``, as in
    ``default_rules("fullpage")``). The default engine's variant is ``Engine(profile="fullpage")``
    exactly (same rules, same version); an outlet engine's version also names the engine it
    came from."""
    rules = list(engine.rules)
    at = next((i for i, r in enumerate(rules) if r.rule_id == "tail_block"), len(rules))
    rules.insert(at, zone_rule())
    variant = Engine(rules, engine.lexicon, "fullpage")
    variant.outlet_id = engine.outlet_id
    if engine.version != ruleset_version(engine.rules, engine.lexicon):  # a pack's own version
        variant.version = ruleset_version(rules, engine.lexicon, extra=f"from:{engine.version}")
    return variant


def engine_for(capture: Capture, ctx: CleanContext) -> Engine:
    """The outlet's engine when the outlet is known before cleaning (manifest or source
    domain), else the default engine."""
    if not ctx.outlet_engines:
        return ctx.engine
    outlet = capture.outlet_hint or ctx.outlets.by_domain(registered_domain(capture.source_uri))
    return ctx.outlet_engines.get(outlet or "", ctx.engine)


class Addressed(Protocol):
    """What picks a document's engine before it is read: a capture, or a reference to one."""

    source_uri: str
    outlet_hint: str | None


def settings_key(capture: Addressed, ctx: CleanContext) -> str:
    """A short hash of everything besides its bytes that shapes a document's cleaning: its
    engine (rules, lexicon, the outlet's pack and learned templates: ``Engine.version``) and
    that engine's fullpage variant (the zone rule and its learned weights), the profile
    setting and the profile detector's version, the line limit, the outlet registry, the
    extractor and pipeline versions.
    Stored with each document (``documents.cleaned_with``): an input whose exact version is
    loaded under the same key would come out the same, so a run does not clean it again."""
    if ctx._settings is None:
        registry = hashlib.sha256(repr(sorted(ctx.outlets.outlets.items())).encode()).hexdigest()
        ctx._settings = json.dumps([ctx.profile, DETECTOR_VERSION, ctx.max_line_chars, extractor_version(),
                                    PIPELINE_VERSION, registry])  # fmt: skip
    engine = engine_for(capture, ctx)  # type: ignore[arg-type]  # reads source_uri and outlet_hint
    fullpage = ctx.with_profile(engine, "fullpage").version
    return hashlib.sha256(f"{engine.version}|{fullpage}|{ctx._settings}".encode()).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class _Text:
    """Text to clean, and what HTML extraction found around it."""

    text: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    date: str | None = None
    sitename: str | None = None
    language: str | None = None
    links: tuple[Link, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()


def is_html(capture: Capture, text: str) -> bool:
    """HTML by declared content type, else by ``decode.looks_like_html`` (the rule ingest
    sniffs files with) on the decoded text."""
    if capture.content_type:
        return may_be_html(capture.content_type)  # a declared type decides
    return looks_like_html(text)


def may_be_html(content_type: str | None) -> bool:
    """Whether a capture declared as ``content_type`` can take the HTML path (``is_html``:
    a declared type decides; an undeclared one is sniffed, so it may)."""
    return not content_type or "html" in content_type.lower()


def warm_up(html: bool = True) -> None:
    """Load now what a process's first document would otherwise pay for: py3langid's model
    (~0.5 s, read on first use) and, with ``html``, the HTML extractor with its imports
    (~0.3 s). Cleaning processes call it before they take work, so a fresh worker's first
    document is timed on its own cleaning, not on the worker's start-up."""
    identify("The ministry said the talks would resume next week.")
    if html:
        from .extract import extract_html

        extract_html("<html><body><article><p>The talks would resume next week.</p></article></body></html>")


def _from_html(html: str, url: str | None) -> _Text:
    from .extract import extract_html  # trafilatura is imported only for HTML inputs

    ex = extract_html(html, url=url)
    if not ex.text or not ex.text.strip():
        raise Rejected("extract", "no main text found in the HTML page")
    metadata = {
        k: v
        for k, v in {
            "description": ex.description, "hostname": ex.hostname, "categories": list(ex.categories),
            "tags": list(ex.tags), "license": ex.license, "canonical_url": ex.canonical_url,
            "sitename": ex.sitename, "flags": list(ex.flags),
        }.items()
        if v
    }  # fmt: skip
    return _Text(
        ex.text, ex.title, tuple(ex.authors), ex.date, ex.sitename, ex.language,
        tuple(ex.links), metadata, tuple(ex.metadata_candidates),
    )  # fmt: skip


@cache
def extractor_version() -> str:
    """Identity of the HTML -> text step, stored with every HTML document so ``scrubline verify``
    can tell "extractor changed" from a real mismatch: trafilatura and lxml versions plus
    scrubline's ``EXTRACT_VERSION`` (its post-processing shapes the text too)."""
    from . import extract
    from .markup import lxml_version

    return f"{extract.EXTRACTOR_ID}+lxml-{lxml_version()}+extract-v{extract.EXTRACT_VERSION}"


def _title_from_text(text: str) -> str | None:
    """The first line of a plain-text article when it reads as a headline."""
    first = text.lstrip().split("\n", 1)[0].strip()
    if 3 <= len(first.split()) <= 25 and first[-1:] not in ".,;:" and len(first) < 250:
        return first
    return None


def profile_for(normalized: str, requested: str, html: bool) -> ProfileChoice:
    """The rule profile of one document. Text extracted from HTML is article text by
    construction: ``auto`` keeps ``article`` there (running the detector on extracted text
    and following it cost F1 on the tune halves of both dev sets: 0.954 -> 0.948 and
    0.798 -> 0.784); plain text inputs go to the detector. A requested profile always wins."""
    if html and requested == "auto":
        return ProfileChoice("article", requested)
    return choose_profile(normalized, requested)


def read(capture: Capture) -> tuple[str, DecodeDecision, bool]:
    """The first steps of :func:`process`: decode the bytes and tell HTML from text.
    Returns (text, decode decision, is HTML). Raises ``Rejected`` for empty or undecodable input."""
    if not capture.raw:
        raise Rejected("read", "empty input: 0 bytes")
    text, decision = decode(capture.raw, content_type=capture.content_type)
    return text, decision, is_html(capture, text)


def source_of(capture: Capture, text: str, html: bool) -> _Text:
    """The text to normalize: the main text of an HTML page (with what extraction found around
    it), or the decoded text itself. Raises ``Rejected`` when a page has no main text."""
    if not html:
        return _Text(text)
    url = capture.source_uri if capture.source_uri.startswith(("http://", "https://")) else None
    return _from_html(text, url)


def process(capture: Capture, ctx: CleanContext) -> CleanResult:
    """Clean one capture. Raises ``Rejected`` for bad input."""
    text, decision, html = read(capture)
    source = source_of(capture, text, html)
    normalized, plan, suspect = normalize_checked(source.text)
    if not normalized.strip():
        raise Rejected("normalize", "no text left after decoding and normalization")
    limit = ctx.max_line_chars
    if len(normalized) > limit and (longest := longest_line(normalized)) > limit:
        raise Rejected("clean", f"line too long: {longest:,} characters, the line rules take {limit:,}")

    lang = decide_language(normalized, hint=capture.language_hint, declared=source.language)
    language = lang.language
    choice = profile_for(normalized, ctx.profile, html)
    engine = ctx.with_profile(engine_for(capture, ctx), choice.profile)
    clean_text, removed = engine.run(normalized, language=language)

    endnotes = link_footnotes(find_endnote_block(normalized), clean_text, ctx.outlets.by_domain)
    footnotes = endnotes + find_citations(
        clean_text,
        first_ordinal=len(endnotes) + 1,
        outlet_for_domain=ctx.outlets.by_domain,
        outlet_for_name=ctx.outlets.by_label,
    )
    signals = read_signals(normalized, removed, ctx.outlets)
    who = attribute(
        source_uri=capture.source_uri,
        outlet_hint=capture.outlet_hint,
        sitename=source.sitename,
        metadata_authors=source.authors,
        signals=signals,
        registry=ctx.outlets,
        page_urls=tuple(e.value for e in source.evidence if e.signal in PAGE_URL_SIGNALS),
    )
    evidence = (
        source.evidence
        + who.author_evidence
        + tuple(e for e in (signals.dateline, signals.agency) if e is not None)
        + lang.evidence
    )
    document = Document(
        doc_id=capture.doc_id,
        capture_id=capture.capture_id,
        source_uri=capture.source_uri,
        text_normalized=normalized,
        text=clean_text,
        title=source.title or _title_from_text(normalized),
        authors=who.authors,
        published_at=source.date,
        dateline=who.dateline,
        language=language,
        language_region=lang.region,
        outlet=who.attribution,
        decode=decision,
        normalize_plan=plan,
        metadata=source.metadata,
        metadata_evidence=evidence,
        ruleset_version=engine.version,
    )
    stats = {
        "chars_normalized": len(normalized),
        "chars_clean": len(clean_text),
        "removed_share": 1 - len(clean_text) / len(normalized),
        "spans": len(removed),
        "footnotes": len(footnotes),
        "mojibake": suspect and looks_like_mojibake(clean_text),
        "provisional_outlet": who.provisional,
        **choice.as_stats(),
    }
    if html:
        stats["extractor"] = extractor_version()
    return CleanResult(document, removed, footnotes, source.links, stats)


def process_batch(captures: Iterable[Capture], ctx: CleanContext) -> tuple[list[CleanResult], list[Reject]]:
    """Clean many captures; every failure becomes a Reject, the batch always completes."""
    results: list[CleanResult] = []
    rejects: list[Reject] = []
    for capture in captures:
        try:
            results.append(process(capture, ctx))
        except Rejected as exc:
            rejects.append(Reject(capture.source_uri, exc.stage, "Rejected", exc.message, capture.capture_id))
        except Exception as exc:  # noqa: BLE001 - one bad document must not stop the batch
            rejects.append(
                Reject(capture.source_uri, "clean", type(exc).__name__, str(exc)[:500], capture.capture_id)
            )
    return results, rejects


def provisional_outlets(results: Iterable[CleanResult]) -> list[Outlet]:
    """Outlets first seen in this batch (unknown publishers named by the documents)."""
    seen: dict[str, Outlet] = {}
    for result in results:
        outlet = result.stats.get("provisional_outlet")
        if outlet is not None:
            seen.setdefault(outlet.outlet_id, outlet)
    return list(seen.values())
