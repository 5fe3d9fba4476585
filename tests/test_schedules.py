"""A schedule with nothing to do does not run: not served, and a run of it returns at once."""

from __future__ import annotations

from pathlib import Path

from flows.deployments import active_deployments
from flows.pipeline import nothing_scheduled, run_plain
from scrubline.resources import seeds_dir

SOURCES = str(seeds_dir() / "sources.yaml")


def test_empty_schedule_groups_are_detected(tmp_path: Path) -> None:
    assert nothing_scheduled([SOURCES], "hourly")  # the seed manifest's feeds are commented out
    assert not nothing_scheduled([SOURCES], "daily")
    assert not nothing_scheduled([str(seeds_dir())], "hourly")  # a folder is always work
    broken = tmp_path / "sources.yaml"
    broken.write_text("sources: [")
    assert not nothing_scheduled([str(broken)], "hourly")  # reported by the run as a reject


def test_the_hourly_deployment_is_not_served_without_feeds(capsys) -> None:
    active = active_deployments()
    assert "hourly-feeds" not in active and {"daily-sources", "manual-seeds"} <= set(active)
    assert "not serving hourly-feeds" in capsys.readouterr().out


def test_a_run_of_an_empty_schedule_touches_nothing(tmp_path: Path) -> None:
    db = tmp_path / "w" / "scrubline.duckdb"
    summary = run_plain(paths=[SOURCES], schedule="hourly", db_path=str(db))
    assert summary["status"].startswith("nothing to do") and summary["inputs"] == 0
    assert not db.parent.exists()
