"""build.py: parsing, validation and the promise that a bad input never breaks the last good build."""
import hashlib
import shutil
import sqlite3
import textwrap
from pathlib import Path

import pytest

import build
import pipeline.load
from conftest import ROOT, run_build

SOURCE_TEXT = "Mục tiêu: đến năm 2025 kinh tế số chiếm 6,5% GRDP; có 1.079 dịch vụ.\nDòng hai: khoảng 20% xã.\n"


# ---------------------------------------------------------------- pure helpers

@pytest.mark.parametrize("value, written", [(6.5, "6,5"), (1079, "1.079"), (398021, "398.021"), (20, "20"), (38.3, "38,3")])
def test_written_number_follows_vietnamese_convention(value, written):
    assert build.written_number(value) == written


@pytest.mark.parametrize("value, text, found", [
    (6.5, "tăng tối thiểu 6,5%", True),
    (6.5, "tăng tối thiểu 6.5%", False),
    (1079, "đã cung cấp 1.079 dịch vụ", True),
    (1, "có ít nhất 01 điện thoại", True),
    (0, "100%", False),
    (10, "100%", False),
    (10, "từ 5-10%", True),
    (45, "vị trí thứ 45/63 tỉnh", True),
    (20, "năm 2025", False),
])
def test_number_in_text(value, text, found):
    assert build.number_in_text(value, text) is found


def test_fold_removes_diacritics_including_d_stroke():
    assert build.fold("Đô thị thông minh, kinh tế số") == "Do thi thong minh, kinh te so"


def test_quote_with_ellipsis_must_keep_order():
    text = build.nfc_norm("90% hồ sơ công việc tại cấp tỉnh; 80% hồ sơ … được xử lý trên môi trường mạng")
    assert build.quote_in_text("90% hồ sơ công việc tại cấp tỉnh … được xử lý trên môi trường mạng", text)
    assert not build.quote_in_text("được xử lý trên môi trường mạng … 90% hồ sơ", text)


# ---------------------------------------------------------------- a tiny dataset, exact rows

def write(folder: Path, name: str, text: str):
    """A catalogue file into the data folder, a jurisdiction file into its jurisdictions/ folder."""
    if name not in build.VOCABULARY_FILES:
        folder = folder / "jurisdictions"
        folder.mkdir(exist_ok=True)
    (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture
def tiny(tmp_path):
    """A minimal data folder with its source text: one source, one indicator, one province."""
    data = tmp_path / "data"
    (data / "sources" / "seeds").mkdir(parents=True)
    (data / "sources" / "seeds" / "001.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    digest = hashlib.sha256(SOURCE_TEXT.encode()).hexdigest()
    shutil.copy(ROOT / "data" / "dataset.yml", data / "dataset.yml")
    write(data, "sources.yml", f"""
        sources:
        - id: seed-001
          kind: news_report
          title: Bài báo
          file_name: seeds/001.txt
          sha256: {digest}
          covers: [tinh-a]
        """)
    write(data, "pillars.yml", """
        pillars:
        - {id: digital-economy, kind: pillar, name_vi: kinh tế số, name_en: digital economy, description: Kinh tế.}
        """)
    write(data, "sectors.yml", """
        sectors:
        - {id: y-te, name_vi: y tế, name_en: health}
        """)
    write(data, "indicators.yml", """
        indicators:
        - id: de-share
          name_vi: Tỷ trọng kinh tế số
          name_en: Digital economy share
          unit: "%"
          pillar: digital-economy
          direction: higher
          definition: Share of GRDP.
        """)
    write(data, "tinh-a.yml", """
        jurisdiction:
          id: tinh-a
          level: province
          name_vi: Tỉnh A
          name_en: A Province
        documents:
        - id: tinh-a-kh
          type: kế hoạch
          programme: cds-2021-2025
          title_vi: Kế hoạch
          title_en: Plan
          label: A plan
          completeness: excerpts
          source: seed-001
        targets:
        - document: tinh-a-kh
          indicator: de-share
          target_year: 2025
          comparator: "="
          value: 6.5
          statement_vi: Đến năm 2025, kinh tế số chiếm 6,5% GRDP.
          statement_en: By 2025, the digital economy is 6.5% of GRDP.
          quote: "đến năm 2025 kinh tế số chiếm 6,5% GRDP"
          locator: line 1
        """)
    return data, data / "sources"


def test_tiny_dataset_loads_exact_rows(tiny, tmp_path):
    data, sources = tiny
    output = tmp_path / "out.db"
    result = run_build("--data", data, "--output", output)
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(output)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM targets")]
    assert rows == [{
        "id": "tinh-a-kh/de-share/2025", "jurisdiction_id": "tinh-a", "document_id": "tinh-a-kh",
        "indicator_id": "de-share", "target_year": 2025, "frequency": None, "comparator": "=", "value": 6.5,
        "value_max": None, "denominator": None, "unit": "%", "scope": None,
        "statement_vi": "Đến năm 2025, kinh tế số chiếm 6,5% GRDP.",
        "statement_en": "By 2025, the digital economy is 6.5% of GRDP.",
        "quote": "đến năm 2025 kinh tế số chiếm 6,5% GRDP", "locator": "line 1", "source_id": "seed-001", "note": None,
        "citation": None, "evidence": "quote", "authority": "news_report", "claim_count": 1,
    }]
    [claim] = [dict(r) for r in conn.execute("SELECT * FROM claims")]
    assert (claim["id"], claim["target_id"], claim["observation_id"], claim["authority_rank"], claim["value"]) == \
        ("tinh-a-kh/de-share/2025@seed-001", "tinh-a-kh/de-share/2025", None, 1, 6.5)
    assert [tuple(r) for r in conn.execute("SELECT source_id, jurisdiction_id FROM source_coverage")] == [("seed-001", "tinh-a")]
    # search without diacritics finds the Vietnamese statement
    assert conn.execute("SELECT count(*) FROM targets_fts WHERE targets_fts MATCH 'kinh te so'").fetchone()[0] == 1


def broken_target(tiny, replacement: dict):
    data, _ = tiny
    path = data / "jurisdictions" / "tinh-a.yml"
    text = path.read_text(encoding="utf-8")
    for old, new in replacement.items():
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_every_problem_is_reported_at_once_with_file_and_line(tiny, tmp_path):
    data, sources = tiny
    broken_target(tiny, {'comparator: "="': 'comparator: "≈"', "value: 6.5": "value: 7.5",
                         "indicator: de-share": "indicator: no-such-indicator"})
    result = run_build("--data", data, "--output", tmp_path / "out.db")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    path = data / "jurisdictions" / "tinh-a.yml"
    shown = build.display_path(path)
    lines = result.stderr.splitlines()
    assert f"{shown}:{line_of(path, 'comparator:')}: comparator: '≈' is not one of: >=, >, =, ~, <=" in lines
    assert f"{shown}:{line_of(path, 'indicator:')}: indicator: unknown indicator 'no-such-indicator'" in lines
    assert any(l.startswith(f"{shown}:{line_of(path, 'value:')}: value: 7.5 is not in the quote") for l in lines)
    assert lines[-1].endswith("problems; " + build.display_path(tmp_path / "out.db") + " left as it was")
    assert not (tmp_path / "out.db").exists()


@pytest.mark.parametrize("replacement, expected", [
    ({"locator: line 1": "locator: line 2"}, "locator: the quote does not start on line 2 of seed-001"),
    ({'quote: "đến năm 2025': 'quote: "đến năm 2026'}, "quote: not found verbatim in seed-001"),
    ({"target_year: 2025": "target_year: 1999"}, "target_year: 1999 is outside 2000–2050"),
    ({"value: 6.5": "value: 6.5\n  value_max: 5"}, "value_max: must be greater than value"),
    ({'comparator: "="': "comparator: ="}, "comparator: cannot read '='; put it in quotes"),
    ({"  locator: line 1": "  locator: line 1\n  colour: red"}, "colour: unknown field for a target"),
    ({"- document: tinh-a-kh": "- document: &doc tinh-a-kh"}, "yaml: anchor &doc is not allowed"),
    ({"target_year: 2025": "target_year: [2025"}, "yaml:"),
    ({"label: A plan": "label: A plan\n  type: kế hoạch"}, "type: key appears twice"),
    ({"level: province": "level: district"}, "level: 'district' is not one of: country, province"),
])
def test_validation_messages(tiny, tmp_path, replacement, expected):
    data, sources = tiny
    broken_target(tiny, replacement)
    result = run_build("--data", data, "--check")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr
    assert all(line.count(":") >= 3 for line in result.stderr.splitlines()[:-1])  # file:line: field: message


def test_an_item_that_is_not_a_mapping_is_placed_at_its_own_line(tiny):
    data, sources = tiny
    broken_target(tiny, {"targets:\n": "targets:\n- just text\n"})
    path = data / "jurisdictions" / "tinh-a.yml"
    result = run_build("--data", data, "--check")
    assert f"{build.display_path(path)}:{line_of(path, '- just text')}: target: expected a mapping of fields, got 'just text'" \
        in result.stderr.splitlines()


def test_duplicate_ids_are_refused(tiny):
    data, sources = tiny
    path = data / "jurisdictions" / "tinh-a.yml"
    text = path.read_text(encoding="utf-8")
    target = text[text.index("- document: tinh-a-kh"):]
    path.write_text(text + target, encoding="utf-8")  # the same target twice
    result = run_build("--data", data, "--check")
    first = line_of(path, "indicator: de-share")
    assert f"indicator: duplicate target id 'tinh-a-kh/de-share/2025' (first at {build.display_path(path)}:{first - 1})" \
        in result.stderr


def test_a_quote_from_a_source_that_does_not_cover_the_jurisdiction_is_refused(tiny):
    data, sources = tiny
    sources = data / "sources.yml"
    sources.write_text(sources.read_text(encoding="utf-8").replace("covers: [tinh-a]", "covers: []"), encoding="utf-8")
    result = run_build("--data", data, "--check")
    assert "source: seed-001 does not cover tinh-a" in result.stderr


def test_a_changed_source_text_is_detected(tiny):
    data, sources = tiny
    (sources / "seeds" / "001.txt").write_text(SOURCE_TEXT + "x", encoding="utf-8")
    result = run_build("--data", data, "--check")
    assert "sha256: does not match" in result.stderr


def test_broken_real_data_leaves_the_previous_database_byte_identical(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    output = tmp_path / "dist" / "vn_dx_plans.db"
    assert run_build("--data", data, "--output", output).returncode == 0
    before = output.read_bytes()

    path = data / "jurisdictions" / "lai-chau.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("indicator: digital-economy-share-of-grdp", "indicator: digital-economy-share", 1)
    path.write_text(text + "\n  - this: [is not closed\n", encoding="utf-8")  # and a syntax error at the end
    (data / "jurisdictions" / "ha-tinh.yml").write_text((data / "jurisdictions" / "ha-tinh.yml").read_text(encoding="utf-8")
                                      .replace("value: 60", "value: 61", 1), encoding="utf-8")

    result = run_build("--data", data, "--output", output)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{build.display_path(path)}:" in result.stderr and "yaml:" in result.stderr
    assert "ha-tinh.yml:" in result.stderr and "value: 61 is not in the quote" in result.stderr
    assert output.read_bytes() == before
    assert sorted(p.name for p in output.parent.iterdir()) == ["vn_dx_plans.db"]  # no temporary file left behind


def test_a_failure_while_writing_is_reported_and_leaves_the_old_database(tmp_path, monkeypatch, capsys):
    output = tmp_path / "vn_dx_plans.db"
    output.write_bytes(b"previous build")

    def fail(*args, **kwargs):
        raise sqlite3.IntegrityError("simulated")

    monkeypatch.setattr(pipeline.load, "insert_rows", fail)  # write_database calls it there
    assert build.main(["--output", str(output)]) == 1
    assert "build failed: IntegrityError: simulated; previous database left as it was" in capsys.readouterr().err
    assert output.read_bytes() == b"previous build"
    assert [p.name for p in tmp_path.iterdir()] == ["vn_dx_plans.db"]


def test_check_writes_nothing(tmp_path):
    result = run_build("--check", "--output", tmp_path / "x.db")
    assert result.returncode == 0 and result.stdout.startswith("ok: ")
    assert not (tmp_path / "x.db").exists()


def test_a_reference_figure_must_be_on_the_line_it_cites_and_beats_a_news_restatement(tiny, tmp_path):
    """A reference source has no quote: its locator names the line of its file that gives the numbers, and its
    statement is used over a news report's (which stays a claim, and shows in discrepancies)."""
    data, sources = tiny
    (sources / "reference").mkdir()
    reference = "# Facts\n\n| measure | figure |\n| digital economy 2025 | 7% of GRDP (checked at example.org) |\n"
    (sources / "reference" / "facts.md").write_text(reference, encoding="utf-8")
    digest = hashlib.sha256(reference.encode()).hexdigest()
    with open(data / "sources.yml", "a", encoding="utf-8") as out:
        out.write(f"- id: ref-facts\n  kind: reference\n  title: Facts\n  file_name: reference/facts.md\n"
                  f"  sha256: {digest}\n  citation: example.org\n  covers: [tinh-a]\n")
    with open(data / "jurisdictions" / "tinh-a.yml", "a", encoding="utf-8") as out:
        out.write("- document: tinh-a-kh\n  source: ref-facts\n  indicator: de-share\n  target_year: 2025\n"
                  "  comparator: \"=\"\n  value: 7\n  statement_vi: Đến năm 2025, kinh tế số chiếm 7% GRDP.\n"
                  "  statement_en: By 2025, the digital economy is 7% of GRDP.\n  locator: line 3\n"
                  "  citation: example.org\n")
    path = data / "jurisdictions" / "tinh-a.yml"
    result = run_build("--data", data, "--check")
    assert f"{build.display_path(path)}:{line_of(path, 'value: 7')}: value: 7 is not on line 3 of reference/facts.md" \
        in result.stderr.splitlines()
    path.write_text(path.read_text(encoding="utf-8").replace("locator: line 3", "locator: line 4"), encoding="utf-8")
    output = tmp_path / "ref.db"
    result = run_build("--data", data, "--output", output)
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(output)
    assert conn.execute("SELECT value, source_id, authority, evidence, claim_count FROM targets").fetchall() == \
        [(7, "ref-facts", "reference", "citation", 2)]
    assert conn.execute("SELECT used_value, other_value, other_source_id FROM discrepancies").fetchall() == [(7, 6.5, "seed-001")]
