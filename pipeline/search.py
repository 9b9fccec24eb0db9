"""Search indexing: the FTS5 indexes of schema/views.py's SEARCH_COLUMNS, with and without diacritics.
"""
from __future__ import annotations

import sqlite3

from schema import views


def create_search(conn: sqlite3.Connection, only: tuple | None = None):
    """Full-text search that works with and without diacritics.

    FTS5's remove_diacritics folds 'ế' to 'e' (and 'ư', 'ơ', 'ă' …) but leaves 'đ' alone, so each index
    also holds a copy of the Vietnamese text with 'đ' as 'd' ('đô thị' is found by 'do thi'); SQLite's
    own replace() makes it, with no Python call per row. `only`: (SQL condition, parameters) to add the
    rows it selects to the existing indexes (an incremental rebuild).
    """
    for table, columns in views.SEARCH_COLUMNS.items():
        vi_columns = [c for c in columns if not c.endswith("_en")]
        if only is None:
            conn.execute(f"CREATE VIRTUAL TABLE [{table}_fts] USING fts5({', '.join(columns)}, folded, "
                         "tokenize = 'unicode61 remove_diacritics 2')")
        folded = " || ' ' || ".join(f"replace(replace(coalesce({c}, ''), 'đ', 'd'), 'Đ', 'D')" for c in vi_columns)
        conn.execute(f"INSERT INTO [{table}_fts] (rowid, {', '.join(columns)}, folded) "
                     f"SELECT rowid, {', '.join(columns)}, {folded} FROM [{table}]"
                     + (f" WHERE {only[0]}" if only else ""), only[1] if only else ())
