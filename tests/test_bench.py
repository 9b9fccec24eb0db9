"""The benchmark (bench/): the floor makes the same rows as build.py, the generated data is valid
and every check runs on it, and the runner runs at a tiny size. No timing is asserted."""
import hashlib
import re
import sqlite3
import subprocess
import sys

import pytest
import yaml

import build
from conftest import ROOT, run_build
from schema.views import DERIVED_TABLES

sys.path.insert(0, str(ROOT / "bench"))
import floor  # noqa: E402
import generate  # noqa: E402
import run as bench_run  # noqa: E402


def contents(path) -> dict:
    """Every table's rows, sorted (views, derived tables, FTS indexes and SQLite's own tables aside)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        kinds = {r[1]: r[2] for r in conn.execute("PRAGMA main.table_list")}
        return {t: sorted(conn.execute(f"SELECT * FROM [{t}]").fetchall(), key=repr)
                for t, kind in kinds.items()
                if kind == "table" and not t.startswith("sqlite_") and t not in DERIVED_TABLES}
    finally:
        conn.close()


def search_contents(path) -> dict:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: conn.execute(f"SELECT rowid, * FROM [{t}_fts] ORDER BY rowid").fetchall()
                for t in floor.SEARCH_COLUMNS}
    finally:
        conn.close()


def assert_floor_matches(built, data, tmp_path):
    schema, output = tmp_path / "schema.db", tmp_path / "floor.db"
    floor.make_schema(built, schema)
    floor.build(data, output, schema)
    expected, actual = contents(built), contents(output)
    assert set(actual) == set(expected)
    for table in expected:
        assert actual[table] == expected[table], f"{table}: the floor's rows differ from build.py's (bench/floor.py ROWS)"
    assert search_contents(output) == search_contents(built)


def test_floor_makes_the_same_rows_as_build_from_real_data(db_path, tmp_path):
    assert_floor_matches(db_path, ROOT / "data", tmp_path)


@pytest.mark.parametrize("text", ["Đô thị thông minh, kinh tế số", "cấp xã", "Đắk Lắk (2025)", ""])
def test_floor_folds_and_slugs_as_build(text):
    assert floor.fold(text) == build.fold(text)
    assert floor.slug(text) == build.slug(text)


def source_args(data):
    return ["--shared", data / "sources"] if bench_run.shared_option(sys.executable) else []


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    data = tmp_path_factory.mktemp("bench") / "2x20"
    counts = generate.generate(data, provinces=2, targets=20)
    assert counts == {"provinces": 2, "targets": 40, "observations": 6, "tasks": 10}
    return data


def test_generated_data_is_valid_and_the_floor_matches(generated, tmp_path):
    output = tmp_path / "built.db"
    result = run_build("--data", generated, "--output", output, *source_args(generated))
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr  # the quotes were checked against the generated texts
    assert_floor_matches(output, generated, tmp_path)


def test_generation_is_deterministic(generated, tmp_path):
    again = tmp_path / "again"
    generate.generate(again, provinces=2, targets=20)
    files = sorted(p.relative_to(generated) for p in generated.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert all((generated / f).read_bytes() == (again / f).read_bytes() for f in files)


def test_evidence_checks_run_on_generated_data(tmp_path):
    """Change the number in one quoted line of a source text (keeping its sha256 right): the build must notice."""
    data = tmp_path / "data"
    generate.generate(data, provinces=2, targets=20)
    targets = yaml.safe_load((data / "jurisdictions" / "tinh-001.yml").read_text(encoding="utf-8"))["targets"]
    target = next(t for t in targets if t["value"] is not None and " … " not in t.get("quote", " … "))
    text_path = data / "sources" / "seeds" / "gen_001.txt"
    text = text_path.read_text(encoding="utf-8")
    lines = text.split("\n")
    number = int(target["locator"].removeprefix("line "))
    assert lines[number - 1] == target["quote"]
    lines[number - 1] = lines[number - 1].replace(generate.written(target["value"]), "?")
    changed = "\n".join(lines).encode("utf-8")
    text_path.write_bytes(changed)
    sources = data / "sources.yml"
    old = hashlib.sha256(text.encode("utf-8")).hexdigest()
    sources.write_text(sources.read_text(encoding="utf-8").replace(old, hashlib.sha256(changed).hexdigest()),
                       encoding="utf-8")
    result = run_build("--data", data, "--check", *source_args(data))
    assert result.returncode == 1
    assert "quote: not found verbatim in gen-001" in result.stderr, result.stderr


def test_runner_runs_at_a_tiny_size(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--cases", "2x20,check:2x20,edit:2x20",
                             "--repeats", "2", "--cache", str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-4:]
    for case, line in zip(["2x20", "check:2x20", "edit:2x20"], last):
        assert re.fullmatch(rf"{re.escape(case)}: build \d+\.\d+ s, floor \d+\.\d+ s, ratio \d+\.\d\d, peak \d+ MiB",
                            line), line
    assert re.fullmatch(r"edit:2x20: rebuild after editing one province file \d+\.\d+ s, full build \d+\.\d+ s, "
                        r"\d+% of it \(issue 10: at most 15%\), peak \d+ MiB", last[-1]), last[-1]
    copy = tmp_path / "out" / "edit-2x20-data"
    edited = sorted((copy / "jurisdictions").glob("tinh-*.yml"))[1]
    assert 'statement_en: "[edit 2] ' in edited.read_text(encoding="utf-8")  # edited before each of the 2 runs
    rebuilt = (tmp_path / "out" / "edit-2x20-rebuild.log").read_text(encoding="utf-8")
    assert "1 file changed since" in rebuilt  # the incremental way
