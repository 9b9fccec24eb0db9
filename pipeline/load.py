"""Loading: the schema (an empty database at `alembic upgrade head`, cached as a template), the rows inserted
table by table, and the database written to a temporary file and renamed into place (write_database).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import contract, incremental, outputs
from pipeline.cache import ROOT, cached_template
from pipeline.search import create_search
from schema import views

if TYPE_CHECKING:
    from pipeline.parse import Dataset


SCHEMA_INPUTS = ("alembic.ini", "migrations/env.py", "migrations/versions/*.py", "schema/models.py", "schema/vocab.py")
CACHE = ROOT / ".cache"


def schema_template() -> Path:
    """An empty database at `alembic upgrade head`, cached by the hash of the migrations and models, so a
    build copies it instead of importing Alembic and SQLAlchemy (tests check it against a fresh upgrade).
    pipeline/cache.cached_template checks it against its digest and makes it again when it is damaged."""
    digest = hashlib.sha256()
    for pattern in SCHEMA_INPUTS:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return cached_template(f"schema-{digest.hexdigest()[:16]}.db", CACHE, _upgrade)


def _upgrade(temp_name: str):
    """alembic upgrade head into the (empty) database file temp_name."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{temp_name}")
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def _table_keys() -> dict:
    """The tables' keys from the schema template, for the build's own duplicate-row check (contract.check_keys);
    if the template cannot be made, the SQL constraints alone refuse duplicates."""
    try:
        return contract.table_keys(schema_template())
    except Exception:  # noqa: BLE001 (broken migrations are reported when writing)
        return {}


def data_tables() -> list[str]:
    """The tables the YAML fills (all but Alembic's), from the schema template."""
    return [t for t in _table_keys() if t != "alembic_version"]


def create_schema(path: Path):
    """The schema is what `alembic upgrade head` makes (from the cached template)."""
    shutil.copyfile(schema_template(), path)


def insert_rows(conn: sqlite3.Connection, tables: dict, progress=None):
    """One executemany per table ({table: rows}), in the columns the schema has. Foreign keys are checked once,
    after the load (write_database), so the order of tables does not matter."""
    total, done = sum(map(len, tables.values())), 0
    for table, rows in tables.items():
        if not rows:
            continue
        if progress:
            progress.say(f"loading {table}: {len(rows):,} rows ({done:,} of {total:,} rows loaded)")
        done += len(rows)
        known = [r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")]
        columns = [c for c in known if any(c in r for r in rows)]
        sql = f"INSERT INTO [{table}] ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        conn.executemany(sql, (tuple(map(row.get, columns)) for row in rows))


def write_database(ds: Dataset, output: Path, vacuum: bool = False, changes: incremental.Changes | None = None,
                   progress=None):
    """Write the database to a temporary file beside `output` and rename it into place. A fresh build in
    one transaction has no free pages to reclaim; `vacuum` (for a release) defragments it too. With
    `changes` (load_changes), the temporary file is a copy of `output` with the changed files' rows replaced."""
    output.parent.mkdir(parents=True, exist_ok=True)
    outputs.remove_stale_temps(output)  # left by builds that were killed
    handle, temp_name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    temp = Path(temp_name)
    try:
        outputs.lock(handle)  # held until the end: the next build leaves a locked temporary file alone
        if changes is None:
            create_schema(temp)
        else:
            shutil.copyfile(output, temp)
        conn = sqlite3.connect(temp)
        try:
            with conn:
                say = progress.say if progress else (lambda text: None)
                if changes is None:
                    insert_rows(conn, ds.rows, progress)
                    say("indexing search")
                    create_search(conn)
                    say("deriving the comparison, coverage and discrepancies rows")
                    views.create_derived(conn)
                else:  # the changed jurisdictions' derived rows refreshed (all of them if the nation's changed)
                    say(f"replacing the rows of {', '.join(changes.jurisdictions) or 'no jurisdiction'}")
                    incremental.replace_rows(conn, ds.rows, changes.jurisdictions, data_tables(), insert_rows,
                                             create_search, list(views.SEARCH_COLUMNS))
                    views.create_derived(conn, changes.jurisdictions)
                say("checking foreign keys, analyzing")
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise sqlite3.IntegrityError(f"foreign keys broken: {broken[:5]}")
            if changes is None:
                conn.execute("ANALYZE")
            else:  # a rebuild keeps the statistics of the build it copies (nearly the same rows); remade tables:
                for derived in views.DERIVED:
                    conn.execute(f"ANALYZE [{derived.table}]")
            if vacuum:
                conn.execute("VACUUM")
        finally:
            conn.close()
        os.chmod(temp, 0o644)
        os.replace(temp, output)
    finally:
        if temp.exists():
            temp.unlink()
        os.close(handle)
