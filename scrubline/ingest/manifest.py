"""A YAML sources manifest (``sources.yaml``) -> validated Sources -> Captures.

Format: a list of sources, or a mapping with a ``sources:`` list. Each source::

    - kind: dir            # file | dir | url | feed | sitemap | warc
      path: seeds          # file, dir, warc: relative to the manifest's folder
      url: https://...     # url, feed, sitemap (warc: path or url)
      id: my-source        # optional; the capture's source_id for kind file/url
      outlet: example      # optional outlet id hint
      language: en         # optional language hint
      tags: [news, de]     # optional
      schedule: daily      # optional schedule group; read_sources can select one

``load_sources`` reports every problem at once, each as ``sources[i].field: what is wrong``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from scrubline.ingest.feeds import discover
from scrubline.ingest.files import read_inputs
from scrubline.ingest.http import Fetcher, FetchState, NotModified
from scrubline.ingest.report import IngestReport
from scrubline.ingest.warc import WARC_TYPES, read_warc, read_warc_bytes
from scrubline.records import Capture, Reject

KINDS = ("file", "dir", "url", "feed", "sitemap", "warc")
_PATH_KINDS = frozenset({"file", "dir"})
_URL_KINDS = frozenset({"url", "feed", "sitemap"})
_FIELDS = frozenset({"kind", "path", "url", "id", "outlet", "language", "tags", "schedule"})


@dataclass(frozen=True, slots=True)
class Source:
    """One validated entry of a sources manifest."""

    kind: str
    path: Path | None = None
    url: str | None = None
    id: str | None = None
    outlet: str | None = None
    language: str | None = None
    tags: tuple[str, ...] = ()
    schedule: str | None = None

    @property
    def uri(self) -> str:
        return self.url or str(self.path)


class ManifestError(ValueError):
    """A sources manifest that cannot be used; ``problems`` lists every issue."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__(f"{path}: " + "; ".join(problems))
        self.problems = problems


def load_sources(path: Path | str) -> list[Source]:
    """Parse and validate a sources manifest; raise ManifestError listing every problem."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ManifestError(path, [f"cannot read: {exc}"]) from None
    if isinstance(data, dict) and set(data) == {"sources"}:
        data = data["sources"]
    if not isinstance(data, list):
        raise ManifestError(path, ["expected a list of sources (or a 'sources:' list)"])
    sources: list[Source] = []
    problems: list[str] = []
    for index, entry in enumerate(data):
        source, entry_problems = _validate(entry, path.parent)
        problems.extend(f"sources[{index}].{problem}" for problem in entry_problems)
        if source is not None:
            sources.append(source)
    if problems:
        raise ManifestError(path, problems)
    return sources


def _validate(entry: Any, base: Path) -> tuple[Source | None, list[str]]:
    if not isinstance(entry, dict):
        return None, [f"entry: expected a mapping, got {type(entry).__name__}"]
    problems = [f"{key}: unknown field" for key in sorted(set(entry) - _FIELDS, key=str)]
    kind = entry.get("kind")
    if kind not in KINDS:
        problems.append(f"kind: must be one of {', '.join(KINDS)}, got {kind!r}")
    strings = {}
    for key in ("path", "url", "id", "outlet", "language", "schedule"):
        value = entry.get(key)
        if value is not None and not (isinstance(value, str) and value.strip()):
            problems.append(f"{key}: must be a non-empty string, got {value!r}")
            value = None
        strings[key] = value.strip() if isinstance(value, str) else None
    tags = entry.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        problems.append(f"tags: must be a list of strings, got {tags!r}")
        tags = []
    problems.extend(_location_problems(kind, strings["path"], strings["url"], base))
    if problems:
        return None, problems
    path = base / strings["path"] if strings["path"] else None
    fields = {k: v for k, v in strings.items() if k != "path"}
    return Source(kind=kind, path=path, tags=tuple(tags), **fields), []


def _location_problems(kind: Any, path: str | None, url: str | None, base: Path) -> list[str]:
    problems: list[str] = []
    if kind in _PATH_KINDS or (kind == "warc" and url is None):
        if path is None:
            problems.append(f"path: required for kind {kind!r}")
        elif not (base / path).exists():
            problems.append(f"path: {path!r} does not exist (relative to {base})")
        elif kind == "dir" and not (base / path).is_dir():
            problems.append(f"path: {path!r} is not a folder")
    if kind in _URL_KINDS or (kind == "warc" and url is not None):
        if url is None:
            problems.append(f"url: required for kind {kind!r}")
        elif urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            problems.append(f"url: must be an http(s) URL, got {url!r}")
    return problems


def read_sources(
    sources: Iterable[Source],
    *,
    schedule: str | None = None,
    fetcher: Fetcher | None = None,
    seen: Mapping[str, FetchState] | None = None,
    report: IngestReport | None = None,
) -> tuple[list[Capture], list[Reject]]:
    """Captures of every source (of one ``schedule`` group when given); failures are Rejects.

    ``seen`` maps source URIs to what a previous run knew (``FetchState``): article URLs a
    feed or sitemap lists are skipped when seen (``report.skipped["seen"]``); a ``url``
    source is asked for conditionally, and a 304 (or the very bytes of the known capture)
    goes to ``report.not_modified`` instead of making a capture.
    Source-level ``outlet``/``language`` fill capture hints a per-file manifest left empty.
    """
    fetcher = fetcher or Fetcher()
    report = report if report is not None else IngestReport()
    captures: list[Capture] = []
    rejects: list[Reject] = []
    for source in sources:
        if schedule is not None and source.schedule != schedule:
            continue
        got, failed = _read_one(source, fetcher, seen or {}, report)
        captures.extend(_with_hints(capture, source) for capture in got)
        rejects.extend(failed)
    return captures, rejects


def _read_one(
    source: Source, fetcher: Fetcher, seen: Mapping[str, FetchState], report: IngestReport
) -> tuple[list[Capture], list[Reject]]:
    if source.kind in _PATH_KINDS:
        return read_inputs([source.path], report=report)
    if source.kind == "warc":
        if source.path is not None:
            return read_warc(source.path, report=report)
        return _fetch_warc(source.url, fetcher, report)
    if source.kind == "url":
        result = fetch_known(fetcher, source.url, seen.get(source.url), source_id=source.id)
        return _sort([result], report)
    items, rejects = discover(source.url, fetcher)
    report.discovered += len(items)
    results: list[Capture | NotModified | Reject] = []
    for item in items:
        if item.url in seen:
            report.skip("seen", item.url)
            continue
        results.append(fetcher.fetch(item.url))
    captures, failed = _sort(results, report)
    return captures, rejects + failed


def fetch_known(
    fetcher: Fetcher, url: str, state: FetchState | None, *, source_id: str | None = None
) -> Capture | NotModified | Reject:
    """Fetch ``url``, conditionally when a previous run left validators.

    A 200 answer carrying exactly the bytes of the known capture is ``NotModified`` too:
    many servers ignore validators, and the same bytes make no new capture.
    """
    if state is None:
        return fetcher.fetch(url, source_id=source_id)
    result = fetcher.fetch(url, etag=state.etag, last_modified=state.last_modified, source_id=source_id)
    if isinstance(result, Capture) and state.capture_id and result.capture_id == state.capture_id:
        headers = result.http_headers or {}
        return NotModified(url, headers.get("etag"), headers.get("last-modified"))
    return result


def _sort(
    results: Iterable[Capture | NotModified | Reject], report: IngestReport
) -> tuple[list[Capture], list[Reject]]:
    captures: list[Capture] = []
    rejects: list[Reject] = []
    for result in results:
        if isinstance(result, Capture):
            captures.append(result)
        elif isinstance(result, Reject):
            rejects.append(result)
        else:
            report.not_modified.append(result)
    return captures, rejects


def _fetch_warc(url: str, fetcher: Fetcher, report: IngestReport) -> tuple[list[Capture], list[Reject]]:
    """A WARC served over HTTP: fetched whole (under the size cap), then read like a file."""
    result = fetcher.fetch(url, extra_types=WARC_TYPES)
    if not isinstance(result, Capture):
        return _sort([result], report)
    return read_warc_bytes(result.raw, url, report=report)


def _with_hints(capture: Capture, source: Source) -> Capture:
    hints = {}
    if source.outlet and not capture.outlet_hint:
        hints["outlet_hint"] = source.outlet
    if source.language and not capture.language_hint:
        hints["language_hint"] = source.language
    if source.id and source.kind == "file" and not capture.source_id:
        hints["source_id"] = source.id
    return dataclasses.replace(capture, **hints) if hints else capture
