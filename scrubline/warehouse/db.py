"""The one module importing duckdb: connections, sessions, migrations, views, SQL files.

Every public warehouse function takes a database *path* and opens (and closes) its own
connection through :func:`session`, so Prefect tasks can pass paths around. Values always
travel as parameters; the few identifiers spliced into SQL come from fixed whitelists (table
names, view file stems) and DuckDB statements that accept no parameters (ATTACH, SET) get a
literal escaped by :func:`sql_string`.

SQL lives in package files under ``scrubline/warehouse/sql/`` (``migrations/``, ``views/``,
``reports/`` and one folder per module), read by name with :func:`sql`.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager, suppress
from functools import cache
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

import duckdb

from scrubline import arrow, resources

#: A connection, for type hints outside this module (which never import duckdb).
Connection = duckdb.DuckDBPyConnection
#: Any DuckDB error (callers that must tell a database error from others).
Error = duckdb.Error
CatalogException = duckdb.CatalogException

Params = Sequence[Any] | Mapping[str, Any] | None


class MigrationError(RuntimeError):
    """An applied migration file changed on disk, or a migration failed."""


# ------------------------------------------------------------------------------- SQL files


def _sql_root(package: str) -> Any:
    return importlib_resources.files(package) / "sql"


@cache
def sql(name: str, package: str = "scrubline.warehouse") -> str:
    """The text of ``sql/<name>.sql`` in ``package``, e.g. ``sql("load/captures")``."""
    return (_sql_root(package) / f"{name}.sql").read_text(encoding="utf-8")


def sql_files(folder: str, package: str = "scrubline.warehouse") -> list[tuple[str, str]]:
    """(file name, text) of every ``sql/<folder>/*.sql`` of ``package``, sorted by name."""
    root = _sql_root(package) / folder
    files = sorted((p for p in root.iterdir() if p.name.endswith(".sql")), key=lambda p: p.name)
    return [(p.name, p.read_text(encoding="utf-8")) for p in files]


# ---------------------------------------------------------------------------- paths, connect


def default_db_path() -> Path:
    """The working database: ``$SCRUBLINE_DB``, else the project's ``database`` setting
    (default ``<project>/warehouse/scrubline.duckdb``)."""
    env = os.environ.get("SCRUBLINE_DB")
    return Path(env) if env else resources.database_path()


def _extension_path(module: str, name: str) -> Path | None:
    """The extension file a ``duckdb-extension-<name>`` wheel installed (pinned with duckdb:
    extensions cannot be downloaded at run time)."""
    try:
        package = importlib.import_module(module)
    except ImportError:
        return None
    path = (
        Path(package.__file__).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    )
    return path if path.is_file() else None


def _fts_extension_path() -> Path | None:
    return _extension_path("duckdb_extension_fts", "fts")


def load_fts(con: Connection) -> bool:
    """Load the fts extension into ``con`` unless it is loaded already; False when it is not
    installed."""
    if has_fts(con):
        return True
    ext = _fts_extension_path()
    if ext is None:
        return False
    con.load_extension(str(ext))
    return True


def require_fts(con: Connection) -> None:
    """:func:`load_fts`, or a clear error when the extension is not installed."""
    if not load_fts(con):
        raise RuntimeError("DuckDB fts extension is not available (pip: duckdb-extension-fts)")


#: How a published DuckLake catalog's file name ends (a SQLite file in WAL mode; the data
#: files lie in ``<catalog>.files/`` beside it).
LAKE_SUFFIX = ".ducklake"
_LAKE_EXTENSIONS = (
    ("duckdb_extension_sqlite_scanner", "sqlite_scanner"),
    ("duckdb_extension_ducklake", "ducklake"),
)


def is_lake(path: str | Path) -> bool:
    """Whether ``path`` names a published DuckLake catalog rather than a DuckDB file."""
    return Path(path).name.endswith(LAKE_SUFFIX)


def lake_data_path(catalog: str | Path) -> Path:
    """The folder of a lake's Parquet data files: beside its catalog, so the two move together."""
    catalog = Path(catalog)
    return catalog.with_name(catalog.name + ".files")


def _new_lake_catalog(catalog: Path) -> None:
    """An empty SQLite catalog in WAL mode: readers of the lake then never block its writer
    nor see a half-written snapshot (measured: a commit waited for a reader's transaction
    in the default journal mode, not in WAL mode)."""
    catalog.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(catalog)) as lite:
        lite.execute("PRAGMA journal_mode=WAL")


def attach_lake(con: Connection, catalog: str | Path, alias: str, *, read_only: bool) -> None:
    """Attach the DuckLake ``catalog`` as ``alias`` (created empty when a writer attaches a
    missing one). The data path is always the folder beside the catalog (the catalog may
    have been moved since it was written)."""
    catalog = Path(catalog).resolve()
    for module, name in _LAKE_EXTENSIONS:
        path = _extension_path(module, name)
        if path is None:
            raise RuntimeError(f"DuckDB {name} extension is not available (pip: duckdb-extension-{name})")
        con.load_extension(str(path))
    if not read_only and not catalog.exists():
        _new_lake_catalog(catalog)
    data = lake_data_path(catalog)
    options = "READ_ONLY, " if read_only else ""
    con.execute(
        f"ATTACH {sql_string('ducklake:sqlite:' + str(catalog))} AS {sql_ident(alias)} "
        f"({options}DATA_PATH {sql_string(str(data) + os.sep)}, OVERRIDE_DATA_PATH true)"
    )


def connect(db_path: str | Path, read_only: bool = False, *, fts: bool = True) -> Connection:
    """Open a DuckDB connection and load the fts extension when it is installed (``fts``). A
    published lake (``*.ducklake``) opens read-only: an in-memory database with the lake
    attached and in use, so its tables and views read as a DuckDB file's would.

    The pipeline's own sessions pass ``fts=False``: loading the extension is ~40 ms of a
    connection's ~65 ms (measured 2026-12-03), a run opens a few dozen, and none of them
    searches; :func:`load_fts` loads it where a search or an index build needs it."""
    db_path = Path(db_path)
    kept = _HELD.get(db_path.resolve()) if not is_lake(db_path) else None
    if kept is not None:  # a cursor of the held connection (see held); read-only is not enforced
        return kept.cursor()
    if is_lake(db_path):
        if not read_only:
            raise ValueError(f"{db_path} is a published lake: only publish writes it")
        con = duckdb.connect(":memory:")
    else:
        if not read_only:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(db_path), read_only=read_only)
    if fts:
        load_fts(con)
    if is_lake(db_path):
        attach_lake(con, db_path, "published", read_only=True)
        con.execute("USE published")
    return con


#: DuckDB memory cap of the pipeline's sessions (loads, corpus updates, publish): DuckDB's own
#: default is 80% of the machine's memory, and corpus-wide joins would take it; with a cap
#: they spill to disk instead, so the run's peak memory stays flat as the warehouse grows.
#: Off by default: at 100k documents a 512 MB cap made a run fail with DuckDB's
#: OutOfMemoryException (2026-12-02, bench/scale.py --n 100000); set it to experiment.
SESSION_MEMORY_LIMIT = os.environ.get("SCRUBLINE_DUCKDB_MEMORY")


#: Read-write connections kept open by :func:`held` (resolved path -> connection).
_HELD: dict[Path, Connection] = {}
#: DuckDB's memory cap while a database is held: its buffer cache lives as long as the block,
#: and would otherwise grow with the warehouse (DuckDB's default is 80% of the machine).
HELD_MEMORY_LIMIT = SESSION_MEMORY_LIMIT or "256MB"
#: WAL size at which DuckDB checkpoints a held database (its default is 16 MB). Measured
#: 2026-12-03, 24 batches of 500 new documents loaded into a 100,000-document warehouse: at
#: 16 MB the loads took 0.72-0.78 ms a document, a third of it in COMMIT (the checkpoints), at
#: 128 MB 0.45-0.58, at 256 MB 0.50, at the same peak memory (the WAL is a file; a kill
#: replays it).
HELD_CHECKPOINT_THRESHOLD = "128MB"


@contextmanager
def held(db_path: str | Path) -> Iterator[None]:
    """Keep one read-write connection to ``db_path`` open for the block (migrated once): every
    :func:`session` on it in this process is a cursor of that connection.

    Why (measured 2026-12-03, 60 staged batches of 500 documents): closing a DuckDB file's
    last connection checkpoints it, so a session per batch paid a checkpoint per batch, and
    that cost grew with the warehouse (0.3 s per batch at the start, 1.5 s at 30,000
    documents). Held, DuckDB checkpoints when its WAL reaches
    :data:`HELD_CHECKPOINT_THRESHOLD` (an eighth as often as by default), and once on
    leaving the block; its memory is capped at :data:`HELD_MEMORY_LIMIT`. A nested call for
    the same path does nothing."""
    key = Path(db_path).resolve()
    if key in _HELD:
        yield
        return
    con = connect(key, fts=False)
    try:
        cap_memory(con, HELD_MEMORY_LIMIT)
        con.execute(f"SET checkpoint_threshold = {sql_string(HELD_CHECKPOINT_THRESHOLD)}")
        apply_migrations(con)
        _HELD[key] = con
        yield
    finally:
        _HELD.pop(key, None)
        con.close()


@contextmanager
def session(db_path: str | Path, *, read_only: bool = False, migrate: bool = True) -> Iterator[Connection]:
    """A connection to ``db_path`` (without the fts extension: see :func:`connect`), closed on
    exit.

    A read-write session migrates the database first unless ``migrate=False`` (or the
    database is :func:`held`: migrated when it was taken); a read-only one never writes.
    DuckDB's memory is capped at :data:`SESSION_MEMORY_LIMIT` when set.
    """
    is_held = Path(db_path).resolve() in _HELD
    con = connect(db_path, read_only=read_only, fts=False)
    try:
        if SESSION_MEMORY_LIMIT:
            cap_memory(con, SESSION_MEMORY_LIMIT)
        if migrate and not read_only and not is_held:
            apply_migrations(con)
        yield con
    finally:
        con.close()


#: What DuckDB raises for a bad statement (callers need not import duckdb).
DatabaseError = duckdb.Error


def write_parquet(table: arrow.Table, path: Path) -> None:
    """Write a query result to a Parquet file (analyst exports; the connection itself cannot)."""
    arrow.write_parquet(table, path)


#: Settings of every connection an analyst-facing command opens (``scrubline sql``, ``report``,
#: ``explain``'s reads): no file system (COPY TO, ATTACH, read_text/read_csv of paths), no
#: extension install or load, and the settings locked so a query cannot turn them back on.
ANALYST_SETTINGS = (
    "SET enable_external_access = false",
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET lock_configuration = true",
)


@contextmanager
def analyst_session(db_path: str | Path) -> Iterator[Connection]:
    """A read-only connection that cannot touch anything but ``db_path`` (fts loaded first).
    For a published lake, only its data folder stays readable (DuckDB cannot allow a folder
    for reading only: a query could add files there, never change the catalog)."""
    if not Path(db_path).is_file():
        raise FileNotFoundError(f"no warehouse at {db_path} (run `scrubline run` first, or pass --db)")
    con = connect(db_path, read_only=True)
    try:
        if is_lake(db_path):
            data = str(lake_data_path(Path(db_path).resolve())) + os.sep
            con.execute(f"SET allowed_directories = [{sql_string(data)}]")
        for statement in ANALYST_SETTINGS:
            con.execute(statement)
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: Connection) -> Iterator[Connection]:
    """BEGIN ... COMMIT, or ROLLBACK on any exception (closing also discards the work)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        with suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


# ------------------------------------------------------------------------------ small reads


def count(con: Connection, statement: str, params: Sequence[Any] = ()) -> int:
    """The first column of the first row of ``statement``, as an int (0 when no row)."""
    row = con.execute(statement, list(params)).fetchone()
    return int(row[0]) if row else 0


def dicts(con: Connection, statement: str, params: Params = ()) -> list[dict[str, Any]]:
    """Every row of ``statement`` as a dict keyed by column name."""
    cur = con.execute(statement, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def has_fts(con: Connection) -> bool:
    row = con.execute("SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'fts'").fetchone()
    return bool(row and row[0])


def has_table(con: Connection, name: str) -> bool:
    return bool(count(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]))


def has_view(con: Connection, name: str) -> bool:
    return bool(count(con, "SELECT count(*) FROM duckdb_views() WHERE view_name = ?", [name]))


def query_table(
    db_path: str | Path, statement: str, params: Params = None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one statement on a read-only connection; returns (column names, rows)."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise FileNotFoundError(db_path)
    with session(db_path, read_only=True) as con:
        cur = con.execute(statement, params) if params is not None else con.execute(statement)
        columns = [d[0] for d in cur.description] if cur.description else []
        return columns, cur.fetchall()


def query(db_path: str | Path, statement: str, params: Params = None) -> list[tuple[Any, ...]]:
    """Run one statement on a read-only connection; returns its rows."""
    return query_table(db_path, statement, params)[1]


# ------------------------------------------------------------------------------ small writes


@contextmanager
def registered(con: Connection, name: str, rows: arrow.Table) -> Iterator[str]:
    """``rows`` visible to SQL as the relation ``name`` while the block runs."""
    con.register(name, rows)
    try:
        yield name
    finally:
        con.unregister(name)


def insert_rows(con: Connection, table: str, rows: arrow.Table, *, replace_on: Sequence[str] = ()) -> int:
    """Insert ``rows`` into ``table`` by column name; with ``replace_on``, first delete the
    table's rows whose ``replace_on`` columns match a staged row. ``table`` and ``replace_on``
    are identifiers from the caller's code, never from data. Returns the rows inserted."""
    with registered(con, "staged_rows", rows):
        if replace_on:
            keys = ", ".join(replace_on)
            con.execute(f"DELETE FROM {table} WHERE ({keys}) IN (SELECT {keys} FROM staged_rows)")
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM staged_rows")
    return rows.num_rows


def sql_string(value: str) -> str:
    """A SQL string literal, for the statements DuckDB will not parameterize (ATTACH)."""
    if "\x00" in value:
        raise ValueError("NUL in SQL string")
    return "'" + value.replace("'", "''") + "'"


def sql_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def remove_db_files(path: Path) -> None:
    """Delete a database file and its WAL, if present."""
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


def cap_memory(con: Connection, limit: str) -> None:
    """``SET memory_limit`` for this connection's database instance."""
    con.execute(f"SET memory_limit = {sql_string(limit)}")


# ------------------------------------------------------------------------------- migrations

_MIGRATION_FILE = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


@cache
def migration_files() -> tuple[tuple[int, str, str, str], ...]:
    """(version, file name, SQL, sha256 of the SQL) of ``sql/migrations/NNN_*.sql``, in order.

    The files are read (and hashed) once per process: they ship with the package."""
    found = []
    for name, text in sql_files("migrations"):
        m = _MIGRATION_FILE.match(name)
        if m:
            found.append((int(m.group(1)), name, text, hashlib.sha256(text.encode()).hexdigest()))
    return tuple(found)


def apply_migrations(con: Connection) -> list[str]:
    """Apply pending ``sql/migrations/NNN_*.sql`` in order, each in its own transaction.

    Returns the file names applied now. Applied files are recorded with a checksum in
    ``schema_migrations``; an applied file that changed raises :class:`MigrationError`.
    """
    con.execute(sql("schema_migrations"))
    applied = {
        v: (name, checksum)
        for v, name, checksum in con.execute(
            "SELECT version, name, checksum FROM schema_migrations"
        ).fetchall()
    }
    done: list[str] = []
    for version, name, text, checksum in migration_files():
        if version in applied:
            if applied[version][1] != checksum:
                raise MigrationError(f"{name} changed after it was applied; add a new migration instead")
            continue
        try:
            with transaction(con):
                con.execute(text)
                con.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?, now())",
                    [version, name, checksum],
                )
        except duckdb.Error as exc:
            raise MigrationError(f"{name} failed: {exc}") from exc
        done.append(name)
    return done


# ------------------------------------------------------------------------------------ views

_VIEW_NAME = re.compile(r"^v_[a-z0-9_]+\.sql$")
_PROJECT_VIEW_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\.sql$")


def create_views(con: Connection, project_views: Path | None = None) -> list[str]:
    """(Re)create every view in ``sql/views/*.sql`` (file stem = view name), then the
    project's own ``views/*.sql`` (``project_views``, default the current project's
    ``views_dir``): created after the packaged views, so they may read them, and a project
    view named like a packaged one replaces it.

    Each file is one SELECT (CTEs allowed). Views may read other views: files failing to bind
    are retried until a pass makes no progress, then the last error is raised. A project file
    whose stem is not an SQL identifier is an error, not skipped.
    """
    packaged = {
        name.removesuffix(".sql"): text.strip().rstrip(";")
        for name, text in sql_files("views")
        if _VIEW_NAME.match(name)
    }
    created = _create_views(con, packaged)
    folder = resources.project_views_dir() if project_views is None else Path(project_views)
    if folder.is_dir():
        own: dict[str, str] = {}
        for path in sorted(p for p in folder.iterdir() if p.suffix == ".sql"):
            if not _PROJECT_VIEW_NAME.match(path.name):
                raise ValueError(f"{path}: a view file's name must be an SQL identifier + .sql")
            own[path.stem] = path.read_text(encoding="utf-8").strip().rstrip(";")
        created += [name for name in _create_views(con, own) if name not in created]
    return created


def _create_views(con: Connection, pending: dict[str, str]) -> list[str]:
    """Create ``pending`` (name -> SELECT), retrying those that read views not made yet."""
    pending = dict(pending)
    created: list[str] = []
    while pending:
        before = len(pending)
        failed: dict[str, Exception] = {}
        for name, body in list(pending.items()):
            try:
                con.execute(f'CREATE OR REPLACE VIEW "{name}" AS\n{body}\n')
            except duckdb.CatalogException as exc:
                failed[name] = exc
                continue
            created.append(name)
            del pending[name]
        if len(pending) == before:  # a whole pass without progress
            name, exc = next(iter(failed.items()))
            raise RuntimeError(f"view {name} failed: {exc}") from exc
    return created


#: The historical name of :func:`apply_migrations`.
migrate = apply_migrations
