#!/usr/bin/env python3
"""Build the vn-dx-plans SQLite database from the YAML in data/.

    python build.py                          # data/ -> dist/vn_dx_plans.db
    python build.py --data DIR --output PATH
    python build.py --check                  # validate only, write nothing
    python build.py --sources DIR            # source texts elsewhere (default: DATA/sources)

Parse (libyaml, plain YAML only) -> validate everything -> load -> index.
Every problem is reported at once as `file:line: field: message`; on any
problem nothing is written and the previous database stays as it was.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import contract, incremental, outputs
from pipeline.cache import MANY_ROWS, FilePart, cache_key, cache_problems, cached_template, parse_files, read_summary
from pipeline.quotes import ELLIPSIS, quote_problems  # ELLIPSIS: ' … ' or ' ... ' between fragments
from pipeline.read import (  # noqa: F401  (Problem, Where, display_path: used by tests and other modules)
    Items, Problem, Problems, Record, Refused, Where, data_files, display_path, read_bytes, read_yaml, refusal,
)
from schema import views, vocab
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
LINE_LOCATOR = re.compile(r"line (\d+)(?: \(\d+\))?")
REFERENCE_LINES = re.compile(r"lines? (\d+)(?:[–-](\d+))?")  # 'line 37' or 'lines 47–49' of a reference file


# ---------------------------------------------------------------- text helpers

_SPACE = re.compile(r"\s+")
_ONE_SPACE = re.compile(r"\s")


def nfc_norm(text: str) -> str:
    """NFC, with every run of white space one space, trimmed (the form quotes are compared in)."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "  " in text or (_ONE_SPACE.search(text.replace(" ", "")) is not None):
        return " ".join(text.split())  # str.split() splits on the white space \s matches, in C
    return text.strip()


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


def number_in_text(value: float, text: str, english: bool = False) -> bool:
    """Whether the number is written in the text: Vietnamese style, or also English style (13.17, 1,000) where
    `english` (the reference files are written in English)."""
    forms = {written_number(value)}
    if english:
        forms.add(str(int(value)) if value == int(value) else repr(float(value)))
    return any(_written_in(form, text) for form in forms)


def _written_in(form: str, text: str) -> bool:
    """The written number stands on its own in the text: not inside a longer one ('20' is not in '2025',
    '1.200' or '6,20'); leading zeros are allowed ('01' is 1). As the regex (?<![\\d.,])0*FORM(?![\\d]|[.,]\\d),
    without compiling one per number."""
    start = text.find(form)
    while start >= 0:
        before = start
        while before > 0 and text[before - 1] == "0":
            before -= 1
        end = start + len(form)
        after = text[end:end + 2]
        if not (before > 0 and (text[before - 1].isdigit() or text[before - 1] in ".,")) and \
                not (after[:1].isdigit() or (after[:1] in ".," and after[1:2].isdigit())):
            return True
        start = text.find(form, start + 1)
    return False


def quote_in_text(quote: str, text: str) -> bool:
    return quote_end(quote, text) >= 0


def quote_end(quote: str, text: str, hint: int = 0) -> int:
    """Where the quote ends in the text (its fragments in order), or -1. `hint` only makes it faster: the search
    starts there (quotes are mostly transcribed in the order of their text) and, if that fails, starts again from
    the beginning, so whether a quote is found never depends on what was checked before it."""
    end = _quote_end(quote, text, hint)
    return _quote_end(quote, text, 0) if end < 0 and hint else end


def _quote_end(quote: str, text: str, hint: int) -> int:
    at = -1
    for part in ELLIPSIS.split(nfc_norm(quote)):
        part = part.strip()
        if not part:
            continue
        if at < 0:
            at = text.find(part, hint)
            if at < 0 and hint:
                at = text.find(part, 0, hint + len(part))
        else:
            at = text.find(part, at)
        if at < 0:
            return -1
        at += len(part)
    return max(at, 0)


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
    rows: dict = field(default_factory=lambda: defaultdict(list))  # table -> rows
    ids: dict = field(default_factory=dict)  # kind -> {id: Where}
    quotes_checked: int = 0
    quotes_by_file: Counter = field(default_factory=Counter)  # quotes checked, per file
    texts_digest: str = ""  # of the source texts' bytes, as check_evidence read them
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
            "national_indicator_id": r.get("national"), "level": r.get("level"),
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
                                 "issue_date", "period_start", "period_end", "vision_year", "signer", "quote", "locator", "note",
                                 "completeness", "citation")},
        "source_id": d["source"], "reference_source_id": d.get("reference_source"),
    }, d.where)
    for link in d.get("links") or []:
        ds.add("document_links", {"document_id": d["id"], "relation": link["relation"],
                                  "target_document_id": link["document"], "source_id": link["source"],
                                  **{k: link.get(k) for k in ("quote", "locator", "citation", "note")}}, link.where)


def parse_figure(r, kind: str, jid: str, ds: Dataset, problems: Problems, refs: list):
    """One source's statement of a target or observation: a claim. Claims that share an id (document or
    jurisdiction, indicator, year and scope) are one figure; settle_claims picks the statement it uses."""
    if not check_record(r, kind, problems, refs):
        return
    year_key = "target_year" if kind == "target" else "year"
    year = r.get(year_key)
    # A target belongs to its document; an observation to its jurisdiction (several sources may report one).
    anchor = (r.get("document") or jid) if kind == "target" else jid
    ident = f"{anchor}/{r['indicator']}/{year or 'no-year'}" + (f"/{slug(r['scope'])}" if r.get("scope") else "")
    value, value_max, comparator = r.get("value"), r.get("value_max"), r.get("comparator")
    if (value is None) != (comparator is None):
        problems.add(r.where, "comparator", "give a comparator with a value, and neither when the text has no number")
    if value_max is not None and (value is None or value_max <= value):
        problems.add(r.where, "value_max", "must be greater than value (value_max is the upper end of a range)")
    if year is not None and not vocab.YEAR_MIN <= year <= vocab.YEAR_MAX:
        problems.add(r.where, year_key, f"{year} is outside {vocab.YEAR_MIN}–{vocab.YEAR_MAX}")
    ds.add("claims", {
        "figure_kind": kind, "figure_id": ident, "jurisdiction_id": jid, "document_id": r.get("document"),
        "indicator_id": r["indicator"], "year": year, "scope": r.get("scope"), "frequency": r.get("frequency"),
        "comparator": comparator, "value": value, "value_max": value_max, "denominator": r.get("denominator"),
        "unit": r.get("unit"), "statement_vi": r["statement_vi"], "statement_en": r["statement_en"],
        "quote": r.get("quote"), "locator": r.get("locator"), "citation": r.get("citation"),
        "source_id": r.get("source"), "note": r.get("note"),
    }, r.where)


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
    for table in ("priority_sectors", "claims", "tasks"):
        for index, row in enumerate(ds.rows[table]):
            where = ds.places[(table, index)]
            if row.get("source_id") is None:
                row["source_id"] = doc_source.get(row.get("document_id"))
                # an unknown document was already reported by resolve_references
                if row["source_id"] is None and row.get("document_id") not in doc_source:
                    problems.add(where, "source", "give the source (there is no document to take it from)")
            if table == "claims" and row["indicator_id"] in units:
                unit = units[row["indicator_id"]]
                if row["unit"] is not None and row["unit"] != unit:
                    problems.add(where, "unit", f"{row['unit']!r} differs from the indicator's unit {unit!r}")
                row["unit"] = unit
                allowed = scopes[row["indicator_id"]]
                if allowed and row["scope"] is not None and row["scope"] not in allowed:
                    problems.add(where, "scope", f"{row['scope']!r} is not one of the indicator's scopes: {'; '.join(allowed)}")
                for name in ("value", "value_max"):
                    if unit == vocab.PERCENT and row[name] is not None and not 0 <= row[name] <= 100:
                        problems.add(where, name, f"{row[name]} is not a percentage between 0 and 100")
                    if unit == "rank" and row[name] is not None and row[name] < 1:
                        problems.add(where, name, f"{row[name]} is not a rank (ranks start at 1)")


def settle_claims(ds: Dataset, problems: Problems):
    """Group the claims of each figure, rank them by authority and write the figure from the best one.

    Authority: the document's own text, then a reference summary of it, then a news restatement
    (vocab.AUTHORITY); among sources of one kind the latest published, then the source id. The
    others stay in `claims`, and the discrepancies view shows where they disagree."""
    sources = {s["id"]: s for s in ds.rows["sources"]}
    groups: dict = {}
    for index, claim in enumerate(ds.rows["claims"]):
        groups.setdefault((claim["figure_kind"], claim["figure_id"]), []).append(index)
    for (kind, ident), indexes in groups.items():
        by_source: dict = {}
        for index in indexes if len(indexes) > 1 else ():
            claim, where = ds.rows["claims"][index], ds.places[("claims", index)]
            first = by_source.setdefault(claim["source_id"], where)
            if first is not where:
                problems.add(where, "indicator", f"duplicate {kind} id {ident!r} (first at {first.file}:{first.line})")
        claims = [ds.rows["claims"][i] for i in indexes]
        if len(claims) > 1:
            claims.sort(key=lambda c: c["source_id"] or "")
            claims.sort(key=lambda c: str(sources.get(c["source_id"], {}).get("published") or ""), reverse=True)
            claims.sort(key=lambda c: _authority_order(sources.get(c["source_id"])))
        for rank, claim in enumerate(claims, 1):
            claim.update(id=f"{ident}@{claim['source_id']}", authority_rank=rank,
                         evidence="quote" if claim["quote"] else "citation",
                         target_id=ident if kind == "target" else None,
                         observation_id=ident if kind == "observation" else None)
        best = claims[0]
        own = {"id": ident, "authority": sources.get(best["source_id"], {}).get("kind"), "claim_count": len(claims)}
        if kind == "target":
            own.update(target_year=best["year"], frequency=best["frequency"])
        else:
            own["year"] = best["year"]
        ds.add(kind + "s", Figure(best, own), ds.places[("claims", indexes[0])])


class Figure(Mapping):
    """A target's or observation's row: the fields it takes from its best claim (FIGURE_FIELDS) and its own (id,
    year, authority, claim_count). It reads the claim's fields rather than copying them: at 63 provinces x 2,000
    targets that is 145k dicts fewer at the build's peak memory."""

    __slots__ = ("claim", "own")

    def __init__(self, claim: dict, own: dict):
        self.claim, self.own = claim, own

    def get(self, key, default=None):
        own = self.own
        if key in own:
            return own[key]
        return self.claim.get(key, default) if key in FIGURE_FIELDS else default

    def __getitem__(self, key):
        own = self.own
        if key in own:
            return own[key]
        if key in FIGURE_FIELDS:
            return self.claim[key]
        raise KeyError(key)

    def __contains__(self, key):
        return key in self.own or key in FIGURE_FIELDS

    def __iter__(self):
        yield from FIGURE_FIELDS
        yield from self.own

    def __len__(self):
        return len(FIGURE_FIELDS) + len(self.own)


FIGURE_FIELDS = frozenset(("jurisdiction_id", "document_id", "indicator_id", "comparator", "value", "value_max",
                           "denominator", "unit", "scope", "statement_vi", "statement_en", "quote", "locator",
                           "source_id", "note", "citation", "evidence"))


def _authority_order(source) -> int:
    return vocab.AUTHORITY.index(source["kind"]) if source and source["kind"] in vocab.AUTHORITY else len(vocab.AUTHORITY)


class Texts(dict):
    """Source texts as read, each made into the form the checks use (`make`) the first time it is looked up:
    every text is read and its sha256 checked on every build, but one no row cites is not normalized."""

    def __init__(self, make):
        super().__init__()
        self.make, self.made = make, {}

    def __getitem__(self, key):
        if key not in self.made:
            self.made[key] = self.make(super().__getitem__(key))
        return self.made[key]


def check_evidence(ds: Dataset, sources_dir: Path, problems: Problems, checked: frozenset = frozenset()):
    """Every quote verbatim in its source (which must cover the row's jurisdiction); every number written in
    its quote; 'line N' locators point at the quote. A statement from a reference source has no quote: its
    'line N' locator must point at the line of the reference file that gives its numbers.

    Every text is read and its sha256 checked. `checked`: files whose rows an earlier build checked against
    the same texts, sources.yml and inherited sources (an incremental rebuild: load_changes)."""
    sources = {s["id"]: s for s in ds.rows["sources"]}
    covers: dict = {}
    for c in ds.rows["source_coverage"]:
        covers.setdefault(c["source_id"], set()).add(c["jurisdiction_id"])
    texts, lines, hints = Texts(nfc_norm), Texts(lambda text: text.split("\n")), {}
    ds.quotes_checked = 0
    ds.quotes_by_file.clear()
    digest = hashlib.sha256()
    for index, s in enumerate(ds.rows["sources"]):
        if not s["file_name"]:
            continue
        path = sources_dir / s["file_name"]
        where = ds.places[("sources", index)]
        if not outputs.inside(path, sources_dir):  # read_bytes says why anything else cannot be read
            problems.add(where, "file_name", f"{display_path(path)} is not a file in {display_path(sources_dir)}")
            continue
        raw, refused = read_bytes(path)  # a regular file only, never more than the size cap
        if raw is None:
            problems.add(where, "file_name", f"{display_path(path)}: {refused}")
            continue
        sha256 = hashlib.sha256(raw).hexdigest()
        digest.update(f"{s['id']}\0{sha256}\0".encode())
        if s["sha256"] and sha256 != s["sha256"]:
            problems.add(where, "sha256", f"does not match {display_path(path)} (the text changed?)")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.add(where, "file_name", f"{display_path(path)}: not UTF-8 text")
            continue
        texts[s["id"]] = text  # normalized and split into lines when a row first cites it (Texts)
        lines[s["id"]] = text
    ds.texts_digest = digest.hexdigest()

    for table in ("documents", "document_links", "priority_sectors", "claims", "tasks"):
        for index, row in enumerate(ds.rows[table]):
            where = ds.places[(table, index)]
            source_id, quote = row.get("source_id"), row.get("quote")
            source = sources.get(source_id)
            if source is None or where.file in checked:
                continue
            jurisdiction = row.get("jurisdiction_id")
            if jurisdiction and jurisdiction not in covers.get(source_id, ()):
                problems.add(where, "source", f"{source_id} does not cover {jurisdiction} (see its `covers`)")
            locator = row.get("locator")
            match = LINE_LOCATOR.fullmatch(locator or "")
            numbers = [(name, row[name]) for name in ("value", "value_max", "denominator") if row.get(name) is not None]
            if source["kind"] == "reference":
                span = REFERENCE_LINES.fullmatch(locator or "")
                if quote:
                    problems.add(where, "quote", f"{source_id} is a reference source: give its line as locator and the pages as citation, not a quote")
                if table == "claims" and not span:
                    problems.add(where, "locator", f"give the line of {source['file_name']} that states the figure, as 'line N' or 'lines N–M'")
                if table in ("claims", "document_links") and not row.get("citation"):
                    problems.add(where, "citation", "give the pages where the fact was checked, or say that the reference names none")
                if span and source_id in lines:
                    first, last = int(span.group(1)), int(span.group(2) or span.group(1))
                    line = "\n".join(lines[source_id][first - 1:last]) if 1 <= first <= last <= len(lines[source_id]) else ""
                    for name, value in numbers:
                        if not number_in_text(value, line, english=True):
                            problems.add(where, name, f"{value:g} is not on {locator} of {source['file_name']}")
                    if table == "documents" and row.get("number") and row["number"] not in line:
                        problems.add(where, "number", f"{row['number']!r} is not on {locator} of {source['file_name']}")
                continue
            if not quote:
                if table in ("claims", "document_links") and row.get("relation") != "may_be_same_as":
                    problems.add(where, "quote", "is required unless the source is a reference source")
                continue
            if source_id in texts:
                ds.quotes_checked += 1
                ds.quotes_by_file[where.file] += 1
                end = quote_end(quote, texts[source_id], hints.get(source_id, 0))
                if end < 0:
                    problems.add(where, "quote", f"not found verbatim in {source_id}: {quote[:80]!r}")
                else:
                    hints[source_id] = end
            if match and source_id in lines:
                number = int(match.group(1))
                first = ELLIPSIS.split(nfc_norm(quote))[0].strip()
                text_lines = lines[source_id]
                if not (1 <= number <= len(text_lines) and first in nfc_norm(text_lines[number - 1])):
                    problems.add(where, "locator", f"the quote does not start on {locator} of {source_id}")
            for name, value in numbers:
                if not number_in_text(value, quote):
                    problems.add(where, name, f"{value:g} is not in the quote as the text would write it ({written_number(value)!r})")


PARSERS = {"dataset": parse_dataset, "source": parse_sources, "pillar": parse_pillars, "sector": parse_sectors,
           "sector_relation": parse_sector_relations, "indicator": parse_indicators}
ID_FIELDS = {"task": "locator", "priority_sector": "sector"}  # the field a duplicate id is reported at


def parse_file(path: Path) -> FilePart:
    """Read, validate and parse one data file. It depends on nothing but the file and the code, so it can run
    in another process and its result can be cached by the file's content."""
    problems, refs, ds = Problems(), [], Dataset()
    doc = read_yaml(path, problems)
    contract.validate_file(doc, path.name, problems)
    sections = VOCABULARY_FILES.get(path.name)
    if sections is None:
        if isinstance(doc, Record):
            parse_jurisdiction_file(doc, path, ds, problems, refs)
        elif doc is not None:
            problems.append(Problem(display_path(path), 1, "file", "expected a mapping of sections"))
    elif isinstance(doc, Record):
        for key in doc:
            if key not in sections:
                problems.add(doc.where, str(key), f"unknown section; known: {', '.join(sections)}")
        for key, kind in sections.items():
            if key in SINGLE_RECORD_KEYS:
                if key in doc:
                    PARSERS[kind](doc[key], ds, problems, refs, doc.where.at(key))
                else:
                    problems.add(doc.where, key, "section is required")
                continue
            items = doc.get(key) or Items()
            if not isinstance(items, list):
                problems.add(doc.where, key, "expected a list")
                continue
            PARSERS[kind](items, ds, problems, refs)
    return FilePart(dict(ds.rows), ds.places, ds.ids, refs, list(problems))


def merge_part(ds: Dataset, part: FilePart, problems: Problems, refs: list):
    """Add one file's part to the dataset; an id another file defined already is reported here."""
    problems.extend(part.problems)
    refs.extend(part.refs)
    for kind, ids in part.ids.items():
        for ident, where in ids.items():
            ds.define(kind, ident, where, problems, key=ID_FIELDS.get(kind, "id"))
    for table, rows in part.rows.items():
        offset = len(ds.rows[table])
        ds.rows[table].extend(rows)
        for index in range(len(rows)):
            ds.places[(table, offset + index)] = part.places[(table, index)]


def data_paths(data_dir: Path, problems: Problems) -> list[Path]:
    """The vocabulary files, then every jurisdiction file (*.yml), in the order a build reads them."""
    if not data_dir.is_dir():
        problems.append(Problem(str(data_dir), 0, "data", "folder not found"))
        return []
    paths = []
    for file_name in VOCABULARY_FILES:
        path = data_dir / file_name
        refused = refusal(path, data_dir.resolve()) if path.exists() or path.is_symlink() else "missing"
        if refused:
            problems.append(Problem(display_path(path), 0, "file", refused))
        else:
            paths.append(path)
    return paths + [p for p in data_files(data_dir, problems) if p.name not in VOCABULARY_FILES]  # every *.yml / *.yaml


def load_dataset(data_dir: Path, sources_dir: Path | None = None, jobs: int | None = None,
                 cache: Path | None = None, progress=None, paths: tuple | None = None,
                 keys: dict | None = None) -> tuple[Dataset, Problems]:
    """Parse and validate every file of data_dir (in `jobs` processes, each file's result cached in `cache` by
    its content), then run the whole-dataset checks; quotes are checked against the texts in sources_dir
    (default: data_dir/sources). `paths`: (paths, problems) of data_paths, when already listed; `keys`: their
    cache keys, when already computed."""
    ds, refs = Dataset(), []
    if paths is None:
        problems = Problems()
        paths = data_paths(data_dir, problems)
    else:
        paths, problems = paths[0], Problems(paths[1])
    if not data_dir.is_dir():
        return ds, problems
    for part in parse_files(parse_file, paths, jobs=jobs, cache=cache, progress=progress, keys=keys):
        merge_part(ds, part, problems, refs)
    check_whole(ds, refs, problems, data_dir, sources_dir, progress=progress)
    return ds, problems


def load_changes(data_dir: Path, sources_dir: Path | None, jobs: int | None, cache: Path, output: Path | None,
                 paths: list[Path], keys: dict, progress=None) -> tuple[Dataset | None, incremental.Changes | str]:
    """An incremental rebuild (pipeline/incremental.py says when it is taken and why it equals a clean build):
    the changed jurisdiction files parsed and checked afresh, every other one from its cached summary, and every
    whole-dataset check run again on the result. (None, why) when the build must be done in full."""
    try:
        code = incremental.version(schema_template().name)
    except Exception:  # noqa: BLE001 (the full build reports why the schema cannot be made)
        return None, "no schema"
    changes = incremental.plan(incremental.read_manifest(incremental.manifest_path(cache, data_dir, output)),
                               keys, code, output, set(VOCABULARY_FILES))
    if isinstance(changes, str):
        return None, changes
    summaries = {}
    for path in paths:
        name = display_path(path)
        if name not in changes.changed and path.name not in VOCABULARY_FILES:
            summary = read_summary(cache, keys[name])
            if summary is None or summary.problems:
                return None, f"no summary of {name}"
            summaries[name] = summary
    fresh = iter(parse_files(parse_file, [p for p in paths if display_path(p) not in summaries], jobs=jobs,
                             cache=cache, progress=progress, keys=keys))
    problems, refs, ds = Problems(), [], Dataset()
    for path in paths:
        merge_part(ds, summaries.get(display_path(path)) or next(fresh), problems, refs)
    check_whole(ds, refs, problems, data_dir, sources_dir, frozenset(summaries), progress)
    if problems:
        return None, "a problem (the full build reports it)"
    previous = changes.previous
    if ds.texts_digest != previous.texts:
        return None, "the source texts changed"
    doc_source = {d["id"]: d["source_id"] for d in ds.rows["documents"]}
    figures = {(c["figure_kind"], c["figure_id"]) for c in ds.rows["claims"]}
    for name in changes.changed + changes.removed:  # and the figures the changed files stated before the edit
        if name in previous.keys:
            earlier = read_summary(cache, previous.keys[name])
            if earlier is None:
                return None, f"no summary of the earlier {name}"
            figures |= earlier.figures
    for name, summary in summaries.items():
        if any(doc_source.get(d) != previous.doc_source.get(d) for d in summary.inherits):
            return None, f"rows of {name} inherit the source of a document that changed its source"
        if not summary.figures.isdisjoint(figures):
            return None, f"a figure of {name} is also stated in a changed file"
    return ds, changes


def check_whole(ds: Dataset, refs: list, problems: Problems, data_dir: Path, sources_dir: Path | None,
                checked: frozenset = frozenset(), progress=None):
    """The whole-dataset checks, after every file's part is merged (`checked`: see check_evidence)."""
    if progress:
        progress.say(f"checking {sum(map(len, ds.rows.values())):,} rows across files (references, ids, evidence)")
    resolve_references(ds, refs, problems)
    fill_defaults(ds, problems)
    sources_dir = sources_dir or data_dir / "sources"
    if sources_dir.is_dir():  # before settle_claims: the texts are let go before the figures' rows are made
        check_evidence(ds, sources_dir, problems, checked)
    else:
        problems.append(Problem(display_path(sources_dir), 0, "sources", "folder of source texts not found"))
    settle_claims(ds, problems)
    contract.check_dataset(ds, problems, _table_keys())


# ---------------------------------------------------------------- writing

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


# ---------------------------------------------------------------- command line

class Progress:
    """Progress on a terminal (files parsed, checks, rows loaded, indexing) for builds long enough to need it
    (from `after` seconds on); silent otherwise (main makes one only when stderr is a terminal)."""

    def __init__(self, after: float = 1.0):
        import time

        self.clock, self.start, self.shown = time.monotonic, time.monotonic(), False
        self.after = after

    def __call__(self, done: int, total: int):
        self.say(f"parsed {done}/{total} files")

    def say(self, text: str):
        if self.clock() - self.start >= self.after:
            print(f"\r\033[K{text}", end="", file=sys.stderr, flush=True)
            self.shown = True

    def close(self):
        if self.shown:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of YAML files (default: data/)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="database to write (default: dist/vn_dx_plans.db)")
    parser.add_argument("--sources", type=Path,
                        help="folder of the source texts that sources.yml's file_name is relative to (default: DATA/sources)")
    parser.add_argument("--check", action="store_true", help="validate only; write nothing")
    parser.add_argument("--jobs", type=int, help="processes that parse files (default: one per core; 1: none)")
    parser.add_argument("--cache", type=Path,
                        help="folder to cache each file's parsed and validated part in, by its content (default: "
                             ".cache/parsed/ for the project's own data/, none for another data folder)")
    parser.add_argument("--no-cache", action="store_true", help="parse every file afresh")
    parser.add_argument("--vacuum", action="store_true", help="VACUUM the database (a release does)")
    args = parser.parse_args(argv)

    progress = Progress() if sys.stderr.isatty() else None
    output = None if args.check else args.output
    changes = None
    try:
        own_data = args.data.resolve() == DEFAULT_DATA.resolve()
        store = None if args.no_cache else args.cache or (CACHE / "parsed" if own_data else None)
        listed = Problems(cache_problems(store))
        paths = data_paths(args.data, listed)
        keys = {display_path(p): cache_key(p) for p in paths} if store is not None else {}
        ds = None
        if store is not None and not listed and not args.vacuum:  # a release is always built in full
            ds, changes = load_changes(args.data, args.sources, args.jobs, store, output, paths, keys, progress)
        if ds is None:
            changes = None
            ds, problems = load_dataset(args.data, args.sources, jobs=args.jobs, cache=store, progress=progress,
                                        paths=(paths, listed), keys=keys)
        else:
            problems = Problems()
    except (MemoryError, RecursionError) as exc:  # reported, not a traceback (the reader stops these in a file)
        problems = Problems([Problem(display_path(args.data), 0, "data", f"cannot be checked: {type(exc).__name__}")])
    if progress:
        progress.close()
    if not args.check:  # the output may not be an input nor inside the data or sources folder
        problems.extend(outputs.output_problems(args.output, args.data, args.sources or args.data / "sources"))
    if problems:
        for problem in sorted(problems, key=lambda p: (p.file, p.line)):  # stable: same-line problems keep their order
            print(problem, file=sys.stderr)
        kept = "nothing written" if args.check else f"{display_path(args.output)} left as it was"
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}; {kept}", file=sys.stderr)
        return 1
    manifest = built(ds, keys, changes)
    rows = Counter({t: len(ds.rows[t]) for t in ("documents", "indicators")})
    for per_file in manifest.counts.values():
        rows.update(per_file)
    quotes = sum(manifest.quotes.values())
    counts = ", ".join(f"{rows[t]} {t}" for t in ("targets", "observations", "documents", "indicators", "tasks"))
    counts += f"; {quotes} quotes checked against the source texts"
    if changes is not None:
        earlier = quotes - ds.quotes_checked
        changed = len(changes.changed) + len(changes.removed)
        counts += (f" ({earlier} of them in files unchanged since the last build, checked then against the same texts;"
                   f" {changed} file{'s' if changed != 1 else ''} changed since)")
    if args.check:
        if store is not None:
            incremental.write_manifest(incremental.manifest_path(store, args.data, None), manifest)
        print(f"ok: {counts}")
        return 0
    try:
        write_database(ds, args.output, vacuum=args.vacuum, changes=changes, progress=progress)
        if progress:
            progress.close()
    except Exception as exc:  # reported, not a traceback: the old database is still in place
        print(f"{display_path(args.output)}: build failed: {type(exc).__name__}: {exc}; previous database left as it was",
              file=sys.stderr)
        return 1
    if store is not None:
        manifest.output = incremental.stat_of(args.output)
        incremental.write_manifest(incremental.manifest_path(store, args.data, args.output), manifest)
    print(f"wrote {display_path(args.output)}: {counts}")
    return 0


def built(ds: Dataset, keys: dict, changes: incremental.Changes | None) -> incremental.Manifest:
    """What this build was made from (pipeline/incremental.py), for the next build to compare with: the files'
    keys, and per file its many rows and their quotes (files not parsed this time keep the last build's)."""
    counts, quotes = incremental.file_counts(ds)
    if changes is not None:
        for name in keys:
            if name not in changes.changed:
                counts.setdefault(name, changes.previous.counts.get(name, {}))
                quotes.setdefault(name, changes.previous.quotes.get(name, 0))
    try:
        code = incremental.version(schema_template().name)
    except Exception:  # noqa: BLE001 (no template: the next build is a full one)
        code = ""
    return incremental.Manifest(code, keys, {d["id"]: d["source_id"] for d in ds.rows["documents"]}, ds.texts_digest,
                                quotes, counts)


if __name__ == "__main__":
    sys.exit(main())
