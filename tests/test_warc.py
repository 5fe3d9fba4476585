"""WARC / WARC.gz reading on archives written byte by byte as the WARC 1.1 spec frames them."""

from __future__ import annotations

import gzip
import zlib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scrubline.clean import CleanContext, process
from scrubline.ingest import IngestReport, read_inputs, read_warc
from scrubline.ingest.warc import read_warc_bytes
from scrubline.records import sha256_hex

PAGE = (
    b"<!DOCTYPE html><html lang='en'><head><title>Harbour reopens | Courier</title></head><body>"
    b"<article><h1>Harbour reopens</h1><p>The harbour of Port Elwyn reopened to fishing boats on "
    b"Tuesday, a week after the storm damaged its northern quay and two of its cranes.</p>"
    b"<p>Repairs cost the town council more than it had planned, the mayor said on Monday.</p>"
    b"</article></body></html>"
)


def record(kind: str, uri: str | None, block: bytes, content_type: str, n: int, **extra: str) -> bytes:
    headers = {
        "WARC-Type": kind,
        "WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>",
        "WARC-Date": "2024-03-05T08:30:00Z",
        "Content-Type": content_type,
        "Content-Length": str(len(block)),
        **({"WARC-Target-URI": uri} if uri else {}),
        **extra,
    }
    head = "WARC/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode() + block + b"\r\n\r\n"


def http(body: bytes, status: str = "200 OK", **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def archive() -> list[bytes]:
    """One of each kind of record the reader must tell apart."""
    chunked = b"".join(f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in (PAGE[:50], PAGE[50:], b""))
    return [
        record("warcinfo", None, b"software: hand-written test\r\n", "application/warc-fields", 1),
        record("request", "https://courier.example.com/a", b"GET /a HTTP/1.1\r\n\r\n",
               "application/http; msgtype=request", 2),
        record("response", "https://courier.example.com/a",
               http(PAGE, Content_Type="text/html; charset=utf-8", ETag='"v1"'),
               "application/http; msgtype=response", 3),
        record("response", "https://courier.example.com/logo.png", http(b"\x89PNG\r\n\x1a\n....",
               Content_Type="image/png"), "application/http; msgtype=response", 4),
        record("response", "https://courier.example.com/gz",
               http(gzip.compress(PAGE), Content_Type="text/html", Content_Encoding="gzip"),
               "application/http; msgtype=response", 5),
        record("response", "https://courier.example.com/chunked",
               http(chunked, Content_Type="text/plain", Transfer_Encoding="chunked"),
               "application/http; msgtype=response", 6),
        record("response", "https://courier.example.com/moved",
               http(b"", "301 Moved Permanently", Location="/a"), "application/http; msgtype=response", 7),
        record("metadata", "https://courier.example.com/a", b"outlinks: /b\r\n",
               "application/warc-fields", 8),
        record("revisit", "https://courier.example.com/a", http(b""),
               "application/http; msgtype=response", 9),
    ]  # fmt: skip


def write(path: Path, records: list[bytes], *, gz: bool) -> Path:
    path.write_bytes(b"".join(gzip.compress(r) for r in records) if gz else b"".join(records))
    return path


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_html_and_text_responses_become_captures(tmp_path: Path, gz: bool) -> None:
    path = write(tmp_path / ("crawl.warc.gz" if gz else "crawl.warc"), archive(), gz=gz)
    report = IngestReport()
    captures, rejects = read_warc(path, report=report)
    assert rejects == []
    assert [c.source_uri for c in captures] == [
        "https://courier.example.com/a",
        "https://courier.example.com/gz",
        "https://courier.example.com/chunked",
    ]
    first = captures[0]
    assert first.raw == PAGE and first.capture_id == sha256_hex(PAGE)
    assert first.fetched_at == datetime(2024, 3, 5, 8, 30, tzinfo=UTC)
    assert first.warc_record_id == "<urn:uuid:00000000-0000-0000-0000-000000000003>"
    assert (first.http_status, first.content_type) == (200, "text/html; charset=utf-8")
    assert first.http_headers["etag"] == '"v1"'
    assert captures[1].raw == PAGE  # gzip content encoding undone
    assert captures[2].raw == PAGE and captures[2].content_type == "text/plain"  # chunks joined
    assert report.skipped == Counter({
        "warc:warcinfo record": 1, "warc:request record": 1, "warc:metadata record": 1,
        "warc:revisit record": 1, "warc:non-text payload": 1, "warc:http status 301": 1,
    })  # fmt: skip
    assert report.examples["warc:non-text payload"] == ["https://courier.example.com/logo.png"]


def test_a_warc_capture_cleans_like_any_html(tmp_path: Path) -> None:
    path = write(tmp_path / "crawl.warc.gz", archive(), gz=True)
    capture = read_warc(path)[0][0]
    result = process(capture, CleanContext.default())
    assert result.document.source_uri == "https://courier.example.com/a"
    assert "reopened to fishing boats" in result.document.text
    assert result.document.title == "Harbour reopens"


def test_corrupt_gzip_member_is_a_reject_with_its_offset_and_reading_resumes(tmp_path: Path) -> None:
    records = archive()
    members = [gzip.compress(r) for r in records]
    broken = bytearray(members[3])
    broken[20:40] = b"\x00" * 20  # damage the deflate stream of the /a response
    members[2] = bytes(broken[:10]) + members[2][10:30]  # and truncate another member
    members[3] = bytes(broken)
    path = tmp_path / "damaged.warc.gz"
    path.write_bytes(b"".join(members))
    offset_2 = sum(len(m) for m in members[:2])
    offset_3 = offset_2 + len(members[2])
    captures, rejects = read_warc(path)
    assert [c.source_uri for c in captures] == [
        "https://courier.example.com/gz",
        "https://courier.example.com/chunked",
    ]  # the members after the damage are still read
    assert {r.error_class for r in rejects} == {"CorruptWarcRecord"}
    assert rejects[0].source_uri == f"local:{tmp_path.name}/damaged.warc.gz#offset={offset_2}"
    assert f"offset {offset_2}" in rejects[0].message
    assert all(int(r.source_uri.rsplit("=", 1)[1]) >= offset_2 for r in rejects)
    assert offset_3 > offset_2


@pytest.mark.parametrize(
    ("damage", "fragment"),
    [
        (lambda b: b.replace(b"Content-Length: ", b"Content-Length: x", 1), "invalid Content-Length"),
        (lambda b: b[:-40], "block truncated"),
        (lambda b: b"GARBAGE\r\n" + b, "expected a WARC/1.x version line"),
    ],
)
def test_corrupt_plain_warc_record_is_a_reject(tmp_path: Path, damage, fragment: str) -> None:  # noqa: ANN001
    good = archive()[2]
    path = tmp_path / "bad.warc"
    path.write_bytes(good + damage(good))
    captures, rejects = read_warc(path)
    assert [c.source_uri for c in captures] == ["https://courier.example.com/a"]
    assert len(rejects) == 1
    assert rejects[0].source_uri.endswith(f"#offset={len(good)}")
    assert fragment in rejects[0].message


def test_response_without_http_status_line_is_a_reject() -> None:
    raw = record("response", "https://x.example.org/", b"not http at all", "application/http", 1)
    captures, rejects = read_warc_bytes(raw, "mem:x.warc")
    assert captures == []
    assert rejects[0].source_uri == "mem:x.warc#offset=0"
    assert "no HTTP status line" in rejects[0].message


def test_whole_file_gzip_and_resource_records(tmp_path: Path) -> None:
    resource = record("resource", "file:///notes.txt", b"Plain notes about the harbour.", "text/plain", 1)
    path = tmp_path / "single-member.warc.gz"
    path.write_bytes(gzip.compress(archive()[2] + resource))  # one gzip member, two records
    captures, rejects = read_warc(path)
    assert rejects == []
    assert [(c.source_uri, c.http_status) for c in captures] == [
        ("https://courier.example.com/a", 200),
        ("file:///notes.txt", None),
    ]


def test_read_inputs_takes_warc_files_and_warcs_in_folders(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    write(folder / "crawl.warc.gz", archive(), gz=True)
    (folder / "page.html").write_bytes(PAGE)
    report = IngestReport()
    captures, rejects = read_inputs([folder], report=report)
    assert rejects == []
    assert [c.source_uri for c in captures] == [
        "local:inbox/page.html",
        "https://courier.example.com/a",
        "https://courier.example.com/gz",
        "https://courier.example.com/chunked",
    ]
    assert report.skipped["warc:request record"] == 1
    alone, _ = read_inputs([folder / "crawl.warc.gz", folder])  # the same archive given twice
    assert len(alone) == 4


def test_deflate_encoded_payload(tmp_path: Path) -> None:
    raw = record("response", "https://x.example.org/d",
                 http(zlib.compress(PAGE), Content_Type="text/html", Content_Encoding="deflate"),
                 "application/http; msgtype=response", 1)  # fmt: skip
    captures, _ = read_warc_bytes(raw, "mem:d.warc")
    assert captures[0].raw == PAGE
