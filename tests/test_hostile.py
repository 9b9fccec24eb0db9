"""Issue 8, 'What was found': each hostile input ends in exit 1 with `file:line: field: message` and no
traceback (or exit 0 where the input is valid), in seconds and bounded memory (tests/robust.py)."""
import os
import shutil
import time
from pathlib import Path

import pytest

import build
from pipeline import read
from robust import assert_refused, copy_data, line_of, problem_lines, replace, run_in_process, run_limited


@pytest.fixture
def data(tmp_path) -> Path:
    return copy_data(tmp_path)


def check(data, *more, timeout=None):
    """--check on data: in a subprocess with limits when a timeout is given (hangs, crashes), else in-process."""
    if timeout is None:
        return run_in_process("--data", data, "--check", *more)
    return run_limited("--data", data, "--check", *more, timeout=timeout)


# ---------------------------------------------------------------- bytes, encoding, control characters

@pytest.mark.parametrize("raw, message", [
    ("Quảng Bình".encode("latin-1", "replace"), "not UTF-8"),
    (b"\xff", "not UTF-8"),
])
def test_bytes_that_are_not_utf8(data, raw, message):
    path = data / "jurisdictions" / "ha-tinh.yml"
    line = line_of(path, "note:")
    text = path.read_bytes().split(b"\n")
    text[line - 1] = b"  note: " + raw
    path.write_bytes(b"\n".join(text))
    assert_refused(check(data, timeout=20), path, line, "encoding", message)


def test_utf16(data):
    path = data / "jurisdictions" / "ha-tinh.yml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    assert_refused(check(data, timeout=20), path, 1, "encoding", "the file is UTF-16; save it as UTF-8")


def test_a_byte_order_mark_is_accepted(data):
    path = data / "jurisdictions" / "ha-tinh.yml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = check(data)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x85", "\u2028"])
def test_control_characters_even_in_a_comment(data, char):
    path = data / "jurisdictions" / "ha-tinh.yml"
    line = line_of(path, "tasks:")
    replace(path, "\ntasks:", f"\n# a comment with {char} in it\ntasks:")
    assert_refused(check(data), path, line, "text", f"control character U+{ord(char):04X} is not allowed")


def test_a_file_over_the_size_cap_is_refused_without_reading_it(data):
    path = data / "jurisdictions" / "big-province.yml"
    with open(path, "wb") as out:
        out.truncate(read.MAX_BYTES + 1)  # sparse: nothing is written, nothing should be read
    assert_refused(check(data, timeout=20), path, 0, "file", "the limit is")


# ---------------------------------------------------------------- dates, tags, keys, numbers

@pytest.mark.parametrize("date", ["2020-02-30", "2025-13-01", "2022-02-25 10:00:00", "2022-02-25T10:00:00Z", "25/02/2022"])
def test_impossible_dates_and_datetimes_in_a_date_field(data, date):
    path = data / "jurisdictions" / "lai-chau.yml"
    replace(path, "issue_date: 2022-02-25", f"issue_date: {date}")
    assert_refused(check(data), path, line_of(path, "issue_date:"), "issue_date", "is not a calendar date written YYYY-MM-DD")


def test_a_date_like_value_in_a_text_field_stays_text(data, tmp_path):
    path = data / "jurisdictions" / "ha-tinh.yml"
    replace(path, "  signer: null", "  signer: 2020-02-30")
    output = tmp_path / "out.db"
    result = run_in_process("--data", data, "--output", output)
    assert result.returncode == 0, result.stderr
    import sqlite3
    assert ("2020-02-30",) in sqlite3.connect(output).execute("SELECT signer FROM documents").fetchall()


def test_effective_date_outside_the_sql_year_range(data):
    path = data / "jurisdictions" / "ha-tinh.yml"
    replace(path, "effective_date: 2025-07-01", "effective_date: 1999-07-01")
    assert_refused(check(data), path, line_of(path, "effective_date:"), "effective_date", "the year must be 2000–2050")


@pytest.mark.parametrize("value, message", [('!!int "abc"', "tag tag:yaml.org,2002:int is not allowed"),
                                            ("!!timestamp x", "tag tag:yaml.org,2002:timestamp is not allowed"),
                                            ("! 60", "tag ! is not allowed")])
def test_tags(data, value, message):
    path = data / "jurisdictions" / "ha-tinh.yml"
    replace(path, "  value: 60\n", f"  value: {value}\n")
    assert_refused(check(data), path, line_of(path, f"value: {value}"), "yaml", message)


@pytest.mark.parametrize("key", ["? [a, b]\n  : 1", "{a: 1}: 2", "[1]: 2"])
def test_keys_that_are_not_text(data, key):
    path = data / "jurisdictions" / "ha-tinh.yml"
    replace(path, "  value: 60\n", f"  value: 60\n  {key}\n")
    assert_refused(check(data), path, line_of(path, key.split("\n")[0]), "yaml", "a key must be plain text")


@pytest.mark.parametrize("value", [".nan", ".inf", "-.Inf", ".NaN", "1e309", "-1e999"])
def test_non_finite_figures(data, value):
    path = data / "jurisdictions" / "ha-tinh.yml"
    replace(path, "  value: 60\n", f"  value: {value}\n")
    assert_refused(check(data), path, line_of(path, f"value: {value}"), "value", "is not a finite number")


def test_a_number_with_more_digits_than_python_converts(data):
    path = data / "jurisdictions" / "ha-tinh.yml"
    replace(path, "  value: 60\n", "  value: " + "9" * 5000 + "\n")
    assert_refused(check(data), path, line_of(path, "value: 999"), "value", "has too many digits")


def test_several_documents_in_one_file(data):
    path = data / "jurisdictions" / "ha-tinh.yml"
    path.write_text(path.read_text(encoding="utf-8") + "---\njurisdiction: {}\n", encoding="utf-8")
    assert_refused(check(data), path, len(path.read_text(encoding="utf-8").splitlines()) - 1, "yaml", "a second document")


# ---------------------------------------------------------------- files that are not regular files

def test_a_directory_named_yml(data):
    (data / "jurisdictions" / "folder.yml").mkdir()
    assert_refused(check(data), data / "jurisdictions" / "folder.yml", 0, "file", "not a regular file")


def test_a_fifo_named_yml_does_not_block(data):
    os.mkfifo(data / "jurisdictions" / "pipe.yml")
    assert_refused(check(data, timeout=15), data / "jurisdictions" / "pipe.yml", 0, "file", "not a regular file")


def test_a_dangling_symlink(data):
    (data / "jurisdictions" / "gone.yml").symlink_to(data / "jurisdictions" / "nowhere.yml")
    assert_refused(check(data), data / "jurisdictions" / "gone.yml", 0, "file", "a symbolic link to nothing")


def test_an_editors_lock_file_is_skipped_with_a_warning(data):
    (data / "jurisdictions" / ".#ha-tinh.yml").symlink_to("root@host.12345:1700000000")
    result = check(data)
    assert result.returncode == 0, result.stderr
    assert "warning: " in result.stderr and ".#ha-tinh.yml: skipped" in result.stderr


def test_a_symlink_out_of_the_data_folder(data, tmp_path):
    outside = tmp_path / "elsewhere.yml"
    outside.write_text("jurisdiction: {}\n", encoding="utf-8")
    (data / "jurisdictions" / "elsewhere.yml").symlink_to(outside)
    assert_refused(check(data), data / "jurisdictions" / "elsewhere.yml", 0, "file", "a symbolic link out of the data folder")


def test_a_yaml_file_is_not_silently_ignored(data):
    (data / "jurisdictions" / "ha-tinh.yml").rename(data / "jurisdictions" / "ha-tinh.yaml")
    assert_refused(check(data), data / "jurisdictions" / "ha-tinh.yaml", 0, "file", "data files end in .yml")


def test_a_jurisdiction_file_beside_the_catalogue_is_told_where_it_belongs(data):
    (data / "jurisdictions" / "ha-tinh.yml").rename(data / "ha-tinh.yml")
    assert_refused(check(data), data / "ha-tinh.yml", 0, "file", "jurisdiction files live in jurisdictions/")


def test_a_jurisdiction_named_like_a_catalogue_file_is_refused(data):
    (data / "jurisdictions" / "ha-tinh.yml").rename(data / "jurisdictions" / "sources.yml")
    assert_refused(check(data), data / "jurisdictions" / "sources.yml", 0, "file", "a catalogue file's name")


def test_a_data_folder_without_its_jurisdictions_folder(data):
    shutil.rmtree(data / "jurisdictions")
    assert_refused(check(data), data / "jurisdictions", 0, "data", "folder not found")


def test_an_unreadable_file_is_a_problem(data, monkeypatch):
    real_open = os.open

    def refuse(path, flags, *args, **kwargs):
        if str(path).endswith("ha-tinh.yml"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    _, problems = build.load_dataset(data)
    assert any(p.field == "file" and "Permission denied" in p.message and p.file.endswith("ha-tinh.yml") for p in problems)


@pytest.mark.parametrize("file_name", ["seeds", "/bin/true", "/dev/zero", "../../../../../dev/zero", "9" * 5000])
def test_a_source_file_name_that_is_not_a_text_file(data, file_name):
    path = data / "sources.yml"
    replace(path, "file_name: seeds/000_eb91b0cc23fd624e.txt", f"file_name: {file_name}")
    assert_refused(check(data, timeout=20), path, line_of(path, f"file_name: {file_name[:100]}"), "file_name", "")


# ---------------------------------------------------------------- hangs and crashes

def test_an_alias_bomb_is_refused_in_milliseconds(data):
    path = data / "jurisdictions" / "ha-tinh.yml"
    bomb = 'lol0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n' + "".join(
        f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 12))
    path.write_text(bomb, encoding="utf-8")
    started = time.monotonic()
    _, problems = build.load_dataset(data)
    assert time.monotonic() - started < 2
    assert any(p.message.startswith("alias *a0 is not allowed") for p in problems)
    assert_refused(check(data, timeout=15), path, 2, "yaml", "alias *a0 is not allowed")


@pytest.mark.parametrize("depth", [10_000, 40_000, 100_000])
def test_deep_nesting(data, depth):
    path = data / "jurisdictions" / "ha-tinh.yml"
    path.write_text("a: " + "[" * depth + "\n", encoding="utf-8")
    assert_refused(check(data, timeout=15), path, 1, "yaml", f"nested more than {read.MAX_DEPTH} levels deep")


def test_each_file_is_parsed_once_from_events(data, monkeypatch):
    import yaml

    def forbidden(*args, **kwargs):
        raise AssertionError("a second parse")

    for name in ("compose", "load", "safe_load", "parse"):
        monkeypatch.setattr(yaml, name, forbidden)
    _, problems = build.load_dataset(data)
    assert not problems


# ---------------------------------------------------------------- checks that were only SQL constraints

@pytest.mark.parametrize("file, old, new, field, message", [
    ("ha-tinh.yml", "period_start: 2021", "period_start: 1899", "period_start", "1899 is outside 2000–2050"),
    ("ha-tinh.yml", "period_end: 2025", "period_end: 2051", "period_end", "2051 is outside 2000–2050"),
    ("ha-tinh.yml", "vision_year: 2030", "vision_year: 2030.0", "vision_year", "expected a whole number, got 2030.0"),
    ("ha-tinh.yml", "capital_lat: 18.34", "capital_lat: 99", "capital_lat", "99 is outside 8–24"),
    ("ha-tinh.yml", "capital_lon: ", "capital_lon: 1", "capital_lon", "is outside 102–110"),
    ("ha-tinh.yml", "denominator: 63", "denominator: 0", "denominator", "0 must be greater than 0"),
    ("ha-tinh.yml", "value: 37", "value: .nan", "value", ".nan is not a finite number"),
    ("ha-tinh.yml", "value: 37", "value: 1000000000000000000000000000000", "value", "is not a plausible figure"),
    ("ha-tinh.yml", "value: 37", "value: .inf", "value", ".inf is not a finite number"),
    ("ha-tinh.yml", "value: 37", "value: 1e309", "value", "1e309 is not a finite number"),
    ("ha-tinh.yml", "value: 37", "value: -37", "value", "-37 must be at least 0"),
    ("ha-tinh.yml", "value: 37", "value: 0", "value", "0 is not a rank"),
    ("ha-tinh.yml", "value: 37", "value: 37.5", "value", "37.5 is not a rank"),
    ("ha-tinh.yml", "target_year: 2025", "target_year: true", "target_year", "expected a whole number, got True"),
    ("ha-tinh.yml", "period_start: 2021", "period_start: 2026", "period_end", "2025 is before period_start 2026"),
])
def test_values_the_sql_constraints_would_refuse(data, file, old, new, field, message):
    path = data / "jurisdictions" / file
    replace(path, old, new)
    line = line_of(path, "period_end:") if field == "period_end" else line_of(path, new)
    assert_refused(check(data), path, line, field, message)


def test_a_figure_without_context_in_its_quote(data):
    path = data / "jurisdictions" / "ha-tinh.yml"
    replace(path, 'quote: "60% hồ sơ công việc tại cấp xã được xử lý trên môi trường mạng (trừ hồ sơ công việc thuộc '
                  'phạm vi bí mật nhà nước)"', 'quote: "hồ sơ công việc … 60%"')
    result = check(data)
    assert_refused(result, path, line_of(path, 'quote: "hồ sơ công việc … 60%"') - 3, "value",
                   "60 is in the quote without words of its context")


def test_a_quote_stitched_from_short_fragments(data):
    path = data / "jurisdictions" / "quang-ninh.yml"
    text = path.read_text(encoding="utf-8")
    import re
    match = re.search(r'\n  quote: "([^"\n]+)"', text)
    replace(path, match.group(0), '\n  quote: "Quảng Ninh ... 3"')
    assert_refused(check(data), path, line_of(path, 'quote: "Quảng Ninh ... 3"'), "quote",
                   "needs one fragment of at least 3 words and 12 characters")


def test_duplicate_gso_code_and_name_across_files(data):
    other = data / "jurisdictions" / "tinh-b.yml"
    text = (data / "jurisdictions" / "ha-tinh.yml").read_text(encoding="utf-8")
    jurisdiction = text[text.index("jurisdiction:"):text.index("\nreorganisation:")]
    other.write_text(jurisdiction.replace("id: ha-tinh", "id: tinh-b").replace("name_en: ", "name_en: B ") + "\n",
                     encoding="utf-8")
    result = check(data)
    assert_refused(result, other, line_of(other, "gso_code:"), "gso_code", "'42' is also the gso_code of ha-tinh")
    assert_refused(result, other, line_of(other, "name_vi:"), "name_vi", "is also the name_vi of ha-tinh")


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1 hay", "-5 điểm", "@SUM(A1)"])
def test_text_that_a_spreadsheet_would_run(data, text):
    path = data / "jurisdictions" / "ha-tinh.yml"
    replace(path, "  signer: null", f"  signer: '{text}'")
    assert_refused(check(data), path, line_of(path, "signer: '"), "signer", "text may not begin with =, +, -, @")


def test_tab_at_the_start_of_text(data):
    path = data / "jurisdictions" / "ha-tinh.yml"
    replace(path, "  signer: null", '  signer: "\\tTên"')
    assert_refused(check(data), path, line_of(path, 'signer: "'), "signer", "text may not begin with")


# ---------------------------------------------------------------- outputs

def test_the_output_may_not_be_an_input(data):
    before = (data / "sources.yml").read_bytes()
    result = run_limited("--data", data, "--output", data / "sources.yml")
    assert_refused(result, data / "sources.yml", 0, "output", "is inside the data folder")
    assert (data / "sources.yml").read_bytes() == before
    result = run_limited("--data", data, "--output", data / "sources" / "x.db")
    assert_refused(result, data / "sources" / "x.db", 0, "output", "is inside the data folder")


def test_stale_temporary_files_are_removed_and_live_ones_kept(data, tmp_path):
    output = tmp_path / "vn_dx_plans.db"
    stale = tmp_path / ".vn_dx_plans.db.killed1.tmp"
    stale_journal = tmp_path / ".vn_dx_plans.db.killed1.tmp-journal"
    live = tmp_path / ".vn_dx_plans.db.running.tmp"
    other = tmp_path / ".other.db.x.tmp"
    for path in (stale, stale_journal, live, other):
        path.write_bytes(b"x")
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    import fcntl
    holder = os.open(live, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)  # another build is still writing it
    try:
        result = run_limited("--data", data, "--output", output)
    finally:
        os.close(holder)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "data") == [
        ".other.db.x.tmp", ".vn_dx_plans.db.running.tmp", "vn_dx_plans.db"]


def test_all_problems_are_in_form_for_a_mix(data):
    """Several kinds at once: every line in form, the summary last."""
    replace(data / "jurisdictions" / "ha-tinh.yml", "period_start: 2021", "period_start: 1899")
    (data / "jurisdictions" / "lai-chau.yml").write_bytes(b"\xff")
    (data / "jurisdictions" / "x.yaml").write_text("a: 1\n")
    result = check(data)
    assert result.returncode == 1
    assert len(problem_lines(result.stderr)) >= 3


def test_the_same_relation_twice_is_a_problem_not_an_integrity_error(data, tmp_path):
    """Found by the fuzz test: a duplicated line in sectors.yml failed the UNIQUE constraint in SQL."""
    path = data / "sectors.yml"
    text = path.read_text(encoding="utf-8")
    line = next(l for l in text.splitlines() if l.startswith("- {sector: "))
    replace(path, line, line + "\n" + line)
    result = run_in_process("--data", data, "--output", tmp_path / "out.db")
    assert_refused(result, path, line_of(path, line) + 1, "related", "the same sector_relations row twice")


@pytest.mark.parametrize("name", ["x'y.yml", "Tinh B.yml", "tinh_b.yml"])
def test_a_data_file_name_that_is_not_a_plain_id(data, name):
    """The file name is the jurisdiction id, and ids become SQL column names in the matrix view."""
    (data / name).write_text("jurisdiction: {}\n", encoding="utf-8")
    assert_refused(check(data), data / name, 0, "file", "lowercase letters, digits and hyphens")


@pytest.mark.parametrize("value", ["[]", "{a: 1}", "12", "true"])
def test_a_closed_vocabulary_field_that_is_not_text(data, value):
    """Found by the fuzz test: `relation: []` in a document link passed on as a list and broke the key check."""
    path = data / "jurisdictions" / "quang-ninh.yml"
    replace(path, "  - relation: implements", f"  - relation: {value}")
    assert_refused(check(data), path, line_of(path, f"  - relation: {value}"), "relation", "is not one of: implements")
