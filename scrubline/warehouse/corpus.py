"""Corpus-level derived data: syndication signatures and clusters, boilerplate templates."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrubline import arrow

from .db import insert_rows, query, query_table, session, sql, transaction

# -------------------------------------------------------------------------------- syndication


def unsigned_documents(db_path: str | Path, signature_version: str) -> list[tuple[str, str, str]]:
    """(doc_id, capture_id, clean text) of document versions without a signature yet."""
    return query(db_path, sql("corpus/unsigned_documents"), [signature_version])


def store_signatures(db_path: str | Path, run_id: str, records: list[dict[str, Any]]) -> int:
    """Insert signature records (columns of ``doc_signatures`` but run_id and computed_at),
    replacing same-key rows."""
    if not records:
        return 0
    now = datetime.now(UTC)
    rows = arrow.from_rows([{**r, "run_id": run_id, "computed_at": now} for r in records])
    with session(db_path) as con, transaction(con):
        return insert_rows(
            con, "doc_signatures", rows, replace_on=("doc_id", "capture_id", "signature_version")
        )


def signature_rows(db_path: str | Path, signature_version: str) -> list[tuple[Any, ...]]:
    """What clustering needs for the current, non-quarantined version of every document:
    (doc_id, capture_id, signature, content_hash, published_at, fetched_at, outlet_id)."""
    return query(db_path, sql("corpus/signature_rows"), [signature_version])


def replace_clusters(
    db_path: str | Path, run_id: str, clusters: list[dict[str, Any]], members: list[dict[str, Any]]
) -> int:
    """Replace the (derived) syndication clusters in one transaction."""
    now = datetime.now(UTC)
    with session(db_path) as con, transaction(con):
        con.execute("DELETE FROM cluster_members")
        con.execute("DELETE FROM syndication_clusters")
        if not clusters:
            return 0
        rows = arrow.from_rows([{**c, "run_id": run_id, "computed_at": now} for c in clusters])
        insert_rows(con, "syndication_clusters", rows)
        insert_rows(con, "cluster_members", arrow.from_rows(members))
    return len(clusters)


# -------------------------------------------------------------------------------- templates


def outlet_texts(db_path: str | Path, min_documents: int) -> list[tuple[str, str, str]]:
    """(outlet_id, doc_id, text_normalized) of the current documents of every outlet that has
    at least ``min_documents`` of them: the input of template mining."""
    return query(db_path, sql("corpus/outlet_texts"), [min_documents])


def store_templates(
    db_path: str | Path, run_id: str, outlet_ids: list[str], rows: list[dict[str, Any]]
) -> int:
    """Replace the templates of ``outlet_ids`` with ``rows`` in one transaction."""
    now = datetime.now(UTC)
    with session(db_path) as con, transaction(con):
        con.execute("DELETE FROM boilerplate_templates WHERE list_contains(?, outlet_id)", [outlet_ids])
        if rows:
            table = arrow.from_rows([{**r, "run_id": run_id, "mined_at": now} for r in rows])
            insert_rows(con, "boilerplate_templates", table)
    return len(rows)


def template_rows(db_path: str | Path) -> list[dict[str, Any]]:
    """Every learned template, as plain dicts (empty for a new warehouse)."""
    if not Path(db_path).is_file():
        return []
    columns, rows = query_table(db_path, sql("corpus/template_rows"))
    return [dict(zip(columns, r, strict=True)) for r in rows]
