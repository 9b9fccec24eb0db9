"""Models and migrations agree; migrations go up, down and up again; one head."""
import sqlite3

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from conftest import ROOT
from schema import models


@pytest.fixture
def alembic_config(tmp_path):
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{tmp_path / 'migrated.db'}")
    config.attributes["configure_logger"] = False
    return config, tmp_path / "migrated.db"


def tables(path):
    """Each table's and index's definition, as a set of clauses: batch migrations recreate tables with
    their constraints in no fixed order, and the order of clauses means nothing to SQLite."""
    conn = sqlite3.connect(path)
    try:
        return {r[0]: frozenset(clause.strip().rstrip(",") for clause in r[1].splitlines())
                for r in conn.execute("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index') "
                                      "AND name NOT LIKE 'sqlite_%'")}
    finally:
        conn.close()


def test_one_head():
    config = Config(str(ROOT / "alembic.ini"))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_models_and_migrations_agree(alembic_config):
    config, _ = alembic_config
    command.upgrade(config, "head")
    command.check(config)  # raises if autogenerate would produce any operation


def test_upgrade_downgrade_upgrade(alembic_config):
    config, path = alembic_config
    command.upgrade(config, "head")
    first = tables(path)
    assert set(models.Base.metadata.tables) <= set(first)
    command.downgrade(config, "base")
    assert set(tables(path)) == {"alembic_version"}
    command.upgrade(config, "head")
    assert tables(path) == first


def test_built_database_has_the_migrated_schema(alembic_config, db_path):
    config, path = alembic_config
    command.upgrade(config, "head")
    built = tables(db_path)
    for name, sql in tables(path).items():
        assert built[name] == sql


def test_check_constraints_guard_the_closed_domains(alembic_config):
    config, path = alembic_config
    command.upgrade(config, "head")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.executescript("""
        INSERT INTO sources (id, kind, title) VALUES ('s', 'news_report', 'T');
        INSERT INTO jurisdictions (id, level, name_vi, name_en, in_63, in_34) VALUES ('j', 'province', 'J', 'J', 1, 1);
        INSERT INTO pillars (id, kind, name_vi, name_en, description, sort_order) VALUES ('p', 'pillar', 'P', 'P', 'P', 1);
        INSERT INTO indicators (id, name_vi, name_en, unit, pillar_id, definition, direction)
            VALUES ('i', 'I', 'I', '%', 'p', 'D', 'higher');
    """)
    good = dict(id="t", jurisdiction_id="j", indicator_id="i", target_year=2025, comparator=">=", value=50,
                unit="%", statement_vi="S", statement_en="S", quote="Q", source_id="s", evidence="quote",
                authority="news_report", claim_count=1)

    def insert(**changes):
        row = {**good, **changes}
        conn.execute(f"INSERT INTO targets ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))
        conn.execute("DELETE FROM targets")

    insert()
    for bad in (dict(comparator="≈"), dict(value=120), dict(target_year=2051), dict(value=None),
                dict(value=10, value_max=5), dict(indicator_id="missing"), dict(frequency="monthly"),
                dict(evidence="hearsay"), dict(authority="blog"), dict(claim_count=0)):
        with pytest.raises(sqlite3.IntegrityError):
            insert(**bad)

    def insert_into(table, **row):
        conn.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))
        conn.execute(f"DELETE FROM {table} WHERE id = ?", (row["id"],))

    place = dict(id="k", level="province", name_vi="K", name_en="K", in_63=0, in_34=1)
    insert_into("jurisdictions", **place)
    for bad in (dict(lat=30), dict(lon=90), dict(in_34=2), dict(valid_from="2025-07-01", valid_to="2025-06-30")):
        with pytest.raises(sqlite3.IntegrityError):
            insert_into("jurisdictions", **{**place, **bad})
    change = dict(id=1, jurisdiction_id="j", change="merged", successor_id="j", successor_name_vi="J",
                  legal_basis="L", source_id="s")
    insert_into("jurisdiction_changes", **change)
    for bad in (dict(change="split"), dict(successor_id="missing")):
        with pytest.raises(sqlite3.IntegrityError):
            insert_into("jurisdiction_changes", **{**change, **bad})
    document = dict(id="d", jurisdiction_id="j", type="kế hoạch", programme="nq57", title_vi="T", title_en="T",
                    label="L", source_id="s", completeness="cited")
    insert_into("documents", **document)
    with pytest.raises(sqlite3.IntegrityError):
        insert_into("documents", **{**document, "programme": "cds-2031"})
    conn.close()


def test_the_cached_schema_template_is_what_alembic_upgrade_head_makes(alembic_config):
    import build

    config, path = alembic_config
    command.upgrade(config, "head")
    assert tables(build.schema_template()) == tables(path)


def test_check_and_build_import_neither_sqlalchemy_nor_alembic(tmp_path):
    import subprocess
    import sys

    code = ("import sys, build; build.schema_template(); "
            f"assert build.main(['--output', {str(tmp_path / 'x.db')!r}]) == 0; "
            "assert not {'sqlalchemy', 'alembic'} & set(sys.modules), sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'alembic')))")
    # the template exists already (built by the previous line in another process, or by the session's build)
    subprocess.run([sys.executable, "-c", "import build; build.schema_template()"], cwd=ROOT, check=True)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_valid_data_is_checked_without_importing_jsonschema(tmp_path):
    """jsonschema is asked for the errors only when the quick check (pipeline/contract._quick) says no: its import
    takes about as long as checking today's data. Invalid data still gets jsonschema's errors (tests/test_contract.py)."""
    import shutil
    import subprocess
    import sys

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    code = ("import sys, build; "
            f"assert build.main(['--data', {str(data)!r}, '--check', '--no-cache']) == 0; "
            "assert 'jsonschema' not in sys.modules")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    (data / "jurisdictions" / "ha-tinh.yml").write_text((data / "jurisdictions" / "ha-tinh.yml").read_text(encoding="utf-8").replace(
        "target_year: 2030", "target_year: '2030'", 1), encoding="utf-8")
    code = ("import sys, build; "
            f"assert build.main(['--data', {str(data)!r}, '--check', '--no-cache']) == 1; "
            "assert 'jsonschema' in sys.modules")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ha-tinh.yml" in result.stderr and "target_year" in result.stderr


def test_the_migrated_schema_is_the_same_text_on_every_run(tmp_path):
    """Batch mode used to recreate tables with their constraints and indexes in a different order on every run
    (SQLAlchemy keeps them in sets), so a database built on another clone had other bytes (issue 18)."""
    import os
    import subprocess
    import sys

    upgrade = ("import sys; from alembic import command; from alembic.config import Config; "
               "config = Config(sys.argv[1]); config.set_main_option('sqlalchemy.url', 'sqlite:///' + sys.argv[2]); "
               "config.attributes['configure_logger'] = False; command.upgrade(config, 'head')")
    schemas = []
    for seed in ("1", "2", "3"):
        path = tmp_path / f"{seed}.db"
        subprocess.run([sys.executable, "-c", upgrade, str(ROOT / "alembic.ini"), str(path)], cwd=ROOT, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed})
        conn = sqlite3.connect(path)
        schemas.append(conn.execute("SELECT type, name, sql, rootpage FROM sqlite_master ORDER BY rowid").fetchall())
        conn.close()
    assert schemas[0] and schemas[0] == schemas[1] == schemas[2]
