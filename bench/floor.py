#!/usr/bin/env python3
"""The floor build.py is measured against: the least work that makes the same database tables.

    python bench/floor.py DATA_DIR OUTPUT_DB --schema EMPTY_DB
    python bench/floor.py --make-schema BUILT_DB EMPTY_DB   # once, before timing

libyaml (CSafeLoader) load of every file -> the same rows as build.py -> sqlite3
executemany into the same tables -> the same three FTS5 indexes, all in one
transaction. No validation, no SQLAlchemy or Alembic, no views, ANALYZE or VACUUM.

The tables come from EMPTY_DB, a copy of the schema of a database build.py made
(`--make-schema`), so the floor needs neither Alembic nor the models at run time.

Kept in step with the schema: ROWS below is the one place that says how YAML
becomes rows (tests/test_bench.py compares every table with build.py's). A new
table is one more entry there; a new column with the same name as its YAML key
needs nothing (see `same`).
"""
from __future__ import annotations

import argparse
import re
import shutil
import sqlite3
import sys
import unicodedata
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from schema.views import DERIVED_TABLES, SEARCH_COLUMNS  # noqa: E402  (plain sqlite3; no SQLAlchemy)
from schema.vocab import AUTHORITY  # noqa: E402  (plain Python)
from pipeline.jurisdictions import membership  # noqa: E402  (plain Python)


# ---------------------------------------------------------------- text helpers, as build.py has them

def fold(text: str) -> str:
    """Vietnamese without diacritics: 'Đô thị' -> 'Do thi' (build.fold; a test keeps them equal)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-")


# ---------------------------------------------------------------- YAML -> rows

class Rows(dict):
    """table -> list of row dicts, in build.py's order (rowids and FTS rowids follow it)."""

    def add(self, table: str, row: dict):
        self.setdefault(table, []).append(row)


def same(record: dict, table_columns: dict, table: str, **extra) -> dict:
    """The record's keys that are columns of `table` (by the same name), then `extra`."""
    row = {k: v for k, v in record.items() if k in table_columns[table]}
    row.update(extra)
    return row


def dataset_rows(record, rows, columns, ctx):
    for key, value in record.items():
        rows.add("dataset_info", {"key": key, "value": "; ".join(value) if isinstance(value, list) else value})


def source_rows(records, rows, columns, ctx):
    for r in records:
        rows.add("sources", same(r, columns, "sources"))
        for jurisdiction_id in r["covers"]:
            rows.add("source_coverage", {"source_id": r["id"], "jurisdiction_id": jurisdiction_id})


def pillar_rows(records, rows, columns, ctx):
    for order, r in enumerate(records, 1):
        rows.add("pillars", same(r, columns, "pillars", sort_order=order))


def sector_rows(records, rows, columns, ctx):
    for r in records:
        rows.add("sectors", same(r, columns, "sectors"))


def sector_relation_rows(records, rows, columns, ctx):
    for r in records:
        rows.add("sector_relations", same(r, columns, "sector_relations", sector_id=r["sector"],
                                          related_sector_id=r["related"]))


def indicator_rows(records, rows, columns, ctx):
    for r in records:
        rows.add("indicators", same(r, columns, "indicators", pillar_id=r["pillar"],
                                    national_indicator_id=r.get("national"),
                                    scopes="; ".join(r["scopes"]) if r.get("scopes") else None))
        for rel in r.get("relations") or []:
            rows.add("indicator_relations", {"indicator_id": r["id"], "relation": rel["relation"],
                                             "related_indicator_id": rel["indicator"], "note": rel["note"]})


def jurisdiction_rows(j, rows, columns, ctx):
    ctx["jid"] = j["id"]
    rows.add("jurisdictions", same(j, columns, "jurisdictions", reference_source_id=j.get("reference_source"),
                                   **membership(j)))


def reorganisation_rows(r, rows, columns, ctx):
    rows.add("jurisdiction_changes", same(r, columns, "jurisdiction_changes", jurisdiction_id=ctx["jid"],
                                          successor_id=r["successor"], source_id=r["source"]))


def document_rows(records, rows, columns, ctx):
    for d in records:
        rows.add("documents", same(d, columns, "documents", jurisdiction_id=ctx["jid"], source_id=d["source"],
                                   reference_source_id=d.get("reference_source")))
        for link in d.get("links") or []:
            rows.add("document_links", {"document_id": d["id"], "relation": link["relation"],
                                        "target_document_id": link["document"], "source_id": link["source"],
                                        **{k: link.get(k) for k in ("quote", "locator", "citation", "note")}})


def priority_sector_rows(records, rows, columns, ctx):
    positions: dict = {}
    for p in records:
        document_id = p.get("document")
        positions[document_id] = positions.get(document_id, 0) + 1
        rows.add("priority_sectors", same(p, columns, "priority_sectors", jurisdiction_id=ctx["jid"],
                                          document_id=document_id, sector_id=p["sector"],
                                          position=positions[document_id], source_id=p.get("source")))


def claim_rows(kind: str):
    """Each target or observation record is a claim; settle_claims makes the figures from them."""
    year_key = "target_year" if kind == "target" else "year"

    def rows_of(records, rows, columns, ctx):
        jid = ctx["jid"]
        for r in records:
            year = r.get(year_key)
            anchor = (r.get("document") or jid) if kind == "target" else jid
            ident = f"{anchor}/{r['indicator']}/{year or 'no-year'}" + (f"/{slug(r['scope'])}" if r.get("scope") else "")
            rows.add("claims", same(r, columns, "claims", figure_kind=kind, figure_id=ident, jurisdiction_id=jid,
                                    document_id=r.get("document"), indicator_id=r["indicator"], year=year,
                                    scope=r.get("scope"), frequency=r.get("frequency"), source_id=r.get("source")))
    return rows_of


def task_rows(records, rows, columns, ctx):
    def walk(tasks, parent_id, document_id, source_id, depth):
        for position, t in enumerate(tasks or [], 1):
            document_id_t = t.get("document") or document_id
            source_id_t = t.get("source") or source_id
            ident = f"{document_id_t}/{re.sub(r'[^A-Za-z0-9.()-]+', '-', t['locator'])}"
            rows.add("tasks", same(t, columns, "tasks", id=ident, jurisdiction_id=ctx["jid"], document_id=document_id_t,
                                   parent_id=parent_id, depth=depth, position=position, sector_id=t.get("sector"),
                                   source_id=source_id_t))
            walk(t.get("tasks"), ident, document_id_t, source_id_t, depth + 1)
    walk(records, None, None, None, 1)


# The one place that says how YAML becomes rows: file -> section -> row maker, in build.py's order.
# Vocabulary files first (in this order), then every other *.yml, sorted, as a jurisdiction file.
VOCABULARY = {
    "dataset.yml": {"dataset": dataset_rows},
    "sources.yml": {"sources": source_rows},
    "pillars.yml": {"pillars": pillar_rows},
    "sectors.yml": {"sectors": sector_rows, "relations": sector_relation_rows},
    "indicators.yml": {"indicators": indicator_rows},
}
JURISDICTION = {
    "jurisdiction": jurisdiction_rows,
    "reorganisation": reorganisation_rows,
    "documents": document_rows,
    "priority_sectors": priority_sector_rows,
    "targets": claim_rows("target"),
    "observations": claim_rows("observation"),
    "tasks": task_rows,
}


def fill_defaults(rows: Rows):
    """As build.py: rows inherit their document's source and their indicator's unit."""
    doc_source = {d["id"]: d["source_id"] for d in rows.get("documents", [])}
    units = {i["id"]: i["unit"] for i in rows.get("indicators", [])}
    for table in ("priority_sectors", "claims", "tasks"):
        for row in rows.get(table, []):
            if row.get("source_id") is None:
                row["source_id"] = doc_source.get(row.get("document_id"))
            if table == "claims":
                row["unit"] = units[row["indicator_id"]]


FIGURE_COLUMNS = ("jurisdiction_id", "document_id", "indicator_id", "comparator", "value", "value_max", "denominator",
                  "unit", "scope", "statement_vi", "statement_en", "quote", "locator", "source_id", "note", "citation",
                  "evidence")


def settle_claims(rows: Rows):
    """As build.py: the claims of one figure ranked by authority (source kind, then latest published, then
    source id); the figure (a targets or observations row) is the best claim."""
    sources = {s["id"]: s for s in rows.get("sources", [])}
    groups: dict = {}
    for claim in rows.get("claims", []):
        groups.setdefault((claim["figure_kind"], claim["figure_id"]), []).append(claim)
    for (kind, ident), claims in groups.items():
        claims = sorted(claims, key=lambda c: c["source_id"] or "")
        claims.sort(key=lambda c: str(sources.get(c["source_id"], {}).get("published") or ""), reverse=True)
        claims.sort(key=lambda c: AUTHORITY.index(sources[c["source_id"]]["kind"]))
        for rank, claim in enumerate(claims, 1):
            claim.update(id=f"{ident}@{claim['source_id']}", authority_rank=rank,
                         evidence="quote" if claim.get("quote") else "citation",
                         target_id=ident if kind == "target" else None,
                         observation_id=ident if kind == "observation" else None)
        best = claims[0]
        row = {k: best.get(k) for k in FIGURE_COLUMNS}
        row.update(id=ident, authority=sources[best["source_id"]]["kind"], claim_count=len(claims))
        if kind == "target":
            row.update(target_year=best["year"], frequency=best["frequency"])
        else:
            row["year"] = best["year"]
        rows.add(kind + "s", row)


def read_rows(data_dir: Path, columns: dict) -> Rows:
    rows, load = Rows(), yaml.CSafeLoader

    def apply(doc, sections, ctx):
        for key, make in sections.items():
            if doc.get(key) is not None:
                make(doc[key], rows, columns, ctx)

    for name, sections in VOCABULARY.items():
        path = data_dir / name
        if path.exists():
            apply(yaml.load(path.read_text(encoding="utf-8"), Loader=load), sections, {})
    for path in sorted((data_dir / "jurisdictions").glob("*.yml")):
        if path.name not in VOCABULARY:
            apply(yaml.load(path.read_text(encoding="utf-8"), Loader=load), JURISDICTION, {})
    fill_defaults(rows)
    settle_claims(rows)
    return rows


# ---------------------------------------------------------------- writing

def table_columns(conn: sqlite3.Connection) -> dict:
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t: {r[1] for r in conn.execute(f"PRAGMA table_info([{t}])")} for t in tables}


def sql_value(value):
    return value.isoformat() if isinstance(value, date) else value


def build(data_dir: Path, output: Path, schema: Path):
    shutil.copyfile(schema, output)
    conn = sqlite3.connect(output, isolation_level=None)
    try:
        columns = table_columns(conn)
        rows = read_rows(data_dir, columns)
        conn.execute("BEGIN")
        for table, table_rows in rows.items():
            names = [k for k in dict.fromkeys(k for r in table_rows for k in r) if k in columns[table]]
            conn.executemany(f"INSERT INTO [{table}] ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                             [[sql_value(r.get(n)) for n in names] for r in table_rows])
        for table, cols in SEARCH_COLUMNS.items():  # the folded column: the Vietnamese with 'đ' as 'd'
            folded = " || ' ' || ".join(f"replace(replace(coalesce({c}, ''), 'đ', 'd'), 'Đ', 'D')"
                                        for c in cols if not c.endswith("_en"))
            conn.execute(f"CREATE VIRTUAL TABLE [{table}_fts] USING fts5({', '.join(cols)}, folded, "
                         "tokenize = 'unicode61 remove_diacritics 2')")
            conn.execute(f"INSERT INTO [{table}_fts] (rowid, {', '.join(cols)}, folded) "
                         f"SELECT rowid, {', '.join(cols)}, {folded} FROM [{table}]")
        conn.execute("COMMIT")
    finally:
        conn.close()
    return {t: len(r) for t, r in rows.items()}


def make_schema(built: Path, schema: Path):
    """An empty database with the tables and indexes of one build.py made (not its views, derived tables,
    search indexes or statistics), and its alembic_version row."""
    src = sqlite3.connect(f"file:{built}?mode=ro", uri=True)
    kinds = {r[1]: r[2] for r in src.execute("PRAGMA main.table_list")}  # table | view | virtual | shadow
    if schema.exists():
        schema.unlink()
    dst = sqlite3.connect(schema)
    try:
        for kind, name, table, sql in src.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                                                  "WHERE sql IS NOT NULL ORDER BY rowid"):
            if kind in ("table", "index") and kinds.get(table) == "table" and not table.startswith("sqlite_") \
                    and table not in DERIVED_TABLES:  # derived, like the views
                dst.execute(sql)
        if kinds.get("alembic_version") == "table":
            dst.executemany("INSERT INTO alembic_version VALUES (?)", src.execute("SELECT * FROM alembic_version"))
        dst.commit()
    finally:
        dst.close()
        src.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="data folder (or, with --make-schema, a database build.py made)")
    parser.add_argument("output", type=Path, help="database to write (or, with --make-schema, the empty schema)")
    parser.add_argument("--schema", type=Path, help="empty database to start from (made by --make-schema)")
    parser.add_argument("--make-schema", action="store_true", help="copy the schema of DATA (a built database) to OUTPUT")
    args = parser.parse_args(argv)
    if args.make_schema:
        make_schema(args.data, args.output)
        return 0
    if args.schema is None:
        parser.error("--schema is required (make it once with --make-schema from a database build.py made)")
    counts = build(args.data, args.output, args.schema)
    print(f"wrote {args.output}: " + ", ".join(f"{counts.get(t, 0)} {t}" for t in ("targets", "observations", "tasks")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
