"""Data quality: run the Great Expectations suites of ``expectations/`` on what a run loaded.

The only module importing great_expectations, and only inside :func:`validate` (the import
costs seconds). Two GE data paths, chosen per expectation by ``meta.path`` in the suite JSON:

* ``sql``: GE's SQL datasource (duckdb-engine) on a per-run DuckDB *snapshot* written by
  :func:`scrubline.warehouse.dq_snapshot`. GE pushes every metric down to DuckDB, so memory
  stays low, and GE never opens (or locks) the working database. GE does not list DuckDB as
  supported; two things were needed and are proven by tests/test_quality.py: a dialect that
  never begins or rolls back (see :func:`_register_duckdb_dialect`) and avoiding GE's
  regex/like expectations, which raise ``NotImplementedError`` for the duckdb dialect.
* ``metrics``: GE's pandas datasource on per-row metrics that DuckDB computes
  (:func:`scrubline.warehouse.dq_metrics`: U+FFFD count, residue hits, length gap, local-path
  flag, per-outlet drift, staged vs loaded row counts...). It covers what the SQL path cannot
  (regex, history) without shipping raw text to pandas.

The snapshot holds no text columns (lengths only): at 100k documents the texts are most of
the warehouse, and copying them dominated validation (bench/RESULTS_dq.md).

Suite JSON conventions: every expectation's ``meta`` has name, severity, path, rationale
(``asset`` for the metrics path, ``quarantine: true`` for critical per-document checks);
a kwarg written ``"$meta.<key>"`` takes the suite meta's value (e.g. the allowed languages);
suite meta ``asset_index_columns`` names the columns identifying failing rows of an asset.

Results go to ``dq_results``; documents failing a critical expectation marked
``quarantine: true`` are quarantined; a local Data Docs site is rebuilt.
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrubline import resources, warehouse

SEVERITIES = ("critical", "warning")
PATHS = ("sql", "metrics")
SAMPLE_SIZE = 20
SAMPLE_CHARS = 200  # failing samples of text columns are cut to this many characters
_DIALECT = "duckdb.scrubline_readonly"


@dataclass(frozen=True)
class DQOutcome:
    """What :func:`validate` found: ``success`` is False when any critical expectation failed."""

    success: bool
    results: list[dict[str, Any]]
    quarantined: list[tuple[str, str]]
    data_docs_path: Path | None
    summary: str


@dataclass(frozen=True)
class Suite:
    """One ``expectations/<table>.json`` file, read without GE."""

    name: str
    index_columns: tuple[str, ...]
    expectations: tuple[dict[str, Any], ...]
    meta: dict[str, Any] = field(default_factory=dict)

    def index_for(self, asset: str) -> tuple[str, ...]:
        """Columns naming a failing row of ``asset`` (suite default unless the meta says)."""
        return tuple(self.meta.get("asset_index_columns", {}).get(asset, self.index_columns))

    def groups(self) -> dict[tuple[str, str], list[dict[str, Any]]]:
        """Expectations by (data path, asset): ('sql', table) or ('metrics', frame name)."""
        out: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for exp in self.expectations:
            meta = exp["meta"]
            asset = meta.get("asset", self.name) if meta["path"] == "metrics" else self.name
            out[(meta["path"], asset)].append(exp)
        return dict(out)


def _resolve(value: Any, meta: Mapping[str, Any], where: str) -> Any:
    """``"$meta.<key>"`` -> the suite meta's ``key``; any other value as is."""
    if isinstance(value, str) and value.startswith("$meta."):
        key = value.removeprefix("$meta.")
        if key not in meta:
            raise ValueError(f"{where}: suite meta has no {key!r}")
        return meta[key]
    return value


def load_suites(directory: Path | None = None) -> list[Suite]:
    """Read and check every suite JSON (each expectation needs name, severity, path)."""
    suites = []
    for path in sorted((directory or resources.expectations_dir()).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for exp in data["expectations"]:
            meta = exp.get("meta", {})
            if meta.get("severity") not in SEVERITIES or meta.get("path") not in PATHS:
                raise ValueError(f"{path.name}: {exp['type']} needs meta severity and path")
            if not meta.get("name") or not meta.get("rationale"):
                raise ValueError(f"{path.name}: {exp['type']} needs meta name and rationale")
            exp["kwargs"] = {k: _resolve(v, data.get("meta", {}), path.name)
                             for k, v in exp["kwargs"].items()}
        suites.append(
            Suite(data["name"], tuple(data["meta"]["index_columns"]),
                  tuple(data["expectations"]), data.get("meta", {}))
        )
    return suites


def all_residue_patterns(suites: Iterable[Suite], extra: Sequence[str] = ()) -> list[str]:
    """Default residue regexes (documents suite meta) plus ``extra`` (e.g. from lexicons)."""
    base = [p for s in suites for p in s.meta.get("residue_patterns", [])]
    return list(dict.fromkeys([*base, *extra]))


def drift_rule(suites: Iterable[Suite]) -> dict[str, float]:
    """The per-outlet drift rule of the suites' meta (``drift``), merged over the defaults."""
    rule: dict[str, float] = dict(warehouse.DRIFT_DEFAULTS)
    for suite in suites:
        rule.update(suite.meta.get("drift", {}))
    return rule


def default_docs_dir() -> Path:
    return resources.warehouse_dir() / "dq_site"


# --------------------------------------------------------------------------------- validate


def validate(
    db_path: Path,
    run_id: str,
    *,
    docs_dir: Path | None = None,
    residue_patterns: Sequence[str] = (),
    suites_dir: Path | None = None,
) -> DQOutcome:
    """Validate the rows of ``run_id``, store results, quarantine, build Data Docs.

    ``docs_dir``: the Data Docs site (default ``warehouse/dq_site``). ``residue_patterns``:
    more boilerplate regexes (RE2 syntax, matched case-insensitively) to look for in clean text.
    """
    suites = load_suites(suites_dir)
    patterns = all_residue_patterns(suites, residue_patterns)
    docs_dir = Path(docs_dir) if docs_dir else default_docs_dir()
    with tempfile.TemporaryDirectory(prefix="scrubline-dq-") as tmp:
        snapshot = Path(tmp) / "dq_snapshot.duckdb"
        warehouse.dq_snapshot(db_path, run_id, snapshot)
        frames = {k: t.to_pandas() for k, t in warehouse.dq_metrics(
            db_path, run_id, patterns, drift=drift_rule(suites)).items()}
        rows, index_html = _run_suites(suites, snapshot, frames, run_id, docs_dir)
    warehouse.store_dq_results(db_path, run_id, [_public(r) for r in rows])
    quarantined = _quarantine(db_path, run_id, rows)
    return _outcome(rows, quarantined, index_html)


def _run_suites(
    suites: list[Suite], snapshot: Path, frames: Mapping[str, Any], run_id: str, docs_dir: Path
) -> tuple[list[dict[str, Any]], Path | None]:
    """Run every suite group through GE; returns result rows and the Data Docs index."""
    import great_expectations as gx  # lazy: seconds to import
    from great_expectations.core.run_identifier import RunIdentifier

    context = _context(gx, docs_dir)
    sql = context.data_sources.add_sql(
        "warehouse", connection_string=f"{_register_duckdb_dialect()}:///{snapshot}",
        kwargs={"connect_args": {"read_only": True}},
    )
    pandas = context.data_sources.add_pandas("metrics")
    ge_run = RunIdentifier(run_name=run_id)
    rows: list[dict[str, Any]] = []
    try:
        for suite in suites:
            for (path, asset), expectations in suite.groups().items():
                if path == "sql":
                    batch_def = sql.add_table_asset(asset, table_name=asset) \
                        .add_batch_definition_whole_table("run")
                    params = None
                else:
                    batch_def = pandas.add_dataframe_asset(asset) \
                        .add_batch_definition_whole_dataframe("run")
                    params = {"dataframe": frames[asset]}
                result = _run_group(gx, context, suite, path, asset, expectations, batch_def,
                                    params, ge_run)
                rows += [_row(suite, path, r) for r in result.results]
    finally:
        sql.get_execution_engine().close()
    site = context.build_data_docs(site_names=["scrubline"])
    index = site.get("scrubline")
    return rows, Path(index.removeprefix("file://")) if index else None


def _context(gx: Any, docs_dir: Path) -> Any:
    """An ephemeral GE context (nothing written but the Data Docs site at ``docs_dir``)."""
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    docs_dir.mkdir(parents=True, exist_ok=True)
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites={
            "scrubline": {
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                  "base_directory": str(docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    return gx.get_context(project_config=config, mode="ephemeral")


def _run_group(
    gx: Any, context: Any, suite: Suite, path: str, asset: str,
    expectations: list[dict[str, Any]], batch_def: Any, params: dict | None, ge_run: Any,
) -> Any:
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    name = suite.name if path == "sql" and asset == suite.name else f"{suite.name}.{asset}"
    ge_suite = context.suites.add(gx.ExpectationSuite(name=name, meta={"data_path": path}))
    for exp in expectations:  # "runtime" match: same type+column with other bounds is new
        ge_suite.add_expectation_configuration(
            ExpectationConfiguration(type=exp["type"], kwargs=exp["kwargs"], meta=exp["meta"]),
            match_type="runtime",
        )
    if len(ge_suite.expectations) != len(expectations):
        raise ValueError(f"suite {name}: two expectations have identical kwargs")
    ge_suite.save()
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch_def, suite=ge_suite)
    )
    index = suite.index_for(asset) if path == "metrics" else suite.index_columns
    result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": list(index)}
    return definition.run(batch_parameters=params, result_format=result_format, run_id=ge_run)


# ------------------------------------------------------------------------------ GE on DuckDB


def _register_duckdb_dialect() -> str:
    """Register (once) a duckdb-engine dialect for GE's read-only use; returns its URL scheme.

    GE runs each metric query on a pooled connection, closes it, *then* fetches the rows. With
    SQLAlchemy 2.1 + duckdb-engine, closing rolls back the autobegun transaction, and a DuckDB
    rollback discards the pending result: GE then fails with "list index out of range" on
    every expectation. GE only reads a read-only snapshot, so the dialect simply never begins,
    commits or rolls back (each DuckDB statement runs in its own implicit transaction).
    """
    import duckdb_engine
    from sqlalchemy.dialects import registry

    class ReadOnlyDuckDBDialect(duckdb_engine.Dialect):
        supports_statement_cache = False

        def do_begin(self, dbapi_connection: Any) -> None:
            pass

        def do_commit(self, dbapi_connection: Any) -> None:
            pass

        def do_rollback(self, dbapi_connection: Any) -> None:
            pass

    if _DIALECT not in registry.impls:
        registry.impls[_DIALECT] = lambda: ReadOnlyDuckDBDialect
    return _DIALECT.replace(".", "+")


# ----------------------------------------------------------------------------- result rows


def _column(kwargs: Mapping[str, Any]) -> str | None:
    if "column" in kwargs:
        return kwargs["column"]
    if "column_list" in kwargs:
        return ",".join(kwargs["column_list"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']},{kwargs['column_B']}"
    return None


def _error(result: Any) -> str | None:
    info = result.exception_info or {}
    infos = info.values() if "raised_exception" not in info else [info]
    for item in infos:
        if isinstance(item, Mapping) and item.get("raised_exception"):
            return str(item.get("exception_message"))[:1000]
    return None


def _row(suite: Suite, path: str, result: Any) -> dict[str, Any]:
    """One dq_results row (plus ``_failing_keys`` for quarantine) from a GE result."""
    config = result.expectation_config
    meta, details = config.meta, result.result or {}
    failing = details.get("unexpected_index_list") or []
    keys = [tuple(f.get(c) for c in ("doc_id", "capture_id")) for f in failing
            if isinstance(f, Mapping) and "doc_id" in f]
    observed = details.get("observed_value")
    if observed is None and "unexpected_count" in details:
        observed = {"unexpected_count": details.get("unexpected_count"),
                    "unexpected_percent": details.get("unexpected_percent")}
    return {
        "suite": suite.name,
        "expectation": config.type,
        "expectation_name": meta["name"],
        "column_name": _column(config.kwargs),
        "severity": meta["severity"],
        "rationale": meta["rationale"],
        "success": bool(result.success),
        "observed_value": observed,
        "failing_sample": _trim(failing[:SAMPLE_SIZE]
                                or (details.get("partial_unexpected_list") or [])[:SAMPLE_SIZE]),
        "element_count": details.get("element_count"),
        "unexpected_count": details.get("unexpected_count"),
        "data_path": path,
        "error": _error(result),
        "_quarantine": bool(meta.get("quarantine")) and meta["severity"] == "critical",
        "_failing_keys": sorted(set(keys)),
    }


def _trim(value: Any) -> Any:
    """Failing samples may carry whole texts (length checks): keep them short; numpy scalars
    of the pandas path become plain numbers (not strings) in the stored JSON."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return value.item()
    if isinstance(value, str) and len(value) > SAMPLE_CHARS:
        return value[:SAMPLE_CHARS] + "…"
    if isinstance(value, Mapping):
        return {k: _trim(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_trim(v) for v in value]
    return value


def _public(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def _quarantine(db_path: Path, run_id: str, rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Quarantine documents failing critical quarantine expectations, one reason per doc."""
    reasons: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in rows:
        if row["_quarantine"] and not row["success"]:
            for key in row["_failing_keys"]:
                reasons[key].append(row["expectation_name"])
    by_reason: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, names in reasons.items():
        by_reason["dq: " + ", ".join(sorted(names))].append(key)
    for reason, keys in by_reason.items():
        warehouse.quarantine(db_path, run_id, keys, reason)
    return sorted(reasons)


def _outcome(
    rows: list[dict[str, Any]], quarantined: list[tuple[str, str]], index: Path | None
) -> DQOutcome:
    failed = [r for r in rows if not r["success"]]
    critical = sorted(r["expectation_name"] for r in failed if r["severity"] == "critical")
    warning = sorted(r["expectation_name"] for r in failed if r["severity"] == "warning")
    summary = (
        f"{len(rows)} expectations, {len(critical)} critical failed"
        + (f" ({', '.join(critical)})" if critical else "")
        + f", {len(warning)} warnings" + (f" ({', '.join(warning)})" if warning else "")
        + f", {len(quarantined)} documents quarantined"
    )
    return DQOutcome(not critical, [_public(r) for r in rows], quarantined, index, summary)
