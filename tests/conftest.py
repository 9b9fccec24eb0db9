import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import build  # noqa: E402


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


@pytest.fixture(scope="session")
def fake_release(tmp_path_factory) -> Path:
    """A small release folder as `make release` writes it: a few files and manifest.json describing them."""
    import hashlib
    import json
    folder = tmp_path_factory.mktemp("release")
    files = {"vn-dx-plans-2026.1.zip": b"PK\x05\x06" + b"\0" * 18,
             "vn-dx-plans-2026.1/SHA256SUMS": b"",
             "vn-dx-plans-2026.1/csv/targets.csv": "id,value\nlai-chau-09-nq-tu/x/2030,20\n".encode()}
    entries = []
    for path, content in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(content)
        entries.append({"path": path, "bytes": len(content), "sha256": hashlib.sha256(content).hexdigest(),
                        "description": f"test file {path}"})
    manifest = {"name": "vn-dx-plans", "version": "2026.1", "license": "CC-BY-4.0",
                "citation": "vn-dx-plans contributors (2026). vn-dx-plans 2026.1 [Data set].", "files": entries}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder
