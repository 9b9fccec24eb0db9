"""The contract of the data files as JSON Schema (draft 2020-12), generated from schema/yaml_schema.py.

    python -m schema.docs     # writes schema/<kind>.schema.json (a test checks they are up to date)

One schema per kind of data file (sources, pillars, sectors, indicators, jurisdiction),
each with the record definitions it needs under $defs. Editors validate as people
type through the `# yaml-language-server: $schema=...` first line of each data file;
the build validates with the `jsonschema` package and turns each error into
`file:line: field: message`. Everything a SQL check constraint would refuse is
refused here first; what JSON Schema cannot say (references, quotes, uniqueness
across files, period order, NFC) stays in build.py's own checks.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from pipeline.read import Items, Problem, Problems, Record, Refused
from schema.yaml_schema import (
    JURISDICTION_FILE,
    NUMBER_BOUND,
    RECORDS,
    REQUIRED_JURISDICTION_KEYS,
    SINGLE_RECORD_KEYS,
    VOCABULARY_FILES,
    FILE_NAME_PART,
    GSO_CODE,
    WEB_ADDRESS,
    YEAR_DATE,
    Field,
)

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"
JURISDICTION_SCHEMA = "jurisdiction"
RANK = "rank"  # the unit of rank indicators: their values are whole numbers from 1
# Free text may not start like a spreadsheet formula (=, +, -, @) or with a tab or carriage return.
SAFE_TEXT = r"^(?![=+\-@\t\r])"
PATTERN_MESSAGES = {
    SAFE_TEXT: "text may not begin with =, +, -, @, a tab or a carriage return (a spreadsheet would run it as a formula)",
    YEAR_DATE: "the year must be 2000–2050",
    WEB_ADDRESS: "a web address beginning with http:// or https://",
    FILE_NAME_PART: "must be a plain file name (letters, digits, '.', '_', '-'; no '/', not '.' or '..'; "
                    "at most 100 characters): it names the release's folder",
    GSO_CODE: "a GSO province code is two digits, in quotes (e.g. \"12\")",
}
_TYPE_NAMES = {"string": "text", "integer": "a whole number", "number": "a number", "array": "a list",
               "object": "a mapping of fields", "boolean": "true or false", "null": "null"}


# ---------------------------------------------------------------- generating the schemas

def schema_name(file_name: str) -> str:
    """The schema a data file follows: sources.yml -> 'sources', any jurisdiction file -> 'jurisdiction'."""
    return Path(file_name).stem if file_name in VOCABULARY_FILES else JURISDICTION_SCHEMA


def _field_schema(spec: Field) -> dict:
    nullable = not spec.required  # an optional field may be written `field: null`
    if spec.choices:
        return {"enum": [*spec.choices, *([None] if nullable else [])]}
    text = {"type": "string", "minLength": 1, "pattern": SAFE_TEXT}
    kind = spec.type
    if kind == "str":
        out = dict(text)
    elif kind == "date":
        out = {"type": "string", "format": "date"}
    elif kind == "int":
        out = {"type": "integer", "minimum": -NUMBER_BOUND, "maximum": NUMBER_BOUND}
    elif kind == "number":
        out = {"type": "number", "minimum": -NUMBER_BOUND, "maximum": NUMBER_BOUND}
    elif kind == "str_list":
        out = {"type": "array", "items": text}
    elif kind == "list":
        out = {"type": "array", "items": {"type": "object", "$ref": f"#/$defs/{spec.record}"}}
    else:
        raise ValueError(f"unknown field type {kind!r}")
    if spec.minimum is not None:
        out["minimum"] = spec.minimum
    if spec.maximum is not None:
        out["maximum"] = spec.maximum
    if spec.exclusive_minimum is not None:
        out.pop("minimum", None)
        out["exclusiveMinimum"] = spec.exclusive_minimum
    if spec.format:
        out["format"] = spec.format
    if spec.pattern:
        out["pattern"] = spec.pattern
    if nullable:
        out["type"] = [out["type"], "null"]
    return out


def _record_schema(kind: str) -> dict:
    spec = RECORDS[kind]
    return {
        "title": kind,
        "properties": {name: _field_schema(f) for name, f in spec.items()},
        "required": [name for name, f in spec.items() if f.required],
        "additionalProperties": False,
    }


def _needed(kinds) -> list[str]:
    """The record kinds reachable from kinds (list fields name the record of their items)."""
    seen, todo = [], list(kinds)
    while todo:
        kind = todo.pop(0)
        if kind not in seen:
            seen.append(kind)
            todo += [f.record for f in RECORDS[kind].values() if f.record]
    return seen


def file_schema(name: str) -> dict:
    """The JSON Schema of one kind of data file."""
    if name == JURISDICTION_SCHEMA:
        sections, title = JURISDICTION_FILE, "A jurisdiction's file: data/jurisdictions/<jurisdiction id>.yml"
        required = sorted(REQUIRED_JURISDICTION_KEYS)
    else:
        file_name = f"{name}.yml"
        sections, title = VOCABULARY_FILES[file_name], f"data/{file_name}"
        required = [s for s in sections if s in SINGLE_RECORD_KEYS]
    properties = {}
    for section, kind in sections.items():
        item = {"type": "object", "$ref": f"#/$defs/{kind}"}
        if section in SINGLE_RECORD_KEYS:
            properties[section] = item if section in required else {**item, "type": ["object", "null"]}
        else:
            properties[section] = {"type": ["array", "null"], "items": item}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "description": "Generated from schema/yaml_schema.py by `python -m schema.docs`; do not edit.",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
        "$defs": {kind: _record_schema(kind) for kind in _needed(sections.values())},
    }


def schema_files() -> dict[str, str]:
    """{file name in schema/: JSON text} for every kind of data file."""
    names = [Path(f).stem for f in VOCABULARY_FILES] + [JURISDICTION_SCHEMA]
    return {f"{n}.schema.json": json.dumps(file_schema(n), ensure_ascii=False, indent=2) + "\n" for n in names}


def schema_comment(file_name: str) -> str:
    """The first line of a data file, naming its schema for editors (yaml-language-server)."""
    name = schema_name(file_name)
    up = "../" if name != JURISDICTION_SCHEMA else "../../"  # jurisdiction files are in data/jurisdictions/
    return f"# yaml-language-server: $schema={up}schema/{name}.schema.json"


# ---------------------------------------------------------------- validating

@lru_cache(maxsize=None)
def _schema(name: str, kind: str | None = None) -> dict:
    schema = file_schema(name)
    if kind is not None:  # one record of that kind, against the same $defs
        schema = {"type": "object", "$ref": f"#/$defs/{kind}",
                  "$defs": {k: _record_schema(k) for k in _needed([kind])}}
    return schema


@lru_cache(maxsize=None)
def _validator(name: str, kind: str | None = None):
    """The jsonschema validator (imported only when a document needs its errors: importing it takes about as
    long as checking today's data)."""
    from jsonschema import Draft202012Validator, FormatChecker
    from jsonschema.validators import extend

    type_checker = Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool))  # 2025.0 is not a year
    return extend(Draft202012Validator, type_checker=type_checker)(_schema(name, kind),
                                                                   format_checker=FormatChecker(["date"]))


def validate_file(doc, file_name: str, problems: Problems) -> None:
    """Validate a whole data file; every error becomes one problem at its line."""
    _report((schema_name(file_name), None), doc, problems, top_level=True)


def validate_record(record: Record, kind: str, problems: Problems) -> None:
    """Validate one record (for a record that was not read as part of a validated file)."""
    _report((JURISDICTION_SCHEMA, kind), record, problems, top_level=False)


def _report(which: tuple, doc, problems: Problems, top_level: bool):
    if not isinstance(doc, (Record, Items)):
        return
    if not _quick(_schema(*which))(doc):  # only then ask jsonschema for the errors (it is ~10x slower)
        for error in _validator(*which).iter_errors(doc):
            _problem(error, doc, problems, top_level)
    _settle(doc)


# ---------------------------------------------------------------- a quick yes for valid documents

_PYTHON_TYPES = {
    "string": lambda v: isinstance(v, str), "null": lambda v: v is None, "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "array": lambda v: isinstance(v, list), "object": lambda v: isinstance(v, dict),
}
_ANNOTATIONS = {"$schema", "title", "description", "$defs", "$comment"}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_quick_cache: dict = {}


def _quick(schema: dict):
    """A function that says True only for a document the schema accepts (False: let jsonschema look).

    Compiled from the keywords this module generates; a keyword it does not know makes it always say False,
    so the answer is never a wrong yes."""
    key = id(schema)
    if key not in _quick_cache:
        try:
            _quick_cache[key] = _compile(schema, schema.get("$defs", {}), {})
        except KeyError:
            _quick_cache[key] = lambda doc: False
    return _quick_cache[key]


def _calendar_date(value: str) -> bool:
    """YYYY-MM-DD and a real day: stricter than jsonschema's "date" format, never looser (a quick yes only)."""
    import datetime

    if len(value) != 10 or not _DATE.fullmatch(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _compile(schema: dict, defs: dict, compiled: dict):
    import re as _re

    checks = []
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        if keyword == "type":
            tests = [_PYTHON_TYPES[t] for t in ([value] if isinstance(value, str) else value)]
            checks.append(lambda v, tests=tests: any(t(v) for t in tests))
        elif keyword == "enum":
            allowed = set(value)
            checks.append(lambda v, allowed=allowed: (v is None or isinstance(v, str)) and v in allowed)
        elif keyword in ("minimum", "maximum", "exclusiveMinimum"):
            compare = {"minimum": lambda v, b: v >= b, "maximum": lambda v, b: v <= b,
                       "exclusiveMinimum": lambda v, b: v > b}[keyword]
            checks.append(lambda v, b=value, compare=compare:
                          not _PYTHON_TYPES["number"](v) or compare(v, b))
        elif keyword == "format" and value == "date":
            checks.append(lambda v: not isinstance(v, str) or _calendar_date(v))
        elif keyword == "pattern":
            regex = _re.compile(value)
            checks.append(lambda v, regex=regex: not isinstance(v, str) or regex.search(v) is not None)
        elif keyword == "minLength":
            checks.append(lambda v, n=value: not isinstance(v, str) or len(v) >= n)
        elif keyword == "required":
            checks.append(lambda v, names=tuple(value): not isinstance(v, dict) or all(n in v for n in names))
        elif keyword == "properties":
            props = {name: _compile(sub, defs, compiled) for name, sub in value.items()}
            closed = schema.get("additionalProperties") is False
            checks.append(lambda v, props=props, closed=closed: not isinstance(v, dict) or all(
                (name in props and props[name](item)) or (name not in props and not closed) for name, item in v.items()))
        elif keyword == "additionalProperties" and value is False and "properties" in schema:
            continue  # checked with properties
        elif keyword == "items":
            item_check = _compile(value, defs, compiled)
            checks.append(lambda v, check=item_check: not isinstance(v, list) or all(check(i) for i in v))
        elif keyword == "$ref" and value.startswith("#/$defs/"):
            name = value[len("#/$defs/"):]
            if name not in compiled:  # recursive definitions (a task's tasks) refer to themselves
                compiled[name] = None
                target = _compile(defs[name], defs, compiled)
                compiled[name] = target
            checks.append(lambda v, name=name: compiled[name](v))
        else:
            raise KeyError(keyword)
    return lambda v: all(check(v) for check in checks)


def _settle(node):
    """Every record under node that no error made fatal is now known to be buildable."""
    todo = [node]
    while todo:
        node = todo.pop()
        if isinstance(node, Record):
            if node.fatal is None:
                node.fatal = False
            todo.extend(v for v in node.values() if isinstance(v, (Record, Items)))
        elif isinstance(node, Items):
            todo.extend(v for v in node if isinstance(v, (Record, Items)))


def _short(value) -> str:
    text = repr(value if not isinstance(value, (Record, Items)) else (dict(value) if isinstance(value, Record) else list(value)))
    return text if len(text) <= 60 else text[:57] + "..."


def _number(value) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() and abs(value) < 1e15 else str(value)


def _problem(error, doc, problems: Problems, top_level: bool):
    # follow the error's path through the document: the records on it, the line and the field name
    node, line, field, records = doc, doc.where.line, None, []
    file = doc.where.file
    for part in error.absolute_path:
        if isinstance(node, Record):
            records.append(node)
            line, field = node.where.line_of(part), str(part)
        elif isinstance(node, Items):
            line = node.item_lines[part] if part < len(node.item_lines) else node.where.line
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    instance, schema, validator = error.instance, error.schema, error.validator
    at_file = top_level and len(error.absolute_path) <= 1
    if validator in ("type", "required") or (validator == "enum" and not isinstance(instance, str)):
        if validator == "required" and isinstance(node, Record):
            records.append(node)
        for record in records:  # the record (and those holding it) cannot be built
            record.fatal = True
    if isinstance(instance, Refused):
        return  # the reader already said why
    if validator == "type":
        if instance is None:
            problems.append(Problem(file, line, field or "yaml", "section is required" if at_file else "is required"))
            return
        ref = schema.get("$ref", "")
        if ref and error.absolute_path and isinstance(error.absolute_path[-1], int):
            problems.append(Problem(file, line, ref.rsplit("/", 1)[-1], f"expected a mapping of fields, got {_short(instance)}"))
            return
        if at_file and error.absolute_path:
            problems.append(Problem(file, line, field, "expected a list" if "array" in schema["type"] else "expected a mapping of fields"))
            return
        if not error.absolute_path:
            problems.append(Problem(file, line, "file", "expected a mapping of sections"))
            return
        expected = [t for t in ([schema["type"]] if isinstance(schema["type"], str) else schema["type"]) if t != "null"]
        name = _TYPE_NAMES.get(expected[0], expected[0])
        if schema.get("format") == "date":
            name = "a date (YYYY-MM-DD)"
        elif expected[0] == "array" and schema.get("items", {}).get("type") == "string":
            name = "a list of text"
        problems.append(Problem(file, line, field or "yaml", f"expected {name}, got {_short(instance)}"))
    elif validator == "required":
        present = set(instance) if isinstance(instance, dict) else set()
        for name in error.validator_value:
            if name not in present:
                problems.append(Problem(file, line, name, "section is required" if at_file and not error.absolute_path
                                        else "is required"))
    elif validator == "additionalProperties":
        known = list(schema.get("properties", {}))
        what = "unknown section" if not error.absolute_path and top_level else \
            f"unknown field for a {schema.get('title', 'record').replace('_', ' ')}"
        for key in instance:
            if key not in known:
                key_line = instance.where.line_of(key) if isinstance(instance, Record) else line
                problems.append(Problem(file, key_line, str(key), f"{what}; known: {', '.join(known)}"))
    elif validator == "enum":
        choices = ", ".join(str(c) for c in error.validator_value if c is not None)
        problems.append(Problem(file, line, field, f"{_short(instance)} is not one of: {choices}"))
    elif validator in ("minimum", "maximum", "exclusiveMinimum"):
        low, high = schema.get("minimum", schema.get("exclusiveMinimum")), schema.get("maximum")
        if validator == "exclusiveMinimum":
            message = f"{_number(instance)} must be greater than {_number(low)}"
        elif abs(low) == high == NUMBER_BOUND:
            message = f"{_number(instance)} is not a plausible figure (beyond ±10^15)"
        elif validator == "maximum" and high == NUMBER_BOUND:
            message = f"{_number(instance)} is not a plausible figure (beyond 10^15)"
        elif validator == "minimum" and (high is None or high == NUMBER_BOUND):
            message = f"{_number(instance)} must be at least {_number(low)}"
        else:
            message = f"{_number(instance)} is outside {_number(low)}–{_number(high)}"
        problems.append(Problem(file, line, field, message))
    elif validator == "format":
        problems.append(Problem(file, line, field, f"{_short(instance)} is not a calendar date written YYYY-MM-DD"))
    elif validator == "pattern":
        message = PATTERN_MESSAGES.get(error.validator_value, f"does not match {error.validator_value}")
        problems.append(Problem(file, line, field, f"{message}: {_short(instance)}"))
    elif validator == "minLength":
        problems.append(Problem(file, line, field, "text is empty or has leading/trailing spaces"))
    else:  # a keyword this module does not generate
        problems.append(Problem(file, line, field or "yaml", error.message))


# ---------------------------------------------------------------- across files

def check_dataset(ds, problems: Problems, keys: dict | None = None) -> None:
    """What no single file's schema can say: uniqueness across jurisdiction files, ranks by the indicator's unit,
    and the rows the tables' keys (see table_keys) would refuse."""
    check_keys(ds, problems, keys or {})
    for column in ("gso_code", "name_vi"):
        # Unique among the 63 provinces before 1 July 2025 and among the 34 after it (a unit formed in 2025 may
        # take a predecessor's name and code: their validity dates tell them apart).
        first: dict = {}
        for index, row in enumerate(ds.rows["jurisdictions"]):
            value, where = row.get(column), ds.places[("jurisdictions", index)]
            if value is None:
                continue
            for era in [e for e in ("in_63", "in_34") if row.get(e)] or ["other"]:
                if (era, value) in first:
                    other = first[(era, value)]
                    problems.add(where, column, f"{value!r} is also the {column} of {other[0]} "
                                                f"({other[1].file}:{other[1].line_of(column)})")
                    break
                first[(era, value)] = (row["id"], where)
    units = {i["id"]: i["unit"] for i in ds.rows["indicators"]}
    for table in ("targets", "observations"):
        for index, row in enumerate(ds.rows[table]):
            if units.get(row["indicator_id"]) != RANK:
                continue
            for name in ("value", "value_max", "denominator"):
                value = row.get(name)
                if value is not None and not (value >= 1 and float(value).is_integer()):
                    problems.add(ds.places[(table, index)], name, f"{_number(value)} is not a rank (a whole number from 1)")


def table_keys(database: Path) -> dict[str, list[tuple[str, ...]]]:
    """{table: [columns of its primary key and of each unique constraint]}, read from an empty database at
    `alembic upgrade head` (build.py's cached schema template), so new tables and constraints are covered."""
    import sqlite3

    keys: dict = {}
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                             "AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            info = conn.execute(f"PRAGMA table_info([{table}])").fetchall()
            primary = tuple(r[1] for r in sorted(info, key=lambda r: r[5]) if r[5])
            found = [primary] if primary else []
            for _, name, unique, _, partial in conn.execute(f"PRAGMA index_list([{table}])"):
                if unique and not partial:
                    columns = tuple(r[2] for r in conn.execute(f"PRAGMA index_info([{name}])"))
                    if None not in columns and columns not in found:
                        found.append(columns)
            keys[table] = found
    finally:
        conn.close()
    return keys


def check_keys(ds, problems: Problems, keys: dict) -> None:
    """Rows that the tables' primary keys and unique constraints would refuse, at their place in the YAML.

    A key with a null part is never a duplicate (as in SQL)."""
    for table, key_list in keys.items():
        rows = ds.rows.get(table) or []
        for columns in key_list:
            first: dict = {}
            for index, row in enumerate(rows):
                value = tuple(map(row.get, columns))
                if None in value:
                    continue
                try:
                    earlier = first.setdefault(value, index)
                except TypeError:
                    continue  # no key in SQL; a list or mapping here was refused by the contract
                where = ds.places.get((table, index))
                if earlier != index and where is not None:
                    shown = ", ".join(f"{c} {v!r}" for c, v in zip(columns, value))
                    earlier = ds.places.get((table, earlier), where)
                    problems.add(where, _yaml_field(columns[-1]), f"the same {table} row twice ({shown}; "
                                                                  f"first at {earlier.file}:{earlier.line})")


def _yaml_field(column: str) -> str:
    """The YAML key most columns come from: sector_id -> sector, related_sector_id -> related."""
    if column.startswith("related_") or column.startswith("target_"):
        return column.split("_", 1)[0]
    return column[:-3] if column.endswith("_id") else column
