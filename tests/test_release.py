"""The downloadable release (`make release`): every file opened and checked the way a user would."""
import asyncio
import csv
import hashlib
import json
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
import yaml
from datasette.app import Datasette

from conftest import ROOT
from release import citation
from release.export import sheet_names, write_cell
from release.release import changelog, write_release

BIN = Path(sys.executable).parent
VERSION = yaml.safe_load((ROOT / "data" / "dataset.yml").read_text(encoding="utf-8"))["dataset"]["version"]
LAI_CHAU_2030 = "lai-chau-09-nq-tu/digital-economy-share-of-grdp/2030"


@pytest.fixture(scope="module")
def out(db_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("release")
    started = time.monotonic()
    write_release(folder, db=db_path)
    folder.joinpath("seconds").write_text(str(time.monotonic() - started))
    return folder


@pytest.fixture(scope="module")
def release(out):
    return out / f"vn-dx-plans-{VERSION}"


def exported(release):
    """The names of the tables and views exported, from the data package."""
    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    return [r["name"] for r in descriptor["resources"] if r["type"] == "table"]


def test_release_is_named_by_the_version_in_the_database_and_fast(out, release, db_path):
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT value FROM dataset_info WHERE key = 'version'").fetchone()[0] == VERSION
    assert release.is_dir() and (out / f"vn-dx-plans-{VERSION}.zip").is_file()
    assert float((out / "seconds").read_text()) < 60
    for name in ("vn_dx_plans.db", "vn_dx_plans.xlsx", "datapackage.json", "CITATION.cff", "LICENSE", "LICENSE-CODE",
                 "CHANGELOG.md", "README.md", "SHA256SUMS", "targets.csv", "targets.json", "target_comparison.csv",
                 "sources/README.md", "sources/seeds/004_d77e8e98e996866d.txt"):
        assert (release / name).is_file(), name
    assert not list(out.glob(".staging-*"))


def test_the_database_opens_read_only_analyzed_and_whole(release, db_path):
    path = release / "vn_dx_plans.db"
    assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    conn.execute("ATTACH ? AS built", (f"file:{db_path}?mode=ro",))
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')").fetchall():
        assert conn.execute(f"SELECT * FROM [{name}] EXCEPT SELECT * FROM built.[{name}]").fetchall() == [], name
        assert conn.execute(f"SELECT count(*) FROM [{name}]").fetchone() == \
            conn.execute(f"SELECT count(*) FROM built.[{name}]").fetchone(), name
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0] > 0  # ANALYZEd
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0  # VACUUMed
    assert conn.execute("SELECT value FROM targets WHERE id = ?", (LAI_CHAU_2030,)).fetchone()[0] == 20


def test_every_table_and_view_is_exported_once_and_nothing_internal(release):
    names = exported(release)
    assert {"targets", "observations", "indicators", "dataset_info", "target_comparison", "target_coverage",
            "priority_sector_matrix", "priority_sectors_expanded"} <= set(names)
    assert not [n for n in names if n.endswith("_fts") or "_fts_" in n or n in ("alembic_version", "sqlite_stat1")]
    conn = sqlite3.connect(release / "vn_dx_plans.db")
    views = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert views <= set(names)


def test_csv_has_a_bom_whole_numbers_and_comparators_as_text(release):
    raw = (release / "targets.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with open(release / "targets.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    row = next(r for r in rows if r["id"] == LAI_CHAU_2030)
    assert row["value"] == "20" and row["comparator"] == "=" and row["locator"] == "II.2.2.2.b"
    assert {r["comparator"] for r in rows} >= {"=", ">=", ""}
    conn = sqlite3.connect(release / "vn_dx_plans.db")
    assert len(rows) == conn.execute("SELECT count(*) FROM targets").fetchone()[0]
    assert '"=",20,' in raw.decode("utf-8-sig")  # text quoted, numbers not
    for name in exported(release):
        text = (release / f"{name}.csv").read_text(encoding="utf-8-sig")
        assert not re.search(r"(^|,)-?\d+\.0(,|\r\n)", text, re.M), f"{name}.csv writes a whole number as N.0"


def test_every_csv_reads_back_as_its_json(release):
    """Line breaks inside a field, quotes, commas and diacritics survive the round trip."""
    for name in exported(release):
        with open(release / f"{name}.csv", encoding="utf-8-sig", newline="") as handle:
            from_csv = list(csv.DictReader(handle))
        from_json = json.loads((release / f"{name}.json").read_text(encoding="utf-8"))
        assert len(from_csv) == len(from_json), name
        for read, row in zip(from_csv, from_json):
            assert read == {k: "" if v is None else str(v) for k, v in row.items()}, name


def test_json_holds_the_same_rows_with_numbers_as_numbers(release):
    rows = json.loads((release / "targets.json").read_text(encoding="utf-8"))
    row = next(r for r in rows if r["id"] == LAI_CHAU_2030)
    assert row["value"] == 20 and isinstance(row["value"], int) and "Kinh tế số chiếm 20% GRDP" in row["quote"]
    comparison = json.loads((release / "target_comparison.json").read_text(encoding="utf-8"))
    assert comparison and all(not isinstance(r["value"], float) or not r["value"].is_integer() for r in comparison)


def test_the_workbook_reads_back_with_text_as_text(release):
    book = openpyxl.load_workbook(release / "vn_dx_plans.xlsx")
    names = exported(release)
    assert book.sheetnames[0] == "about" and len(book.sheetnames) == len(names) + 1
    assert all(len(n) <= 31 for n in book.sheetnames) and len(set(book.sheetnames)) == len(book.sheetnames)
    about = "\n".join(str(c.value) for row in book["about"].iter_rows() for c in row if c.value is not None)
    for text in (VERSION, "CC-BY-4.0", "How to cite", "Phiên bản", "chuyển đổi số", "target_comparison"):
        assert text in about, text
    sheet = book["targets"]
    header = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "A2"
    found = {}
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(header, row))
        found[cells["id"].value] = cells
        if cells["comparator"].value is not None:
            assert cells["comparator"].data_type == "s"
    assert found[LAI_CHAU_2030]["comparator"].value == "=" and found[LAI_CHAU_2030]["value"].value == 20
    assert {c["comparator"].value for c in found.values()} >= {"=", ">="}
    widths = [d.width for d in sheet.column_dimensions.values() if d.width]
    assert widths and max(widths) <= 63 and min(widths) >= 4


def test_cells_that_look_like_formulas_stay_text(tmp_path):
    path = tmp_path / "t.xlsx"
    tricky = ["=", ">=", "=SUM(A1:A2)", "+84 20", "-5%", "@home", "0123", "2025-01-01", "http://example.org"]
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                           "strings_to_urls": False})
    sheet = book.add_worksheet()
    for row, value in enumerate(tricky + [20, 6.5, None]):
        write_cell(sheet, row, 0, value)
    book.close()
    read = [row[0] for row in openpyxl.load_workbook(path).active.iter_rows()]
    assert [c.value for c in read[:len(tricky)]] == tricky and {c.data_type for c in read[:len(tricky)]} == {"s"}
    assert [c.value for c in read[len(tricky):len(tricky) + 2]] == [20, 6.5]


def test_sheet_names_are_short_unique_and_legal():
    names = sheet_names(["a" * 40, "a" * 40 + "x", "about", "x/y:z"], reserved=["about"])
    assert all(len(n) <= 31 for n in names.values()) and len(set(map(str.lower, names.values()))) == 4
    assert names["x/y:z"] == "x_y_z" and names["about"] != "about"


def test_frictionless_validates_the_data_package(release):
    result = subprocess.run([str(BIN / "frictionless"), "validate", "--json", str(release / "datapackage.json")],
                            capture_output=True, text=True, timeout=600)
    report = json.loads(result.stdout)
    assert report["valid"], json.dumps(report, ensure_ascii=False)[:3000]
    assert result.returncode == 0
    assert {t["name"] for t in report["tasks"]} >= {"vn_dx_plans_sqlite", "vn_dx_plans_xlsx", "targets", "target_coverage"}


def test_the_data_package_describes_everything(release):
    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["name"] == "vn-dx-plans" and descriptor["version"] == VERSION
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", descriptor["created"])
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0" and descriptor["contributors"] and descriptor["title"]
    assert any("Báo Quảng Ngãi" in s["title"] for s in descriptor["sources"])
    database = next(r for r in descriptor["resources"] if r["name"] == "vn_dx_plans_sqlite")
    assert database["format"] == "sqlite" and database["bytes"] == (release / "vn_dx_plans.db").stat().st_size
    assert database["hash"] == "sha256:" + hashlib.sha256((release / "vn_dx_plans.db").read_bytes()).hexdigest()
    for resource in descriptor["resources"]:
        assert resource["description"], resource["name"]
        for field in resource.get("schema", {}).get("fields", []):
            assert field["type"] != "any" and field["description"], (resource["name"], field)
    by_name = {r["name"]: r for r in descriptor["resources"]}
    targets = by_name["targets"]["schema"]
    assert targets["primaryKey"] == ["id"]
    assert {"fields": ["indicator_id"], "reference": {"resource": "indicators", "fields": ["id"]}} in targets["foreignKeys"]
    types = {f["name"]: f["type"] for f in targets["fields"]}
    assert types["value"] == "number" and types["target_year"] == "integer" and types["quote"] == "string"
    coverage = {f["name"]: f["type"] for f in by_name["target_coverage"]["schema"]["fields"]}
    assert coverage["target_count"] == "integer" and coverage["has_target"] == "string"
    comparison = {f["name"]: f["type"] for f in by_name["target_comparison"]["schema"]["fields"]}
    assert comparison["difference"] == "number" and comparison["national_value"] == "number"


def test_citation_cff_is_valid_and_carries_the_version(release):
    text = (release / "CITATION.cff").read_text(encoding="utf-8")
    assert citation.problems(text) == []
    cff = yaml.safe_load(text)
    assert cff["cff-version"] == "1.2.0" and cff["version"] == VERSION and cff["license"] == "CC-BY-4.0"
    assert cff["type"] == "dataset" and re.fullmatch(r"\d{4}-\d\d-\d\d", cff["date-released"])
    assert citation.problems("cff-version: 1.2.0\ntitle: x\n")  # the schema does catch a bad file


def test_repository_citation_cff_is_generated_from_dataset_yml():
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert text == citation.render(citation.facts_from_yaml()), "CITATION.cff is out of date: run `make citation`"
    assert citation.problems(text) == []


def test_sha256sums_lists_and_matches_every_file(release):
    listed = {}
    for line in (release / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == files
    for name, digest in listed.items():
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest, name
    if shutil.which("sha256sum"):
        result = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=release, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_zip_and_manifest_list_every_file_with_size_and_checksum(out, release):
    archive = out / f"vn-dx-plans-{VERSION}.zip"
    files = sorted(p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file())
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == [f"{release.name}/{f}" for f in files]
        assert zf.read(f"{release.name}/targets.csv") == (release / "targets.csv").read_bytes()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["name"], manifest["version"], manifest["license"]) == ("vn-dx-plans", VERSION, "CC-BY-4.0")
    assert manifest["citation"]
    paths = [f["path"] for f in manifest["files"]]
    assert paths[0] == archive.name and sorted(paths[1:]) == [f"{release.name}/{f}" for f in files]
    for entry in manifest["files"]:
        path = out / entry["path"]
        assert entry["bytes"] == path.stat().st_size and entry["description"]
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_licences_readme_and_sources_travel_with_the_data(release):
    assert "Attribution 4.0 International" in (release / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in (release / "LICENSE-CODE").read_text(encoding="utf-8")
    readme = (release / "README.md").read_text(encoding="utf-8")
    for text in ("remain their publishers'", "LibreOffice", "Excel", "sha256sum -c", "vn_dx_plans.xlsx", VERSION):
        assert text in readme, text
    for path in (ROOT / "data" / "sources").rglob("*"):
        if path.is_file():
            assert (release / "sources" / path.relative_to(ROOT / "data" / "sources")).read_bytes() == path.read_bytes()
    assert "First release" in (release / "CHANGELOG.md").read_text(encoding="utf-8")


def test_changelog_keeps_hand_written_text_and_replaces_the_generated_block():
    text = "# Changelog\n\nIntro.\n\n## 2026.1\n\nHand text.\n"
    first = changelog(text, "2026.2", "2026-12-01", "- `targets`: 1 added\n")
    assert first.index("## 2026.2 (2026-12-01)") < first.index("## 2026.1") and "1 added" in first
    again = changelog(first, "2026.2", "2026-12-02", "- `targets`: 2 added\n")
    assert "2 added" in again and "1 added" not in again and again.count("## 2026.2") == 1
    assert changelog(text, "2026.1", "2026-12-01", None) == text
    assert "First release." in changelog("# Changelog\n", "2026.1", "2026-12-01", None)
    assert "PREVIOUS=" in changelog(text, "2026.2", "2026-12-01", None)
    kept = changelog(again.replace("## 2026.2 (2026-12-01)\n", "## 2026.2 (2026-12-01)\n\nEdited by hand.\n"),
                     "2026.2", "2026-12-03", "- `targets`: 3 added\n")
    assert "Edited by hand." in kept and "3 added" in kept and "2 added" not in kept


# ---------------------------------------------------------------- what changed

def test_make_diff_reports_exactly_one_changed_one_added_one_removed_row(release, tmp_path):
    changed = tmp_path / "changed.db"
    shutil.copyfile(release / "vn_dx_plans.db", changed)
    changed.chmod(0o644)
    conn = sqlite3.connect(changed)
    with conn:
        conn.execute("UPDATE targets SET value = 25 WHERE id = ?", (LAI_CHAU_2030,))
        conn.execute("INSERT INTO sectors (id, name_vi, name_en) VALUES ('space', 'Vũ trụ', 'Space')")
        conn.execute("DELETE FROM indicator_relations WHERE id = (SELECT max(id) FROM indicator_relations)")
        # renumbering a table keyed by row number changes nothing: its rows are matched by their natural key
        conn.execute("UPDATE source_coverage SET id = id + 1000")
    conn.close()
    out = tmp_path / "diff"
    result = subprocess.run(["make", "-s", "--no-print-directory", "diff", f"FROM={release}", f"TO={changed}",
                             f"DIFF_OUT={out}"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = list(csv.DictReader(open(out / "diff.csv", encoding="utf-8-sig", newline="")))
    assert sorted((r["table"], r["change"], r["column"]) for r in lines) == [
        ("indicator_relations", "removed", ""), ("sectors", "added", ""), ("targets", "changed", "value")]
    value = next(r for r in lines if r["change"] == "changed")
    assert (value["key"], value["old"], value["new"]) == (LAI_CHAU_2030, "20", "25")
    report = json.loads((out / "diff.json").read_text(encoding="utf-8"))
    counts = {name: (len(t["added"]), len(t["removed"]), len(t["changed"])) for name, t in report["tables"].items()}
    assert {n: c for n, c in counts.items() if any(c)} == {"targets": (0, 0, 1), "sectors": (1, 0, 0),
                                                          "indicator_relations": (0, 1, 0)}
    text = (out / "diff.txt").read_text(encoding="utf-8")
    assert "1 row changed" in text and '"20" => "25"' in text and "Space" in text and "1 row removed" in text
    assert text in result.stdout


def test_release_changelog_is_generated_from_the_previous_release(release, db_path, tmp_path):
    previous = tmp_path / "previous.db"
    shutil.copyfile(db_path, previous)
    conn = sqlite3.connect(previous)
    with conn:
        conn.execute("UPDATE dataset_info SET value = '2025.9' WHERE key = 'version'")
        conn.execute("UPDATE targets SET value = 15 WHERE id = ?", (LAI_CHAU_2030,))
    conn.close()
    folder = write_release(tmp_path / "out", db=db_path, previous=previous)
    text = (folder / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "Data changes since 2025.9" in text and "`dataset_info`: 1 changed" in text and "<!-- generated" in text
    assert f"changed `{LAI_CHAU_2030}` (value)" in text


# ---------------------------------------------------------------- served as a release is served

def test_served_immutable_with_the_release_under_downloads(out, db_path):
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-i $(DB)" in makefile and "--static downloads:$(RELEASE)" in makefile
    datasette = Datasette(immutables=[str(db_path)], static_mounts=[("downloads", str(out))])

    async def get(path):
        return await datasette.client.get(path)

    assert asyncio.run(get("/vn_dx_plans.db")).status_code == 200
    manifest = asyncio.run(get("/downloads/manifest.json"))
    assert manifest.status_code == 200 and manifest.json()["version"] == VERSION
    first = manifest.json()["files"][1]["path"]
    assert asyncio.run(get(f"/downloads/{first}")).status_code == 200


# ---------------------------------------------------------------- for people who query the file

def readme_recipes():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.partition("## Querying the file from the command line")[2].split("\n## ", 1)[0]
    return [line for block in re.findall(r"```sh\n(.*?)```", section, re.S) for line in block.splitlines()
            if line.startswith("sqlite-utils ")]


@pytest.mark.parametrize("recipe", readme_recipes())
def test_readme_sqlite_utils_recipe_runs(recipe, db_path, tmp_path):
    import shlex

    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "vn_dx_plans.db").symlink_to(db_path)
    command = shlex.split(recipe)
    result = subprocess.run([str(BIN / command[0]), *command[1:]], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) >= 2, result.stdout
    if "--csv" in command:
        assert len(list(csv.reader(lines))[0]) >= 2
    if "github" in command:
        assert lines[0].startswith("|") and set(lines[1]) <= set("|-: ")


def test_readme_has_the_recipes():
    recipes = readme_recipes()
    assert any("tables" in r and "--counts" in r for r in recipes)
    assert any("--csv" in r for r in recipes) and any("--fmt github" in r for r in recipes)


# ---------------------------------------------------------------- contributors

def test_alembic_check_works_as_the_readme_says():
    result = subprocess.run([str(BIN / "alembic"), "check"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "No new upgrade operations detected" in result.stdout + result.stderr
