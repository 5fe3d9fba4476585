"""`scrubline sql`: read-only for the database AND the file system; formats and errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from scrubline import warehouse
from scrubline.cli import main


@pytest.fixture(params=["duckdb file", "published lake"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The same table in a DuckDB file and in a published DuckLake: ``sql`` reads either."""
    if request.param == "duckdb file":
        path = tmp_path / "published" / "w.duckdb"
        with warehouse.session(path, migrate=False) as con:
            con.execute("CREATE TABLE t (id INTEGER, name VARCHAR, note VARCHAR)")
            con.execute("INSERT INTO t VALUES (1, 'alpha', NULL), (2, 'beta', ?)", ["x" * 100])
        return path
    path = tmp_path / "published" / "w.ducklake"
    with warehouse.session(":memory:", migrate=False) as con:
        warehouse.db.attach_lake(con, path, "lake", read_only=False)
        con.execute("CREATE TABLE lake.t (id INTEGER, name VARCHAR, note VARCHAR)")
        con.execute("INSERT INTO lake.t VALUES (1, 'alpha', NULL), (2, 'beta', ?)", ["x" * 100])
        con.execute("DETACH lake")
    return path


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.csv"
    secret.write_text("a,b\n1,2\n")
    return secret


@pytest.mark.parametrize(
    "statement",
    [
        "COPY t TO '{dir}/leak.csv'",
        "COPY (SELECT 1) TO '{work}'",
        "ATTACH '{work}' AS w",
        "SELECT * FROM read_text('{secret}')",
        "SELECT * FROM read_csv('{secret}')",
        "SELECT * FROM '{secret}'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "LOAD '{secret}'",
        "SET enable_external_access = true",
        "CREATE TABLE u AS SELECT 1",
        "INSERT INTO t VALUES (3, 'gamma', NULL)",
        "DROP TABLE t",
    ],
)
def test_analyst_sql_cannot_touch_files_or_write(
    statement: str, db: Path, outside: Path, tmp_path: Path, capsys
) -> None:
    work = tmp_path / "working.duckdb"
    with warehouse.session(work, migrate=False) as con:
        con.execute("CREATE TABLE keep AS SELECT 42 AS answer")
    before = work.read_bytes()
    query = statement.format(dir=tmp_path, work=work, secret=outside)
    assert main(["sql", query, "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("scrubline sql: ") and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "leak.csv").exists()
    assert work.read_bytes() == before


def test_table_shows_null_and_marks_cut_cells(db: Path, capsys) -> None:
    assert main(["sql", "SELECT * FROM t ORDER BY id", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "NULL" in out and "None" not in out
    assert "x" * 59 + "…" in out and "x" * 61 not in out
    assert out.rstrip().endswith("(2 rows)")
    assert main(["sql", "SELECT note FROM t WHERE id = 2", "--db", str(db), "--max-width", "0"]) == 0
    assert "x" * 100 in capsys.readouterr().out


def test_csv_json_and_parquet_exports(db: Path, tmp_path: Path, capsys) -> None:
    assert main(["sql", "SELECT * FROM t ORDER BY id", "--db", str(db), "--format", "csv"]) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert rows[0] == {"id": "1", "name": "alpha", "note": ""}
    out = tmp_path / "rows.jsonl"
    query = "SELECT * FROM t ORDER BY id"
    assert main(["sql", query, "--db", str(db), "--format", "json", "-o", str(out)]) == 0
    assert [json.loads(line)["name"] for line in out.read_text().splitlines()] == ["alpha", "beta"]
    pq_out = tmp_path / "exports" / "rows.parquet"
    assert main(["sql", "SELECT * FROM t", "--db", str(db), "--format", "parquet", "-o", str(pq_out)]) == 0
    assert pq.read_table(pq_out).num_rows == 2
    assert main(["sql", "SELECT 1", "--db", str(db), "--format", "parquet"]) == 2


def test_a_missing_warehouse_is_one_line(tmp_path: Path, capsys) -> None:
    assert main(["sql", "SELECT 1", "--db", str(tmp_path / "none.duckdb")]) == 2
    err = capsys.readouterr().err
    assert "no warehouse at" in err and "Traceback" not in err
