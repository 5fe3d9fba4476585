"""A run does not clean again an input whose exact version is loaded under the same clean
settings (``scrubline.clean.settings_key``): its cost follows the new work when a scheduled run
reads a folder that keeps its old files. Plain runs (``--no-prefect``): the same run body."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SEED_IDS, SEEDS

from flows.pipeline import run_plain
from scrubline import warehouse as wh


def _run(folder: Path, db: Path) -> dict:
    return run_plain(paths=[str(folder)], db_path=str(db), workers=1, batch_size=2, run_validation=False,
                     publish_copy=False)  # fmt: skip


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for seed in SEED_IDS:
        shutil.copy(SEEDS / f"{seed}.txt", inputs / f"{seed}.txt")
    return inputs


def test_a_second_run_over_the_same_files_cleans_nothing(folder, tmp_path):
    db = tmp_path / "wh" / "w.duckdb"
    first = _run(folder, db)
    assert first["documents"] == 5 and first["loaded"]["inputs_skipped"] == 0
    keys = wh.query(db, "SELECT count(DISTINCT cleaned_with), count(*) FROM documents")
    assert keys == [(1, 5)]  # one engine for these five, recorded with every version

    again = _run(folder, db)

    assert again["documents"] == 0  # nothing cleaned, nothing loaded again
    assert again["inputs"] == 5
    assert (again["loaded"]["inputs_unchanged"], again["loaded"]["inputs_skipped"]) == (5, 5)
    assert wh.query(db, "SELECT count(*) FROM documents") == [(5,)]


def test_other_clean_settings_clean_the_same_files_again(folder, tmp_path, monkeypatch):
    db = tmp_path / "wh" / "w.duckdb"
    _run(folder, db)
    monkeypatch.setenv("SCRUBLINE_PROFILE", "fullpage")  # the profile is part of the settings
    again = _run(folder, db)
    assert again["documents"] == 5 and again["loaded"]["inputs_skipped"] == 0
    assert wh.query(db, "SELECT count(DISTINCT cleaned_with) FROM documents") == [(1,)]  # replaced


def test_old_content_seen_again_is_not_cleaned_but_becomes_the_latest_version(folder, tmp_path):
    # a file's capture time is its modification time: writing the old bytes back is a new sighting
    db = tmp_path / "wh" / "w.duckdb"
    path = folder / f"{SEED_IDS[0]}.txt"
    original = path.read_bytes()
    _run(folder, db)
    path.write_bytes(original.replace(b"\n", b"\nAn added line of the second version.\n", 1))
    changed = _run(folder, db)
    assert changed["loaded"]["inputs_changed"] == 1 and changed["loaded"]["inputs_skipped"] == 4
    path.write_bytes(original)

    back = _run(folder, db)

    assert back["documents"] == 0 and back["loaded"]["inputs_skipped"] == 5
    doc_id, first_capture = wh.query(
        db, "SELECT doc_id, capture_id FROM documents WHERE source_uri LIKE ? ORDER BY loaded_at LIMIT 1",
        [f"%{SEED_IDS[0]}%"],
    )[0]  # fmt: skip
    assert wh.query(db, "SELECT capture_id FROM v_documents WHERE doc_id = ?", [doc_id]) == [(first_capture,)]


def test_the_settings_key_follows_the_fullpage_rules_and_the_detector(monkeypatch):
    """A text the detector sends to the fullpage rules comes out differently when only those
    rules change (the line model's weights, the zone rule) or when the detector does: the key
    changes with them, so such inputs are cleaned again."""
    from datetime import UTC, datetime

    from scrubline import clean
    from scrubline.boilerplate import Engine
    from scrubline.boilerplate.rules import MainZoneRule, default_rules
    from scrubline.records import Capture

    capture = Capture("https://example.org/a", b"Some text.\n", datetime(2026, 1, 1, tzinfo=UTC))
    ctx = clean.CleanContext.default()
    before = clean.settings_key(capture, ctx)
    assert clean.settings_key(capture, clean.CleanContext.default()) == before  # stable
    other = clean.CleanContext.default()
    with_main_zone = Engine(default_rules("fullpage", zone=MainZoneRule()), profile="fullpage")
    other._fullpage[other.engine.version] = with_main_zone  # the fullpage rules before the line model
    assert clean.settings_key(capture, other) != before
    monkeypatch.setattr(clean, "DETECTOR_VERSION", clean.DETECTOR_VERSION + 1)
    assert clean.settings_key(capture, clean.CleanContext.default()) != before
