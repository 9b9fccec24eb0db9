"""Where the build may write, and the temporary files of builds that were killed.

- The database (and the package folder) may not be an input nor inside the data or sources folder.
- A build holds an exclusive lock (flock) on its temporary database until it is renamed into place;
  the next build removes the temporary files of builds that were killed: those older than its own
  start whose lock nobody holds.
"""
from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from pipeline.read import Problem, display_path

STARTED = time.time()  # this build's start: a temporary file older than this is not being written by us
_TEMP_SUFFIXES = (".tmp", ".tmp-journal", ".tmp-wal", ".tmp-shm")


def inside(path: Path, folder: Path | None) -> bool:
    """Whether path is (or would be) within folder, links resolved."""
    if folder is None:
        return False
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False


def output_problems(output: Path, data_dir: Path, sources_dir: Path | None) -> list[Problem]:
    """Why the build may not write its output, as problems; empty when it may."""
    found = []
    for folder, name in ((data_dir, "data"), (sources_dir, "sources")):
        if inside(output, folder):
            found.append(Problem(display_path(output), 0, "output", f"is inside the {name} folder "
                                 f"{display_path(folder)}; write the output elsewhere"))
    if output.is_dir():
        found.append(Problem(display_path(output), 0, "output", "is a folder; give the database's file name"))
    return found


def remove_stale_temps(output: Path) -> list[Path]:
    """Remove the temporary files that killed builds left beside output; return what was removed."""
    removed = []
    try:
        candidates = [p for p in output.parent.iterdir()
                      if p.name.startswith(f".{output.name}.") and p.name.endswith(_TEMP_SUFFIXES)]
    except OSError:
        return removed
    for path in sorted(candidates):
        base = Path(str(path)[: str(path).rindex(".tmp") + 4])
        try:
            if path.lstat().st_mtime >= STARTED or not path.is_file() or path.is_symlink():
                continue
            if base.exists() and base_locked(base):
                continue  # a build is writing it
            path.unlink()
            removed.append(path)
        except OSError:
            continue
    return removed


def base_locked(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing releases the lock we may have taken


def lock(fd: int) -> None:
    """Mark a temporary database as being written, for as long as fd stays open."""
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
