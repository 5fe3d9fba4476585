"""The syndication stage's reads and writes of the stored clusters, over one connection.

Unlike the rest of this package, these are methods of a :class:`ClusterStore` that
:func:`cluster_store` opens for the whole stage (``scrubline.cluster_update`` walks the dirty
documents a chunk at a time through it): the stage's current documents are computed once into
a temporary table (``sql/clusters/current``) that every chunk's queries join, instead of
each query recomputing the corpus-wide window of ``v_current_versions``, and the stage pays
one connection and one checkpoint, not four a chunk. Measured 2026-12-03 on a 300,000-document
warehouse, before: the window cost 1.6 s per use, and a first pass of 150 chunks took 1,007 s.
The store never leaves the task that opened it (Prefect tasks still pass paths).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrubline import arrow

from .db import Connection, cap_memory, insert_rows, registered, session, sql, transaction

#: DuckDB's memory cap for the stage's connection: its buffer cache would otherwise grow with
#: the warehouse for as long as the stage runs (DuckDB's default is 80% of the machine);
#: larger joins spill to disk. Measured 2026-12-03 on a 300,000-document warehouse, the stage
#: alone re-clustering a run's 3,000 documents: 384 MB peaked at 640 MB, 256 MB at 526, 192 MB
#: at 489 (the first pass over 309,000: 205 s at 681 MB), all in ~4 s; 128 MB ran out of
#: memory. 256 MB keeps twice the margin over that.
CLUSTER_MEMORY_LIMIT = "256MB"


def _wanted(doc_ids: list[str]) -> arrow.Table:
    return arrow.from_columns({"doc_id": doc_ids}, types={"doc_id": "string"})


class ClusterStore:
    """The stored clusters of one signature version, read and replaced chunk by chunk."""

    def __init__(self, con: Connection, signature_version: str) -> None:
        self._con = con
        self.version = signature_version

    def _rows(self, name: str, doc_ids: list[str], params: dict[str, Any] | None = None) -> list[tuple]:
        """Rows of ``sql/clusters/<name>`` with ``doc_ids`` as ``wanted``; ``params`` default
        to the signature version."""
        with registered(self._con, "wanted", _wanted(doc_ids)):
            params = {"version": self.version} if params is None else params
            return self._con.execute(sql(f"clusters/{name}"), params).fetchall()

    def _by_row(self, name: str, rows: Sequence[int]) -> arrow.Table:
        """``sql/clusters/<name>`` with the ``syn_current`` row ids ``rows`` as ``wanted_rows``."""
        query = sql(f"clusters/{name}")
        params = {"version": self.version} if "$version" in query else {}
        with registered(self._con, "wanted_rows", arrow.from_columns({"rid": rows}, types={"rid": "int64"})):
            return self._con.execute(query, params).to_arrow_table()

    def dirty(self) -> list[str]:
        """doc_ids whose stored clustering is out of date (see ``sql/clusters/dirty``)."""
        return [r[0] for r in self._con.execute(sql("clusters/dirty"), {"version": self.version}).fetchall()]

    def candidate_rows(self, doc_ids: list[str], cap: int) -> tuple[Any, Any]:
        """The LSH candidates of ``doc_ids``, unverified, as two equal-length integer arrays of
        ``syn_current`` row ids: a document of ``doc_ids`` and a current document sharing a
        bucket with it (at most ``cap`` members per bucket). Integers, not text keys: at
        300,000 documents a chunk of 5,000 has ~97,000 distinct candidates."""
        with registered(self._con, "wanted", _wanted(doc_ids)):
            found = self._con.execute(sql("clusters/candidate_pairs"), {"version": self.version, "cap": cap})
            pairs = found.fetchnumpy()
        return pairs["a"], pairs["b"]

    def signatures(self, rows: Sequence[int]) -> memoryview:
        """The stored signatures of the ``syn_current`` row ids ``rows`` (sorted, distinct),
        end to end in that order."""
        found = self._by_row("signatures", rows)
        if found.num_rows != len(rows):
            raise ValueError(f"{found.num_rows} signatures for {len(rows)} rows")
        return arrow.joined_binary(found, "signature")

    def doc_ids(self, rows: Sequence[int]) -> list[str]:
        """The doc_ids of the ``syn_current`` row ids ``rows``, sorted."""
        if len(rows) == 0:
            return []
        return self._by_row("doc_ids", rows).column("doc_id").to_pylist()

    def neighbourhood(self, doc_ids: list[str]) -> list[tuple[str, str]]:
        """(cluster_id, doc_id) of every member of the stored clusters holding one of ``doc_ids``."""
        return [(c, d) for c, d in self._rows("neighbourhood", doc_ids, {})]

    def signature_rows(self, doc_ids: list[str]) -> list[tuple[Any, ...]]:
        """What clustering needs for the current version of ``doc_ids``: (doc_id, capture_id,
        signature, content_hash, published_at, fetched_at, outlet_id), by doc_id."""
        return self._rows("rows", doc_ids)

    def replace(
        self,
        run_id: str,
        *,
        replaced: list[str],
        considered: list[str],
        clusters: list[dict[str, Any]],
        members: list[dict[str, Any]],
        state: list[tuple[str, str]],
    ) -> int:
        """In one transaction: drop the clusters ``replaced`` (and any of another signature
        version), insert ``clusters``/``members`` recomputed over the documents ``considered``,
        and record ``state`` (their current (doc_id, capture_id) versions) as what the clusters
        cover. A stage killed between chunks leaves every chunk before it done and the rest
        dirty."""
        con, now, version = self._con, datetime.now(UTC), {"version": self.version}
        with transaction(con):
            gone = arrow.from_columns({"cluster_id": replaced}, types={"cluster_id": "string"})
            with registered(con, "gone", gone):
                con.execute(sql("clusters/drop_members"), version)
                con.execute(sql("clusters/drop_clusters"), version)
            with registered(con, "wanted", _wanted(considered)):
                con.execute(sql("clusters/drop_state"), version)
            if state:
                insert_rows(con, "syndication_state", arrow.from_columns({
                    "doc_id": [d for d, _ in state], "capture_id": [c for _, c in state],
                    "signature_version": [self.version] * len(state), "run_id": [run_id] * len(state),
                }))  # fmt: skip
            if clusters:
                rows = arrow.from_rows([{**c, "run_id": run_id, "computed_at": now} for c in clusters])
                insert_rows(con, "syndication_clusters", rows)
                insert_rows(con, "cluster_members", arrow.from_rows(members))
        return len(clusters)


@contextmanager
def cluster_store(db_path: str | Path, signature_version: str) -> Iterator[ClusterStore]:
    """A :class:`ClusterStore` over one read-write connection, its current documents computed
    once (the documents do not change during the stage: DQ's quarantine runs before it)."""
    with session(db_path) as con:
        cap_memory(con, CLUSTER_MEMORY_LIMIT)
        con.execute(sql("clusters/current"), {"version": signature_version})
        yield ClusterStore(con, signature_version)
