"""Descriptions live on the models; metadata.yml, the data dictionary and the data package follow them."""
import sqlite3

import yaml

from conftest import ROOT
from schema import docs, views
from schema.models import Base


def test_metadata_yml_is_generated_from_the_models():
    current = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
    assert (ROOT / "metadata.yml").read_text(encoding="utf-8") == docs.render_metadata(current), \
        "metadata.yml is out of date: run `make docs`"


def test_data_dictionary_is_generated_from_the_models():
    assert (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8") == docs.render_dictionary(), \
        "docs/data-dictionary.md is out of date: run `make docs`"


def test_every_table_view_and_column_of_the_database_is_described(db_path):
    tables = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))["databases"]["vn_dx_plans"]["tables"]
    conn = sqlite3.connect(db_path)
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                                        "AND name NOT LIKE '%_fts%' AND name NOT IN ('alembic_version', 'sqlite_stat1')")]
    assert set(names) == set(Base.metadata.tables) | set(views.VIEW_DOCS) | set(views.DERIVED_TABLES)
    for name in names:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info([{name}])")]
        described = tables[name]["columns"]
        assert list(described) == columns, name
        assert all(isinstance(text, str) and len(text) > 5 for text in described.values()), name
        assert tables[name]["description"]


def test_every_model_column_has_a_comment():
    for table in Base.metadata.tables.values():
        assert table.comment, table.name
        for column in table.columns:
            assert column.comment, f"{table.name}.{column.name}"


def test_label_columns_exist(db_path):
    tables = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))["databases"]["vn_dx_plans"]["tables"]
    conn = sqlite3.connect(db_path)
    for name, options in tables.items():
        if options.get("label_column"):
            assert options["label_column"] in [r[1] for r in conn.execute(f"PRAGMA table_info([{name}])")], name
