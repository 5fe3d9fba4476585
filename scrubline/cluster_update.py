"""Keeping the stored syndication clusters up to date at the cost of the new work.

The steps between the warehouse (``scrubline.warehouse``: signatures, band hashes, clusters)
and the pure clustering (``scrubline.syndication``). No Prefect here: the flow's task calls
:func:`update_syndication`.

A run (1) signs the document versions that have no signature yet, a page at a time, storing
each signature with its 32 LSH band hashes; (2) takes the *dirty* documents: those whose
current version differs from the one the stored clusters were computed over
(``syndication_state``: new and changed versions, and versions quarantined or superseded);
(3) finds their candidates by joining their band hashes against the stored ones (a bucket
gives at most :data:`BUCKET_CAP` members); (4) takes every stored cluster that holds a dirty
document or a candidate; (5) re-clusters the union of all those documents from their stored
signatures and replaces just those clusters.

Why this equals clustering the whole corpus again: a link between two documents that are
both unchanged was there before, so it lies inside one stored cluster; every link that can
be new or gone has a dirty end, and its other end is a candidate. Re-clustering the dirty
documents, their candidates and the whole of every stored cluster any of them touches
therefore sees every link of every component that can have changed, and no component
outside that set can have changed. (Buckets larger than the LSH index's all-pairs limit are
linked as a chain there and capped here: both only ever see part of a mass duplicate's pairs,
so on such buckets the two can differ in which near-threshold members join; they agree on
everything else, which ``tests/test_cluster_update.py`` checks against a full re-clustering.)

Dirty documents are handled :data:`CHUNK` at a time, so the first run over a large corpus
never holds every signature at once.
"""

from __future__ import annotations

from typing import Any

from scrubline import syndication, warehouse

#: Documents signed per page (their clean texts are in memory together).
SIGN_PAGE = 2000
#: Dirty documents re-clustered together (memory: their band rows in DuckDB's joins, and the
#: neighbourhood's signatures). The first pass over 100,000 documents (2026-12-03): 5,000 peaked
#: at 1,059 MB in 68 s, 2,000 at 651 MB in 108 s; a run adding 1% has a few chunks at most.
CHUNK = 2000
#: Members a shared LSH bucket contributes as candidates of one dirty document.
BUCKET_CAP = 64


def sign_new_versions(db_path: str, run_id: str, version: str = syndication.SIGNATURE_VERSION) -> int:
    """Sign every document version without a signature, and band signatures stored without
    band hashes (warehouses from before migration 009). Returns the versions signed."""
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
    return signed


def recluster(
    db_path: str, run_id: str, dirty: list[str], version: str = syndication.SIGNATURE_VERSION
) -> dict[str, int]:
    """Re-cluster the neighbourhood of the ``dirty`` documents and replace its clusters."""
    candidates = warehouse.band_candidates(db_path, version, dirty, BUCKET_CAP)
    touched = sorted(set(dirty) | set(candidates))
    neighbourhood = warehouse.cluster_neighbourhood(db_path, touched)
    replaced = sorted({cluster_id for cluster_id, _ in neighbourhood})
    considered = sorted(set(touched) | {doc_id for _, doc_id in neighbourhood})
    rows = warehouse.signature_rows(db_path, version, considered)
    clusters, members = syndication.cluster_records(rows)
    warehouse.update_clusters(
        db_path, run_id, version, replaced=replaced, considered=considered, clusters=clusters,
        members=members, state=[(r[0], r[1]) for r in rows],
    )  # fmt: skip
    return {"considered": len(considered), "replaced": len(replaced), "clusters": len(clusters),
            "multi_outlet_clusters": sum(1 for c in clusters if c["n_outlets"] >= 2)}  # fmt: skip


def update_syndication(db_path: str, run_id: str) -> dict[str, Any]:
    """Sign new versions and bring the stored clusters up to date (see the module docstring).
    Returns counts: ``signed``, ``dirty`` documents, documents ``considered`` again, stored
    clusters ``replaced``, and the ``clusters`` / ``multi_outlet_clusters`` written now."""
    signed = sign_new_versions(db_path, run_id)
    dirty = warehouse.syndication_dirty(db_path, syndication.SIGNATURE_VERSION)
    totals = {"signed": signed, "dirty": len(dirty), "considered": 0, "replaced": 0, "clusters": 0,
              "multi_outlet_clusters": 0}  # fmt: skip
    for start in range(0, len(dirty), CHUNK):
        for key, value in recluster(db_path, run_id, dirty[start : start + CHUNK]).items():
            totals[key] += value
    return totals
