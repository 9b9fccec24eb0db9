"""The tables and views of a built database, as the exports and the diff see them (via sqlite-utils).

Discovered from the database itself (sqlite_master), so a table or view that the
models or schema/views.py add is exported without any change here. Left out: SQLite's
own tables, Alembic's bookkeeping, the full-text indexes with their shadow tables
(they are rebuilt from the tables they index), and the derived tables that the views
target_comparison and target_coverage read (the views are exported).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from schema.docs import table_docs
from schema.views import DERIVED_TABLES

INTERNAL = {"alembic_version", *DERIVED_TABLES}


@dataclass
class Relation:
    """One exported table or view."""

    name: str
    kind: str  # "table" or "view"
    columns: list[tuple[str, str]]  # (name, declared type)
    description: str
    column_docs: dict = field(default_factory=dict)
    primary_key: list[str] = field(default_factory=list)
    foreign_keys: list = field(default_factory=list)  # sqlite_utils ForeignKey tuples
    natural_key: list[str] = field(default_factory=list)  # the first UNIQUE constraint's columns

    @property
    def column_names(self) -> list[str]:
        return [c for c, _ in self.columns]

    @property
    def row_number_key(self) -> bool:
        """True when the primary key is a row number (a single INTEGER column, SQLite's rowid alias)."""
        return len(self.primary_key) == 1 and dict(self.columns)[self.primary_key[0]].upper() == "INTEGER"


def open_database(path: Path) -> sqlite_utils.Database:
    """Read-only: the exports never change the file they read."""
    import sqlite3

    return sqlite_utils.Database(sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True))


def relations(db: sqlite_utils.Database) -> list[Relation]:
    """Every exported table, then every view; in the models' (documented) order, then any others."""
    tables = db.table_names()
    virtual = [t for t in tables if db[t].virtual_table_using]
    hidden = INTERNAL | set(virtual) | {t for t in tables for v in virtual if t.startswith(v + "_")}
    docs = table_docs()
    order = {name: position for position, name in enumerate(docs)}
    found = []
    for kind, names in (("table", tables), ("view", db.view_names())):
        for name in names:
            if name in hidden or name.startswith("sqlite_"):
                continue
            found.append(_relation(db, name, kind, docs.get(name)))
    return sorted(found, key=lambda r: (order.get(r.name, len(order)), r.kind != "table"))


def _relation(db, name: str, kind: str, doc: dict | None) -> Relation:
    source = db[name]
    doc = doc or {"description": f"The {kind} {name}.", "columns": {}}
    relation = Relation(name=name, kind=kind, columns=[(c.name, c.type or "") for c in source.columns],
                        description=doc["description"], column_docs=doc["columns"])
    if kind == "table":
        relation.primary_key = [] if source.use_rowid else list(source.pks)
        relation.foreign_keys = sorted(source.foreign_keys, key=lambda fk: fk.column)
        for index in db.execute(f"PRAGMA index_list([{name}])").fetchall():
            _, index_name, unique, origin = index[:4]
            if unique and origin == "u":
                relation.natural_key = [r[2] for r in db.execute(f"PRAGMA index_info([{index_name}])").fetchall()]
                break
    return relation


def rows(db: sqlite_utils.Database, relation: Relation):
    """The rows as dicts, values plain (see `plain`); tables in primary-key order, views in their own."""
    order = ", ".join(f"[{c}]" for c in relation.primary_key) or None
    source = db[relation.name]
    found = source.rows_where(order_by=order) if relation.kind == "table" else source.rows
    for row in found:
        yield {k: plain(v) for k, v in row.items()}


def plain(value):
    """Whole numbers as integers (20, never 20.0) whatever the column's affinity made of them."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# ---------------------------------------------------------------- field types

def field_type(db: sqlite_utils.Database, relation: Relation, column: str, declared: str) -> str:
    """A Table Schema type for a column: from its declared type (SQLite's affinity rules), or, for a
    view's computed column (no declared type), from how SQLite stores its values (typeof)."""
    declared = (declared or "").split("(")[0].strip().upper()
    if declared == "DATE":
        return "date"
    if declared == "BOOLEAN":
        return "boolean"
    if "INT" in declared:
        return "integer"
    if any(word in declared for word in ("CHAR", "CLOB", "TEXT")):
        return "string"
    if any(word in declared for word in ("REAL", "FLOA", "DOUB", "NUMERIC", "DECIMAL")):
        return "number"
    stored = {r[0] for r in db.execute(f"SELECT DISTINCT typeof([{column}]) FROM [{relation.name}]")} - {"null"}
    if stored == {"integer"}:
        return "integer"
    if stored and stored <= {"integer", "real"}:
        return "number"
    return "string"
