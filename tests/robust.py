"""Helpers for the hostile-input tests: the build in a subprocess with a time and memory limit."""
import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

MEMORY = 2 << 30  # address space of one build: python, SQLAlchemy and Alembic take ~0.5 GiB of it
PROBLEM_LINE = re.compile(r"^[^:]+:\d+: [^:]+: .+")
SUMMARY = re.compile(r"^\d+ problems?; ")


def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_limited(*args, timeout=30, cwd=ROOT):
    """build.py in a subprocess that may take at most `timeout` seconds and MEMORY bytes."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, preexec_fn=_limit)


def copy_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, symlinks=True)
    return data


def problem_lines(stderr: str) -> list[str]:
    """The problem lines of a failed build, checked to be in `file:line: field: message` form."""
    lines = [line for line in stderr.splitlines() if not line.startswith("warning: ")]
    assert lines, "no output"
    assert SUMMARY.match(lines[-1]), lines[-1]
    bad = [line for line in lines[:-1] if not PROBLEM_LINE.match(line)]
    assert not bad, bad
    return lines[:-1]


def assert_refused(result, file, line: int | None, field: str, message: str):
    """Exit 1, no traceback, every line in form, and one `file:line: field: ...message...` line."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, (result.returncode, result.stderr)
    lines = problem_lines(result.stderr)
    prefix = f"{file}:{line if line is not None else ''}"
    assert any(l.startswith(prefix) and f": {field}: " in l and message in l for l in lines), (prefix, field, message, lines)


def line_of(path: Path, needle: str, start: int = 1) -> int:
    for number, text in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if number >= start and needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def replace(path: Path, old: str, new: str, count: int = 1):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


class _Result:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run_in_process(*args):
    """build.main in this process, for the many cases that need no time or memory limit (fast).

    An exception is not caught: it fails the test as the traceback it would have been."""
    import contextlib
    import io

    import build

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = build.main([str(a) for a in args])
    return _Result(code, out.getvalue(), err.getvalue())
