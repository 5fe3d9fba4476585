"""Keeping the stored syndication clusters up to date at the cost of the new work.

The steps between the warehouse (``scrubline.warehouse``: signatures, band hashes, clusters)
and the pure clustering (``scrubline.syndication``). No Prefect here: the flow's task calls
:func:`update_syndication`.

A run (1) signs the document versions that have no signature yet, a page at a time, storing
each signature with its 32 LSH band hashes; (2) takes the *dirty* documents: those whose
current version differs from the one the stored clusters were computed over
(``syndication_state``: new and changed versions, and versions quarantined or superseded);
(3) finds their candidates by joining their band hashes against the stored ones (a bucket
gives at most :data:`BUCKET_CAP` members) and keeps the candidates *linked* to a dirty
document (estimated Jaccard at least the threshold, on the stored signatures); (4) takes every
stored cluster that holds a dirty document or a linked candidate; (5) re-clusters the union of
all those documents from their stored signatures and replaces just those clusters. The stage
reads and writes through one :class:`warehouse.ClusterStore` (one connection, the current
versions computed once).

Why this equals clustering the whole corpus again: a link between two documents that are
both unchanged was there before, so it lies inside one stored cluster; every link that can
be new or gone has a dirty end; a new link's other end is a linked candidate, and a gone
link's other end was in the dirty end's stored cluster. Re-clustering the dirty
documents, their linked candidates and the whole of every stored cluster any of them touches
therefore sees every link of every component that can have changed, and no component
outside that set can have changed. (Buckets larger than the LSH index's all-pairs limit are
linked as a chain there and capped here: both only ever see part of a mass duplicate's pairs,
so on such buckets the two can differ in which near-threshold members join; they agree on
everything else, which ``tests/test_cluster_update.py`` checks against a full re-clustering.)

Why check candidates before taking their clusters (measured 2026-12-03): on a
300,000-document warehouse a chunk of 2,000 dirty documents had 50,833 unverified candidates,
whose clusters and signatures took 14 s to read; on a 100,000-document one, checked first, a
chunk of 5,000 brings ~34,000 candidates and only ~1,800 more documents to cluster (the linked
candidates and their clusters' members). The candidates come back as integer row ids and are
verified :data:`syndication.CANDIDATE_BLOCK` at a time (``syndication.linked_candidates``):
their number per chunk grows with the corpus (~98,000 at 300,000 documents), and as text keys
with a dict of their signatures they cost more memory than the rest of the chunk. Measured
2026-12-03 on one 300,000-document warehouse, the stage alone: the first pass 200 s at a
1,030 MB process peak before, 185 s at 833 MB after; re-clustering a run's 3,000 documents
744-790 MB before, 652 MB after, the same clusters.

Dirty documents are handled :data:`CHUNK` at a time, so the first run over a large corpus
never holds every signature at once.
"""

from __future__ import annotations

from typing import Any

from scrubline import syndication, warehouse

#: Documents signed per page (their clean texts are in memory together).
SIGN_PAGE = 2000
#: Dirty documents re-clustered together (memory: their band rows in DuckDB's joins, their
#: candidates' signatures, the neighbourhood's). Each chunk scans the band and signature
#: tables once, so a first pass costs (documents / CHUNK) scans. The first pass over 100,000
#: documents (2026-12-03, the stage alone, process peak): 2,000 took 33.7 s at 627 MB, 6,000
#: 19.2 s at 710 MB (before candidates were checked: 2,000 took 108 s at 651 MB, 5,000 68 s
#: at 1,059 MB); a run adding 1% has a chunk or two.
CHUNK = 5000
#: Members a shared LSH bucket contributes as candidates of one dirty document.
BUCKET_CAP = 64


def sign_new_versions(db_path: str, run_id: str, version: str = syndication.SIGNATURE_VERSION) -> int:
    """Sign every document version without a signature, and band signatures stored without
    band hashes (warehouses from before migration 009). Returns the versions signed.

    Loads stage both for every version, so this is a one-off backfill per signature version:
    once it has run to the end it is recorded (``warehouse.mark_backfilled``) and later runs
    skip its two corpus-wide scans (~6 s of a run at 300,000 documents, 2026-12-03)."""
    if warehouse.backfill_done(db_path, "signatures", version):
        return 0
    signed = 0
    after = ("", "")
    while todo := warehouse.unsigned_documents(db_path, version, page=SIGN_PAGE, after=after):
        keys = [(d, c) for d, c, _ in todo]
        records = syndication.signature_records(keys, [t for _, _, t in todo])
        sigs = syndication.signature_from_bytes([r["signature"] for r in records])
        warehouse.store_signatures(db_path, run_id, records, syndication.band_records(keys, sigs))
        signed += len(records)
        after = keys[-1]
    while old := warehouse.unbanded_signatures(db_path, version, page=CHUNK):
        keys = [(d, c) for d, c, _ in old]
        sigs = syndication.signature_from_bytes([s for _, _, s in old])
        warehouse.store_signatures(db_path, run_id, [], syndication.band_records(keys, sigs))
    warehouse.mark_backfilled(db_path, "signatures", version)
    return signed


def recluster(store: warehouse.ClusterStore, run_id: str, dirty: list[str]) -> dict[str, int]:
    """Re-cluster the neighbourhood of the ``dirty`` documents and replace its clusters."""
    a, b = store.candidate_rows(dirty, BUCKET_CAP)
    rows, candidates = syndication.linked_candidates(
        a, b, lambda wanted: syndication.signature_matrix(store.signatures(wanted))
    )
    linked = set(store.doc_ids(rows))
    neighbourhood = store.neighbourhood(sorted(set(dirty) | linked))
    replaced = sorted({cluster_id for cluster_id, _ in neighbourhood})
    considered = sorted(set(dirty) | linked | {doc_id for _, doc_id in neighbourhood})
    rows = store.signature_rows(considered)
    clusters, members = syndication.cluster_records(rows)
    store.replace(run_id, replaced=replaced, considered=considered, clusters=clusters, members=members,
                  state=[(r[0], r[1]) for r in rows])  # fmt: skip
    multi = sum(1 for c in clusters if c["n_outlets"] >= 2)
    return {"candidates": candidates, "considered": len(considered), "replaced": len(replaced),
            "clusters": len(clusters), "multi_outlet_clusters": multi}  # fmt: skip


def update_syndication(db_path: str, run_id: str) -> dict[str, Any]:
    """Sign new versions and bring the stored clusters up to date (see the module docstring).
    Returns counts: ``signed``, ``dirty`` documents, their LSH ``candidates`` (unverified,
    summed over chunks), documents ``considered`` again, stored clusters ``replaced``, and the
    ``clusters`` / ``multi_outlet_clusters`` written now."""
    signed = sign_new_versions(db_path, run_id)
    with warehouse.cluster_store(db_path, syndication.SIGNATURE_VERSION) as store:
        dirty = store.dirty()
        totals = {"signed": signed, "dirty": len(dirty), "candidates": 0, "considered": 0, "replaced": 0,
                  "clusters": 0, "multi_outlet_clusters": 0}  # fmt: skip
        for start in range(0, len(dirty), CHUNK):
            for key, value in recluster(store, run_id, dirty[start : start + CHUNK]).items():
                totals[key] += value
    return totals
