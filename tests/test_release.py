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


# ---------------------------------------------------------------- reproducible, citable, readable from any tool

def release_bytes(out: Path) -> dict[str, bytes]:
    """Every file a release writes (the folder, the zip, the manifest), by its path in the output folder."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name not in ("seconds", ".inputs")}


def test_the_release_is_byte_identical_with_the_clock_moved(out, db_path, tmp_path, monkeypatch):
    """Built again years later (the clock, SOURCE_DATE_EPOCH, the umask and the sources' times all moved), from a
    copy of the database: every file, the zip and the manifest have the same bytes."""
    import datetime as dt
    import os
    import xlsxwriter.core

    later = time.time() + 5 * 365 * 86400

    class Clock(type):
        def __instancecheck__(cls, value):
            return isinstance(value, dt.datetime)

    class Later(dt.datetime, metaclass=Clock):  # the clock that xlsxwriter reads, moved
        @classmethod
        def now(cls, tz=None):
            return dt.datetime.fromtimestamp(later, tz)

    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(xlsxwriter.core, "datetime", Later)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(later)))
    copy = tmp_path / "copy.db"
    shutil.copyfile(db_path, copy)
    os.utime(copy, (later, later))
    previous_umask = os.umask(0o077)
    try:
        write_release(tmp_path / "again", db=copy)
    finally:
        os.umask(previous_umask)
    first, again = release_bytes(out), release_bytes(tmp_path / "again")
    assert set(first) == set(again)
    assert [name for name in first if first[name] != again[name]] == [], [n for n in first if first[n] != again[n]]
    with zipfile.ZipFile(out / f"vn-dx-plans-{VERSION}.zip") as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(int(VERSION[:4]), 12, 4, 0, 0, 0)} or len({i.date_time for i in infos}) == 1
    assert {(i.external_attr >> 16) & 0o777 for i in infos} == {0o644, 0o444}


def test_every_date_of_the_release_is_the_released_date(release):
    released = yaml.safe_load((ROOT / "data" / "dataset.yml").read_text(encoding="utf-8"))["dataset"]["released"]
    assert yaml.safe_load((release / "CITATION.cff").read_text(encoding="utf-8"))["date-released"] == released
    assert json.loads((release / "datapackage.json").read_text(encoding="utf-8"))["created"] == f"{released}T00:00:00Z"
    assert json.loads((release / ".zenodo.json").read_text(encoding="utf-8"))["publication_date"] == released
    assert openpyxl.load_workbook(release / "vn_dx_plans.xlsx").properties.created.date().isoformat() == released


def test_a_release_whose_inputs_have_not_changed_is_not_rewritten(db_path, tmp_path, capsys):
    folder = write_release(tmp_path, db=db_path)
    archive = tmp_path / f"{folder.name}.zip"
    before = {p: p.stat().st_mtime_ns for p in (archive, folder / "SHA256SUMS", tmp_path / "manifest.json")}
    assert write_release(tmp_path, db=db_path) == folder
    assert "up to date" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in before} == before
    archive.write_bytes(b"damaged")  # a damaged release is rewritten
    write_release(tmp_path, db=db_path)
    assert zipfile.is_zipfile(archive)
    changed = tmp_path / "changed.db"  # so is one whose database changed
    shutil.copyfile(db_path, changed)
    with sqlite3.connect(changed) as conn:
        conn.execute("UPDATE targets SET value = 25 WHERE id = ?", (LAI_CHAU_2030,))
    write_release(tmp_path, db=changed)
    assert "up to date" not in capsys.readouterr().out
    assert sqlite3.connect(folder / "vn_dx_plans.db").execute(
        "SELECT value FROM targets WHERE id = ?", (LAI_CHAU_2030,)).fetchone()[0] == 25


def cited():
    return citation.cite(citation.facts_from_yaml())


def test_every_how_to_cite_carries_the_version_and_says_what_is_not_yet_published(out, release):
    text = cited()
    assert f"(version {VERSION})" in text and "vn-dx-plans contributors" in text and "CC BY 4.0" in text
    facts = citation.facts_from_yaml()
    assert facts["doi"] is None and "DOI: not yet assigned" in text  # never invented
    assert facts["repository"] is None and "Repository address: not yet published" in text
    cff = yaml.safe_load((release / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["message"].endswith(text) and "doi" not in cff and "repository-code" not in cff
    assert text in (release / "README.md").read_text(encoding="utf-8")
    book = openpyxl.load_workbook(release / "vn_dx_plans.xlsx")
    assert text in [c.value for row in book["about"].iter_rows() for c in row]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["citation"] == text and manifest["bibtex"] == (release / "CITATION.bib").read_text(encoding="utf-8")
    bib = (release / "CITATION.bib").read_text(encoding="utf-8")
    assert bib.startswith("@misc{vn_dx_plans_2026_1,") and f"version = {{{VERSION}}}" in bib and "not yet assigned" in bib
    assert bib.count("{") == bib.count("}")


def test_citations_carry_the_doi_and_repository_once_named():
    facts = {**citation.facts_from_yaml(), "doi": "10.5281/zenodo.1234567",
             "repository": "https://github.com/example/vn-dx-plans"}
    text = citation.cite(facts)
    assert "https://doi.org/10.5281/zenodo.1234567" in text and "https://github.com/example/vn-dx-plans" in text
    assert "not yet" not in text
    cff = citation.render(facts)
    assert citation.problems(cff) == []
    assert yaml.safe_load(cff)["doi"] == "10.5281/zenodo.1234567"
    zenodo = json.loads(citation.zenodo(facts))
    assert zenodo["doi"] == "10.5281/zenodo.1234567"
    assert zenodo["related_identifiers"][0]["identifier"] == "https://github.com/example/vn-dx-plans"
    assert "doi = {10.5281/zenodo.1234567}" in citation.bibtex(facts)


def test_zenodo_metadata_is_generated_from_the_same_facts_as_citation_cff(release):
    text = (ROOT / ".zenodo.json").read_text(encoding="utf-8")
    assert text == citation.zenodo(citation.facts_from_yaml()), ".zenodo.json is out of date: run `make citation`"
    zenodo, cff = json.loads(text), yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert (zenodo["title"], zenodo["version"], zenodo["description"], zenodo["publication_date"]) == \
        (cff["title"], cff["version"], cff["abstract"], cff["date-released"])
    assert [c["name"] for c in zenodo["creators"]] == [a["name"] for a in cff["authors"]]
    assert zenodo["upload_type"] == "dataset" and zenodo["license"] == "cc-by-4.0" and "doi" not in zenodo
    assert json.loads((release / ".zenodo.json").read_text(encoding="utf-8")) == zenodo


def test_the_data_dictionary_travels_with_the_release(release):
    text = (release / "data-dictionary.md").read_text(encoding="utf-8")
    assert text == (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert "`targets`" in text and "target_year" in text


PANDAS_TYPES = {"string": "string", "integer": "int64", "number": "double", "boolean": "bool", "date": "date32[day]"}
DUCKDB_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN", "date": "DATE"}


def test_parquet_files_load_in_pandas_and_duckdb_as_the_csvs(release):
    import duckdb
    import pandas as pd

    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    tables = [r for r in descriptor["resources"] if r["type"] == "table"]
    assert len(tables) > 20
    con = duckdb.connect()
    for resource in tables:
        name, fields = resource["name"], resource["schema"]["fields"]
        with open(release / f"{name}.csv", encoding="utf-8-sig", newline="") as handle:
            from_csv = list(csv.DictReader(handle))
        frame = pd.read_parquet(release / f"{name}.parquet", dtype_backend="pyarrow")
        assert len(frame) == len(from_csv), name
        assert list(frame.columns) == [f["name"] for f in fields], name
        assert {c: str(t).split("[pyarrow]")[0] for c, t in frame.dtypes.items()} == \
            {f["name"]: PANDAS_TYPES[f["type"]] for f in fields}, name
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{release / name}.parquet')").fetchall()
        assert [(r[0], r[1]) for r in described] == [(f["name"], DUCKDB_TYPES[f["type"]]) for f in fields], name
        assert con.execute(f"SELECT count(*) FROM read_parquet('{release / name}.parquet')").fetchone()[0] == \
            len(from_csv), name
        # the same values: each Parquet row written as the CSV writes it
        for read, row in zip(from_csv, frame.astype(object).where(frame.notna(), None).to_dict("records")):
            assert read == {k: "" if v is None else str(int(v) if isinstance(v, float) and v.is_integer() else v)
                            for k, v in row.items()}, name


def readme_blocks(release, language):
    return re.findall(rf"```{language}\n(.*?)```", (release / "README.md").read_text(encoding="utf-8"), re.S)


def targets_by_jurisdiction(release) -> dict[str, int]:
    conn = sqlite3.connect(release / "vn_dx_plans.db")
    return dict(conn.execute("SELECT jurisdiction_id, count(*) FROM targets GROUP BY jurisdiction_id"))


def test_the_release_readme_examples_run(release, monkeypatch):
    """pandas, DuckDB and sqlite3 give the counts the database gives; the R example reads files and columns that
    exist (R is not installed here)."""
    import contextlib
    import io

    import duckdb

    expected = targets_by_jurisdiction(release)
    assert expected["lai-chau"] > 50 and len(expected) > 60  # the 63 provinces, the units of 2025, the nation
    monkeypatch.chdir(release)
    (python,) = readme_blocks(release, "python")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(python, {})
    found = dict(re.findall(r"^([a-z0-9-]+)\s+(\d+)$", printed.getvalue(), re.M))
    assert {k: int(v) for k, v in found.items()} == expected
    (sql,) = readme_blocks(release, "sql")
    assert dict(duckdb.sql(sql).fetchall()) == expected
    (shell,) = readme_blocks(release, "sh")
    if shutil.which("sqlite3"):
        result = subprocess.run(shell.strip(), shell=True, capture_output=True, text=True, timeout=60)
        rows = list(csv.reader(result.stdout.splitlines()))
        assert rows[0] == ["jurisdiction_id", "targets"] and {k: int(v) for k, v in rows[1:]} == expected
    (r,) = readme_blocks(release, "r")
    for file_name in re.findall(r'"([^"]+\.(?:parquet|csv))"', r):
        assert (release / file_name).is_file(), file_name
    for column in re.findall(r"\$(\w+)", r):
        assert column in exported_columns(release, "targets")


def exported_columns(release, name):
    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    return [f["name"] for r in descriptor["resources"] if r["name"] == name for f in r["schema"]["fields"]]


def test_the_downloads_page_cites_the_release_with_its_version(out, db_path):
    from test_site import make_client, page

    html = page(make_client(db_path, out), "/downloads")
    quoted = re.search(r'<blockquote class="citation">(.*?)</blockquote>', html, re.S).group(1)
    assert f"(version {VERSION})" in quoted and "not yet assigned" in quoted
    assert html.count(f"version = {{{VERSION}}}") == 1  # the BibTeX entry


def test_a_second_clone_builds_the_same_release_bytes(out, tmp_path):
    """The repository's files copied elsewhere (a new clone: no .cache, so the schema is migrated afresh, in
    another process with another hash seed), built and released as `make release` does: the same SHA256SUMS,
    zip and manifest."""
    import os

    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    clone = tmp_path / "clone"
    for name in filter(None, listed.stdout.split("\0")):
        if (ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, clone / name)
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    for command in (["build.py", "--no-cache", "--output", "dist/vn_dx_plans.db"],
                    ["-m", "release.release", "--db", "dist/vn_dx_plans.db", "--out", "dist/release"]):
        result = subprocess.run([sys.executable, *command], cwd=clone, env=env, capture_output=True, text=True,
                                timeout=600)
        assert result.returncode == 0, result.stderr[-2000:]
    again = clone / "dist" / "release"
    for name in (f"vn-dx-plans-{VERSION}/SHA256SUMS", f"vn-dx-plans-{VERSION}.zip", "manifest.json"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name
