#!/usr/bin/env python3
"""Build the vn-dx-plans SQLite database from the YAML in data/.

    python build.py                          # data/ -> dist/vn_dx_plans.db
    python build.py --data DIR --output PATH
    python build.py --check                  # validate only, write nothing
    python build.py --sources DIR            # source texts elsewhere (default: DATA/sources)
    python build.py --package DIR            # also export CSV, JSON and datapackage.json

Parse (libyaml, plain YAML only) -> validate everything -> load -> index.
Every problem is reported at once as `file:line: field: message`; on any
problem nothing is written and the previous database stays as it was.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline import contract, outputs
from pipeline.quotes import quote_problems
from pipeline.read import (  # noqa: F401  (Problem, Where, display_path: used by tests and other modules)
    Items, Problem, Problems, Record, Refused, Where, data_files, display_path, read_bytes, read_yaml, refusal,
)
from schema import models, views
from schema.yaml_schema import (
    JURISDICTION_FILE,
    RECORDS,
    REQUIRED_JURISDICTION_KEYS,
    SINGLE_RECORD_KEYS,
    VOCABULARY_FILES,
)

ROOT = Path(__file__).resolve().parent
DEFAULT_DATA = ROOT / "data"
DEFAULT_OUTPUT = ROOT / "dist" / "vn_dx_plans.db"
ELLIPSIS = re.compile(r"\s+(?:\.\.\.|…)\s+")  # " … " or " ... " between fragments of a quote
LINE_LOCATOR = re.compile(r"line (\d+)(?: \(\d+\))?")


# ---------------------------------------------------------------- text helpers

def nfc_norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str) -> str:
    """Vietnamese without diacritics, for search: 'Đô thị' -> 'Do thi'."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-")


def written_number(value: float) -> str:
    """A number as Vietnamese texts write it: 1079 -> '1.079', 6.5 -> '6,5'."""
    whole = int(value)
    if value == whole:
        return f"{whole:,}".replace(",", ".")
    integer, fraction = repr(float(value)).split(".")
    return f"{int(integer):,}".replace(",", ".") + "," + fraction


def number_in_text(value: float, text: str) -> bool:
    pattern = r"(?<![\d.,])0*" + re.escape(written_number(value)) + r"(?![\d]|[.,]\d)"
    return re.search(pattern, text) is not None


def quote_in_text(quote: str, text: str) -> bool:
    at = 0
    for part in ELLIPSIS.split(nfc_norm(quote)):
        part = part.strip()
        if not part:
            continue
        at = text.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return True


# ---------------------------------------------------------------- validation of one record

def mappings(items: Items, kind: str, problems: Problems):
    """The items of a list of records; any item that is not a mapping is reported at its own line."""
    for item, line in zip(items, items.item_lines):
        if isinstance(item, Record):
            yield item
        else:
            problems.append(Problem(items.where.file, line, kind, f"expected a mapping of fields, got {item!r}"))


def check_record(record, kind: str, problems: Problems, refs: list, where: Where | None = None) -> bool:
    """The contract (JSON Schema, pipeline/contract.py) and the rules it cannot express; collect references.

    A record read from a data file was validated with its whole file; one made otherwise is validated here.
    `where` places the problem when `record` is not a mapping (a scalar has no place of its own).
    Returns False only when the record cannot be built (missing or mistyped fields)."""
    if not isinstance(record, Record):
        problems.append(Problem(where.file, where.line, kind, f"expected a mapping of fields, got {record!r}"))
        return False
    if record.fatal is None:
        contract.validate_record(record, kind, problems)
    spec = RECORDS[kind]
    for name, fspec in spec.items():
        value = record.get(name)
        if value is None or isinstance(value, Refused) or not _type_ok(value, fspec.type):
            continue  # missing or mistyped: the contract reported it
        for text in (value if fspec.type == "str_list" else [value] if fspec.type == "str" else []):
            if not isinstance(text, str):
                continue
            if text != unicodedata.normalize("NFC", text):
                problems.add(record.where, name, "text is not in Unicode NFC form")
            if text != text.strip() or not text:
                problems.add(record.where, name, "text is empty or has leading/trailing spaces")
        if fspec.ref:
            for item in (value if fspec.type == "str_list" else [value]):
                if isinstance(item, str):
                    refs.append((fspec.ref, item, record.where, name))
        if fspec.type == "list":
            for item in value:
                if isinstance(item, Record):
                    check_record(item, fspec.record, problems, refs)
    _record_rules(record, kind, problems)
    return not record.fatal


def _record_rules(record: Record, kind: str, problems: Problems):
    """Rules across the fields of one record that JSON Schema cannot express."""
    start, end = record.get("period_start"), record.get("period_end")
    if _type_ok(start, "int") and _type_ok(end, "int") and start > end:
        problems.add(record.where, "period_end", f"{end} is before period_start {start}")
    quote = record.get("quote")
    if isinstance(quote, str) and quote:
        numbers = {name: record.get(name) for name in ("value", "value_max", "denominator")}
        for name, message in quote_problems(quote, numbers, number_in_text):
            problems.add(record.where, name, message)


_TYPE_NAMES = {"str": "text", "int": "a whole number", "number": "a number", "date": "a date (YYYY-MM-DD)",
               "str_list": "a list of text", "list": "a list"}


def _type_ok(value, type_name: str) -> bool:
    if type_name in ("str", "date"):  # dates stay text; the contract checks they are calendar dates
        return isinstance(value, str)
    if type_name == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_name == "str_list":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, list)  # "list"


# ---------------------------------------------------------------- the dataset

@dataclass
class Dataset:
    rows: dict = field(default_factory=lambda: {t: [] for t in models.Base.metadata.tables})
    ids: dict = field(default_factory=dict)  # kind -> {id: Where}
    quotes_checked: int = 0
    places: dict = field(default_factory=dict)  # (table, row index) -> Where, for later checks

    def define(self, kind: str, ident: str, where: Where, problems: Problems, key="id"):
        known = self.ids.setdefault(kind, {})
        if ident in known:
            first = known[ident]
            problems.add(where, key, f"duplicate {kind} id {ident!r} (first at {first.file}:{first.line})")
            return False
        known[ident] = where
        return True

    def add(self, table: str, row: dict, where: Where):
        self.places[(table, len(self.rows[table]))] = where
        self.rows[table].append(row)


def parse_dataset(record, ds: Dataset, problems, refs, where: Where):
    """dataset.yml: one mapping of facts about the release, stored as key/value rows."""
    if check_record(record, "dataset", problems, refs, where):
        for key, value in record.items():
            ds.add("dataset_info", {"key": key, "value": "; ".join(value) if isinstance(value, list) else value},
                   record.where)


def parse_sources(records, ds: Dataset, problems, refs):
    for r in mappings(records, "source", problems):
        if not check_record(r, "source", problems, refs):
            continue
        ds.define("source", r["id"], r.where, problems)
        ds.add("sources", {k: r.get(k) for k in ("id", "kind", "title", "title_en", "publisher", "author", "published",
                                                  "file_name", "sha256", "citation", "note", "url")}, r.where)
        for jurisdiction_id in r["covers"]:
            ds.add("source_coverage", {"source_id": r["id"], "jurisdiction_id": jurisdiction_id}, r.where)


def parse_pillars(records, ds, problems, refs):
    for order, r in enumerate(mappings(records, "pillar", problems), 1):
        if check_record(r, "pillar", problems, refs) and ds.define("pillar", r["id"], r.where, problems):
            ds.add("pillars", {**{k: r[k] for k in ("id", "kind", "name_vi", "name_en", "description")}, "sort_order": order}, r.where)


def parse_sectors(records, ds, problems, refs):
    for r in mappings(records, "sector", problems):
        if check_record(r, "sector", problems, refs) and ds.define("sector", r["id"], r.where, problems):
            ds.add("sectors", {k: r.get(k) for k in ("id", "name_vi", "name_en", "note")}, r.where)


def parse_sector_relations(records, ds, problems, refs):
    for r in mappings(records, "sector_relation", problems):
        if check_record(r, "sector_relation", problems, refs):
            ds.add("sector_relations", {"sector_id": r["sector"], "relation": r["relation"],
                                        "related_sector_id": r["related"], "note": r["note"]}, r.where)


def parse_indicators(records, ds, problems, refs):
    for r in mappings(records, "indicator", problems):
        if not (check_record(r, "indicator", problems, refs) and ds.define("indicator", r["id"], r.where, problems)):
            continue
        ds.add("indicators", {
            "id": r["id"], "name_vi": r["name_vi"], "name_en": r["name_en"], "unit": r["unit"],
            "pillar_id": r["pillar"], "definition": r["definition"], "direction": r["direction"],
            "national_indicator_id": r.get("national"),
            "scopes": "; ".join(r["scopes"]) if r.get("scopes") else None, "note": r.get("note"),
        }, r.where)
        for rel in r.get("relations") or []:
            ds.add("indicator_relations", {"indicator_id": r["id"], "relation": rel["relation"],
                                           "related_indicator_id": rel["indicator"], "note": rel["note"]}, rel.where)


def parse_jurisdiction_file(doc: Record, path: Path, ds: Dataset, problems, refs):
    for key in doc:
        if key not in JURISDICTION_FILE:
            problems.add(doc.where, str(key), f"unknown section; known: {', '.join(JURISDICTION_FILE)}")
    for key in REQUIRED_JURISDICTION_KEYS - set(doc):
        problems.add(doc.where, key, "section is required")
    for key in set(doc) & set(JURISDICTION_FILE) - SINGLE_RECORD_KEYS:
        if not isinstance(doc[key], list):
            problems.add(doc.where, key, "expected a list")
            return
    j = doc.get("jurisdiction")
    if not (j is not None and check_record(j, "jurisdiction", problems, refs, doc.where.at("jurisdiction"))):
        return
    jid = j["id"]
    if jid != path.stem:
        problems.add(j.where, "id", f"{jid!r} must equal the file name ({path.stem!r})")
    ds.define("jurisdiction", jid, j.where, problems)
    ds.add("jurisdictions", {
        "id": jid, "level": j["level"], "name_vi": j["name_vi"], "name_en": j["name_en"],
        **{k: j.get(k) for k in ("gso_code", "region_vi", "region_en", "capital_vi", "capital_lat", "capital_lon")},
        "reference_source_id": j.get("reference_source"),
    }, j.where)
    reorg = doc.get("reorganisation")
    if reorg is not None and check_record(reorg, "reorganisation", problems, refs, doc.where.at("reorganisation")):
        ds.add("jurisdiction_changes", {
            "jurisdiction_id": jid,
            **{k: reorg.get(k) for k in ("change", "successor_name_vi", "successor_gso_code", "other_party_vi",
                                          "administrative_centre_vi", "legal_basis", "decided_date", "effective_date", "note")},
            "source_id": reorg["source"],
        }, reorg.where)
    for d in mappings(doc.get("documents") or Items(), "document", problems):
        parse_document(d, jid, ds, problems, refs)
    positions: dict = {}
    for p in mappings(doc.get("priority_sectors") or Items(), "priority_sector", problems):
        if not check_record(p, "priority_sector", problems, refs):
            continue
        document_id = p.get("document")
        positions[document_id] = positions.get(document_id, 0) + 1
        if ds.define("priority_sector", f"{document_id or jid}/{p['sector']}", p.where, problems, key="sector"):
            ds.add("priority_sectors", {
                "jurisdiction_id": jid, "document_id": document_id, "sector_id": p["sector"],
                "position": positions[document_id], "name_as_written": p["name_as_written"],
                "source_id": p.get("source"), "quote": p["quote"], "locator": p["locator"],
            }, p.where)
    for t in mappings(doc.get("targets") or Items(), "target", problems):
        parse_figure(t, "target", jid, ds, problems, refs)
    for o in mappings(doc.get("observations") or Items(), "observation", problems):
        parse_figure(o, "observation", jid, ds, problems, refs)
    for position, t in enumerate(mappings(doc.get("tasks") or Items(), "task", problems), 1):
        parse_task(t, jid, None, None, None, 1, position, ds, problems, refs)


def parse_document(d, jid, ds, problems, refs):
    if not (check_record(d, "document", problems, refs) and ds.define("document", d["id"], d.where, problems)):
        return
    ds.add("documents", {
        "id": d["id"], "jurisdiction_id": jid,
        **{k: d.get(k) for k in ("number", "type", "title_vi", "title_en", "label", "issuing_body_vi", "issuing_body_en",
                                 "issue_date", "period_start", "period_end", "vision_year", "signer", "quote", "locator", "note")},
        "source_id": d["source"],
    }, d.where)
    for link in d.get("links") or []:
        ds.add("document_links", {"document_id": d["id"], "relation": link["relation"],
                                  "target_document_id": link["document"], "source_id": link["source"],
                                  "quote": link["quote"], "locator": link.get("locator")}, link.where)


def parse_figure(r, kind: str, jid: str, ds: Dataset, problems: Problems, refs: list):
    if not check_record(r, kind, problems, refs):
        return
    year_key = "target_year" if kind == "target" else "year"
    year = r.get(year_key)
    # A target belongs to its document; an observation to its jurisdiction (several sources may report one).
    anchor = (r.get("document") or jid) if kind == "target" else jid
    ident = f"{anchor}/{r['indicator']}/{year or 'no-year'}" + (f"/{slug(r['scope'])}" if r.get("scope") else "")
    if not ds.define(kind, ident, r.where, problems, key="indicator"):
        return
    value, value_max, comparator = r.get("value"), r.get("value_max"), r.get("comparator")
    if (value is None) != (comparator is None):
        problems.add(r.where, "comparator", "give a comparator with a value, and neither when the text has no number")
    if value_max is not None and (value is None or value_max <= value):
        problems.add(r.where, "value_max", "must be greater than value (value_max is the upper end of a range)")
    if year is not None and not models.YEAR_MIN <= year <= models.YEAR_MAX:
        problems.add(r.where, year_key, f"{year} is outside {models.YEAR_MIN}–{models.YEAR_MAX}")
    row = {
        "id": ident, "jurisdiction_id": jid, "document_id": r.get("document"), "indicator_id": r["indicator"],
        year_key: year, "comparator": comparator, "value": value, "value_max": value_max,
        "denominator": r.get("denominator"), "unit": r.get("unit"), "scope": r.get("scope"),
        "statement_vi": r["statement_vi"], "statement_en": r["statement_en"], "quote": r.get("quote"),
        "locator": r.get("locator"), "source_id": r.get("source"), "note": r.get("note"),
    }
    if kind == "target":
        row["frequency"] = r.get("frequency")
    ds.add(kind + "s", row, r.where)


def parse_task(t, jid, parent_id, document_id, source_id, depth, position, ds, problems, refs):
    if not check_record(t, "task", problems, refs):
        return
    document_id = t.get("document") or document_id
    source_id = t.get("source") or source_id
    if document_id is None:
        problems.add(t.where, "document", "a top-level task needs its document")
        return
    ident = f"{document_id}/{re.sub(r'[^A-Za-z0-9.()-]+', '-', t['locator'])}"
    if not ds.define("task", ident, t.where, problems, key="locator"):
        return
    ds.add("tasks", {"id": ident, "jurisdiction_id": jid, "document_id": document_id, "parent_id": parent_id,
                     "depth": depth, "position": position, "locator": t["locator"], "title_vi": t["title_vi"],
                     "title_en": t["title_en"], "sector_id": t.get("sector"), "source_id": source_id,
                     "quote": t["quote"]}, t.where)
    for child_position, child in enumerate(t.get("tasks") or [], 1):
        parse_task(child, jid, ident, document_id, source_id, depth + 1, child_position, ds, problems, refs)


# ---------------------------------------------------------------- whole-dataset checks

def resolve_references(ds: Dataset, refs: list, problems: Problems):
    for kind, ident, where, name in refs:
        if ident not in ds.ids.get(kind, {}):
            problems.add(where, name, f"unknown {kind} {ident!r}")


def fill_defaults(ds: Dataset, problems: Problems):
    """Rows inherit their document's source and their indicator's unit."""
    doc_source = {d["id"]: d["source_id"] for d in ds.rows["documents"]}
    units = {i["id"]: i["unit"] for i in ds.rows["indicators"]}
    scopes = {i["id"]: i["scopes"].split("; ") if i["scopes"] else None for i in ds.rows["indicators"]}
    for table in ("priority_sectors", "targets", "observations", "tasks"):
        for index, row in enumerate(ds.rows[table]):
            where = ds.places[(table, index)]
            if row.get("source_id") is None:
                row["source_id"] = doc_source.get(row.get("document_id"))
                # an unknown document was already reported by resolve_references
                if row["source_id"] is None and row.get("document_id") not in doc_source:
                    problems.add(where, "source", "give the source (there is no document to take it from)")
            if table in ("targets", "observations") and row["indicator_id"] in units:
                unit = units[row["indicator_id"]]
                if row["unit"] is not None and row["unit"] != unit:
                    problems.add(where, "unit", f"{row['unit']!r} differs from the indicator's unit {unit!r}")
                row["unit"] = unit
                allowed = scopes[row["indicator_id"]]
                if allowed and row["scope"] is not None and row["scope"] not in allowed:
                    problems.add(where, "scope", f"{row['scope']!r} is not one of the indicator's scopes: {'; '.join(allowed)}")
                for name in ("value", "value_max"):
                    if unit == models.PERCENT and row[name] is not None and not 0 <= row[name] <= 100:
                        problems.add(where, name, f"{row[name]} is not a percentage between 0 and 100")


def check_evidence(ds: Dataset, sources_dir: Path, problems: Problems):
    """Every quote verbatim in its source (which must cover the row's jurisdiction);
    every number written in its quote; 'line N' locators point at the quote."""
    sources = {s["id"]: s for s in ds.rows["sources"]}
    covers: dict = {}
    for c in ds.rows["source_coverage"]:
        covers.setdefault(c["source_id"], set()).add(c["jurisdiction_id"])
    texts, lines = {}, {}
    ds.quotes_checked = 0
    for index, s in enumerate(ds.rows["sources"]):
        if not s["file_name"]:
            continue
        path = sources_dir / s["file_name"]
        where = ds.places[("sources", index)]
        if not _inside(path, sources_dir) or not path.is_file():
            problems.add(where, "file_name", f"{display_path(path)} is not a file in {display_path(sources_dir)}")
            continue
        raw, refused = read_bytes(path)  # a regular file only, never more than the size cap
        if raw is None:
            problems.add(where, "file_name", f"{display_path(path)}: {refused}")
            continue
        if s["sha256"] and hashlib.sha256(raw).hexdigest() != s["sha256"]:
            problems.add(where, "sha256", f"does not match {path} (the text changed?)")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.add(where, "file_name", f"{path}: not UTF-8 text")
            continue
        texts[s["id"]] = nfc_norm(text)
        lines[s["id"]] = text.split("\n")

    for table in ("documents", "document_links", "priority_sectors", "targets", "observations", "tasks"):
        for index, row in enumerate(ds.rows[table]):
            where = ds.places[(table, index)]
            source_id, quote = row.get("source_id"), row.get("quote")
            source = sources.get(source_id)
            if source is None:
                continue
            if not quote:
                if table in ("targets", "observations") and source["kind"] != "reference":
                    problems.add(where, "quote", "is required unless the figure comes from a reference source")
                continue
            jurisdiction = row.get("jurisdiction_id")
            if jurisdiction and jurisdiction not in covers.get(source_id, ()):
                problems.add(where, "source", f"{source_id} does not cover {jurisdiction} (see its `covers`)")
            if source_id in texts:
                ds.quotes_checked += 1
            if source_id in texts and not quote_in_text(quote, texts[source_id]):
                problems.add(where, "quote", f"not found verbatim in {source_id}: {quote[:80]!r}")
            locator = row.get("locator")
            match = LINE_LOCATOR.fullmatch(locator or "")
            if match and source_id in lines:
                number = int(match.group(1))
                first = ELLIPSIS.split(nfc_norm(quote))[0].strip()
                text_lines = lines[source_id]
                if not (1 <= number <= len(text_lines) and first in nfc_norm(text_lines[number - 1])):
                    problems.add(where, "locator", f"the quote does not start on {locator} of {source_id}")
            for name in ("value", "value_max", "denominator"):
                value = row.get(name)
                if value is not None and not number_in_text(value, quote):
                    problems.add(where, name, f"{value:g} is not in the quote as the text would write it ({written_number(value)!r})")


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except (ValueError, OSError):
        return False


def load_dataset(data_dir: Path, sources_dir: Path | None = None) -> tuple[Dataset, Problems]:
    """Parse and validate every file of data_dir; quotes are checked against the texts in sources_dir
    (default: data_dir/sources)."""
    problems, refs, ds = Problems(), [], Dataset()
    if not data_dir.is_dir():
        problems.append(Problem(str(data_dir), 0, "data", "folder not found"))
        return ds, problems
    parsers = {"dataset": parse_dataset, "source": parse_sources, "pillar": parse_pillars, "sector": parse_sectors,
               "sector_relation": parse_sector_relations, "indicator": parse_indicators}
    for file_name, sections in VOCABULARY_FILES.items():
        path = data_dir / file_name
        refused = refusal(path, data_dir.resolve()) if path.exists() or path.is_symlink() else "missing"
        if refused:
            problems.append(Problem(display_path(path), 0, "file", refused))
            continue
        doc = read_yaml(path, problems)
        contract.validate_file(doc, file_name, problems)
        if not isinstance(doc, Record):
            continue
        for key in doc:
            if key not in sections:
                problems.add(doc.where, str(key), f"unknown section; known: {', '.join(sections)}")
        for key, kind in sections.items():
            if key in SINGLE_RECORD_KEYS:
                if key in doc:
                    parsers[kind](doc[key], ds, problems, refs, doc.where.at(key))
                else:
                    problems.add(doc.where, key, "section is required")
                continue
            items = doc.get(key) or Items()
            if not isinstance(items, list):
                problems.add(doc.where, key, "expected a list")
                continue
            parsers[kind](items, ds, problems, refs)
    for path in data_files(data_dir, problems):  # every *.yml / *.yaml is read or refused
        if path.name in VOCABULARY_FILES:
            continue
        doc = read_yaml(path, problems)
        contract.validate_file(doc, path.name, problems)
        if isinstance(doc, Record):
            parse_jurisdiction_file(doc, path, ds, problems, refs)
        elif doc is not None:
            problems.append(Problem(display_path(path), 1, "file", "expected a mapping of sections"))
    resolve_references(ds, refs, problems)
    fill_defaults(ds, problems)
    contract.check_dataset(ds, problems)
    sources_dir = sources_dir or data_dir / "sources"
    if sources_dir.is_dir():
        check_evidence(ds, sources_dir, problems)
    else:
        problems.append(Problem(display_path(sources_dir), 0, "sources", "folder of source texts not found"))
    return ds, problems


# ---------------------------------------------------------------- writing

def create_schema(path: Path):
    """The schema comes from the Alembic migrations, so the database is what `alembic upgrade head` makes."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{path}")
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def insert_rows(conn: sqlite3.Connection, ds: Dataset):
    for table in models.Base.metadata.sorted_tables:  # parents before children
        rows = ds.rows[table.name]
        if not rows:
            continue
        columns = [c.name for c in table.columns if any(c.name in r for r in rows)]
        sql = f"INSERT INTO [{table.name}] ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        conn.executemany(sql, [[_sql_value(r.get(c)) for c in columns] for r in rows])


def _sql_value(value):
    return value.isoformat() if isinstance(value, date) else value


def create_search(conn: sqlite3.Connection):
    """Full-text search that works with and without diacritics.

    FTS5's remove_diacritics folds 'ế' to 'e' but leaves 'đ' alone, so each
    index also holds a folded copy of the Vietnamese text ('đô thị' -> 'do thi').
    """
    conn.create_function("fold", 1, lambda s: fold(s) if s else s, deterministic=True)
    for table, columns in views.SEARCH_COLUMNS.items():
        vi_columns = [c for c in columns if not c.endswith("_en")]
        conn.execute(f"CREATE VIRTUAL TABLE [{table}_fts] USING fts5({', '.join(columns)}, folded, "
                     "tokenize = 'unicode61 remove_diacritics 2')")
        folded = " || ' ' || ".join(f"fold(coalesce({c}, ''))" for c in vi_columns)
        conn.execute(f"INSERT INTO [{table}_fts] (rowid, {', '.join(columns)}, folded) "
                     f"SELECT rowid, {', '.join(columns)}, {folded} FROM [{table}]")


def write_database(ds: Dataset, output: Path):
    output.parent.mkdir(parents=True, exist_ok=True)
    outputs.remove_stale_temps(output)  # left by builds that were killed
    handle, temp_name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    temp = Path(temp_name)
    try:
        outputs.lock(handle)  # held until the end: the next build leaves a locked temporary file alone
        create_schema(temp)
        conn = sqlite3.connect(temp)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            with conn:
                insert_rows(conn, ds)
                create_search(conn)
                for sql in views.view_statements(conn):
                    conn.execute(sql)
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise sqlite3.IntegrityError(f"foreign keys broken: {broken[:5]}")
            conn.execute("ANALYZE")
            conn.execute("VACUUM")
        finally:
            conn.close()
        os.chmod(temp, 0o644)
        os.replace(temp, output)
    finally:
        if temp.exists():
            temp.unlink()
        os.close(handle)


# ---------------------------------------------------------------- package export

def write_package(db_path: Path, folder: Path):
    """The SQLite file, CSV and JSON of every table and view, and a Frictionless datapackage.json."""
    from schema.docs import datapackage

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(db_path, folder / db_path.name)
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        package = datapackage(conn)
        for resource in package["resources"]:
            name = resource["name"]
            cursor = conn.execute(f"SELECT * FROM [{name}]")
            columns = [c[0] for c in cursor.description]
            rows = cursor.fetchall()
            with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(columns)
                writer.writerows(rows)
            with open(folder / f"{name}.json", "w", encoding="utf-8") as out:
                json.dump([dict(zip(columns, r)) for r in rows], out, ensure_ascii=False, indent=1)
        (folder / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    finally:
        conn.close()


# ---------------------------------------------------------------- command line

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of YAML files (default: data/)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="database to write (default: dist/vn_dx_plans.db)")
    parser.add_argument("--sources", type=Path,
                        help="folder of the source texts that sources.yml's file_name is relative to (default: DATA/sources)")
    parser.add_argument("--check", action="store_true", help="validate only; write nothing")
    parser.add_argument("--package", type=Path, help="also export CSV, JSON and datapackage.json to this folder")
    args = parser.parse_args(argv)

    try:
        ds, problems = load_dataset(args.data, args.sources)
    except (MemoryError, RecursionError) as exc:  # reported, not a traceback (the reader stops these in a file)
        problems = Problems([Problem(display_path(args.data), 0, "data", f"cannot be checked: {type(exc).__name__}")])
    if not args.check:  # the output may not be an input nor inside the data or sources folder
        problems.extend(outputs.output_problems(args.output, args.package, args.data, args.sources or args.data / "sources"))
    if problems:
        for problem in sorted(problems, key=lambda p: (p.file, p.line)):  # stable: same-line problems keep their order
            print(problem, file=sys.stderr)
        kept = "nothing written" if args.check else f"{display_path(args.output)} left as it was"
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}; {kept}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{len(ds.rows[t])} {t}" for t in ("targets", "observations", "documents", "indicators", "tasks"))
    counts += f"; {ds.quotes_checked} quotes checked against the source texts"
    if args.check:
        print(f"ok: {counts}")
        return 0
    try:
        write_database(ds, args.output)
    except Exception as exc:  # reported, not a traceback: the old database is still in place
        print(f"{display_path(args.output)}: build failed: {type(exc).__name__}: {exc}; previous database left as it was",
              file=sys.stderr)
        return 1
    if args.package:
        try:
            write_package(args.output, args.package)
        except Exception as exc:  # the database is already the new one: say so
            print(f"{display_path(args.package)}: package failed: {type(exc).__name__}: {exc}; "
                  f"{display_path(args.output)} was written, the package is incomplete", file=sys.stderr)
            return 1
    print(f"wrote {display_path(args.output)}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
