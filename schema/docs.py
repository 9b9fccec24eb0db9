"""Documentation generated from the models: Datasette metadata and data dictionary (the release's
datapackage.json takes its descriptions from here too: release/datapackage.py).

    python -m schema.docs        # rewrite the generated parts of metadata.yml and docs/data-dictionary.md

The column comments on the SQLAlchemy models (and VIEW_DOCS for the views) are
the one place where fields are described; tests fail if the files drift.
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

from schema import models, views
from schema.yaml_schema import JURISDICTIONS_DIR, VOCABULARY_FILES

ROOT = Path(__file__).resolve().parent.parent
METADATA = ROOT / "metadata.yml"
DICTIONARY = ROOT / "docs" / "data-dictionary.md"


def province_columns(data_dir: Path = ROOT / "data") -> list[str]:
    """The matrix view's per-province columns, from the jurisdiction files as build.py makes them."""
    provinces = []
    for path in sorted((data_dir / JURISDICTIONS_DIR).glob("*.yml"), key=lambda p: p.stem):  # as the view: by id
        if path.name not in VOCABULARY_FILES:
            jurisdiction = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)["jurisdiction"]
            if jurisdiction["level"] == "province":
                provinces.append(jurisdiction["id"].replace("-", "_"))
    return provinces


def table_docs() -> dict:
    """{table or view: {'description': str, 'columns': {column: description}}} in schema order."""
    docs = {}
    for table in models.Base.metadata.sorted_tables:
        docs[str(table.name)] = {
            "description": table.comment,
            "columns": {str(c.name): c.comment for c in table.columns},
        }
    for name, view in views.VIEW_DOCS.items():
        columns = dict(view["columns"])
        if "jurisdiction_column" in view:
            columns.update({j: view["jurisdiction_column"] for j in province_columns()})
        docs[name] = {"description": view["description"], "columns": columns}
    for table, view in views.DERIVED_TABLES.items():
        docs[table] = {"description": f"The rows of the view {view}, computed when the database is built "
                                      f"(hidden on the site): query {view}, whose name and columns stay; this "
                                      f"table is how the site serves it fast.",
                       "columns": dict(docs[view]["columns"])}
    return docs


# ---------------------------------------------------------------- metadata.yml

class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, text):
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _str)


def render_metadata(current: dict) -> str:
    """metadata.yml with each table's description and columns taken from the models."""
    database = current["databases"]["vn_dx_plans"]
    tables = database.setdefault("tables", {})
    for name, doc in table_docs().items():
        options = tables.get(name) or {}
        rest = {k: v for k, v in options.items() if k not in ("description", "columns")}
        if name in views.DERIVED_TABLES:
            rest["hidden"] = True
        tables[name] = {"description": doc["description"], **rest, "columns": doc["columns"]}
    database["tables"] = {**{n: tables[n] for n in table_docs()},
                          **{n: v for n, v in tables.items() if n not in table_docs()}}
    header = "# Datasette metadata. Table and column descriptions are generated from the\n" \
             "# models by `python -m schema.docs`; edit the comments there, not here.\n"
    return header + yaml.dump(current, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)


# ---------------------------------------------------------------- data dictionary

def render_dictionary() -> str:
    lines = ["# Data dictionary", "",
             "Generated from the models (`python -m schema.docs`); every table and view of",
             "`vn_dx_plans.db`, and of the CSV and JSON files in the data package.", ""]
    comparators = "\n".join(f"- `{k}`: {v}" for k, v in models.COMPARATORS.items())
    lines += ["## Comparators", "", comparators, ""]
    for name, doc in table_docs().items():
        kind = "view" if name in views.VIEW_DOCS else "derived table, hidden" if name in views.DERIVED_TABLES \
            else "table"
        lines += [f"## `{name}` ({kind})", "", doc["description"], "", "| column | description |", "|---|---|"]
        lines += [f"| `{column}` | {text.replace('|', '/')} |" for column, text in doc["columns"].items()]
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    from pipeline.contract import SCHEMA_DIR, schema_files

    current = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    METADATA.write_text(render_metadata(current), encoding="utf-8")
    DICTIONARY.parent.mkdir(exist_ok=True)
    DICTIONARY.write_text(render_dictionary(), encoding="utf-8")
    for name, text in schema_files().items():  # the data files' contract (JSON Schema) for editors and the build
        (SCHEMA_DIR / name).write_text(text, encoding="utf-8")
    print(f"wrote {METADATA.name}, {DICTIONARY.relative_to(ROOT)} and schema/*.schema.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
