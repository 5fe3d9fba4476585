"""Keeping each outlet's learned templates up to date at the cost of the new work.

Template mining (``scrubline.boilerplate.templates``) needs, per outlet and line, how many of
the outlet's documents hold it, in which zone, and a few of their ids. The warehouse keeps
those counts (``template_line_counts``) and which document versions they count
(``template_state``). A run adds the lines of its new current versions and takes out those of
versions that stopped being current (superseded, quarantined), a page of documents at a time,
then re-selects the templates of just the outlets it touched. The same counts mined from all
documents at once give the same templates (``tests/test_template_update.py``), except that a
template's sample of supporting doc ids can hold fewer than 20 once one of them has left.
No Prefect here: the flow's task calls :func:`update_templates`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from scrubline import warehouse
from scrubline.boilerplate.templates import (
    MAX_DOC_IDS,
    LineCount,
    document_lines,
    needed_support,
    select_templates,
)

#: Documents whose lines are counted together (their texts are in memory together).
PAGE = 2000
#: A line becomes a template when it recurs in this many of an outlet's documents.
MIN_SUPPORT = 3


def _delta(page: list[tuple[int, str, str, str, str]]) -> dict[str, list[Any]]:
    """Column lists of the count changes one page of (sign, outlet, doc, capture, text) brings."""
    changes: dict[tuple[str, str], list[Any]] = {}
    for sign, outlet_id, doc_id, _, text in page:
        for key, zone in document_lines(text):
            entry = changes.get((outlet_id, key))
            if entry is None:
                entry = changes[(outlet_id, key)] = [0, 0, 0, 0, [], []]
            entry[0] += sign
            entry[("head", "tail", "body").index(zone) + 1] += sign
            (entry[4] if sign > 0 else entry[5]).append(doc_id)
    columns: dict[str, list[Any]] = defaultdict(list)
    for (outlet_id, key), (documents, head, tail, body, added, removed) in changes.items():
        columns["outlet_id"].append(outlet_id)
        columns["text"].append(key)
        for name, value in (("documents", documents), ("head", head), ("tail", tail), ("body", body)):
            columns[name].append(value)
        columns["added"].append(sorted(added)[:MAX_DOC_IDS])
        columns["removed"].append(removed)
    for name in ("outlet_id", "text", "documents", "head", "tail", "body", "added", "removed"):
        columns.setdefault(name, [])
    return dict(columns)


def count_new_versions(db_path: str, run_id: str) -> set[str]:
    """Bring the line counts up to date; returns the outlets whose counts changed."""
    touched: set[str] = set()
    after: tuple[str, str, str, int] = ("", "", "", -2)
    while page := warehouse.template_dirty(db_path, page=PAGE, after=after):
        added = [(o, d, c) for s, o, d, c, _ in page if s > 0]
        removed = [(o, d, c) for s, o, d, c, _ in page if s < 0]
        warehouse.apply_template_counts(db_path, run_id, _delta(page), added, removed)
        touched.update(o for _, o, _, _, _ in page)
        last = page[-1]
        after = (last[1], last[2], last[3], last[0])
    return touched


def update_templates(db_path: str, run_id: str) -> dict[str, int]:
    """Count the new work's lines and re-select the templates of the outlets it touched.
    Returns ``outlets`` re-mined and the ``templates`` they have now."""
    touched = sorted(count_new_versions(db_path, run_id))
    rows: list[dict[str, Any]] = []
    for outlet_id in touched:
        documents = warehouse.counted_documents(db_path, outlet_id)
        lines = warehouse.template_candidates(db_path, outlet_id, needed_support(documents, MIN_SUPPORT))
        counts = [
            (text, LineCount(n, head, tail, body, list(ids))) for text, n, head, tail, body, ids in lines
        ]
        rows += select_templates(outlet_id, documents, counts, min_support=MIN_SUPPORT).to_rows()
    if touched:
        warehouse.store_templates(db_path, run_id, touched, rows)
    return {"outlets": len(touched), "templates": len(rows)}
