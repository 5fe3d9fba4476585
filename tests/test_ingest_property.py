"""Property (#18): generated hostile names, manifest lines and bytes are read and cleaned into
Captures, documents and Rejects; no exception ever escapes a reader or a batch."""

from __future__ import annotations

import json
import os
import tempfile
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrubline.clean import CleanContext, process_batch
from scrubline.export import reject_record, result_record
from scrubline.ingest import IngestLimits, read_inputs
from scrubline.records import Capture, Reject

SUFFIXES = [b".txt", b".html", b".htm", b".warc", b".warc.gz", b".yaml", b""]
LIMITS = IngestLimits(max_file_bytes=4000, max_payload_bytes=4000, max_manifest_line=300)

names = st.builds(
    lambda stem, suffix: stem + suffix,
    st.binary(min_size=1, max_size=12).filter(
        lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b"..")
    ),
    st.sampled_from(SUFFIXES),
)
contents = st.one_of(
    st.binary(max_size=600),
    st.text(max_size=600).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"<html><body><p>Hello world, a short article.</p></body></html>", b"\x1f\x8b\x08\x00",
                     b"WARC/1.0\r\nContent-Length: 99999999\r\n\r\n", b"- &a [*a]\n", b"a: &x [1]\nb: *x\n"]),
)  # fmt: skip
values = st.one_of(st.text(max_size=20), st.integers(), st.none(), st.lists(st.text(max_size=3), max_size=2))
manifest_lines = st.one_of(
    st.dictionaries(
        st.sampled_from(["id", "file", "url", "retrieved_at", "language", "outlet", "x"]), values
    ).map(json.dumps),
    st.text(max_size=80),
)


@cache
def context() -> CleanContext:
    return CleanContext.default()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    files=st.lists(st.tuples(names, contents), max_size=5),
    manifest=st.one_of(st.none(), st.lists(manifest_lines, max_size=6)),
    file_refs=st.lists(names, max_size=3),
)
def test_hostile_inputs_become_captures_or_rejects(
    files: list[tuple[bytes, bytes]], manifest: list[str] | None, file_refs: list[bytes]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = os.fsencode(folder)
        for name, data in files:
            with open(os.path.join(root, name), "wb") as fh:
                fh.write(data)
        if manifest is not None:
            refs = [json.dumps({"file": os.fsdecode(r)}) for r in file_refs]
            text = "\n".join(manifest + refs)
            with open(os.path.join(root, b"manifest.jsonl"), "wb") as fh:
                fh.write(text.encode("utf-8", "surrogatepass"))
        given_paths = [folder, *(os.fsdecode(os.path.join(root, name)) for name, _ in files[:2])]
        captures, rejects = read_inputs(given_paths, limits=LIMITS)
        assert all(isinstance(c, Capture) for c in captures)
        assert all(isinstance(r, Reject) for r in rejects)
        results, failed = process_batch(captures, context())
    records = [result_record(r) for r in results] + [reject_record(r) for r in [*rejects, *failed]]
    for record in records:  # what `scrubline clean` writes must be writable as UTF-8 JSON
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    for item in [*captures, *rejects]:
        item.source_uri.encode("utf-8")
