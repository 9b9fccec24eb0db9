"""Parsing files in several processes and from the cache gives exactly the database a clean, serial build gives."""
import shutil
import sqlite3

import build
from conftest import ROOT, run_build
from pipeline import cache


def contents(path):
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                                             "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts_%' ORDER BY name")]
        return {t: sorted(map(repr, conn.execute(f"SELECT * FROM [{t}]"))) for t in tables}
    finally:
        conn.close()


def test_cached_parallel_and_clean_builds_are_the_same(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    store = tmp_path / "cache"
    clean, cold, warm, edited_clean, edited_warm = (tmp_path / f"{n}.db" for n in ("clean", "cold", "warm", "ec", "ew"))
    monkeypatch.setattr(cache, "PARALLEL_BYTES", 0)  # today's data is small: force the processes

    def run(output, *, jobs, use_cache):
        ds, problems = build.load_dataset(data, jobs=jobs, cache=store if use_cache else None)
        assert not problems, problems[:5]
        build.write_database(ds, output)

    run(clean, jobs=1, use_cache=False)
    run(cold, jobs=2, use_cache=True)  # parsed in two processes, and cached
    assert len(list(store.glob("*.pickle"))) == len(list(data.glob("*.yml")))
    run(warm, jobs=2, use_cache=True)  # every part from the cache
    assert contents(clean) == contents(cold) == contents(warm)

    # edit one province: only that file is parsed again, and the result equals a clean build's
    path = data / "ha-tinh.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "statement_en: By 2025, Hà Tĩnh provides 80% level-4 online public services",
        "statement_en: By 2025, Hà Tĩnh provides 80 percent level-4 online public services"), encoding="utf-8")
    before = {p.name for p in store.glob("*.pickle")}
    run(edited_warm, jobs=1, use_cache=True)
    assert len({p.name for p in store.glob("*.pickle")} - before) == 1
    run(edited_clean, jobs=1, use_cache=False)
    assert contents(edited_warm) == contents(edited_clean) != contents(clean)


def test_a_cached_file_still_meets_the_whole_dataset_checks(tmp_path):
    """The cache holds one file's part; references, uniqueness and evidence are checked every time."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    assert run_build("--data", data, "--check").returncode == 0  # fills the cache
    (data / "sources" / "seeds" / "003_c0eabae31fd4a470.txt").write_text("changed", encoding="utf-8")
    result = run_build("--data", data, "--check")
    assert result.returncode == 1 and "sha256: does not match" in result.stderr


def test_no_progress_when_not_a_terminal(tmp_path):
    result = run_build("--output", tmp_path / "x.db")
    assert result.returncode == 0 and "parsed" not in result.stderr and result.stderr == ""
