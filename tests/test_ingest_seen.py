"""What a walk has met already: the same answers in memory and once spilled to its temporary
database, and a whole folder walk past the spill point reads exactly what a small one does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scrubline.ingest import read_inputs, seen
from scrubline.ingest.seen import SeenKeys


@pytest.mark.parametrize("spill_at", [1000, 3])
def test_seen_keys_remember_keys_and_first_values_before_and_after_spilling(spill_at: int) -> None:
    keys = SeenKeys(spill_at=spill_at)
    for i in range(10):
        assert keys.first((f"id-{i}",), i + 100) is None
    assert keys.spilled == (spill_at == 3)
    assert len(keys) == 10
    assert keys.first(("id-4",), 999) == 104  # the first value is kept
    assert ("id-9",) in keys and ("id-10",) not in keys
    assert keys.add(("a", "b")) and not keys.add(("a", "b"))
    assert keys.add(("ab", "")) and keys.add(("a", "b", ""))  # parts are kept apart
    assert keys.add(("caf\udce9",))  # an undecodable file-name byte is a key like any other


def test_a_walk_past_the_spill_point_reads_what_a_small_walk_reads(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    lines = []
    for i in range(12):
        (folder / f"doc{i:02d}.txt").write_text(f"Article number {i}.", encoding="utf-8")
        if i < 8:  # the manifest names eight; four are found by the walk
            lines.append({"id": f"d{i}", "file": f"doc{i:02d}.txt", "url": f"https://news.example.org/{i}"})
    lines.append({"id": "d3", "file": "doc09.txt"})  # a repeated id, then a repeated line
    lines.append({"id": "d99", "file": "doc01.txt", "url": "https://news.example.org/1"})
    (folder / "manifest.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")

    def walk() -> tuple[list[tuple[str, str | None]], list[tuple[str, str]]]:
        captures, rejects = read_inputs([folder, folder / "doc10.txt"])  # doc10 is reached twice
        return [(c.source_uri, c.source_id) for c in captures], [(r.source_uri, r.message) for r in rejects]

    small = walk()
    monkeypatch.setattr(seen, "SPILL_AT", 2)
    spilled = walk()
    assert spilled == small
    uris = [uri for uri, _ in small[0]]
    # eight named, doc08, doc10 (once), doc11; doc09 is governed by its bad line, and the
    # line that repeats doc01 with its URL reads nothing new
    assert len(uris) == len(set(uris)) == 11
    local = [u for u in uris if u.startswith("local:")]
    assert local == [f"local:corpus/doc{i:02d}.txt" for i in (8, 10, 11)]
    assert small[1] == [("local:corpus/manifest.jsonl#L9",
                         "manifest.jsonl line 9: duplicate id 'd3' (first on line 4)")]  # fmt: skip
