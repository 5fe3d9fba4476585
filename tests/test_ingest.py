"""read_inputs(): folders, manifests, stable source URIs, and rejects for bad inputs."""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scrubline.clean import is_html
from scrubline.ingest import IngestReport, read_inputs
from scrubline.ingest.http import FetchConfig, Fetcher
from scrubline.ingest.manifest import ManifestError, Source, load_sources, read_sources
from scrubline.records import sha256_hex

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
HTML = b"<!DOCTYPE html><html><body><p>Hello</p></body></html>"


def write_manifest(folder: Path, *lines: object) -> None:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    (folder / "manifest.jsonl").write_text(text + "\n", encoding="utf-8")


def test_seed_corpus_reads_with_manifest_metadata() -> None:
    captures, rejects = read_inputs([SEEDS])
    assert rejects == []
    assert len(captures) == len((SEEDS / "manifest.jsonl").read_text().splitlines())
    first = captures[0]
    assert first.source_uri == "local:seeds/000_51d1441aab6c9e14.txt"
    assert first.source_id == "000_51d1441aab6c9e14"
    assert first.fetched_at == datetime(2025, 3, 1, tzinfo=UTC)
    assert first.language_hint == "en"
    assert first.content_type == "text/plain"
    assert first.capture_id == sha256_hex((SEEDS / "000_51d1441aab6c9e14.txt").read_bytes())


def test_file_alone_gets_the_same_identity_as_through_its_folder() -> None:
    via_folder = {c.source_uri: c for c in read_inputs([SEEDS])[0]}
    alone, rejects = read_inputs([SEEDS / "001_002ce271bc7acb85.txt"])
    assert rejects == []
    assert alone[0] == via_folder[alone[0].source_uri]
    assert alone[0].doc_id == via_folder[alone[0].source_uri].doc_id


def test_same_file_given_twice_is_read_once() -> None:
    captures, _ = read_inputs([SEEDS, SEEDS / "000_51d1441aab6c9e14.txt", str(SEEDS)])
    assert len(captures) == len({c.source_uri for c in captures})


def test_folder_without_manifest(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "b.html").write_bytes(HTML)
    (folder / "a.txt").write_text("Plain text article.", encoding="utf-8")
    (folder / "c.htm").write_bytes(HTML)
    (folder / "notes.md").write_text("Markdown is text.")
    (folder / "sheet.xlsx").write_bytes(b"PK\x03\x04 not read")
    (folder / ".hidden.txt").write_text("hidden files are left out")
    (folder / "sub" / "deeper").mkdir(parents=True)
    (folder / "sub" / "deeper" / "d.xhtml").write_bytes(HTML)
    (folder / "sub" / "loop").symlink_to(folder)  # a cycle is walked once
    stamp = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC).timestamp()
    os.utime(folder / "a.txt", (stamp, stamp))

    report = IngestReport()
    captures, rejects = read_inputs([folder], report=report)
    assert rejects == []
    assert [c.source_uri for c in captures] == [
        "local:corpus/a.txt",
        "local:corpus/b.html",
        "local:corpus/c.htm",
        "local:corpus/notes.md",
        "local:corpus/sub/deeper/d.xhtml",
    ]
    assert [c.input_path for c in captures][-1] == "sub/deeper/d.xhtml"
    assert report.skipped == {"unsupported file type": 1}
    assert report.examples["unsupported file type"] == ["local:corpus/sheet.xlsx"]
    captures = captures[:3]
    assert [c.content_type for c in captures] == ["text/plain", "text/html", "text/html"]
    assert captures[0].fetched_at == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert captures[0].source_id is None


def test_source_uri_does_not_depend_on_where_the_folder_lives(tmp_path: Path) -> None:
    uris = []
    for place in ("machine1", "machine2/deeper"):
        folder = tmp_path / place / "corpus"
        folder.mkdir(parents=True)
        (folder / "a.txt").write_text("same")
        uris.append([c.source_uri for c in read_inputs([folder])[0]])
    assert uris[0] == uris[1] == ["local:corpus/a.txt"]


def test_html_inside_a_txt_file_is_sniffed(tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_bytes(b"\n  " + HTML)
    (tmp_path / "prose.txt").write_text("We wrote <b>bold</b> once, but it is prose.")
    (tmp_path / "tags.txt").write_text("A page opens with <html>; the article goes in <body>.")
    (tmp_path / "saved.txt").write_bytes(b"<!-- saved from url=(0021)https://ex.org/ -->\n" + HTML)
    captures, _ = read_inputs([tmp_path])
    sniffed = {c.source_uri.rsplit("/", 1)[1]: c.content_type for c in captures}
    assert sniffed == {
        "page.txt": "text/html",
        "prose.txt": "text/plain",
        "tags.txt": "text/plain",  # prose that names tags (an HTML tag anywhere used to be HTML)
        "saved.txt": "text/html",
    }
    # the cleaning path, given the same bytes without a content type, decides the same
    for capture in captures:
        bare = dataclasses.replace(capture, content_type=None)
        text = capture.raw.decode("utf-8")
        assert is_html(bare, text) is (sniffed[capture.source_uri.rsplit("/", 1)[1]] == "text/html")


def test_manifest_fields_fill_the_capture(tmp_path: Path) -> None:
    (tmp_path / "one.html").write_bytes(HTML)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "two.txt").write_text("Second article.")
    (tmp_path / "three.txt").write_text("Unlisted article.")
    write_manifest(
        tmp_path,
        {
            "id": "a1",
            "file": "one.html",
            "url": "https://example.org/news/1",
            "retrieved_at": "2025-02-03T04:05:06+02:00",
            "language": "de",
            "outlet": "example",
        },
        "",
        {"id": "a2", "file": "sub/two.txt", "retrieved_at": "2025-02-03T10:00:00"},
    )
    captures, rejects = read_inputs([tmp_path])
    assert rejects == []
    one, two, three = captures
    assert one.source_uri == "https://example.org/news/1"
    assert (one.source_id, one.language_hint, one.outlet_hint) == ("a1", "de", "example")
    assert one.fetched_at == datetime(2025, 2, 3, 2, 5, 6, tzinfo=UTC)
    assert one.content_type == "text/html"
    assert two.source_uri == f"local:{tmp_path.name}/sub/two.txt"
    assert two.fetched_at == datetime(2025, 2, 3, 10, tzinfo=UTC)
    assert three.source_id is None
    assert three.source_uri == f"local:{tmp_path.name}/three.txt"


def test_bad_manifest_lines_become_rejects_with_line_numbers(tmp_path: Path) -> None:
    for name in ("ok.txt", "dup.txt", "when.txt", "typed.txt"):
        (tmp_path / name).write_text(f"content of {name}")
    write_manifest(
        tmp_path,
        {"id": "x", "file": "ok.txt"},
        "{not json",
        {"id": "y"},
        {"id": "z", "file": "missing.txt"},
        {"id": "x", "file": "dup.txt"},
        {"id": "w", "file": "when.txt", "retrieved_at": "last tuesday"},
        {"id": "v", "file": "../escape.txt"},
        ["a", "list"],
        {"id": 7, "file": "typed.txt"},
    )
    captures, rejects = read_inputs([tmp_path])
    assert [c.source_id for c in captures] == ["x"]  # files named by bad lines are not read
    messages = {r.source_uri.rsplit("#", 1)[1]: r.message for r in rejects}
    assert set(messages) == {"L2", "L3", "L4", "L5", "L6", "L7", "L8", "L9"}
    assert messages["L2"].startswith("manifest.jsonl line 2: not JSON")
    assert "missing 'file'" in messages["L3"]
    assert "'missing.txt' does not exist" in messages["L4"]
    assert "duplicate id 'x' (first on line 1)" in messages["L5"]
    assert "'last tuesday' is not an ISO date" in messages["L6"]
    assert "must stay inside" in messages["L7"]
    assert "expected a JSON object" in messages["L8"]
    assert "'id' must be a string" in messages["L9"]
    assert all(r.stage == "read" and r.error_class == "ManifestError" for r in rejects)


def test_empty_binary_missing_and_unreadable_inputs_are_rejects(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "nul.txt").write_bytes(b"text\x00\x00\x00more")
    locked = tmp_path / "locked.txt"
    locked.write_text("secret")
    locked.chmod(0)
    try:
        captures, rejects = read_inputs([tmp_path, tmp_path / "absent.html"])
    finally:
        locked.chmod(0o644)
    assert captures == [] or [c.source_uri for c in captures] == [f"local:{tmp_path.name}/locked.txt"]
    by_name = {r.source_uri.rsplit("/", 1)[1]: r for r in rejects}
    assert by_name["empty.txt"].error_class == "EmptyFile"
    assert by_name["image.html"].error_class == "BinaryContent"
    assert "PNG" in by_name["image.html"].message
    assert by_name["image.html"].capture_id is not None
    assert "NUL byte at offset 4" in by_name["nul.txt"].message
    assert by_name["absent.html"].error_class == "FileNotFoundError"
    if os.geteuid() != 0:  # root can read anything
        assert by_name["locked.txt"].error_class == "PermissionError"
    assert all(r.stage == "read" for r in rejects)


def test_duplicate_bytes_are_separate_sources_with_one_capture_id(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("identical")
    (tmp_path / "b.txt").write_text("identical")
    a, b = read_inputs([tmp_path])[0]
    assert a.capture_id == b.capture_id
    assert a.doc_id != b.doc_id


# --- sources.yaml ---------------------------------------------------------------------------


def test_sources_manifest_loads_and_reads(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("Article A.")
    (tmp_path / "single.html").write_bytes(HTML)
    (tmp_path / "sources.yaml").write_text(
        """
sources:
  - {kind: dir, path: corpus, outlet: courier, language: de, tags: [local], schedule: daily}
  - {kind: file, path: single.html, id: single-1, schedule: weekly}
  - {kind: feed, url: "https://example.org/feed.xml", schedule: hourly}
""",
        encoding="utf-8",
    )
    sources = load_sources(tmp_path / "sources.yaml")
    assert sources[0] == Source(
        kind="dir",
        path=tmp_path / "corpus",
        outlet="courier",
        language="de",
        tags=("local",),
        schedule="daily",
    )
    captures, rejects = read_sources(sources, schedule="daily")
    assert [(c.source_uri, c.outlet_hint, c.language_hint) for c in captures] == [
        ("local:corpus/a.txt", "courier", "de")
    ]
    assert rejects == []  # the hourly feed is not read (feeds: tests/test_feeds.py, local server)
    weekly, _ = read_sources(sources, schedule="weekly")
    assert [(c.source_id, c.content_type) for c in weekly] == [("single-1", "text/html")]


def test_sources_manifest_lists_every_problem_with_index_and_field(tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_text(
        """
- {kind: dir, path: nowhere}
- {kind: url}
- {kind: url, url: "ftp://example.org/x"}
- {kind: podcast, path: x}
- {kind: file, path: sources.yaml, tags: nope, colour: red}
- just a string
""",
        encoding="utf-8",
    )
    with pytest.raises(ManifestError) as info:
        load_sources(tmp_path / "sources.yaml")
    assert info.value.problems == [
        f"sources[0].path: 'nowhere' does not exist (relative to {tmp_path})",
        "sources[1].url: required for kind 'url'",
        "sources[2].url: must be an http(s) URL, got 'ftp://example.org/x'",
        "sources[3].kind: must be one of file, dir, url, feed, sitemap, warc, got 'podcast'",
        "sources[4].colour: unknown field",
        "sources[4].tags: must be a list of strings, got 'nope'",
        "sources[5].entry: expected a mapping, got str",
    ]


def test_url_source_is_fetched(tmp_path: Path) -> None:
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    (tmp_path / "page.html").write_bytes(HTML)

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/page.html"
        fetcher = Fetcher(FetchConfig(allow_private=True, politeness_s=0))
        sources = [Source(kind="url", url=url, id="u1", outlet="local")]
        captures, rejects = read_sources(sources, fetcher=fetcher)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert rejects == []
    assert [(c.source_uri, c.source_id, c.outlet_hint, c.raw) for c in captures] == [
        (url, "u1", "local", HTML)
    ]


def test_read_inputs_is_the_list_form_of_iter_inputs(tmp_path: Path) -> None:
    from scrubline.ingest import iter_inputs

    (tmp_path / "a.txt").write_text("Article A.")
    (tmp_path / "empty.txt").write_bytes(b"")
    walked = list(iter_inputs([SEEDS, tmp_path]))
    captures, rejects = read_inputs([SEEDS, tmp_path])
    assert [x for x in walked if x.__class__.__name__ == "Capture"] == captures
    assert [x for x in walked if x.__class__.__name__ == "Reject"] == rejects
    assert [r.error_class for r in rejects] == ["EmptyFile"]
