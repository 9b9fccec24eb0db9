"""row_history: what changed in each row from one release to the next, from the releases' diffs.

    python -m release.history PREVIOUS NEW     # make history PREVIOUS=<the previous release folder or .db>

Each release's diff against the one before it (release/diff.py: rows matched by their key) is kept in
the repository as data/history/<version>.csv: one line per row added or removed and per column changed.
The build loads every such file into the table row_history (`rows`), so that a researcher who cited a
row of one release can see whether and how it changed in the later ones; the site shows it on the row's
page. `make history` writes the file of the version being released, before `make release`; it is
committed with the data.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from release.release import inside_output

ROOT = Path(__file__).resolve().parent.parent
FOLDER = "history"  # inside the data folder
COLUMNS = ["version", "previous_version", "table_name", "key_columns", "row_key", "change", "column_name",
           "old_value", "new_value"]


def history_lines(diff: dict) -> list[dict]:
    """The diff of two releases as row_history's rows (without their row numbers)."""
    from release.diff import change_lines  # not at import: the build reads the history without the diff's imports

    version, previous = diff["to"]["version"], diff["from"]["version"]
    return [{"version": version, "previous_version": previous, "table_name": table,
             "key_columns": ", ".join(diff["tables"][table]["key"]), "row_key": key, "change": change,
             "column_name": column or None, "old_value": _text(old), "new_value": _text(new)}
            for table, change, key, column, old, new in change_lines(diff)]


def _text(value):
    return None if value is None or value == "" else str(value)


def write_history(diff: dict, data_dir: Path = ROOT / "data") -> Path:
    """data/history/<version>.csv: what changed since the previous release."""
    if not diff["to"]["version"] or diff["to"]["version"] == diff["from"]["version"]:
        raise SystemExit(f"the new release's version ({diff['to']['version']}) must differ from the previous one's")
    folder = data_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = inside_output(folder, f"{diff['to']['version']}.csv")  # the version comes from a database: a plain name
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(history_lines(diff))
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("previous", type=Path, help="the previous release (folder or .db)")
    parser.add_argument("new", type=Path, help="the new release's database (or folder)")
    parser.add_argument("--data", type=Path, default=ROOT / "data", help="the data folder (default: data/)")
    args = parser.parse_args(argv)
    from release.diff import compare_databases

    path = write_history(compare_databases(args.previous, args.new), args.data)
    print(f"wrote {path}: commit it with the data; the next build puts it in row_history")
    return 0


if __name__ == "__main__":
    sys.exit(main())
