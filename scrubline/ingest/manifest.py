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

Safety: the file is read only if it is a regular file of at most ``IngestLimits.max_yaml_bytes``;
YAML is parsed by PyYAML's safe loader with at most ``max_yaml_aliases`` aliases (an alias bomb
is refused while it is composed, before any expansion); ``path`` must stay under the sources
file's folder (the project folder) or one of ``IngestLimits.source_roots`` (symlinks resolved).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrubline.ingest.feeds import discover
from scrubline.ingest.files import collect, iter_inputs
from scrubline.ingest.http import Fetcher, FetchState, NotModified
from scrubline.ingest.limits import DEFAULT_LIMITS, IngestLimits, LimitExceeded
from scrubline.ingest.localfs import NotReadable, inside, read_regular, safe_text
from scrubline.ingest.report import IngestReport
from scrubline.ingest.warc import WARC_TYPES, iter_warc, iter_warc_stream
from scrubline.records import Capture, Reject
from scrubline.yamlfile import TooManyAliases, YamlError, parse_yaml

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

    def __init__(self, path: Path, problems: list[str], error_class: str = "ManifestError") -> None:
        super().__init__(f"{path}: " + "; ".join(problems))
        self.problems = problems
        self.error_class = error_class


def load_sources(path: Path | str, *, limits: IngestLimits | None = None) -> list[Source]:
    """Parse and validate a sources manifest; raise ManifestError listing every problem."""
    path = Path(path)
    limits = limits or DEFAULT_LIMITS
    try:
        raw, _ = read_regular(path, limits.max_yaml_bytes)
        data = parse_yaml(raw.decode("utf-8"), max_aliases=limits.max_yaml_aliases)
    except (LimitExceeded, NotReadable) as exc:
        raise ManifestError(path, [f"cannot read: {exc.message}"], exc.error_class) from None
    except TooManyAliases as exc:
        raise ManifestError(path, [f"cannot read: {exc}"], "TooManyAliases") from None
    except (OSError, UnicodeDecodeError, YamlError, RecursionError) as exc:
        raise ManifestError(path, [f"cannot read: {safe_text(str(exc))[:500]}"]) from None
    if isinstance(data, dict) and set(data) == {"sources"}:
        data = data["sources"]
    if not isinstance(data, list):
        raise ManifestError(path, ["expected a list of sources (or a 'sources:' list)"])
    sources: list[Source] = []
    problems: list[str] = []
    roots = (path.parent, *(Path(root) for root in limits.source_roots))
    for index, entry in enumerate(data):
        source, entry_problems = _validate(entry, path.parent, roots)
        problems.extend(f"sources[{index}].{problem}" for problem in entry_problems)
        if source is not None:
            sources.append(source)
    if problems:
        raise ManifestError(path, problems)
    return sources


def _validate(entry: Any, base: Path, roots: tuple[Path, ...]) -> tuple[Source | None, list[str]]:
    if not isinstance(entry, dict):
        return None, [f"entry: expected a mapping, got {type(entry).__name__}"]
    problems = [f"{key}: unknown field" for key in sorted(set(entry) - _FIELDS, key=str)]
    kind = entry.get("kind")
    if kind not in KINDS:
        problems.append(f"kind: must be one of {', '.join(KINDS)}, got {kind!r}")
    strings = {}
    for key in ("path", "url", "id", "outlet", "language", "schedule"):
        value = entry.get(key)
        if isinstance(value, str) and (("\x00" in value) or safe_text(value) != value):
            problems.append(f"{key}: holds a NUL, control character or lone surrogate")
            value = None
        elif value is not None and not (isinstance(value, str) and value.strip()):
            problems.append(f"{key}: must be a non-empty string, got {value!r}")
            value = None
        strings[key] = value.strip() if isinstance(value, str) else None
    tags = entry.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        problems.append(f"tags: must be a list of strings, got {tags!r}")
        tags = []
    problems.extend(_location_problems(kind, strings["path"], strings["url"], base, roots))
    if problems:
        return None, problems
    path = base / strings["path"] if strings["path"] else None
    fields = {k: v for k, v in strings.items() if k != "path"}
    return Source(kind=kind, path=path, tags=tuple(tags), **fields), []


def _location_problems(
    kind: Any, path: str | None, url: str | None, base: Path, roots: tuple[Path, ...]
) -> list[str]:
    problems: list[str] = []
    if kind in _PATH_KINDS or (kind == "warc" and url is None):
        if path is None:
            problems.append(f"path: required for kind {kind!r}")
        elif not any(inside(base / path, root) for root in roots):
            problems.append(f"path: {path!r} leads outside the project folder {base}")
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
    limits: IngestLimits | None = None,
) -> tuple[list[Capture], list[Reject]]:
    """``iter_sources`` collected: (captures, rejects)."""
    return collect(iter_sources(sources, schedule=schedule, fetcher=fetcher, seen=seen, report=report,
                                limits=limits))  # fmt: skip


def iter_sources(
    sources: Iterable[Source],
    *,
    schedule: str | None = None,
    fetcher: Fetcher | None = None,
    seen: Mapping[str, FetchState] | None = None,
    report: IngestReport | None = None,
    limits: IngestLimits | None = None,
) -> Iterator[Capture | Reject]:
    """Captures of every source (of one ``schedule`` group when given), lazily; failures are Rejects.

    ``seen`` maps source URIs to what a previous run knew (``FetchState``): article URLs a
    feed or sitemap lists are skipped when seen (``report.skipped["seen"]``); a ``url``
    source is asked for conditionally, and a 304 (or the very bytes of the known capture)
    goes to ``report.not_modified`` instead of making a capture.
    Source-level ``outlet``/``language`` fill capture hints a per-file manifest left empty.
    """
    fetcher = fetcher or Fetcher()
    report = report if report is not None else IngestReport()
    limits = limits or DEFAULT_LIMITS
    for source in sources:
        if schedule is not None and source.schedule != schedule:
            continue
        for item in _read_one(source, fetcher, seen or {}, report, limits):
            yield _with_hints(item, source) if isinstance(item, Capture) else item


def _read_one(
    source: Source,
    fetcher: Fetcher,
    seen: Mapping[str, FetchState],
    report: IngestReport,
    limits: IngestLimits,
) -> Iterator[Capture | Reject]:
    if source.kind in _PATH_KINDS:
        yield from iter_inputs([source.path], report=report, limits=limits)
        return
    if source.kind == "warc":
        if source.path is not None:
            yield from iter_warc(source.path, report=report, limits=limits)
        else:
            yield from _fetch_warc(source.url, fetcher, report, limits)
        return
    if source.kind == "url":
        result = fetch_known(fetcher, source.url, seen.get(source.url), source_id=source.id)
        yield from _sort([result], report)
        return
    items, rejects = discover(source.url, fetcher)
    report.discovered += len(items)
    yield from rejects
    for item in items:
        if item.url in seen:
            report.skip("seen", item.url)
            continue
        yield from _sort([fetcher.fetch(item.url)], report)


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
) -> Iterator[Capture | Reject]:
    for result in results:
        if isinstance(result, NotModified):
            report.not_modified.append(result)
        else:
            yield result


def _fetch_warc(
    url: str, fetcher: Fetcher, report: IngestReport, limits: IngestLimits
) -> Iterator[Capture | Reject]:
    """A WARC served over HTTP: fetched whole (under the size cap), then read like a file."""
    import io

    result = fetcher.fetch(url, extra_types=WARC_TYPES)
    if not isinstance(result, Capture):
        yield from _sort([result], report)
        return
    yield from iter_warc_stream(io.BytesIO(result.raw), url, report=report, limits=limits)


def _with_hints(capture: Capture, source: Source) -> Capture:
    hints = {}
    if source.outlet and not capture.outlet_hint:
        hints["outlet_hint"] = source.outlet
    if source.language and not capture.language_hint:
        hints["language_hint"] = source.language
    if source.id and source.kind == "file" and not capture.source_id:
        hints["source_id"] = source.id
    return dataclasses.replace(capture, **hints) if hints else capture
