"""Shared fixtures: CleanResults built by hand from the seed corpus (no cleaner needed).

The builder removes whole lines holding a few known boilerplate phrases and reads the
``[i] url`` endnotes of seed 003, so spans, footnotes (one with a local file:// path) and
outlets look like real pipeline output while staying independent of clean.py.
"""

from __future__ import annotations

import dataclasses
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scrubline.records import (
    Attribution,
    Capture,
    CleanResult,
    DecodeDecision,
    Document,
    Evidence,
    Footnote,
    Link,
    Outlet,
    Reject,
    RemovedSpan,
)

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED_IDS = sorted(p.stem for p in SEEDS.glob("0*.txt"))
FETCHED_AT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

BOILERPLATE_LINES = (
    ("You may also like", "related"),
    ("All rights reserved", "copyright"),
    ("All materials posted on this website are protected", "copyright"),
    ("Subscribe to Google News", "subscribe"),
    ("Do not miss the chance to subscribe", "subscribe"),
    ("Be a reporter: Write and send your article", "promo"),
)
OUTLETS = {
    "003_b8ff09be8abf3fd2": Outlet("rcsp", "Research Center on Security Policy",
                                   domains=("rcsp.am",), country="AM", kind="think tank"),
    "001_002ce271bc7acb85": Outlet("bm", "Business Magazine", domains=("bm.ge",),
                                   country="GE", kind="newspaper"),
}
CITED = {"reuters.com": Outlet("reuters", "Reuters", domains=("reuters.com",),
                               kind="news agency"),
         "tass.ru": Outlet("tass", "TASS", domains=("tass.ru",), country="RU",
                           kind="state media")}
_NOTE = re.compile(r"^\[([ivxlc]+)\]\s*(.*?)\s*$", re.MULTILINE)


def _spans(text: str) -> list[RemovedSpan]:
    spans = []
    for phrase, category in BOILERPLATE_LINES:
        for m in re.finditer(re.escape(phrase), text):
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            end = len(text) if end < 0 else end + 1
            spans.append(RemovedSpan(start, end, f"test_{category}", 1, category,
                                     text[start:end], evidence=phrase))
    return sorted(set(spans), key=lambda s: s.start)


def _remove(text: str, spans: list[RemovedSpan]) -> str:
    out, pos = [], 0
    for s in spans:
        out.append(text[pos:s.start])
        pos = s.end
    return "".join(out) + text[pos:]


def _domain(url: str) -> str | None:
    m = re.match(r"https?://(?:www\.)?([^/]+)", url)
    return m.group(1) if m else None


def _footnotes(text: str) -> list[Footnote]:
    notes = []
    for n, m in enumerate(_NOTE.finditer(text), start=1):
        marker, body = f"[{m.group(1)}]", m.group(2)
        url = body if re.match(r"(https?|file)://", body) else None
        domain = _domain(url) if url else None
        issues = ("local_file_path",) if url and url.startswith("file:") else ()
        issues += () if url else ("no_url",)
        first = text.find(marker)
        refs = (first,) if 0 <= first < m.start() else ()
        cited = CITED.get(domain or "")
        notes.append(Footnote(marker, n, refs, body, url, url, domain,
                              cited.outlet_id if cited else None, issues))
    return notes


def make_capture(seed_id: str, raw: bytes | None = None, **changes) -> Capture:
    """A Capture of a seed file (``raw`` overrides its bytes: a new version)."""
    raw = raw if raw is not None else (SEEDS / f"{seed_id}.txt").read_bytes()
    capture = Capture(source_uri=f"seeds/{seed_id}.txt", raw=raw, fetched_at=FETCHED_AT,
                      content_type="text/plain", source_id=seed_id, language_hint="en")
    return dataclasses.replace(capture, **changes) if changes else capture


def make_result(capture: Capture, **doc_changes) -> CleanResult:
    """A CleanResult for ``capture``; ``doc_changes`` override Document fields."""
    normalized = capture.raw.decode("utf-8")
    spans = _spans(normalized)
    text = _remove(normalized, spans)
    outlet = OUTLETS.get(capture.source_id or "")
    doc = Document(
        doc_id=capture.doc_id, capture_id=capture.capture_id, source_uri=capture.source_uri,
        text_normalized=normalized, text=text, title=text.split("\n", 1)[0][:120],
        published_at="2025-02-20", language="en",
        outlet=Attribution(outlet.outlet_id, 0.9, (Evidence("manifest", outlet.outlet_id),))
        if outlet else None,
        decode=DecodeDecision("utf-8", "utf-8"), metadata={"seed": capture.source_id},
        ruleset_version="test-1",
    )
    doc = dataclasses.replace(doc, **doc_changes) if doc_changes else doc
    links = (Link("https://rcsp.am/", "RCSP", 0, "https://rcsp.am/", "rcsp.am"),)
    return CleanResult(doc, tuple(spans), tuple(_footnotes(doc.text)), links,
                       {"spans": len(spans)})


def seed_batch() -> tuple[list[CleanResult], list[Capture], list[Reject], list[Outlet]]:
    """The whole seed corpus as one batch, plus one reject and the outlets it mentions."""
    captures = [make_capture(s) for s in SEED_IDS]
    results = [make_result(c) for c in captures]
    rejects = [Reject("seeds/missing.txt", "read", "FileNotFoundError", "no such file")]
    outlets = [*OUTLETS.values(), *CITED.values(),
               Outlet("president-az", "president.az", ("president.az",), provisional=True)]
    return results, captures, rejects, outlets


@pytest.fixture
def batch():
    return seed_batch()


# Prefect: no telemetry (no network here) — set before any test imports prefect.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
