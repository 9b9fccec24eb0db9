"""row_history on a row's page (issue 18): whether and how the row changed in the releases after it.

`row_history(database, table, primary_key_values)` finds the row's changes in row_history by its table and key (the
key columns each change names: the primary key, or the natural key of a table numbered by row), oldest
first; None when the database has no row_history (nothing is shown then).
"""
from datasette import hookimpl


@hookimpl
def extra_template_vars(datasette):
    async def row_history(database, table, primary_key_values):
        db = datasette.get_database(database)
        if not await db.table_exists("row_history") or not await db.table_exists(table):
            return None
        keys = await db.primary_keys(table)
        known = set(await db.table_columns(table))
        where = " AND ".join(f"[{c}] = ?" for c in keys) or "rowid = ?"
        changes = []
        for (columns,) in (await db.execute("SELECT DISTINCT key_columns FROM row_history WHERE table_name = ?",
                                            [table])).rows:
            names = columns.split(", ")
            if not set(names) <= known:  # a history file names columns this table does not have: not shown
                continue
            found = (await db.execute(f"SELECT {', '.join(f'[{n}]' for n in names)} FROM [{table}] WHERE {where}",
                                      list(primary_key_values))).first()
            if found is None:
                continue
            key = ", ".join("" if v is None else str(v) for v in found)
            result = await db.execute(
                "SELECT version, previous_version, change, column_name, old_value, new_value FROM row_history "
                "WHERE table_name = ? AND key_columns = ? AND row_key = ? ORDER BY id", [table, columns, key])
            changes += [dict(r) for r in result.rows]
        return changes

    return {"row_history": row_history}
