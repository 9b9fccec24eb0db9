"""What changed between two versions of the database, table by table (csv-diff).

    python -m release.diff FROM TO [--out DIR]     # make diff FROM=… TO=…

FROM and TO are each a release folder (holding vn_dx_plans.db) or a .db file. Rows
are matched by primary key; a table whose primary key is only a row number is matched
by its natural key (its UNIQUE constraint, or else the whole row), so that inserting a
row does not shift every row after it, and the row number is not compared. Views are
derived from the tables and are not compared.

csv-diff's `compare` does the comparing and its `human_text` the readable report; this
module only feeds it the rows and writes diff.txt, diff.json and diff.csv (one line per
added or removed row and per changed column).
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from csv_diff import compare, human_text

from release.datapackage import dataset_info
from release.tables import open_database, relations, rows

DB_NAME = "vn_dx_plans.db"


def database_path(path: Path) -> Path:
    path = Path(path)
    found = path / DB_NAME if path.is_dir() else path
    if not found.is_file():
        raise SystemExit(f"{path}: no database here (expected a .db file or a release folder holding {DB_NAME})")
    return found


def keyed_rows(db, relation) -> tuple[list[str], dict]:
    """(key columns, {key: row}) for one table."""
    records = list(rows(db, relation))
    if relation.row_number_key:
        number = relation.primary_key[0]
        records = [{k: v for k, v in r.items() if k != number} for r in records]
        key = relation.natural_key or [c for c in relation.column_names if c != number]
    else:
        key = relation.primary_key or relation.column_names
    return key, {", ".join("" if r[c] is None else str(r[c]) for c in key): r for r in records}


def tables_of(path: Path) -> tuple[dict, dict]:
    db = open_database(path)
    info = dataset_info(db) if "dataset_info" in db.table_names() else {}
    # row_history is itself the diffs of the releases before: not a change of the data
    return info, {r.name: keyed_rows(db, r) for r in relations(db) if r.kind == "table" and r.name != "row_history"}


def compare_databases(old: Path, new: Path) -> dict:
    old, new = database_path(old), database_path(new)
    old_info, old_tables = tables_of(old)
    new_info, new_tables = tables_of(new)
    tables = {}
    for name in [*old_tables, *(n for n in new_tables if n not in old_tables)]:
        key, before = old_tables.get(name, (None, {}))
        new_key, after = new_tables.get(name, (None, {}))
        key = new_key or key
        if before and after:
            result = compare(before, after)
        else:  # csv-diff needs rows on both sides; a table empty or absent on one side is all added or removed
            result = {"added": list(after.values()), "removed": list(before.values()), "changed": [],
                      "columns_added": [], "columns_removed": []}
        tables[name] = {"key": key, **result}
    return {"from": {"path": str(old), "version": old_info.get("version")},
            "to": {"path": str(new), "version": new_info.get("version")},
            "tables": tables}


def counts(table: dict) -> dict:
    return {k: len(table[k]) for k in ("added", "removed", "changed")}


def report_text(diff: dict) -> str:
    lines = [f"From {diff['from']['path']} (version {diff['from']['version']})",
             f"to   {diff['to']['path']} (version {diff['to']['version']})", ""]
    unchanged = []
    for name, table in diff["tables"].items():
        if not any(table[k] for k in ("added", "removed", "changed", "columns_added", "columns_removed")):
            unchanged.append(name)
            continue
        lines += [f"== {name} (rows matched by {', '.join(table['key'])})",
                  human_text(table, key=", ".join(table["key"])), ""]
    lines.append(f"Unchanged: {', '.join(unchanged) or 'none'}")
    return "\n".join(lines) + "\n"


def key_of(table: dict, row: dict) -> str:
    return ", ".join("" if row[c] is None else str(row[c]) for c in table["key"])


def change_lines(diff: dict):
    """(table, change, key, column, old, new): one per added or removed row and per changed column."""
    for name, table in diff["tables"].items():
        for change in ("added", "removed"):
            for row in table[change]:
                whole = json.dumps(row, ensure_ascii=False)
                yield name, change, key_of(table, row), "", *((whole, "") if change == "removed" else ("", whole))
        for row in table["changed"]:
            for column, (before, after) in row["changes"].items():
                yield name, "changed", row["key"], column, before, after


def write_outputs(diff: dict, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    text, as_json, as_csv = folder / "diff.txt", folder / "diff.json", folder / "diff.csv"
    text.write_text(report_text(diff), encoding="utf-8")
    as_json.write_text(json.dumps(diff, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    with open(as_csv, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(["table", "change", "key", "column", "old", "new"])
        writer.writerows(change_lines(diff))
    return [text, as_json, as_csv]


def changelog_section(diff: dict, limit: int = 30) -> str:
    """Markdown for CHANGELOG.md: per table, what was added, removed and changed (to be edited by hand)."""
    lines = [f"Data changes since {diff['from']['version']} (generated by `make diff`; rows by key):", ""]
    changed_any = False
    for name, table in diff["tables"].items():
        n = counts(table)
        if not any(n.values()) and not table["columns_added"] and not table["columns_removed"]:
            continue
        changed_any = True
        summary = ", ".join(f"{count} {kind}" for kind, count in n.items() if count)
        columns = "".join(f"; columns {kind.split('_')[1]}: {', '.join(sorted(table[kind]))}"
                          for kind in ("columns_added", "columns_removed") if table[kind])
        lines.append(f"- `{name}`: {summary or 'no rows'}{columns}")
        items = [f"added `{key_of(table, r)}`" for r in table["added"]]
        items += [f"removed `{key_of(table, r)}`" for r in table["removed"]]
        items += [f"changed `{r['key']}` ({', '.join(r['changes'])})" for r in table["changed"]]
        lines += [f"  - {item}" for item in items[:limit]]
        if len(items) > limit:
            lines.append(f"  - … and {len(items) - limit} more (see the diff)")
    if not changed_any:
        lines.append("- no rows added, removed or changed")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="the earlier release folder or .db")
    parser.add_argument("new", type=Path, help="the later release folder or .db")
    parser.add_argument("--out", type=Path, default=Path("dist/diff"), help="folder for diff.txt, diff.json, diff.csv")
    args = parser.parse_args(argv)
    diff = compare_databases(args.old, args.new)
    written = write_outputs(diff, args.out)
    sys.stdout.write(report_text(diff))
    print(f"wrote {', '.join(str(p) for p in written)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
