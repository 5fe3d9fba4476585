"""The quality package's single definitions: the local-path rule and the drift thresholds."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrubline import quality, warehouse
from scrubline.urls import LOCAL_PATH, is_local_path
from scrubline.warehouse.db import sql

ROOT = Path(quality.__file__).parents[2]

URLS = [
    "file:///C:/Users/Editor/Downloads/report.pdf", "FILE://server/share/x.doc",
    "C:\\Users\\me\\notes.docx", "d:/drafts/a.pdf", "\\\\fileserver\\share\\memo.pdf",
    "/Users/editor/Desktop/a.pdf", "/home/me/a.pdf", "~/Documents/b.pdf", "/HOME/x",
    "https://example.org/file.pdf", "http://file.example.org/", "ftp://c:/x", "users/x",
    "/usr/share/doc", "\\single\\backslash", "mailto:a@b.c", "cd:/x", "",
]  # fmt: skip


def test_local_path_rule_is_the_same_in_python_and_in_the_metrics_sql(tmp_path: Path) -> None:
    assert "$local_path" in sql("footnote_metrics", "scrubline.quality")
    assert "file:" not in sql("footnote_metrics", "scrubline.quality").lower()
    with warehouse.session(tmp_path / "w.duckdb") as con:
        in_sql = dict(con.execute(
            "SELECT u, regexp_matches(u, $p) FROM unnest($urls::VARCHAR[]) t(u)",
            {"p": LOCAL_PATH.pattern, "urls": URLS},
        ).fetchall())  # fmt: skip
    in_python = {u: is_local_path(u) for u in URLS}
    assert in_sql == in_python
    assert sum(in_python.values()) == 9


def test_drift_thresholds_come_from_the_suites_only(tmp_path: Path) -> None:
    rule = quality.drift_rule(quality.load_suites())
    assert set(rule) == set(quality.DRIFT_PARAMETERS)
    source = (ROOT / "scrubline" / "quality" / "metrics.py").read_text(encoding="utf-8")
    assert "0.15" not in source and "500" not in source
    with warehouse.session(tmp_path / "w.duckdb"):
        pass
    with pytest.raises(ValueError, match="unknown"):
        quality.dq_outlet_drift(tmp_path / "w.duckdb", "run", {"share_floors": 0.1})
