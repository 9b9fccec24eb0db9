"""The release's Frictionless data package descriptor (datapackage.json).

One tabular resource per table and view (its CSV; every field typed, primary and
foreign keys from the database) and file resources for the SQLite database and the
Excel workbook (bytes and SHA-256, which `frictionless validate` checks). Version,
licence, contributors and homepage come from the database's `dataset_info`; the
sources from its `sources` table.
"""
from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from release.tables import field_type, relations

MEDIATYPES = {"sqlite": "application/vnd.sqlite3",
              "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def dataset_info(db: sqlite_utils.Database) -> dict:
    """The facts of data/dataset.yml, as the build stored them (the one place the version comes from)."""
    return {row["key"]: row["value"] for row in db["dataset_info"].rows}


def release_moment(info: dict) -> datetime:
    """The release's date, from the data: `released` in data/dataset.yml, else SOURCE_DATE_EPOCH; never the
    clock, so that the same data and version give the same bytes at any time."""
    if info.get("released"):
        return datetime.fromisoformat(info["released"]).replace(tzinfo=timezone.utc)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    raise SystemExit("no release date: set `released` in data/dataset.yml (or SOURCE_DATE_EPOCH)")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_resource(folder: Path, file_name: str, name: str, description: str) -> dict:
    path = folder / file_name
    fmt = path.suffix.lstrip(".").replace("db", "sqlite")
    return {"name": name, "type": "file", "path": file_name, "format": fmt, "mediatype": MEDIATYPES[fmt],
            "bytes": path.stat().st_size, "hash": f"sha256:{sha256(path)}", "description": description}


def license_of(info: dict) -> dict:
    return {"name": info["license"], "path": info.get("license_url") or None,
            "title": "Creative Commons Attribution 4.0 International" if info["license"] == "CC-BY-4.0" else info["license"]}


def descriptor(db: sqlite_utils.Database, folder: Path, created: str,
               files: dict[str, tuple[str, str]]) -> dict:
    """`files`: {file name in folder: (resource name, description)} for the non-tabular resources."""
    info = dataset_info(db)
    resources = [file_resource(folder, file_name, name, description) for file_name, (name, description) in files.items()]
    for relation in relations(db):
        fields = [{"name": column, "type": field_type(db, relation, column, declared),
                   "description": relation.column_docs.get(column) or column}
                  for column, declared in relation.columns]
        schema = {"fields": fields}
        if relation.primary_key:
            schema["primaryKey"] = relation.primary_key
        if relation.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": [fk.column],
                 "reference": {"resource": "" if fk.other_table == relation.name else fk.other_table,
                               "fields": [fk.other_column]}}
                for fk in relation.foreign_keys]
        resources.append({"name": relation.name, "type": "table", "path": f"{relation.name}.csv", "format": "csv",
                          "mediatype": "text/csv", "encoding": "utf-8",
                          "description": f"{'View' if relation.kind == 'view' else 'Table'}: {relation.description}",
                          "schema": schema})
    package = {
        "name": info["name"],
        "title": info["title"],
        "description": info["description"],
        "version": info["version"],
        "created": created,
        "licenses": [license_of(info)],
        "contributors": [{"title": name, "role": "author"} for name in _names(info.get("contributors"))],
        "sources": [_source(s) for s in db["sources"].rows_where(order_by="id")],
        "keywords": ["Vietnam", "digital transformation", "chuyển đổi số", "provincial plans", "targets"],
    }
    if info.get("homepage"):
        package["homepage"] = info["homepage"]
    package["resources"] = resources
    return package


def _names(text: str | None) -> list[str]:
    return [n.strip() for n in (text or "").split(";") if n.strip()]


def _source(row: dict) -> dict:
    title = row["title"] + "".join(f", {row[k]}" for k in ("publisher", "published") if row.get(k))
    source = {"title": title}
    # where a reader finds the original, where known; else the copy shipped in the release
    if row.get("url"):
        source["path"] = row["url"]
    elif row.get("file_name"):
        source["path"] = f"sources/{row['file_name']}"
    return source
