import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import build  # noqa: E402

SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def db_path(tmp_path_factory) -> Path:
    """The real database, built once from data/ by the same code path as `make build`."""
    path = tmp_path_factory.mktemp("build") / "vn_dx_plans.db"
    assert build.main(["--output", str(path)]) == 0
    return path


@pytest.fixture(scope="session")
def db(db_path):
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def run_build(*args, cwd=ROOT):
    """build.py as a user runs it: a separate process, its exit code and output."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *map(str, args)],
                          cwd=cwd, capture_output=True, text=True)


def one(db, sql, *params):
    row = db.execute(sql, params).fetchone()
    assert row is not None, f"no row for {sql} {params}"
    return row
