"""Keeping each outlet's learned templates up to date at the cost of the new work.

Template mining (``scrubline.boilerplate.templates``) needs, per outlet and line, how many of
the outlet's documents hold it, in which zone, and a few of their ids. Each batch stages the
candidate lines of its documents (``template_lines``, computed by the cleaning workers with
``templates.document_lines``); the warehouse keeps the counts (``template_line_counts``) and
which document versions they count (``template_state``). A run adds the lines of its new
current versions and takes out those of versions that stopped being current (superseded,
quarantined), in one pass inside DuckDB, then re-selects the templates of just the outlets
it touched (``templates.select_templates``, the same rule ``mine_outlet`` applies). The same
documents mined all at once give the same templates (``tests/test_template_update.py``),
except that a template's sample of supporting doc ids can hold fewer than 20 once one of
them has left. Versions loaded before their lines were staged get them computed here first,
a page at a time. No Prefect here: the flow's task calls :func:`update_templates`.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from scrubline import warehouse
from scrubline.boilerplate.templates import LineCount, line_columns, needed_support, select_templates

#: Legacy documents whose lines are computed together (their texts are in memory together).
PAGE = 2000
#: The line backfill's name in ``corpus_backfills``: versions loaded before migration 009.
LINES_BACKFILL = "before-migration-009"
#: A line becomes a template when it recurs in this many of an outlet's documents.
MIN_SUPPORT = 3


def backfill_lines(db_path: str) -> int:
    """Stage the lines of document versions loaded without them (before migration 009).
    Returns the versions. Loads stage every version's lines, so this runs to the end once and
    is recorded; later runs skip its corpus-wide scan (~4 s of a run at 300,000 documents)."""
    if warehouse.backfill_done(db_path, "template_lines", LINES_BACKFILL):
        return 0
    done = 0
    after = ("", "")
    while page := warehouse.unlined_documents(db_path, page=PAGE, after=after):
        warehouse.store_template_lines(db_path, line_columns(page))
        done += len(page)
        after = (page[-1][0], page[-1][1])
    warehouse.mark_backfilled(db_path, "template_lines", LINES_BACKFILL)
    return done


def update_templates(db_path: str, run_id: str) -> dict[str, int]:
    """Count the new work's lines and re-select the templates of the outlets it touched.
    Returns ``outlets`` re-mined and the ``templates`` they have now."""
    backfill_lines(db_path)
    touched = warehouse.update_template_counts(db_path, run_id)
    rows: list[dict[str, Any]] = []
    needed = partial(needed_support, min_support=MIN_SUPPORT)
    for outlet_id, documents, lines in warehouse.outlet_template_candidates(db_path, touched, needed):
        counts = [
            (text, LineCount(n, head, tail, body, list(ids))) for text, n, head, tail, body, ids in lines
        ]
        rows += select_templates(outlet_id, documents, counts, min_support=MIN_SUPPORT).to_rows()
    if touched:
        warehouse.store_templates(db_path, run_id, touched, rows)
    return {"outlets": len(touched), "templates": len(rows)}
