"""Parsing: the Dataset (rows per table, ids, where each row was written) and a parser per kind of record;
parse_file reads, validates and parses one data file into its part, merge_part adds a part to the dataset,
data_paths lists the files a build reads.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import contract
from pipeline.cache import FilePart
from pipeline.jurisdictions import JURISDICTION_COLUMNS, membership
from pipeline.read import Items, Problem, Problems, Record, Where, data_files, display_path, read_yaml, refusal
from pipeline.text import slug
from pipeline.validate import check_record, mappings
from schema import vocab
from schema.yaml_schema import (
    JURISDICTION_FILE,
    REQUIRED_JURISDICTION_KEYS,
    SINGLE_RECORD_KEYS,
    JURISDICTIONS_DIR,
    VOCABULARY_FILES,
)


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
        **{k: j.get(k) for k in JURISDICTION_COLUMNS},
        "reference_source_id": j.get("reference_source"), **membership(j),
    }, j.where)
    reorg = doc.get("reorganisation")
    if reorg is not None and check_record(reorg, "reorganisation", problems, refs, doc.where.at("reorganisation")):
        ds.add("jurisdiction_changes", {
            "jurisdiction_id": jid, "successor_id": reorg["successor"],
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
        **{k: d.get(k) for k in ("number", "type", "programme", "title_vi", "title_en", "label", "issuing_body_vi", "issuing_body_en",
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
    """The catalogue files (data/*.yml), then every jurisdiction file (data/jurisdictions/*.yml), in the order
    a build reads them."""
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
    for path in data_files(data_dir, problems):  # a jurisdiction file left beside the catalogue
        if path.name not in VOCABULARY_FILES:
            problems.append(Problem(display_path(path), 0, "file",
                                    f"jurisdiction files live in {JURISDICTIONS_DIR}/; move it to "
                                    f"{display_path(data_dir / JURISDICTIONS_DIR / path.name)}"))
    folder = data_dir / JURISDICTIONS_DIR
    if not folder.is_dir() or not folder.resolve().is_relative_to(data_dir.resolve()):
        problems.append(Problem(display_path(folder), 0, "data", "folder not found (a folder inside the data folder "
                                "with one file per jurisdiction)"))
        return paths
    jurisdictions = data_files(folder, problems, root=data_dir.resolve())  # every jurisdiction's *.yml
    for path in jurisdictions:
        if path.name in VOCABULARY_FILES:
            problems.append(Problem(display_path(path), 0, "file", "a catalogue file's name; a jurisdiction file is "
                                    "named after its id"))
    return paths + [p for p in jurisdictions if p.name not in VOCABULARY_FILES]
