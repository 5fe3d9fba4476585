"""Hostile local inputs (#18): each is one Reject (or a documented capture), never a crash or hang."""

from __future__ import annotations

import gzip
import json
import os
import zlib
from pathlib import Path

import pytest

from scrubline.ingest import IngestLimits, IngestReport, iter_inputs, read_inputs
from scrubline.ingest.manifest import ManifestError, load_sources
from scrubline.ingest.warc import read_warc, read_warc_bytes

SMALL = IngestLimits(
    max_file_bytes=1000, max_payload_bytes=1000, max_manifest_line=200, max_manifest_entries=3
)


def by_name(rejects: list) -> dict:
    return {r.source_uri.rsplit("/", 1)[1]: r for r in rejects}


def test_non_utf8_file_name_is_read_under_an_escaped_uri(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.txt")  # Latin-1 on a UTF-8 file system: a surrogate escape
    (tmp_path / name).write_text("An article whose file name is Latin-1.")
    captures, rejects = read_inputs([tmp_path])
    assert rejects == []
    assert captures[0].source_uri == f"local:{tmp_path.name}/caf\\xe9.txt"
    captures[0].source_uri.encode("utf-8")  # storable and printable


def test_special_files_are_rejected_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")  # a blocking open would hang the run
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    (tmp_path / "ok.txt").write_text("fine")
    captures, rejects = read_inputs([tmp_path, "/dev/zero"], limits=SMALL)
    assert [c.source_uri.rsplit("/", 1)[1] for c in captures] == ["ok.txt"]
    found = by_name(rejects)
    assert found["pipe.txt"].error_class == "NotARegularFile"
    assert "FIFO" in found["pipe.txt"].message
    assert found["zero.txt"].error_class == "SymlinkOutsideRoot"
    assert found["zero"].error_class == "NotARegularFile"  # named directly: a device


def test_symlink_leaving_the_input_folder_is_a_reject_not_a_crash(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("not for the corpus")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "leak.txt").symlink_to(outside)
    (corpus / "inside.txt").write_text("kept")
    (corpus / "alias.txt").symlink_to(corpus / "inside.txt")
    captures, rejects = read_inputs([corpus])
    assert sorted(c.source_uri for c in captures) == ["local:corpus/alias.txt", "local:corpus/inside.txt"]
    assert [(r.source_uri, r.error_class) for r in rejects] == [
        ("local:corpus/leak.txt", "SymlinkOutsideRoot")
    ]


def test_file_over_the_limit_is_rejected_after_reading_only_the_limit(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_bytes(b"a" * 5000)
    (tmp_path / "fine.txt").write_bytes(b"a" * 1000)
    captures, rejects = read_inputs([tmp_path], limits=SMALL)
    assert [len(c.raw) for c in captures] == [1000]
    assert [(r.error_class, r.message) for r in rejects] == [
        ("TooLarge", "file is 5000 bytes, limit is 1000")
    ]


def test_manifest_with_nul_surrogate_long_and_excess_lines(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A")
    lines = [
        json.dumps({"id": "a", "file": "a.txt"}),
        '{"id": "s", "file": "\\udc00.txt"}',  # a lone surrogate escape
        '{"id": "n", "file": "a\\u0000.txt"}',  # a NUL
        json.dumps({"id": "long", "file": "x" * 500}),
        json.dumps({"id": "more", "file": "a.txt"}),
    ]
    raw = "\n".join(lines[:4]).encode() + b"\n\xff\xfe not utf-8\n" + lines[4].encode()
    (tmp_path / "manifest.jsonl").write_bytes(raw)
    captures, rejects = read_inputs(
        [tmp_path], limits=IngestLimits(max_manifest_line=200, max_manifest_entries=5)
    )
    assert [c.source_id for c in captures] == ["a"]
    messages = {r.source_uri.rsplit("#", 1)[1]: (r.error_class, r.message) for r in rejects}
    assert "NUL or a lone surrogate" in messages["L2"][1]
    assert "NUL or a lone surrogate" in messages["L3"][1]
    assert "longer than 200 bytes" in messages["L4"][1]
    assert "not UTF-8" in messages["L5"][1]
    assert messages["L6"][0] == "TooManyEntries"  # max 5 entries: the 6th line stops the reading


def test_yaml_alias_bomb_and_oversize_yaml_are_refused(tmp_path: Path) -> None:
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        bomb.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    (tmp_path / "bomb.yaml").write_text("\n".join(bomb) + "\n")
    with pytest.raises(ManifestError) as info:
        load_sources(tmp_path / "bomb.yaml")
    assert info.value.error_class == "TooManyAliases"
    (tmp_path / "big.yaml").write_text("- {kind: dir, path: x}\n" * 100_000)
    with pytest.raises(ManifestError) as info:
        load_sources(tmp_path / "big.yaml")
    assert info.value.error_class == "TooLarge"
    captures, rejects = read_inputs([tmp_path / "bomb.yaml"])
    assert captures == [] and [r.error_class for r in rejects] == ["TooManyAliases"]


def test_sources_paths_must_stay_in_the_project_folder(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "corpus").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "outside.txt").write_text("absolute path outside the project")
    (project / "sources.yaml").write_text(
        "- {kind: dir, path: corpus}\n- {kind: dir, path: ../elsewhere}\n"
        f"- {{kind: file, path: {tmp_path / 'outside.txt'}}}\n"
    )
    with pytest.raises(ManifestError) as info:
        load_sources(project / "sources.yaml")
    assert [p.split(":")[0] for p in info.value.problems] == ["sources[1].path", "sources[2].path"]
    assert all("outside the project folder" in p for p in info.value.problems)
    allowed = IngestLimits(source_roots=(str(tmp_path),))
    assert len(load_sources(project / "sources.yaml", limits=allowed)) == 3


def _warc_record(target: str, payload: bytes, encoding: str | None = None) -> bytes:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
    if encoding:
        head += f"Content-Encoding: {encoding}\r\n".encode()
    block = head + b"\r\n" + payload
    warc = (
        f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {target}\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n"
        f"WARC-Record-ID: <urn:uuid:{abs(hash(target))}>\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    ).encode()
    return warc + block + b"\r\n\r\n"


def test_warc_payload_over_the_limit_is_a_reject_and_the_next_record_is_read(tmp_path: Path) -> None:
    page = b"<html><body><p>small page</p></body></html>"
    big = _warc_record("https://x.example/big", b"<p>" + b"a" * 5000)
    bomb = _warc_record("https://x.example/bomb", gzip.compress(b"<p>" + b"b" * 50_000), "gzip")
    small = _warc_record("https://x.example/ok", page)
    plain = big + bomb + small
    members = b"".join(gzip.compress(r) for r in (big, bomb, small))
    for data in (plain, members):
        captures, rejects = read_warc_bytes(data, "mem:x.warc", limits=IngestLimits(max_payload_bytes=2000))
        assert [c.source_uri for c in captures] == ["https://x.example/ok"]
        assert [r.error_class for r in rejects] == ["TooLarge", "TooLarge"]
        assert "x.example/big" in rejects[0].message and "x.example/bomb" in rejects[1].message


def test_gzip_member_bomb_is_walked_within_ratio_and_reading_goes_on(tmp_path: Path) -> None:
    huge = _warc_record("https://x.example/huge", b"<p>" + b"z" * 30_000_000)
    ok = _warc_record("https://x.example/ok", b"<html><body><p>after the bomb</p></body></html>")
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(gzip.compress(huge) + gzip.compress(ok))
    report = IngestReport()
    items = list(iter_inputs([path], report=report, limits=IngestLimits(max_payload_bytes=1_000_000)))
    assert [getattr(i, "error_class", None) for i in items] == ["TooLarge", None]
    assert items[1].source_uri == "https://x.example/ok"
    captures, rejects = read_warc(path, limits=IngestLimits(max_payload_bytes=1_000_000))
    assert ([c.source_uri for c in captures], len(rejects)) == (["https://x.example/ok"], 1)


def test_iter_inputs_is_lazy(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"{i}.txt").write_text(f"article {i}")
    walk = iter_inputs([tmp_path])
    first = next(walk)
    (tmp_path / "2.txt").unlink()  # read one at a time: a file gone later is a reject then
    rest = list(walk)
    assert first.source_uri.endswith("/0.txt")
    assert [type(x).__name__ for x in rest] == ["Capture", "Reject"]


def test_gzip_bomb_served_as_a_warc_url_is_bounded() -> None:
    from helpers import QuietHandler, local_server

    from scrubline.ingest import FetchConfig, Fetcher, Source, read_sources

    ok = _warc_record("https://x.example/ok", b"<html><body><p>served after a bomb</p></body></html>")
    deflater = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = deflater.compress(_warc_record("https://x.example/bomb", b"")[:-4])
    bomb += b"".join(deflater.compress(b"\0" * (1 << 22)) for _ in range(16)) + deflater.flush()  # 64 MiB
    body = bomb + gzip.compress(ok)

    class Served(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            self.send(200, body, "application/warc")

    with local_server(Served) as url:
        fetcher = Fetcher(FetchConfig(allow_private=True, politeness_s=0, respect_robots=False))
        limits = IngestLimits(max_payload_bytes=1_000_000)
        captures, rejects = read_sources(
            [Source(kind="warc", url=f"{url}/x.warc.gz")], fetcher=fetcher, limits=limits
        )
    assert [c.source_uri for c in captures] == ["https://x.example/ok"]
    assert [r.error_class for r in rejects] == ["TooLarge"]
