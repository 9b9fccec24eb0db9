"""Load: the releases' diffs kept in data/history/<version>.csv (written by `make history`, release/history.py)
as the rows of row_history, oldest release first, numbered; the site shows them on each row's page."""
from __future__ import annotations

import csv
import re
from pathlib import Path

FOLDER = "history"  # inside the data folder


def _version_order(path: Path):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.stem)]


def rows(data_dir: Path) -> list[dict]:
    """Every release's changes (data/history/*.csv, oldest release first), numbered, as row_history's rows."""
    found = []
    for path in sorted((data_dir / FOLDER).glob("*.csv"), key=_version_order):
        with open(path, newline="", encoding="utf-8") as handle:
            for line in csv.DictReader(handle):
                found.append({"id": len(found) + 1, **{c: v or None for c, v in line.items()}})
    return found
