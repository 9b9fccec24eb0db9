"""row_history (issue 18): a release's diff against the one before it, kept in data/history/, built into the
table row_history and shown on each row's page."""
import csv
import shutil
import sqlite3

import pytest

import build
from conftest import ROOT
from pipeline import history as pipeline_history
from release import history
from test_site import make_client, page, text

LAI_CHAU_2030 = "lai-chau-09-nq-tu/digital-economy-share-of-grdp/2030"
ROW_PAGE = "/vn_dx_plans/targets/lai-chau-09-nq-tu~2Fdigital-economy-share-of-grdp~2F2030"


@pytest.fixture(scope="module")
def later(db_path, tmp_path_factory):
    """The data as released after a previous release, 2025.9, in which the Lai Châu 2030 target was 15 and a
    sector 'space' existed: its history written by `make history`, then built."""
    folder = tmp_path_factory.mktemp("history")
    previous = folder / "previous.db"
    shutil.copyfile(db_path, previous)
    with sqlite3.connect(previous) as conn:
        conn.execute("UPDATE dataset_info SET value = '2025.9' WHERE key = 'version'")
        conn.execute("UPDATE targets SET value = 15 WHERE id = ?", (LAI_CHAU_2030,))
        conn.execute("INSERT INTO sectors (id, name_vi, name_en) VALUES ('space', 'Vũ trụ', 'Space')")
        # a table numbered by row: its rows are followed by their natural key (source, jurisdiction)
        conn.execute("DELETE FROM source_coverage WHERE source_id = 'seed-001' AND jurisdiction_id = 'ha-tinh'")
    data = folder / "data"
    shutil.copytree(ROOT / "data", data)
    assert history.main([str(previous), str(db_path), "--data", str(data)]) == 0
    built = folder / "vn_dx_plans.db"
    assert build.main(["--data", str(data), "--output", str(built)]) == 0
    return data, built


def test_make_history_writes_the_releases_diff_into_the_data(later):
    data, _ = later
    with open(data / "history" / "2026.1.csv", encoding="utf-8", newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert {(r["table_name"], r["change"], r["row_key"], r["column_name"]) for r in lines} == {
        ("targets", "changed", LAI_CHAU_2030, "value"), ("sectors", "removed", "space", ""),
        ("dataset_info", "changed", "version", "value"), ("source_coverage", "added", "seed-001, ha-tinh", "")}
    assert {r["version"] for r in lines} == {"2026.1"} and {r["previous_version"] for r in lines} == {"2025.9"}


def test_the_build_puts_every_releases_changes_in_row_history(later):
    _, built = later
    conn = sqlite3.connect(built)
    rows = conn.execute("SELECT version, previous_version, table_name, key_columns, row_key, change, column_name, "
                        "old_value, new_value FROM row_history ORDER BY id").fetchall()
    assert ("2026.1", "2025.9", "targets", "id", LAI_CHAU_2030, "changed", "value", "15", "20") in rows
    removed = next(r for r in rows if r[5] == "removed")
    assert removed[2:7] == ("sectors", "id", "space", "removed", None) and '"name_en": "Space"' in removed[7]


def test_the_repositorys_history_is_what_the_build_holds(db):
    assert [tuple(r) for r in db.execute("SELECT * FROM row_history ORDER BY id")] == \
        [tuple(r.values()) for r in pipeline_history.rows(ROOT / "data")]


def test_a_rows_page_shows_its_changes_in_later_releases(later, fake_release):
    _, built = later
    html = page(make_client(built, fake_release), ROW_PAGE)
    section = text(html.split('class="row-history"', 1)[1].split("</section>", 1)[0])
    assert "Changes across releases" in section and "2026.1 2025.9 changed value 15 20" in section


def test_a_row_of_a_table_numbered_by_row_finds_its_changes_by_its_natural_key(later, fake_release):
    _, built = later
    number = sqlite3.connect(built).execute("SELECT id FROM source_coverage WHERE source_id = 'seed-001' "
                                            "AND jurisdiction_id = 'ha-tinh'").fetchone()[0]
    html = page(make_client(built, fake_release), f"/vn_dx_plans/source_coverage/{number}")
    section = text(html.split('class="row-history"', 1)[1].split("</section>", 1)[0])
    assert "2026.1 2025.9 added" in section


def test_a_row_without_changes_says_so(db_path, fake_release):
    html = page(make_client(db_path, fake_release), ROW_PAGE)
    assert "No change to this row is recorded in any release up to 2026.1" in text(html)
