"""Alembic environment: the models' metadata is the target; SQLite needs batch mode."""
import subprocess
import sys
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from sqlalchemy import engine_from_config, make_url, pool

from schema.models import Base
from alembic.operations import batch as _batch

config = context.config


def _grab_constraints_in_order(grab):
    """Batch mode recreates a table from its reflected constraints and indexes, which SQLAlchemy keeps in sets:
    iterated in an order that differs from run to run, so the recreated CREATE TABLE listed its constraints, and
    its indexes were created, in another order each time the schema was regenerated (and a release built on
    another clone had other bytes). Copy them by name instead."""
    def by_name(items):
        return sorted(items, key=lambda c: (type(c).__name__, str(c.name or "")))

    def grab_in_order(self):
        constraints, indexes = self.table.constraints, self.table.indexes
        self.table.constraints, self.table.indexes = by_name(constraints), by_name(indexes)
        try:
            grab(self)
        finally:
            self.table.constraints, self.table.indexes = constraints, indexes
    return grab_in_order


if not getattr(_batch.ApplyBatchImpl._grab_table_elements, "in_order", False):
    _batch.ApplyBatchImpl._grab_table_elements = _grab_constraints_in_order(_batch.ApplyBatchImpl._grab_table_elements)
    _batch.ApplyBatchImpl._grab_table_elements.in_order = True
# build.py runs migrations quietly; the alembic command line keeps its logging.
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name)

target_metadata = Base.metadata


def prepare_scratch_database() -> None:
    """On the command line, `alembic check` and `alembic revision --autogenerate` compare the models
    with the database at sqlalchemy.url, which must be at head. That database is a scratch file in
    dist/ (alembic.ini: scratch_database = true), so it is rebuilt from the migrations first, by a
    separate `alembic upgrade head`: a fresh clone (no dist/, no database) can run both as they are.
    build.py and the tests call Alembic from Python (no cmd_opts) with their own database."""
    url = make_url(config.get_main_option("sqlalchemy.url"))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    path = Path(url.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    options = config.cmd_opts
    if options is None or config.get_main_option("scratch_database") != "true":
        return
    name = options.cmd[0].__name__
    if name == "check" or (name == "revision" and getattr(options, "autogenerate", False)):
        path.unlink(missing_ok=True)
        subprocess.run([sys.executable, "-m", "alembic", "-c", config.config_file_name, "upgrade", "head"], check=True)


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    prepare_scratch_database()
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite cannot ALTER most things; batch mode recreates tables
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
