"""Parsing many data files: each file's parsed and validated part cached by its content and the code's
version, the rest parsed in several processes when there is enough of it. A cached part and a fresh one
are the same by construction (tests build both ways and compare the databases)."""
from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path

from pipeline.read import display_path, read_bytes

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class FilePart:
    """What one data file contributes, parsed and validated on its own: rows with their places, the ids it
    defines, the references it makes and its problems. The whole-dataset checks put the parts together."""

    rows: dict
    places: dict
    ids: dict
    refs: list
    problems: list


# The tables a jurisdiction file fills with many rows: an incremental rebuild replaces a changed file's rows in
# them (by jurisdiction_id) and keeps the rest; every other table a jurisdiction file fills is small, and is
# rewritten whole from the files' summaries.
MANY_ROWS = ("claims", "targets", "observations", "tasks")


@dataclass
class Summary(FilePart):
    """What the whole-dataset checks need of a file that did not change, without its many rows: the ids it
    defines, each distinct reference it makes (once), the rows of its small tables, the figures its claims
    state (claims of one figure in two files are settled together, so such a rebuild is done in full) and the
    documents whose source its rows inherit."""

    figures: frozenset = frozenset()
    inherits: frozenset = frozenset()


def summarize(part: FilePart) -> Summary:
    small = {t: rows for t, rows in part.rows.items() if t not in MANY_ROWS}
    places = {(t, i): part.places[(t, i)] for t, rows in small.items() for i in range(len(rows))}
    refs, seen = [], set()
    for ref in part.refs:
        if ref[:2] not in seen:
            seen.add(ref[:2])
            refs.append(ref)
    claims = part.rows.get("claims", ())
    figures = frozenset((c["figure_kind"], c["figure_id"]) for c in claims)
    inherits = frozenset(row.get("document_id") for table in ("priority_sectors", "claims", "tasks")
                         for row in part.rows.get(table, ()) if row.get("source_id") is None)
    return Summary(small, places, part.ids, refs, list(part.problems), figures, inherits)


def read_summary(cache: Path, key: str) -> Summary | None:
    entry = cache / f"{key}.summary.pickle"
    try:
        summary = pickle.loads(entry.read_bytes())
        os.utime(entry)  # in use: not pruned
        return summary
    except Exception:  # missing or unreadable: the rebuild is done in full
        return None


def write_pickle(cache: Path, name: str, value):
    temp = cache / f".{name}.{os.getpid()}.tmp"
    temp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(temp, cache / name)


# The code a file's parsed part depends on: a change to any of it makes every cached part stale.
PARSE_CODE = ("build.py", "pipeline/*.py",  # every stage of the build (parse, validate, claims, evidence, load, …)
              "schema/yaml_schema.py", "schema/vocab.py", "schema/*.schema.json",
              "requirements.lock")  # the libraries' pinned versions (PyYAML, jsonschema)
PARALLEL_BYTES = 4 << 20  # below this much YAML to parse, starting processes costs more than it saves


@functools.lru_cache(maxsize=1)
def parse_code_version() -> str:
    import sqlite3

    digest = hashlib.sha256(sys.version.encode() + sqlite3.sqlite_version.encode())
    for pattern in PARSE_CODE:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def cache_key(path: Path) -> str | None:
    raw, _ = read_bytes(path)
    if raw is None:
        return None  # refused: parsed afresh, so the problem is reported in full
    key = hashlib.sha256(parse_code_version().encode() + display_path(path).encode() + b"\0" + raw)
    return key.hexdigest()


def parse_files(parse_file, paths: list[Path], jobs: int | None = None, cache: Path | None = None, progress=None,
                keys: dict | None = None) -> list[FilePart]:
    """parse_file for every path, in order: from the cache where the file and the code are unchanged, the rest
    in `jobs` processes (default: one per core) when there is enough to parse. `keys`: {display path: cache_key},
    when the caller has them already."""
    parts: list = [None] * len(paths)
    known = keys or {}
    keys = [(known[display_path(p)] if display_path(p) in known else cache_key(p)) if cache else None for p in paths]
    todo = []
    for index, key in enumerate(keys):
        entry = cache / f"{key}.pickle" if key else None
        if entry is not None and entry.is_file():
            try:
                parts[index] = pickle.loads(entry.read_bytes())
                os.utime(entry)
                continue
            except Exception:  # an unreadable entry is parsed again
                pass
        todo.append(index)
    done = len(paths) - len(todo)
    if progress:
        progress(done, len(paths))
    jobs = jobs or os.cpu_count() or 1
    size = sum(paths[i].stat().st_size for i in todo if paths[i].is_file())
    if jobs > 1 and len(todo) > 1 and size > PARALLEL_BYTES:
        import concurrent.futures
        import multiprocessing

        context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
        with concurrent.futures.ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=context) as pool:
            for index, part in zip(todo, pool.map(parse_file, [paths[i] for i in todo])):
                parts[index] = part
                done += 1
                if progress:
                    progress(done, len(paths))
    else:
        for index in todo:
            parts[index] = parse_file(paths[index])
            done += 1
            if progress:
                progress(done, len(paths))
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
        for index in todo:
            if keys[index]:
                write_pickle(cache, f"{keys[index]}.pickle", parts[index])
        for index, key in enumerate(keys):  # each part's summary, for incremental rebuilds (pipeline/incremental.py)
            if key and (index in todo or not (cache / f"{key}.summary.pickle").is_file()):
                write_pickle(cache, f"{key}.summary.pickle", summarize(parts[index]))
        _prune(cache)
    return parts


def _prune(cache: Path, days: int = 14):
    """Cached parts not used for `days` are removed (each use touches its file)."""
    import time

    limit = time.time() - days * 86400
    for entry in cache.glob("*.pickle"):  # parts, summaries and build manifests
        try:
            if entry.stat().st_mtime < limit:
                entry.unlink()
        except OSError:
            pass
