"""Incremental template mining: after every run the stored templates equal mining every
current document of each outlet again, and a run counts only its new work."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from helpers import run_without_prefect

from flows.pipeline import learn_templates
from scrubline import warehouse
from scrubline.boilerplate.templates import mine_templates
from scrubline.clean import CleanContext
from scrubline.warehouse import corpus as warehouse_corpus
from scrubline.warehouse import db as warehouse_db

HEADERS = {
    "east": ["East Desk Daily", "Sections: Politics | Business | Sport"],
    "west": ["West Wire Briefing", "Listen to the morning podcast from the newsroom"],
}
FOOTERS = {
    "east": ["East Desk Daily is published by the East Media Group in Lviv"],
    "west": ["Contact the newsroom desk at our office on Market Street"],
}


def _article(rng: random.Random, outlet: str, n: int) -> str:
    words = ["border", "talks", "minister", "village", "reported", "officials", "said", "railway",
             "statement", "monday", "protest", "council", "budget", "election", "ceasefire"]  # fmt: skip
    body = [" ".join(rng.choice(words) for _ in range(30)).capitalize() + "." for _ in range(4)]
    head = HEADERS[outlet] if n % 4 else HEADERS[outlet][:1]
    return "\n\n".join([*head, f"Story number {n} of the day", *body, *FOOTERS[outlet]]) + "\n"


def _write(folder: Path, docs: dict[str, tuple[str, str]]) -> Path:
    folder.mkdir(parents=True)
    lines = []
    for key, (outlet, text) in sorted(docs.items()):
        (folder / f"{key}.txt").write_text(text, encoding="utf-8")
        lines.append(json.dumps({"id": key, "file": f"{key}.txt", "outlet": outlet,
                                 "url": f"https://{outlet}.example/news/{key}"}))  # fmt: skip
    (folder / "manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _stored(db: Path, with_ids: bool = True) -> set[tuple]:
    return {(r["outlet_id"], r["text"], r["support"], r["zone"], r["category"], r["documents"],
             tuple(r["doc_ids"]) if with_ids else None) for r in warehouse.template_rows(db)}  # fmt: skip


def _full(db: Path, with_ids: bool = True) -> set[tuple]:
    texts = warehouse.query(db, "SELECT v.outlet_id, v.doc_id, d.text_normalized FROM v_documents v "
                                "JOIN documents d USING (doc_id, capture_id) WHERE v.outlet_id IS NOT NULL "
                                "ORDER BY 1, 2")  # fmt: skip
    return {(r["outlet_id"], r["text"], r["support"], r["zone"], r["category"], r["documents"],
             tuple(r["doc_ids"]) if with_ids else None)
            for s in mine_templates(texts, min_support=3).values() for r in s.to_rows()}  # fmt: skip


@pytest.mark.parametrize("part", [25_000, 2])
def test_incremental_templates_equal_mining_everything_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, part: int
) -> None:
    # part 2: the counts are applied two document versions' worth at a time (many parts of the
    # line texts), as a large first run does; the result must not depend on it
    monkeypatch.setattr(warehouse_corpus, "TEMPLATE_COUNT_PART", part)
    rng = random.Random(5)
    ctx = CleanContext.default()
    db = tmp_path / "w.duckdb"
    first = {f"e{n:02d}": ("east", _article(rng, "east", n)) for n in range(6)}
    first.update({f"w{n:02d}": ("west", _article(rng, "west", n)) for n in range(2)})
    run_without_prefect(db, tmp_path, "run-1", [_write(tmp_path / "in1", first)], ctx)
    one = learn_templates.fn(str(db), "run-1")
    assert one["outlets"] == 2
    assert _stored(db) == _full(db)
    assert {t[1] for t in _stored(db) if t[0] == "east"} >= {"East Desk Daily", FOOTERS["east"][0]}
    assert not {t for t in _stored(db) if t[0] == "west"}  # two documents: nothing recurs enough

    second = {f"w{n:02d}": ("west", _article(rng, "west", n)) for n in range(2, 5)}
    run_without_prefect(db, tmp_path, "run-2", [_write(tmp_path / "in2", second)], ctx)
    two = learn_templates.fn(str(db), "run-2")
    assert two["outlets"] == 1  # only the outlet with new documents is mined again
    assert _stored(db) == _full(db)
    assert "West Wire Briefing" in {t[1] for t in _stored(db) if t[0] == "west"}

    # a new version of an east article without the footer, and a quarantined west article
    third = {"e00": ("east", "Story rewritten\n\n" + "A completely new body of text here.\n")}
    run_without_prefect(db, tmp_path, "run-3", [_write(tmp_path / "in3", third)], ctx)
    (doc,) = warehouse.query(db, "SELECT doc_id, capture_id FROM documents WHERE source_uri LIKE '%/w04'")
    warehouse.quarantine(db, "run-3", [doc], "test")
    learn_templates.fn(str(db), "run-3")
    assert _stored(db, with_ids=False) == _full(db, with_ids=False)
    footer = {t[1]: t[2] for t in _stored(db)}[FOOTERS["east"][0]]
    assert footer == 5

    quiet = learn_templates.fn(str(db), "run-4")
    assert quiet == {"outlets": 0, "templates": 0}
    assert _stored(db, with_ids=False) == _full(db, with_ids=False)


def test_documents_loaded_without_staged_lines_get_them(tmp_path: Path) -> None:
    rng = random.Random(9)
    docs = {f"e{n:02d}": ("east", _article(rng, "east", n)) for n in range(4)}
    db = tmp_path / "w.duckdb"
    run_without_prefect(db, tmp_path, "run-1", [_write(tmp_path / "in", docs)], CleanContext.default())
    staged = warehouse.query(db, "SELECT count(*) FROM template_lines")[0][0]
    assert staged > 4  # the empty line of each version and its candidate lines
    with warehouse.session(db) as con:  # as a warehouse loaded before batches carried lines
        con.execute("DELETE FROM template_lines")
    learn_templates.fn(str(db), "run-1")
    assert warehouse.query(db, "SELECT count(*) FROM template_lines")[0][0] == staged
    assert _stored(db) == _full(db)
    assert "East Desk Daily" in {t[1] for t in _stored(db)}


def test_mining_touched_outlets_opens_connections_in_number_fixed_not_per_outlet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # opening a warehouse connection costs ~70 ms; one per outlet made a first run of 1,000
    # HTML pages over 254 outlets spend 36 s here (2026-12-03)
    rng = random.Random(3)
    docs = {f"o{k}n{n}": (f"east{k}", _article(rng, "east", n)) for k in range(10) for n in range(3)}
    db = tmp_path / "w.duckdb"
    run_without_prefect(db, tmp_path, "run-1", [_write(tmp_path / "in", docs)], CleanContext.default())
    opened: list[str] = []
    real = warehouse_db.connect
    monkeypatch.setattr(
        warehouse_db, "connect", lambda path, *a, **kw: opened.append(str(path)) or real(path, *a, **kw)
    )
    assert learn_templates.fn(str(db), "run-1")["outlets"] == 10
    # the backfill's check, its (empty) page and its mark (once per warehouse), the counts, the
    # outlets' candidates, the store
    assert 0 < len(opened) <= 6
    assert _stored(db) == _full(db)
    assert {t[0] for t in _stored(db)} == {f"east{k}" for k in range(10)}
