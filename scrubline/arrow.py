"""Arrow tables: the only pyarrow import.

Workers stage a batch as Parquet files (``staging.py``, no DuckDB there), the warehouse hands
rows to DuckDB as Arrow tables and gets query results back as Arrow tables. What they need:
the table and schema types (for type hints), a schema from (column, type name) pairs, a table
from rows or from columns, a binary column's values end to end, and a Parquet file from a
table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

__all__ = [
    "COLUMN_TYPES",
    "Schema",
    "Table",
    "from_columns",
    "from_rows",
    "joined_binary",
    "schema",
    "write_parquet",
]

#: A table: rows in columns (what DuckDB takes and returns).
Table = pa.Table
#: A table's column names and types.
Schema = pa.Schema

#: The column types a ``schema`` may name. Timestamps are microseconds, UTC.
COLUMN_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "list<string>": pa.list_(pa.string()),
    "list<int32>": pa.list_(pa.int32()),
    "binary": pa.binary(),
    "uint8": pa.uint8(),
    "uint64": pa.uint64(),
}


def schema(columns: Iterable[tuple[str, str]]) -> Schema:
    """A schema from (column name, type name) pairs; type names are ``COLUMN_TYPES``' keys.

    >>> schema([("doc_id", "string"), ("n", "int32")]).names
    ['doc_id', 'n']
    """
    fields = []
    for name, type_name in columns:
        try:
            fields.append((name, COLUMN_TYPES[type_name]))
        except KeyError:
            raise ValueError(f"column {name!r}: unknown type {type_name!r}") from None
    return pa.schema(fields)


def from_rows(rows: Sequence[Mapping[str, Any]], schema: Schema | None = None) -> Table:
    """A table of ``rows`` (dicts by column name); without ``schema`` the types are inferred."""
    return pa.Table.from_pylist(list(rows), schema=schema)


def from_columns(
    columns: Mapping[str, Sequence[Any]],
    schema: Schema | None = None,
    *,
    types: Mapping[str, str] | None = None,
) -> Table:
    """A table of equal-length columns by name; ``types`` (column -> a ``COLUMN_TYPES`` name)
    fixes the type of some columns, ``schema`` of all."""
    data: dict[str, Any] = dict(columns)
    for name, type_name in (types or {}).items():
        data[name] = pa.array(data[name], COLUMN_TYPES[type_name])
    return pa.table(data, schema=schema)


def joined_binary(table: Table, column: str) -> memoryview:
    """The values of the binary ``column`` end to end, without a Python object per value (a
    view of the table's buffer when it has one chunk). Nulls are an error.

    >>> bytes(joined_binary(from_columns({"b": [b"ab", b"", b"cde"]}), "b"))
    b'abcde'
    """
    values = table.column(column).combine_chunks()
    if values.null_count:
        raise ValueError(f"column {column!r}: {values.null_count} nulls")
    if not (pa.types.is_binary(values.type) or pa.types.is_large_binary(values.type)):
        raise TypeError(f"column {column!r} is {values.type}, not binary")
    if len(values) == 0:
        return memoryview(b"")
    _, offsets, data = values.buffers()
    bounds = memoryview(offsets).cast("q" if pa.types.is_large_binary(values.type) else "i")
    return memoryview(data)[bounds[values.offset] : bounds[values.offset + len(values)]]


def write_parquet(table: Table, path: Path) -> None:
    """Write ``table`` to the Parquet file ``path`` (its folder made if missing)."""
    import pyarrow.parquet as pq  # only writers of Parquet pay for importing it

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
