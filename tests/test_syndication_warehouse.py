"""Near-duplicate clusters end to end: cleaned documents -> signatures -> clusters -> views."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import run_without_prefect

from flows.pipeline import syndicate
from scrubline import warehouse
from scrubline.clean import CleanContext
from scrubline.resources import seeds_dir

SEED = "004_0624e915ee03d4f7.txt"


def _copy_with_edits(text: str) -> str:
    """A wire copy: a dateline added, one paragraph dropped, a closing line of its own."""
    paragraphs = text.split("\n")
    return "MOSCOW, (TASS) – " + "\n".join(paragraphs[:5] + paragraphs[6:]) + "\nRead more on our site."


def test_a_republished_copy_forms_a_cross_outlet_cluster(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for path in seeds_dir().glob("0*.txt"):
        shutil.copy(path, inputs)
    original = (seeds_dir() / SEED).read_text(encoding="utf-8")
    (inputs / "copy.txt").write_text(_copy_with_edits(original), encoding="utf-8")
    (inputs / "manifest.jsonl").write_text(
        "\n".join(
            json.dumps(line)
            for line in (
                {"id": "orig", "file": SEED, "retrieved_at": "2024-12-29", "outlet": "washingtonexaminer"},
                {"id": "copy", "file": "copy.txt", "retrieved_at": "2024-12-30"},
            )
        )
        + "\n"
    )
    db = tmp_path / "w.duckdb"
    run_without_prefect(db, tmp_path, "run-1", [inputs], CleanContext.default())

    result = syndicate.fn(str(db), "run-1")
    assert warehouse.query(db, "SELECT count(*) FROM doc_signatures") == [(6,)]  # staged with the batch
    assert result["multi_outlet_clusters"] == 1

    rows = warehouse.query(
        db,
        "SELECT member_rank, outlet_id, is_origin, similarity_to_origin FROM v_syndication "
        "ORDER BY member_rank",
    )
    assert [(r[0], r[1], r[2]) for r in rows] == [(0, "washingtonexaminer", True), (1, "tass", False)]
    assert 0.6 < rows[1][3] < 1.0
    edges = warehouse.query(
        db, "SELECT origin_outlet_id, copier_outlet_id, n_copies FROM v_syndication_edges"
    )
    assert edges == [("washingtonexaminer", "tass", 1)]

    again = syndicate.fn(str(db), "run-2")  # nothing new: nothing re-clustered, nothing duplicated
    assert again["signed"] == 0 and again["dirty"] == 0
    assert warehouse.query(db, "SELECT count(*) FROM cluster_members") == [(2,)]
