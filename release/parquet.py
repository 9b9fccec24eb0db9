"""Parquet: one file per table and view, typed as datapackage.json types its CSV (pyarrow).

The types are the data package's (release.tables.field_type): string, integer (int64), number (float64),
boolean and date, so pandas, R's arrow, DuckDB, Polars or Spark read every column with its type and nulls
as nulls, with no parsing. Each column carries its description, each file its table's description and
primary key, as Parquet metadata. The files hold no time and no path: the same rows give the same bytes.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import sqlite_utils

from release.tables import Relation, field_type, relations, rows

ARROW_TYPES = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(),
               "date": pa.date32()}
CONVERT = {"string": str, "integer": int, "number": float, "boolean": bool, "date": date.fromisoformat}


def arrow_schema(db: sqlite_utils.Database, relation: Relation) -> pa.Schema:
    fields = [pa.field(column, ARROW_TYPES[field_type(db, relation, column, declared)],
                       metadata={"description": relation.column_docs.get(column) or column})
              for column, declared in relation.columns]
    metadata = {"name": relation.name, "kind": relation.kind, "description": relation.description,
                "primary_key": json.dumps(relation.primary_key)}
    return pa.schema(fields, metadata=metadata)


def write_table(path: Path, schema: pa.Schema, records: list[dict]):
    columns = {}
    for field in schema:
        convert = CONVERT[next(name for name, kind in ARROW_TYPES.items() if kind == field.type)]
        columns[field.name] = [None if record[field.name] is None else convert(record[field.name]) for record in records]
    pq.write_table(pa.Table.from_pydict(columns, schema=schema), path, compression="snappy")


def write_parquet(db: sqlite_utils.Database, folder: Path, data: dict[str, list[dict]] | None = None) -> list[Path]:
    """`<name>.parquet` for every table and view (`data`: the rows by name, as export_tables returns them)."""
    written = []
    for relation in relations(db):
        records = data[relation.name] if data is not None else list(rows(db, relation))
        path = folder / f"{relation.name}.parquet"
        write_table(path, arrow_schema(db, relation), records)
        written.append(path)
    return written
