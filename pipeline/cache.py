"""Parsing many data files: each file's parsed and validated part cached by its content and the code's
version, the rest parsed in several processes when there is enough of it. A cached part and a fresh one
are the same by construction (tests build both ways and compare the databases).

The cache is never trusted blindly nor needed: every entry carries a digest of its content and of its name (the
cache key), so an entry edited, truncated or copied under another key is found out, removed and made again; and
writing it is best-effort: a full disk, a folder another user owns or a file where the folder should be never
fails a build, and never leaves a temporary file behind. Worker processes die with the build that started them."""
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
    """A file's summary, or None (missing or damaged: the rebuild is done in full)."""
    return read_pickle(cache, f"{key}.summary.pickle", Summary)


# ---------------------------------------------------------------- entries: a digest of content and name

MAGIC = b"vn-dx-plans cache entry 1\n"
_HEAD = len(MAGIC) + 32


def _digest(name: str, payload: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8", "surrogateescape") + b"\0" + payload).digest()


def seal(name: str, payload: bytes) -> bytes:
    """An entry's bytes: a header, the digest of its name and payload, the payload."""
    return MAGIC + _digest(name, payload) + payload


def unseal(name: str, raw: bytes) -> bytes | None:
    """The payload of an entry stored under `name`, or None when it was damaged or made for another name."""
    payload = raw[_HEAD:]
    if raw[:len(MAGIC)] != MAGIC or raw[len(MAGIC):_HEAD] != _digest(name, payload):
        return None
    return payload


def read_pickle(cache: Path, name: str, kind: type):
    """The value write_pickle stored under `name` if it is intact and exactly of type `kind`, else None. A damaged
    entry (content or name not matching its digest, or not a `kind`) is removed, so that it is made again."""
    entry = cache / name
    try:
        raw = entry.read_bytes()
    except OSError:  # missing, unreadable, or the cache is not a folder
        return None
    payload = unseal(name, raw)
    value = None
    if payload is not None:
        try:
            value = pickle.loads(payload)
        except Exception:  # noqa: BLE001 (made by another version of a class: made again)
            value = None
    if type(value) is not kind:
        _discard(entry)
        return None
    try:
        os.utime(entry)  # in use: not pruned
    except OSError:
        pass
    return value


def write_pickle(cache: Path, name: str, value) -> bool:
    """Store value under `name`, best-effort: False (and no temporary file left) when it cannot be written."""
    temp = cache / f".{name}.{os.getpid()}.tmp"
    try:
        raw = seal(name, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        cache.mkdir(parents=True, exist_ok=True)
        temp.write_bytes(raw)
        os.replace(temp, cache / name)
        return True
    except Exception:  # noqa: BLE001 (a full disk, no permission, a file in the folder's place: not cached)
        _discard(temp)
        return False


def _discard(path: Path):
    try:
        path.unlink()
    except OSError:
        pass


# ---------------------------------------------------------------- the schema template

_verified: dict = {}  # (path, size, mtime, inode) of templates whose digest was checked in this process
_private: list = []  # a folder of this process's own, when the cache folder cannot be written


def cached_template(name: str, folder: Path, make) -> Path:
    """folder/name, an empty database `make(path)` writes (alembic upgrade head), checked against the digest of its
    content and name stored beside it (`name.sha256`) and made again when it does not match (a truncated template
    made every build fail with an unrelated SQL error). Made in a private temporary folder when the cache folder
    cannot be written (a full disk, another user's checkout): the build never fails for its cache."""
    template = folder / name
    if _intact(template):
        return template
    try:
        return _make_template(name, folder, make)
    except Exception:  # noqa: BLE001 (a full disk fails inside SQLite; broken migrations fail again below)
        if not _private:
            import atexit
            import shutil
            import tempfile

            _private.append(Path(tempfile.mkdtemp(prefix="vn-dx-plans-schema-")))
            atexit.register(shutil.rmtree, _private[0], True)
        template = _private[0] / name
        return template if _intact(template) else _make_template(name, _private[0], make)


def _intact(template: Path) -> bool:
    try:
        info = template.stat()
        seen = (str(template), info.st_size, info.st_mtime_ns, info.st_ino)
        if seen in _verified:
            return True
        digest = read_pickle(template.parent, template.name + ".sha256", str)
        if digest is None or hashlib.sha256(template.read_bytes()).hexdigest() != digest:
            return False
    except OSError:
        return False
    _verified[seen] = True
    return True


def _make_template(name: str, folder: Path, make) -> Path:
    import tempfile

    folder.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".schema.", suffix=".tmp", dir=folder)
    os.close(handle)
    try:
        make(temp_name)
        os.chmod(temp_name, 0o644)  # mkstemp's 0600 kept other users of the checkout from building
        digest = hashlib.sha256(Path(temp_name).read_bytes()).hexdigest()
        if not write_pickle(folder, name + ".sha256", digest):
            raise OSError(f"cannot write in {folder}")
        os.replace(temp_name, folder / name)
    finally:
        _discard(Path(temp_name))
    return folder / name


def cache_problems(cache: Path | None) -> list:
    """Why a --cache folder given cannot be used, as problems (a file where the folder should be)."""
    from pipeline.read import Problem

    if cache is not None and cache.exists() and not cache.is_dir():
        return [Problem(display_path(cache), 0, "cache", "is not a folder; give a folder for the cache (or --no-cache)")]
    return []


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
        part = read_pickle(cache, f"{key}.pickle", FilePart) if key else None
        if part is not None:
            parts[index] = part
            continue
        todo.append(index)  # not cached, or a damaged entry: parsed again
    done = len(paths) - len(todo)
    if progress:
        progress(done, len(paths))
    jobs = jobs or os.cpu_count() or 1
    size = sum(paths[i].stat().st_size for i in todo if paths[i].is_file())
    if jobs > 1 and len(todo) > 1 and size > PARALLEL_BYTES:
        import concurrent.futures
        import multiprocessing

        context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
        with concurrent.futures.ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=context,
                                                    initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
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
    if cache:  # best-effort: an entry that cannot be written is parsed again next time
        for index in todo:
            if keys[index]:
                write_pickle(cache, f"{keys[index]}.pickle", parts[index])
        for index, key in enumerate(keys):  # each part's summary, for incremental rebuilds (pipeline/incremental.py)
            if key and (index in todo or not (cache / f"{key}.summary.pickle").is_file()):
                write_pickle(cache, f"{key}.summary.pickle", summarize(parts[index]))
        _prune(cache)
    return parts


def die_with_parent(parent: int):
    """In a worker process: exit when the build that started it is gone (killed with -9, its workers were left
    blocked forever, and a caller waiting on the build's output hung). Linux: the kernel sends SIGKILL when the
    parent dies; elsewhere a thread checks every second."""
    import signal
    import threading

    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent died before the call
                os._exit(1)
            return
    except (OSError, AttributeError):
        pass

    def watch():
        import time

        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)
    threading.Thread(target=watch, daemon=True).start()


def _prune(cache: Path, days: int = 14):
    """Cached parts not used for `days` are removed (each use touches its file), and temporary files of builds
    killed while writing an entry (a day old)."""
    import time

    now = time.time()
    try:
        entries = list(cache.glob("*.pickle")) + list(cache.glob(".*.tmp"))  # parts, summaries and build manifests
    except OSError:
        return
    for entry in entries:
        try:
            if entry.stat().st_mtime < now - (86400 if entry.name.endswith(".tmp") else days * 86400):
                entry.unlink()
        except OSError:
            pass
