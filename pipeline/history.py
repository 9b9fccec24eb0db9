"""Load: the releases' diffs kept in data/history/<version>.csv (written by `make history`, release/history.py)
as the rows of row_history, oldest release first, numbered; the site shows them on each row's page."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from pipeline.read import display_path, read_bytes, refusal

FOLDER = "history"  # inside the data folder


def _version_order(path: Path):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.stem)]


def rows(data_dir: Path) -> list[dict]:
    """Every release's changes (data/history/*.csv, oldest release first), numbered, as row_history's rows."""
    found = []
    for path in sorted((data_dir / FOLDER).glob("*.csv"), key=_version_order):
        why = refusal(path, data_dir.resolve())  # as every data file: no link out of the folder, no pipe
        raw, why = (None, why) if why else read_bytes(path)
        if why or raw is None:
            raise ValueError(f"{display_path(path)}: {why or 'cannot be read'}")
        with io.StringIO(raw.decode("utf-8"), newline="") as handle:
            for line in csv.DictReader(handle):
                found.append({"id": len(found) + 1, **{c: v or None for c, v in line.items()}})
    return found
