"""Issue 14 (Hardening): the data can never steer a deletion, odd inputs end in `file: message` lines, the cache
is never trusted blindly nor needed for a build to succeed, the server refuses requests it cannot answer cheaply.
Each test fails on the code before the issue's fixes."""
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import ROOT
from robust import assert_refused, copy_data, line_of, replace, run_in_process


@pytest.fixture
def data(tmp_path) -> Path:
    return copy_data(tmp_path)


def set_field(path: Path, field: str, value: str) -> int:
    """The first `  field: …` line of the file set to `  field: value`; returns its line number."""
    line = line_of(path, f"  {field}: ")
    text = path.read_text(encoding="utf-8").split("\n")
    text[line - 1] = f"  {field}: {value}"
    path.write_text("\n".join(text), encoding="utf-8")
    return line


# ---------------------------------------------------------------- the release's paths

@pytest.mark.parametrize("field, value", [
    ("name", "../../../x/victim"), ("name", "a/b"), ("name", ".."), ("version", '"dir/../target"'),
    ("version", '".."'), ("version", '"2026.1/x"'),
])
def test_dataset_name_and_version_are_plain_file_names(data, field, value):
    path = data / "dataset.yml"
    line = set_field(path, field, value)
    assert_refused(run_in_process("--data", data, "--check"), path, line, field, "must be a plain file name")


def _database_named(db_path, tmp_path, name=None, version=None) -> Path:
    """A copy of the database whose dataset_info says another name or version (as a database not made by the
    build from data that passed the contract would)."""
    copy = tmp_path / "crafted.db"
    shutil.copyfile(db_path, copy)
    with sqlite3.connect(copy) as conn:
        for key, value in (("name", name), ("version", version)):
            if value is not None:
                conn.execute("update dataset_info set value = ? where key = ?", (value, key))
    conn.close()
    return copy


@pytest.mark.parametrize("name, version", [
    ("../../victim", None),  # name-version = ../../victim-2026.1
    ("vn-dx-plans", "x/../../victim-2026.1"),
    ("ABSOLUTE", None),  # an absolute path: out / '/…/victim-2026.1' is that path
])
def test_the_release_refuses_a_folder_outside_its_output(db_path, tmp_path, name, version):
    from pipeline import release

    victim = tmp_path / "victim-2026.1"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    out = tmp_path / "dist" / "release"
    name = str(tmp_path / "victim") if name == "ABSOLUTE" else name
    crafted = _database_named(db_path, tmp_path, name, version)
    before = {p.relative_to(tmp_path) for p in tmp_path.rglob("*")}
    with pytest.raises(SystemExit, match="must make a plain file name"):
        release.write_release(out, db=crafted)
    assert (victim / "precious.txt").read_text() == "keep me"
    after = {p.relative_to(tmp_path) for p in tmp_path.rglob("*")}
    assert after - before <= {Path("dist"), Path("dist/release")}, after ^ before  # nothing written but the folder


def test_the_release_refuses_a_symbolic_link_in_its_output(db_path, tmp_path):
    from pipeline import release

    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    out = tmp_path / "release"
    out.mkdir()
    (out / "vn-dx-plans-2026.1").symlink_to(victim)
    with pytest.raises(SystemExit, match="must make a plain file name"):
        release.write_release(out, db=db_path)
    assert (victim / "precious.txt").read_text() == "keep me"


# ---------------------------------------------------------------- values the contract refuses

@pytest.mark.parametrize("field, value", [("gso_code", '"010"'), ("gso_code", '"4"'), ("gso_code", '"4a"'),
                                          ("successor_gso_code", '"420"')])
def test_a_gso_code_is_two_digits(data, field, value):
    path = data / "ha-tinh.yml"
    line = set_field(path, field, value)
    assert_refused(run_in_process("--data", data, "--check"), path, line, field, "a GSO province code is two digits")


@pytest.mark.parametrize("value", ["no", "No", "yes", "off", "ON", "y", "N"])
def test_a_yaml_1_1_boolean_in_a_text_field_is_refused(data, value):
    path = data / "ha-tinh.yml"
    line = set_field(path, "name_vi", value)
    assert_refused(run_in_process("--data", data, "--check"), path, line, "name_vi",
                   f'{value} unquoted is true/false to YAML 1.1 readers')


def test_a_quoted_yaml_1_1_boolean_is_text(data, tmp_path):
    path = data / "ha-tinh.yml"
    set_field(path, "region_en", '"no"')
    output = tmp_path / "out.db"
    result = run_in_process("--data", data, "--output", output)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(output) as conn:
        assert conn.execute("select region_en from jurisdictions where id = 'ha-tinh'").fetchone() == ("no",)
