"""Incremental rebuilds: after some jurisdiction files changed, only their rows are parsed, checked and written
again; the database of the last good build is copied and those files' rows replaced in it.

It is a shortcut that must give exactly what a clean build gives (tests/test_incremental.py builds both ways and
compares the databases), so it is taken only when nothing else can differ:

- a manifest of the last good build of the same data folder into the same output says which file contents
  (cache keys) it was made from, with which code, from which source texts, and which database file it wrote
  (size, modification time, inode): a database changed since is not patched;
- no vocabulary file (dataset, sources, pillars, sectors, indicators) changed, nor the code;
- every whole-dataset check is run again on the whole dataset: ids, references, uniqueness (of ids, keys,
  gso_code and name_vi) over every file, from the cached summaries of the unchanged ones
  (pipeline/cache.Summary), and every source text is read and its bytes hashed;
- every row of a changed file is checked in full, evidence included (quotes, numbers, locators, coverage). The
  evidence of an unchanged file's rows is a function of that file, sources.yml, the texts and the sources its
  rows inherit from documents (build.quote_end does not depend on what was checked before), and all four are
  the same as at the last good build, where it was checked; when any differs the build is a full one. The
  build's output says how many quotes were checked then;
- a figure stated in an unchanged file and in a changed one (before or after the edit: their claims are
  settled together), or any problem at all, sends the build the full way, which then reports every problem
  exactly as a clean build does.

Afterwards `schema.views.create_derived` refreshes the changed jurisdictions' derived rows (all of them when
the national file changed); the statistics of the copied database are kept, but for the derived tables.

Rows of the changed files are replaced by jurisdiction_id in the tables with many rows (pipeline/cache.MANY_ROWS)
and their search indexes; every other table is rewritten whole, in the order a clean build writes it. Row ids
(rowid) of the many-row tables may then differ from a clean build's; their primary keys (`id`) do not.
"""
from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.cache import MANY_ROWS, ROOT, parse_code_version, read_pickle, write_pickle

# The code the database's rows and derived objects depend on besides the parse code (pipeline/cache.PARSE_CODE).
WRITE_CODE = ("pipeline/incremental.py", "schema/views.py")


@dataclass
class Manifest:
    """The last good build of one data folder into one output (or the last good check)."""

    version: str
    keys: dict  # display path -> cache key of the file's content, in build order
    doc_source: dict  # document id -> source id (rows without a source inherit their document's)
    texts: str  # digest of the source texts' bytes
    quotes: dict  # display path -> quotes of its rows checked against the texts
    counts: dict  # display path -> {table: rows} of its many-row tables
    output: tuple | None = None  # (size, mtime_ns, inode) of the database written


@dataclass
class Changes:
    """What changed since the last good build: jurisdiction files changed, added or removed."""

    previous: Manifest
    changed: list  # display paths parsed and checked afresh
    removed: list  # display paths gone since
    jurisdictions: list = field(default_factory=list)  # whose many rows are replaced


def version(schema_name: str) -> str:
    digest = hashlib.sha256(parse_code_version().encode() + schema_name.encode())
    for name in WRITE_CODE:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def manifest_path(cache: Path, data_dir: Path, output: Path | None) -> Path:
    target = str(output.resolve()) if output is not None else "check"
    name = hashlib.sha256(f"{data_dir.resolve()}\0{target}".encode()).hexdigest()[:24]
    return cache / f"build-{name}.pickle"


def read_manifest(path: Path) -> Manifest | None:
    """The manifest, or None (none yet, unreadable or damaged: a full build)."""
    return read_pickle(path.parent, path.name, Manifest)


def write_manifest(path: Path, manifest: Manifest):
    """Best-effort, like every cache write: without it the next build is a full one."""
    write_pickle(path.parent, path.name, manifest)


def forget(path: Path):
    """After a failed build: the next build is a full one."""
    try:
        path.unlink()
    except OSError:
        pass


def stat_of(output: Path) -> tuple | None:
    try:
        st = output.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def plan(previous: Manifest | None, keys: dict, code: str, output: Path | None, vocabulary: set) -> Changes | str:
    """The files changed since the last good build, or why the build must be done in full."""
    if previous is None:
        return "no earlier build of this data into this output"
    if previous.version != code:
        return "the code changed"
    if None in keys.values():
        return "a file cannot be read"
    if output is not None and (previous.output is None or stat_of(output) != previous.output):
        return "the database is not the one the last build wrote"
    changed = [name for name, key in keys.items() if previous.keys.get(name) != key]
    removed = [name for name in previous.keys if name not in keys]
    for name in changed + removed:
        if Path(name).name in vocabulary:
            return f"{name} changed"
    order = [name for name in keys if name in previous.keys]
    if order != [name for name in previous.keys if name in keys]:
        return "the files' order changed"
    return Changes(previous, changed, removed, sorted({Path(n).stem for n in changed + removed}))


def file_counts(ds) -> tuple[dict, dict]:
    """Rows of the many-row tables per file, and quotes checked per file."""
    counts: dict = {}
    for table in MANY_ROWS:
        for where in (ds.places[(table, i)] for i in range(len(ds.rows.get(table, ())))):
            counts.setdefault(where.file, Counter())[table] += 1
    return {f: dict(c) for f, c in counts.items()}, dict(ds.quotes_by_file)


def replace_rows(conn: sqlite3.Connection, rows: dict, jurisdictions: list, tables: list, insert_rows, fill_search,
                 searched: list):
    """In a copy of the last good database: the changed jurisdictions' many rows (and their search entries)
    replaced; every other table in `tables` rewritten whole from `rows`."""
    marks = ", ".join("?" for _ in jurisdictions)
    if jurisdictions:
        for table in searched:
            conn.execute(f"DELETE FROM [{table}_fts] WHERE rowid IN "
                         f"(SELECT rowid FROM [{table}] WHERE jurisdiction_id IN ({marks}))", jurisdictions)
        for table in MANY_ROWS:
            conn.execute(f"DELETE FROM [{table}] WHERE jurisdiction_id IN ({marks})", jurisdictions)
    for table in tables:
        if table not in MANY_ROWS:
            conn.execute(f"DELETE FROM [{table}]")
    insert_rows(conn, {t: r for t, r in rows.items() if t in tables})
    if jurisdictions:
        fill_search(conn, (f"jurisdiction_id IN ({marks})", jurisdictions))
