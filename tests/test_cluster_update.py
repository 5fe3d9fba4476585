"""Incremental syndication: after every run the stored clusters equal a full re-clustering of
the current documents, and a run re-clusters only the neighbourhood of what changed."""

from __future__ import annotations

import json
import random
from pathlib import Path

from helpers import run_without_prefect

from flows.pipeline import syndicate
from scrubline import cluster_update, syndication, warehouse
from scrubline.clean import CleanContext

VERSION = syndication.SIGNATURE_VERSION


def _vocabulary(rng: random.Random, n: int = 3000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return sorted({"".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(n)})


def _article(rng: random.Random, words: list[str]) -> str:
    sentences = [" ".join(rng.choice(words) for _ in range(rng.randint(12, 20))).capitalize() + "."
                 for _ in range(12)]  # fmt: skip
    return "\n\n".join(" ".join(sentences[i : i + 3]) for i in range(0, 12, 3))


def _copy(rng: random.Random, text: str, edits: int) -> str:
    """A republished copy: a dateline, ``edits`` words replaced, a closing line of its own."""
    tokens = text.split(" ")
    for _ in range(edits):
        tokens[rng.randrange(len(tokens))] = "changed"
    return "GENEVA (Wire) - " + " ".join(tokens) + "\n\nRead more stories on our website today."


def _write(folder: Path, docs: dict[str, str], day: str) -> Path:
    folder.mkdir(parents=True)
    lines = []
    for n, (key, text) in enumerate(sorted(docs.items())):
        (folder / f"{n:03d}.txt").write_text(text, encoding="utf-8")
        outlet = int(key.split("-")[1]) % 4
        lines.append(json.dumps({"id": key, "file": f"{n:03d}.txt", "retrieved_at": day,
                                 "url": f"https://outlet{outlet}.example/news/{key}"}))  # fmt: skip
    (folder / "manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _docs(db: Path, *keys: str) -> set[str]:
    uris = [f"https://outlet{int(k.split('-')[1]) % 4}.example/news/{k}" for k in keys]
    rows = warehouse.query(
        db, "SELECT DISTINCT doc_id FROM documents WHERE list_contains(?, source_uri)", [uris]
    )
    assert len(rows) == len(keys)
    return {r[0] for r in rows}


def _stored(db: Path) -> tuple[set, set]:
    clusters = set(warehouse.query(db, "SELECT cluster_id, origin_doc_id, origin_capture_id, n_members, "
                                       "n_outlets FROM syndication_clusters"))  # fmt: skip
    members = {(c, d, k, r, round(s, 9), e) for c, d, k, r, s, e in warehouse.query(
        db, "SELECT cluster_id, doc_id, capture_id, member_rank, similarity_to_origin, "
            "is_exact_duplicate FROM cluster_members")}  # fmt: skip
    return clusters, members


def _full(db: Path) -> tuple[set, set]:
    every = [r[0] for r in warehouse.query(db, "SELECT DISTINCT doc_id FROM documents")]
    with warehouse.cluster_store(db, VERSION) as store:
        clusters, members = syndication.cluster_records(store.signature_rows(every))
    return (
        {(c["cluster_id"], c["origin_doc_id"], c["origin_capture_id"], c["n_members"], c["n_outlets"])
         for c in clusters},
        {(m["cluster_id"], m["doc_id"], m["capture_id"], m["member_rank"],
          round(m["similarity_to_origin"], 9), m["is_exact_duplicate"]) for m in members},
    )  # fmt: skip


def test_incremental_clusters_equal_a_full_reclustering_after_every_run(tmp_path: Path) -> None:
    rng = random.Random(7)
    words = _vocabulary(rng)
    ctx = CleanContext.default()
    db = tmp_path / "w.duckdb"

    bases = {f"doc-{i:03d}": _article(rng, words) for i in range(30)}
    first = dict(bases)
    first.update({f"doc-{100 + i:03d}": _copy(rng, bases[f"doc-{i:03d}"], 5) for i in range(10)})
    run_without_prefect(db, tmp_path, "run-1", [_write(tmp_path / "in1", first, "2025-01-01")], ctx)
    one = syndicate.fn(str(db), "run-1")
    assert one["signed"] == 0 and one["dirty"] == 40  # the cleaning workers signed them
    assert warehouse.backfill_done(db, "signatures", VERSION)  # later runs skip the scan
    assert _stored(db) == _full(db)
    assert len(_stored(db)[0]) == 10

    # new articles, and copies of old ones: some join a cluster, some make a pair with a single
    second = {f"doc-{200 + i:03d}": _article(rng, words) for i in range(5)}
    second.update({f"doc-{210 + i:03d}": _copy(rng, bases[f"doc-{i:03d}"], 8) for i in range(5, 15)})
    run_without_prefect(db, tmp_path, "run-2", [_write(tmp_path / "in2", second, "2025-01-02")], ctx)
    two = syndicate.fn(str(db), "run-2")
    assert two["signed"] == 0 and two["dirty"] == 15
    assert two["considered"] < 15 + 2 * 15  # the new documents and their clusters, not all 55
    assert _stored(db) == _full(db)
    assert len(_stored(db)[0]) == 15

    # new versions: a copy rewritten (leaves its cluster), an article now a copy (joins one)
    third = {"doc-100": _article(rng, words), "doc-020": _copy(rng, bases["doc-021"], 3)}
    run_without_prefect(db, tmp_path, "run-3", [_write(tmp_path / "in3", third, "2025-01-03")], ctx)
    three = syndicate.fn(str(db), "run-3")
    assert three["signed"] == 0 and three["dirty"] == 2
    assert _stored(db) == _full(db)
    members = {d for _, d, *_ in _stored(db)[1]}
    assert not _docs(db, "doc-000") & members  # its only copy was rewritten: the cluster is gone
    assert _docs(db, "doc-020", "doc-021") <= members

    # a quarantined member leaves its cluster without any new signature
    (doc,) = _docs(db, "doc-101")
    capture = warehouse.query(db, "SELECT capture_id FROM documents WHERE doc_id = ?", [doc])[0][0]
    warehouse.quarantine(db, "run-3", [(doc, capture)], "test")
    four = syndicate.fn(str(db), "run-4")
    assert four["dirty"] == 1
    assert _stored(db) == _full(db)
    assert not _docs(db, "doc-001", "doc-101") & {d for _, d, *_ in _stored(db)[1]}

    quiet = syndicate.fn(str(db), "run-5")  # nothing changed: nothing is re-clustered
    assert quiet == {"signed": 0, "dirty": 0, "candidates": 0, "considered": 0, "replaced": 0, "clusters": 0,
                     "multi_outlet_clusters": 0}  # fmt: skip
    assert _stored(db) == _full(db)


def test_signatures_stored_before_bands_existed_get_banded(tmp_path: Path) -> None:
    rng = random.Random(3)
    words = _vocabulary(rng)
    base = _article(rng, words)
    docs = {"doc-001": base, "doc-002": _copy(rng, base, 4), "doc-003": _article(rng, words)}
    db = tmp_path / "w.duckdb"
    run_without_prefect(db, tmp_path, "run-1", [_write(tmp_path / "in", docs, "2025-01-01")],
                        CleanContext.default())  # fmt: skip
    syndicate.fn(str(db), "run-1")
    with warehouse.session(db) as con:  # as a warehouse signed before migration 009 looks
        con.execute("DELETE FROM signature_bands")
        con.execute("DELETE FROM corpus_backfills")  # made by the migration that came later
        con.execute("DELETE FROM syndication_state")
        con.execute("DELETE FROM cluster_members")
        con.execute("DELETE FROM syndication_clusters")
    again = syndicate.fn(str(db), "run-2")
    assert again["signed"] == 0 and again["dirty"] == 3
    assert warehouse.query(db, "SELECT count(*) FROM signature_bands") == [(3 * syndication.BANDS,)]
    assert {d for _, d, *_ in _stored(db)[1]} == _docs(db, "doc-001", "doc-002")
    with warehouse.session(db) as con:  # as a warehouse loaded before batches carried signatures
        for table in ("doc_signatures", "signature_bands", "syndication_state", "cluster_members",
                      "syndication_clusters", "corpus_backfills"):  # fmt: skip
            con.execute(f"DELETE FROM {table}")
    third = syndicate.fn(str(db), "run-3")
    assert third["signed"] == 3 and third["dirty"] == 3
    assert {d for _, d, *_ in _stored(db)[1]} == _docs(db, "doc-001", "doc-002")


def test_a_candidate_below_the_threshold_leaves_its_cluster_alone(tmp_path: Path) -> None:
    rng = random.Random(11)
    words = _vocabulary(rng)
    ctx = CleanContext.default()
    db = tmp_path / "w.duckdb"
    base, other = _article(rng, words), _article(rng, words)
    run_without_prefect(db, tmp_path, "run-1", [_write(tmp_path / "in1", {"doc-000": base,
                        "doc-100": _copy(rng, base, 5)}, "2025-01-01")], ctx)  # fmt: skip
    assert syndicate.fn(str(db), "run-1")["clusters"] == 1

    # a story that shares its first seven sentences with doc-000 (and one LSH bucket), not enough
    # to be a copy of it: it is doc-000's candidate, not linked to it, and its cluster stays
    sentences = [s.split(". ") for s in (base.replace("\n\n", " "), other.replace("\n\n", " "))]
    story = ". ".join(sentences[0][:7] + sentences[1][7:])
    second = _write(tmp_path / "in2", {"doc-201": story}, "2025-01-02")
    run_without_prefect(db, tmp_path, "run-2", [second], ctx)
    (new,), (old,) = _docs(db, "doc-201"), _docs(db, "doc-000")
    with warehouse.cluster_store(db, VERSION) as store:
        a, b = store.candidate_rows([new], cluster_update.BUCKET_CAP)
        assert store.doc_ids(sorted(set(a.tolist()))) == [new]
        assert old in store.doc_ids(sorted(set(b.tolist())))
        linked, candidates = syndication.linked_candidates(
            a, b, lambda rows: syndication.signature_matrix(store.signatures(rows))
        )
        assert linked.size == 0 and candidates == len(set(b.tolist())) >= 1
    two = syndicate.fn(str(db), "run-2")
    assert two["dirty"] == 1 and two["candidates"] >= 1
    assert two["considered"] == 1 and two["replaced"] == 0  # the new story alone is clustered again
    assert _stored(db) == _full(db)
    assert len(_stored(db)[0]) == 1
