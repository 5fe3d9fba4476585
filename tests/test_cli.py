"""The command-line entry points on real inputs (no mocks)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from scrubline.cli import main
from scrubline.resources import schemas_dir, seeds_dir

BENCH_HTML = Path(__file__).resolve().parents[2] / "shared" / "benchdata" / "trafilatura-dev" / "html"

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Border clash leaves two dead</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Border clash leaves two dead</h1>
<p>Two soldiers were killed on Tuesday in a clash on the border between the two countries,
the defence ministry said in a statement published in the morning.</p>
<p>The ministry said the other side had opened fire first, a claim that could not be
independently verified by <a href="https://www.reuters.com/world/?utm_source=x">Reuters</a>.</p>
<p>Talks between the two governments are expected to resume next week in a neutral capital.</p>
</article><footer>© 2025 Example News. All rights reserved.</footer></body></html>"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for path in seeds_dir().glob("0*.txt"):
        shutil.copy(path, src)
    (src / "page.html").write_text(PAGE, encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    (src / "manifest.jsonl").write_text(
        json.dumps({"id": "page", "file": "page.html", "url": "https://news.example.com/clash"}) + "\n"
    )
    return src


def test_clean_writes_one_valid_record_per_input(folder: Path, tmp_path: Path, capsys):
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(folder), "--output", str(out), "--workers", "1"]) == 0
    schema = json.loads((schemas_dir() / "clean_record.schema.json").read_text())
    records = [json.loads(line) for line in out.read_text().splitlines()]
    for record in records:
        jsonschema.validate(record, schema)
    by_source = {r["source"]: r for r in records}
    assert set(by_source) >= {f"{p.name}" for p in seeds_dir().glob("0*.txt")} | {"empty.txt"}
    assert "error" in by_source["empty.txt"] and by_source["empty.txt"]["error"]["stage"] == "read"
    page = next(r for r in records if r["source_uri"] == "https://news.example.com/clash")
    assert "Two soldiers were killed on Tuesday" in page["text"]
    assert "Home" not in page["text"].split("\n")
    assert page["metadata"]["title"] == "Border clash leaves two dead"
    assert [link["domain"] for link in page["links"]] == ["reuters.com"]
    seed3 = by_source["003_b8ff09be8abf3fd2.txt"]
    assert len(seed3["footnotes"]) == 15
    assert {s["rule_id"] for s in seed3["removed"]} >= {"endnotes_block", "contact_line"}
    assert "6 documents, 1 errors" in capsys.readouterr().out


@pytest.mark.skipif(not BENCH_HTML.is_dir(), reason="shared benchdata not present")
def test_clean_takes_a_folder_of_real_pages_in_parallel(tmp_path: Path):
    src = tmp_path / "pages"
    src.mkdir()
    for path in sorted(BENCH_HTML.glob("*.html"))[:40]:
        shutil.copy(path, src)
    out = tmp_path / "pages.jsonl"
    assert main(["clean", str(src), "--output", str(out), "--workers", "2"]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 40
    ok = [r for r in records if "text" in r]
    assert len(ok) >= 36 and all(r["text"].strip() for r in ok)


def test_clean_source_is_the_input_path_even_when_the_manifest_names_a_url(tmp_path: Path, capsys):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "page.html").write_text(PAGE, encoding="utf-8")
    (src / "manifest.jsonl").write_text(
        json.dumps({"id": "clash-1", "file": "sub/page.html", "url": "https://news.example.com/clash"}) + "\n"
    )
    assert main(["clean", str(src), "-o", "-", "--workers", "1"]) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (record["source"], record["id"], record["source_uri"]) == (
        "sub/page.html", "clash-1", "https://news.example.com/clash")  # fmt: skip


def test_clean_of_a_missing_folder_exits_2_naming_it(tmp_path: Path, capsys):
    assert main(["clean", str(tmp_path / "nope"), "-o", str(tmp_path / "o.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "no such file or folder" in err and "nope" in err and "Traceback" not in err
    assert not (tmp_path / "o.jsonl").exists()


def test_run_outside_a_project_without_inputs_says_what_to_do(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SCRUBLINE_HOME", raising=False)
    assert main(["run"]) == 2
    assert "scrubline init" in capsys.readouterr().err
    assert main(["run", str(tmp_path / "missing")]) == 2


def test_init_writes_a_project_and_keeps_existing_files(tmp_path: Path, capsys):
    desk = tmp_path / "desk"
    assert main(["init", str(desk)]) == 0
    assert (desk / "scrubline.toml").is_file() and (desk / "seeds" / "manifest.jsonl").is_file()
    (desk / "outlets.csv").write_text("mine\n")
    assert main(["init", str(desk)]) == 0
    assert (desk / "outlets.csv").read_text() == "mine\n"
    assert "already a scrubline project" in capsys.readouterr().out


def test_a_document_with_an_endless_line_is_a_specific_reject(tmp_path: Path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    (src / "blob.txt").write_text("A sentence. " + "x" * 250_000 + "\nA last line.\n")
    (src / "fine.txt").write_text("A short article.\n\nIt has two paragraphs of plain prose text.\n")
    assert main(["clean", str(src), "-o", "-", "--workers", "1"]) == 0
    records = {r["source"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert "text" in records["fine.txt"]
    error = records["blob.txt"]["error"]
    assert error["stage"] == "clean" and "line too long: 250,012 characters" in error["message"]


def test_run_with_a_relative_database_path_validates_and_publishes(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(seeds_dir()), "--db", "rel/w.duckdb", "--no-prefect", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "data quality: passed" in out
    assert (tmp_path / "rel" / "published" / "w.ducklake").is_file()
    assert (tmp_path / "rel" / "dq_site" / "index.html").is_file()


def test_clean_gives_a_pathological_document_seconds_not_minutes(tmp_path: Path, monkeypatch, capsys):
    from scrubline.batch import SLOW_MARKER_ENV

    monkeypatch.setenv(SLOW_MARKER_ENV, "SPIN-FOREVER-7f3a")  # worker processes inherit it: it spins
    src = tmp_path / "in"
    src.mkdir()
    for n in range(4):
        (src / f"a{n}.txt").write_text(f"Article {n}.\n\nThe ministry said talks would resume next week.\n")
    (src / "a2.txt").write_text("A page that never finishes cleaning. SPIN-FOREVER-7f3a\n")
    assert main(["clean", str(src), "-o", "-", "--workers", "2", "--time-limit", "1.5"]) == 0
    records = {r["source"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert sorted(records) == ["a0.txt", "a1.txt", "a2.txt", "a3.txt"]
    assert all("text" in records[n] for n in ("a0.txt", "a1.txt", "a3.txt"))
    error = records["a2.txt"]["error"]
    assert (error["stage"], error["class"]) == ("clean", "timeout")
    assert "1.5 s limit" in error["message"] and "bytes" in error["message"]


def test_the_time_limit_option_defaults_to_the_library_limit():
    from scrubline.batch import DEFAULT_TIME_LIMIT
    from scrubline.cli import _TIME_LIMIT_ARG

    assert _TIME_LIMIT_ARG["default"] == DEFAULT_TIME_LIMIT
