"""The views that read derived tables give exactly the rows of their defining SQL, and create_derived
remakes them from the tables' current rows (whole, or one jurisdiction at a time)."""
import shutil
import sqlite3

import pytest
import yaml

from conftest import ROOT
from release import tables
from schema import views

TARGET = "lai-chau-09-nq-tu/digital-economy-share-of-grdp/2030"


def rows(conn, sql):
    return sorted(repr(tuple(r)) for r in conn.execute(sql))


def same_as_definitions(conn):
    for derived in views.DERIVED:
        assert rows(conn, f"SELECT * FROM [{derived.view}]") == rows(conn, derived.sql), derived.view
        assert rows(conn, derived.fill) == rows(conn, derived.sql), derived.view


@pytest.fixture
def copy(db_path, tmp_path):
    path = tmp_path / "copy.db"
    shutil.copyfile(db_path, path)
    conn = sqlite3.connect(path)
    yield conn
    conn.close()


def test_views_give_the_rows_of_their_definition(db):
    same_as_definitions(db)
    assert db.execute("SELECT count(*) FROM target_comparison").fetchone()[0] > 100
    assert db.execute("SELECT count(*) FROM discrepancies").fetchone()[0] > 0
    assert db.execute("SELECT count(*) FROM target_coverage WHERE has_target = 'no'").fetchone()[0] > 0


def test_views_keep_their_columns_and_declared_types(db):
    for derived in views.DERIVED:
        db.execute(f"CREATE TEMP VIEW definition AS {derived.sql}")
        try:
            assert db.execute(f"PRAGMA table_info([{derived.view}])").fetchall() == \
                db.execute("PRAGMA temp.table_info(definition)").fetchall(), derived.view
        finally:
            db.execute("DROP VIEW temp.definition")
        assert list(views.VIEW_DOCS[derived.view]["columns"]) == \
            [r[1] for r in db.execute(f"PRAGMA table_info([{derived.view}])")]


def test_whole_numbers_stay_whole(db):
    assert db.execute("SELECT count(*) FROM target_comparison WHERE typeof(difference) = 'integer'").fetchone()[0] > 0


def test_create_derived_again_refreshes_from_the_tables(copy):
    before = copy.execute("SELECT value, difference FROM target_comparison WHERE target_id = ?", (TARGET,)).fetchone()
    with copy:
        copy.execute("UPDATE targets SET value = value + 5 WHERE id = ?", (TARGET,))
        copy.execute("DELETE FROM claims WHERE target_id IN (SELECT id FROM targets WHERE jurisdiction_id = 'ha-tinh')")
        copy.execute("DELETE FROM targets WHERE jurisdiction_id = 'ha-tinh'")
    stale = copy.execute("SELECT value FROM target_comparison WHERE target_id = ?", (TARGET,)).fetchone()
    assert stale == before[:1]  # the derived rows are what the last create_derived computed
    with copy:
        views.create_derived(copy)
    after = copy.execute("SELECT value, difference FROM target_comparison WHERE target_id = ?", (TARGET,)).fetchone()
    assert after[0] == before[0] + 5
    assert copy.execute("SELECT count(*) FROM target_comparison WHERE jurisdiction_id = 'ha-tinh'").fetchone()[0] == 0
    assert copy.execute("SELECT DISTINCT has_target FROM target_coverage WHERE jurisdiction_id = 'ha-tinh'"
                        ).fetchall() == [("not stated",)]
    same_as_definitions(copy)


def test_refreshing_one_jurisdiction_gives_what_a_whole_refresh_gives(copy, tmp_path):
    with copy:
        copy.execute("UPDATE targets SET value = value + 5 WHERE id = ?", (TARGET,))
        copy.execute("UPDATE claims SET value = value + 1 WHERE target_id = ? AND authority_rank = 1", (TARGET,))
        views.create_derived(copy, jurisdictions=["lai-chau"])
    same_as_definitions(copy)
    partial = {d.view: rows(copy, f"SELECT * FROM [{d.view}]") for d in views.DERIVED}
    with copy:
        views.create_derived(copy)
    assert partial == {d.view: rows(copy, f"SELECT * FROM [{d.view}]") for d in views.DERIVED}


def test_refreshing_the_national_programme_refreshes_everything(copy):
    national = copy.execute("SELECT national_target_id FROM target_comparison WHERE national_target_id IS NOT NULL "
                            "LIMIT 1").fetchone()[0]
    with copy:
        copy.execute("UPDATE targets SET value = value + 7 WHERE id = ?", (national,))
        views.create_derived(copy, jurisdictions=[views.NATIONAL])
    same_as_definitions(copy)


def test_derived_tables_are_hidden_documented_and_not_exported(db_path):
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))["databases"]["vn_dx_plans"]
    for table, view in views.DERIVED_TABLES.items():
        assert metadata["tables"][table]["hidden"] is True
        assert metadata["tables"][table]["columns"] == metadata["tables"][view]["columns"]
        assert not metadata["tables"][view].get("hidden")
    exported = {r.name for r in tables.relations(tables.open_database(db_path))}
    assert not exported & set(views.DERIVED_TABLES)
    assert {d.view for d in views.DERIVED} <= exported


def test_derived_tables_have_their_indexes(db):
    for derived in views.DERIVED:
        indexed = {tuple(r[2] for r in db.execute(f"PRAGMA index_info([{i[1]}])"))
                   for i in db.execute(f"PRAGMA index_list([{derived.table}])")}
        assert set(derived.indexes) <= indexed, derived.table
