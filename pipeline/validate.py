"""Validation: one record against the contract and the rules across its fields (check_record), then across
the whole dataset: every reference resolved, rows given their document's source and their indicator's unit.
"""
from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from pipeline import contract
from pipeline.quotes import quote_problems
from pipeline.read import Items, Problem, Problems, Record, Refused, Where
from pipeline.text import number_in_text
from schema import vocab
from schema.yaml_schema import RECORDS

if TYPE_CHECKING:
    from pipeline.parse import Dataset


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
