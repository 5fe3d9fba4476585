"""Local files and directories -> Captures.

- A **file** path is read as one capture (a ``manifest.jsonl`` given directly is read as a
  manifest: only the files it names).
- A **directory** is read non-recursively: every ``.txt``, ``.html``, ``.htm`` file directly
  in it (sorted by name), enriched by ``manifest.jsonl`` there if present. Manifest lines come
  first, in manifest order (they may also name files in subfolders or with other extensions),
  then the unlisted files. A file named by any manifest line, valid or not, is governed by it.
  Then every ``.warc``/``.warc.gz`` file in the folder.
- A ``.warc``/``.warc.gz`` file is read as an archive of captures (``scrubline.ingest.warc``).
- A ``.yaml``/``.yml`` file is a sources manifest (``load_sources`` + ``read_sources``); an
  ``http(s)://`` URL is one ``url`` source (fetched, conditionally when ``seen`` knows it).

Manifest line: ``{"id", "file", "url"?, "retrieved_at"?, "language"?, "outlet"?}``; ``file``
is relative to the manifest's folder and may not leave it; ``id`` must be unique.

**source_uri scheme** (stable across machines, so re-runs stay idempotent): the manifest
``url`` when given, else ``local:<folder name>/<path relative to that folder>``, e.g.
``local:seeds/000_51d1441aab6c9e14.txt``, the same whether the folder or the file was passed.
Absolute paths never enter the URI. ``source_id`` is the manifest ``id``
(``Capture.doc_id`` prefers it).

``fetched_at``: the manifest ``retrieved_at`` (ISO date -> midnight UTC, naive datetime ->
UTC), else the file's modification time in UTC.

Bad inputs become ``Reject(stage="read")`` rows, never exceptions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from scrubline.decode import binary_reason
from scrubline.ingest.http import FetchConfig, Fetcher, FetchState
from scrubline.ingest.report import IngestReport
from scrubline.ingest.warc import is_warc, read_warc
from scrubline.records import Capture, Reject, sha256_hex

MANIFEST_NAME = "manifest.jsonl"
CONTENT_TYPES = {".txt": "text/plain", ".html": "text/html", ".htm": "text/html"}
STAGE = "read"
_HTML_SNIFF = re.compile(rb"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)
_SNIFF_BYTES = 2048
_OPTIONAL_STR_FIELDS = ("id", "url", "retrieved_at", "language", "outlet")


@dataclass(frozen=True, slots=True)
class _Entry:
    """One file to read and what the manifest says about it."""

    path: Path
    source_uri: str
    source_id: str | None = None
    fetched_at: datetime | None = None
    language: str | None = None
    outlet: str | None = None


def read_inputs(
    paths: Iterable[Path | str],
    *,
    schedule: str | None = None,
    fetcher: Fetcher | None = None,
    fetch_config: FetchConfig | None = None,
    seen: Mapping[str, FetchState] | None = None,
    report: IngestReport | None = None,
) -> tuple[list[Capture], list[Reject]]:
    """Read files, folders, WARCs, sources manifests and URLs; every bad input is a Reject.

    ``fetcher`` (or one built from ``fetch_config``) fetches URLs; ``schedule`` selects one
    group of a sources manifest; ``seen`` and ``report`` are passed to ``read_sources`` (see
    there): skipped and unchanged inputs are counted in ``report``.
    """
    captures: list[Capture] = []
    rejects: list[Reject] = []
    report = report if report is not None else IngestReport()
    seen_files: set[tuple[Path, str]] = set()
    for given in paths:
        if _is_url(given) or _is_sources_manifest(given):
            from scrubline.ingest.manifest import ManifestError, Source, load_sources, read_sources

            if fetcher is None:
                fetcher = Fetcher(fetch_config or FetchConfig())
            if _is_url(given):
                sources = [Source(kind="url", url=str(given).strip())]
            else:
                try:
                    sources = load_sources(given)
                except ManifestError as exc:
                    uri = local_uri(Path(given), Path(given).parent)
                    rejects.append(_reject(uri, "ManifestError", str(exc)))
                    continue
            selected = schedule if not _is_url(given) else None
            got, failed = read_sources(sources, schedule=selected, fetcher=fetcher, seen=seen, report=report)
            captures.extend(got)
            rejects.extend(failed)
            continue
        entries, warcs, plan_rejects = _plan(Path(given))
        rejects.extend(plan_rejects)
        for entry in entries:
            key = (entry.path.resolve(), entry.source_uri)
            if key in seen_files:  # the same file reached twice (folder and file both given)
                continue
            seen_files.add(key)
            result = read_entry(entry)
            (captures if isinstance(result, Capture) else rejects).append(result)
        for warc in warcs:
            key = (warc.resolve(), "warc")
            if key not in seen_files:
                seen_files.add(key)
                got, failed = read_warc(warc, report=report)
                captures.extend(got)
                rejects.extend(failed)
    return captures, rejects


def _is_url(given: Path | str) -> bool:
    return isinstance(given, str) and given.strip().lower().startswith(("http://", "https://"))


def _is_sources_manifest(given: Path | str) -> bool:
    return Path(given).suffix.lower() in (".yaml", ".yml") and Path(given).is_file()


def local_uri(path: Path, root: Path) -> str:
    """``local:<root folder name>/<path relative to root>``: a machine-independent source URI."""
    root = root.resolve()
    rel = path.resolve().relative_to(root).as_posix()
    return f"local:{root.name}/{rel}"


def sniff_content_type(path: Path, raw: bytes) -> str:
    """text/html for .html/.htm or for text that starts like HTML, else text/plain."""
    declared = CONTENT_TYPES.get(path.suffix.lower())
    if declared == "text/html":
        return declared
    return "text/html" if _HTML_SNIFF.search(raw[:_SNIFF_BYTES]) else "text/plain"


def read_entry(entry: _Entry) -> Capture | Reject:
    """Read one planned file: a Capture, or a Reject for unreadable/empty/binary content."""
    try:
        raw = entry.path.read_bytes()
        fetched_at = entry.fetched_at or datetime.fromtimestamp(entry.path.stat().st_mtime, UTC)
    except OSError as exc:
        return _reject(entry.source_uri, type(exc).__name__, f"cannot read file: {exc.strerror}")
    if not raw:
        return _reject(entry.source_uri, "EmptyFile", "file is empty (0 bytes)")
    reason = binary_reason(raw)
    if reason:
        return _reject(entry.source_uri, "BinaryContent", reason, sha256_hex(raw))
    return Capture(
        source_uri=entry.source_uri,
        raw=raw,
        fetched_at=fetched_at,
        content_type=sniff_content_type(entry.path, raw),
        source_id=entry.source_id,
        language_hint=entry.language,
        outlet_hint=entry.outlet,
    )


def _reject(uri: str, error_class: str, message: str, capture_id: str | None = None) -> Reject:
    return Reject(uri, STAGE, error_class, message, capture_id)


def _plan(path: Path) -> tuple[list[_Entry], list[Path], list[Reject]]:
    """The files and the WARC archives a given path stands for, plus rejects found planning."""
    if path.is_dir():
        entries, rejects = _plan_dir(path)
        warcs = sorted(p for p in path.iterdir() if is_warc(p) and p.is_file())
        return entries, warcs, rejects
    if not path.exists():
        uri = f"local:{path.resolve().parent.name}/{path.name}"
        return [], [], [_reject(uri, "FileNotFoundError", f"no such file or directory: {path}")]
    if is_warc(path):
        return [], [path], []
    if path.name == MANIFEST_NAME:
        entries, rejects = _split(item for _, item in _read_manifest(path))
        return entries, [], rejects
    sibling = path.parent / MANIFEST_NAME
    if sibling.is_file():  # a file passed alone still gets what its folder's manifest says
        target = path.resolve()
        mine = [item for named, item in _read_manifest(sibling) if named == target]
        if mine:
            entries, rejects = _split(mine)
            return entries, [], rejects
    return [_Entry(path, local_uri(path, path.parent))], [], []


def _plan_dir(folder: Path) -> tuple[list[_Entry], list[Reject]]:
    items: list[_Entry | Reject] = []
    named: set[Path] = set()
    manifest = folder / MANIFEST_NAME
    if manifest.is_file():
        for path, item in _read_manifest(manifest):
            items.append(item)
            if path is not None:
                named.add(path)
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in CONTENT_TYPES and path.is_file() and path.resolve() not in named:
            items.append(_Entry(path, local_uri(path, folder)))
    return _split(items)


def _split(items: Iterable[_Entry | Reject]) -> tuple[list[_Entry], list[Reject]]:
    entries: list[_Entry] = []
    rejects: list[Reject] = []
    for item in items:
        (entries if isinstance(item, _Entry) else rejects).append(item)
    return entries, rejects


def _read_manifest(manifest: Path) -> list[tuple[Path | None, _Entry | Reject]]:
    """Each manifest line as (resolved path it names or None, Entry or Reject)."""
    folder = manifest.parent
    uri = local_uri(manifest, folder)
    try:
        lines = manifest.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return [(None, _reject(uri, type(exc).__name__, f"cannot read manifest: {exc}"))]
    items: list[tuple[Path | None, _Entry | Reject]] = []
    seen_ids: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        named: list[Path] = []
        try:
            item: _Entry | Reject = _manifest_entry(line, folder, named)
            _check_unique_id(item, seen_ids, number)
        except _ManifestError as exc:
            message = f"{MANIFEST_NAME} line {number}: {exc}"
            item = _reject(f"{uri}#L{number}", "ManifestError", message)
        items.append((named[0] if named else None, item))
    return items


class _ManifestError(ValueError):
    """A manifest line that cannot be used; its message names the problem."""


def _manifest_entry(line: str, folder: Path, named: list[Path]) -> _Entry:
    """Parse one manifest line; appends the file it names to ``named`` even when invalid."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _ManifestError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise _ManifestError(f"expected a JSON object, got {type(obj).__name__}")
    file = obj.get("file")
    if not isinstance(file, str) or not file.strip():
        raise _ManifestError("missing 'file' (a path relative to the manifest)")
    rel = PurePosixPath(file)
    if rel.is_absolute() or ".." in rel.parts:
        raise _ManifestError(f"'file' must stay inside the manifest folder: {file!r}")
    path = folder / rel
    named.append(path.resolve())
    fields = _optional_strings(obj)
    if not path.is_file():
        raise _ManifestError(f"file {file!r} does not exist")
    return _Entry(
        path=path,
        source_uri=fields["url"] or local_uri(path, folder),
        source_id=fields["id"],
        fetched_at=_parse_when(fields["retrieved_at"]),
        language=fields["language"],
        outlet=fields["outlet"],
    )


def _optional_strings(obj: dict[str, Any]) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for key in _OPTIONAL_STR_FIELDS:
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            raise _ManifestError(f"{key!r} must be a string or null, got {value!r}")
        values[key] = value.strip() or None if isinstance(value, str) else None
    return values


def _check_unique_id(entry: _Entry, seen: dict[str, int], number: int) -> None:
    if entry.source_id is None:
        return
    if entry.source_id in seen:
        first = seen[entry.source_id]
        raise _ManifestError(f"duplicate id {entry.source_id!r} (first on line {first})")
    seen[entry.source_id] = number


def _parse_when(value: str | None) -> datetime | None:
    """ISO date or datetime -> aware UTC datetime (dates at midnight, naive taken as UTC)."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise _ManifestError(f"retrieved_at {value!r} is not an ISO date or datetime") from None
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)
