"""The Great Expectations adapter: the only module importing great_expectations (lazily,
inside :func:`run_suites`: the import costs seconds).

Two GE data paths, chosen per expectation by ``meta.path`` in the suite JSON:

* ``sql``: the run's rows of a warehouse table, copied into a per-run DuckDB *snapshot* by
  :func:`scrubline.warehouse.dq_snapshot`.
* ``metrics``: per-row metrics that DuckDB computes into the same snapshot
  (:func:`scrubline.quality.metrics.write_metrics`). They cover what GE cannot ask DuckDB
  (regex, history) without shipping raw text out of it.

Both are read by GE's SQL datasource (duckdb-engine) on the snapshot: GE pushes every metric
down to DuckDB, so memory follows the failing rows, not the run's rows, and GE never opens
(or locks) the working database. (Until 2026-12-03 the metrics went to GE's pandas
datasource as frames: at 300,000 documents GE's step then peaked ~670 MB above the rest.) GE
does not list DuckDB as supported; two things were needed and are proven by
tests/test_quality.py: a dialect that never begins or rolls back (see
:func:`_register_duckdb_dialect`) and avoiding GE's regex/like expectations, which raise
``NotImplementedError`` for the duckdb dialect.

Suite JSON conventions: every expectation's ``meta`` has name, severity, path, rationale
(``asset`` for the metrics path, ``quarantine: true`` for critical per-document checks);
a kwarg written ``"$meta.<key>"`` takes the suite meta's value (e.g. the allowed languages);
suite meta ``asset_index_columns`` names the columns identifying failing rows of an asset.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .suites import Suite

SAMPLE_SIZE = 20
#: DuckDB memory cap of GE's own connection to the snapshot (DuckDB's default is 80% of the
#: machine; a first run of 300,000 documents peaked 80 MB lower with it, 2026-12-03).
GE_MEMORY_LIMIT = "256MB"
SAMPLE_CHARS = 200  # failing samples of text columns are cut to this many characters
_DIALECT = "duckdb.scrubline_readonly"


def run_suites(
    suites: list[Suite], snapshot: Path, run_id: str, docs_dir: Path
) -> tuple[list[dict[str, Any]], Path | None]:
    """Run every suite group through GE on the snapshot's tables (the ``sql`` path's per-run
    copies and the ``metrics`` path's metrics); returns result rows and the Data Docs index."""
    import great_expectations as gx  # lazy: seconds to import
    from great_expectations.core.run_identifier import RunIdentifier

    context = _context(gx, docs_dir)
    source = context.data_sources.add_sql(
        "warehouse",
        connection_string=f"{_register_duckdb_dialect()}:///{snapshot}",
        kwargs={"connect_args": {"read_only": True, "config": {"memory_limit": GE_MEMORY_LIMIT}}},
    )
    ge_run = RunIdentifier(run_name=run_id)
    rows: list[dict[str, Any]] = []
    batches: dict[str, Any] = {}  # one table asset per snapshot table, whichever suites use it
    try:
        for suite in suites:
            for (path, asset), expectations in suite.groups().items():
                if asset not in batches:
                    table = source.add_table_asset(asset, table_name=asset)
                    batches[asset] = table.add_batch_definition_whole_table("run")
                result = _run_group(gx, context, suite, path, asset, expectations, batches[asset], ge_run)
                rows += [_row(suite, path, r) for r in result.results]
    finally:
        source.get_execution_engine().close()
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
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    return gx.get_context(project_config=config, mode="ephemeral")


def _run_group(
    gx: Any,
    context: Any,
    suite: Suite,
    path: str,
    asset: str,
    expectations: list[dict[str, Any]],
    batch_def: Any,
    ge_run: Any,
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
    return definition.run(result_format=result_format, run_id=ge_run)


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
    keys = [
        tuple(f.get(c) for c in ("doc_id", "capture_id"))
        for f in failing
        if isinstance(f, Mapping) and "doc_id" in f
    ]
    observed = details.get("observed_value")
    if observed is None and "unexpected_count" in details:
        observed = {
            "unexpected_count": details.get("unexpected_count"),
            "unexpected_percent": details.get("unexpected_percent"),
        }
    return {
        "suite": suite.name,
        "expectation": config.type,
        "expectation_name": meta["name"],
        "column_name": _column(config.kwargs),
        "severity": meta["severity"],
        "rationale": meta["rationale"],
        "success": bool(result.success),
        "observed_value": observed,
        "failing_sample": _trim(
            failing[:SAMPLE_SIZE] or (details.get("partial_unexpected_list") or [])[:SAMPLE_SIZE]
        ),
        "element_count": details.get("element_count"),
        "unexpected_count": details.get("unexpected_count"),
        "data_path": path,
        "error": _error(result),
        "_quarantine": bool(meta.get("quarantine")) and meta["severity"] == "critical",
        "_failing_keys": sorted(set(keys)),
    }


def _trim(value: Any) -> Any:
    """Failing samples may carry whole texts (length checks): keep them short; numpy scalars
    become plain numbers (not strings) in the stored JSON."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return value.item()
    if isinstance(value, str) and len(value) > SAMPLE_CHARS:
        return value[:SAMPLE_CHARS] + "…"
    if isinstance(value, Mapping):
        return {k: _trim(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_trim(v) for v in value]
    return value
