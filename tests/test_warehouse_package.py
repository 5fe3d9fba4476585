"""The warehouse package's layout: SQL files found by name, migrations unchanged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scrubline.warehouse import db

PACKAGE = Path(db.__file__).parent
ROOT = PACKAGE.parents[1]

#: Checksums recorded in every existing warehouse: a moved or edited applied migration would
#: stop those databases from migrating (add a new NNN_*.sql instead).
APPLIED = {
    "001_init.sql": "893d50e0139381bd133b0ddee449bfbbed28b3b0ff6e09b97e649f059d69ae51",
    "002_provenance_and_dq.sql": "771839b5a594765eae1d94485f9866cf49234ce03e45bbd2f1f1e46c0cede86d",
    "003_footnote_kind.sql": "203ef443e1ff796a813b700ee335d636031266ef0bf9fe0f020ca4e801db5bf1",
    "004_audit_and_changes.sql": "f5eba54c9be0f43a43c202a9861d6f8c0395d666e997c24e0f857129c544b677",
    "005_syndication.sql": "7a988efc11effb495bd22ee5fccab7601792a7136f15a7e02769bf85729676ab",
    "006_templates.sql": "b07082ee80607b927a3aa8a712f7ada57b00b626b4979b94e40032d43d6706e3",
    "008_language_region.sql": "b16511a1d864b49b58d31968a8115cd1a1d4688711201a3070908d7c3e904387",
    "009_incremental_corpus.sql": "809ba6b4b6b6effb3eed329b856f2dc3c907912da292dab15c9d6c3902cd5a77",
    "010_no_row_indexes.sql": "633d10fdccb40137fd1f44eaab03e178a1d7dd1530ee5e99f4ba331034581e88",
    "011_cleaned_with.sql": "14343ef1faaafb16164910c25ae4bd983b0f6b975dfdf886fbcb6531cabdd7c1",
}


def test_applied_migrations_keep_their_checksums() -> None:
    found = {name: checksum for _, name, _, checksum in db.migration_files()}
    assert {k: found.get(k) for k in APPLIED} == APPLIED


def _sql_names_used() -> set[str]:
    used: set[str] = set()
    for path in [*PACKAGE.rglob("*.py"), *(ROOT / "scrubline").glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        used.update(re.findall(r'\bsql\(\s*f?"([a-z_/{}]+)"', text))
    return used


def test_every_sql_file_named_in_code_exists() -> None:
    used = _sql_names_used()
    assert "load/captures" in used
    for name in used:
        if "{" in name:  # an f-string over a whitelist: check each expansion's folder exists
            assert (PACKAGE / "sql" / name.split("/")[0]).is_dir(), name
            continue
        assert db.sql(name).strip(), name


def test_unknown_sql_name_raises() -> None:
    with pytest.raises(FileNotFoundError):
        db.sql("load/no_such_statement")


_GROWING = ("captures", "documents", "removed_spans", "footnotes", "links", "doc_signatures")


def _constraints(con: db.Connection, kind: str) -> set[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_constraints() WHERE constraint_type = ?", [kind]
    ).fetchall()
    return {r[0] for r in rows}


def test_a_warehouse_from_before_migration_010_keeps_its_rows_and_loses_row_indexes(tmp_path) -> None:
    path = tmp_path / "old.duckdb"
    con = db.connect(path)
    con.execute(db.sql("schema_migrations"))
    for version, name, text, checksum in db.migration_files():
        if version < 10:  # the warehouse as the last release left it
            con.execute(text)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?, now())", [version, name, checksum])
    con.execute("INSERT INTO captures (capture_id, source_uri, fetched_at, byte_size, first_run_id) "
                "VALUES ('c1', 'seeds/a.txt', now(), 5, 'r1')")  # fmt: skip
    con.execute(
        "INSERT INTO documents (doc_id, capture_id, run_id, source_uri, text_normalized, text, "
        "chars_normalized, chars_clean, removed_share, ruleset_version, pipeline_version, loaded_at) "
        "VALUES ('d1', 'c1', 'r1', 'seeds/a.txt', 'Hello. Share!', 'Hello.', 13, 6, 0.5, 'v', 'p', now())"
    )
    con.execute("INSERT INTO removed_spans VALUES "
                "('d1', 'c1', 0, 7, 13, 'lexicon_social', 1, 'social', 'Share!', 'Share')")  # fmt: skip
    assert set(_GROWING) <= _constraints(con, "PRIMARY KEY")
    before = {t: con.execute(f"SELECT * FROM {t}").fetchall() for t in _GROWING}

    assert db.apply_migrations(con)[0] == "010_no_row_indexes.sql"

    assert not set(_GROWING) & _constraints(con, "PRIMARY KEY")
    later = {"documents": " EXCLUDE (cleaned_with)"}  # a column migration 011 adds
    assert {t: con.execute(f"SELECT *{later.get(t, '')} FROM {t}").fetchall() for t in _GROWING} == before
    not_null = {(r[0], r[1]) for r in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT is_nullable").fetchall()}  # fmt: skip
    assert {("documents", "doc_id"), ("removed_spans", "span_no"), ("captures", "capture_id")} <= not_null
    assert {"runs", "outlets", "batches"} <= _constraints(con, "PRIMARY KEY")  # small tables keep theirs
    con.close()
