"""The JSON Schema contract and the one-pass reader."""
import datetime
import json
import time

import pytest
import yaml
from jsonschema import Draft202012Validator

from conftest import ROOT
from pipeline import contract
from pipeline.read import Problems, Refused, parse, read_yaml
from schema.yaml_schema import VOCABULARY_FILES

DATA_FILES = sorted((ROOT / "data").glob("*.yml")) + sorted((ROOT / "data" / "jurisdictions").glob("*.yml"))


def test_committed_schema_files_are_up_to_date():
    for name, text in contract.schema_files().items():
        path = ROOT / "schema" / name
        assert path.exists() and path.read_text(encoding="utf-8") == text, f"{name} is stale: run `make docs`"


def test_schema_files_are_valid_draft_2020_12():
    for text in contract.schema_files().values():
        Draft202012Validator.check_schema(json.loads(text))


def test_every_data_file_and_the_template_name_their_schema_on_the_first_line():
    for path in DATA_FILES:
        assert path.read_text(encoding="utf-8").split("\n", 1)[0] == contract.schema_comment(path.name), path.name
    template = (ROOT / "schema" / "template.yml").read_text(encoding="utf-8")
    assert template.split("\n", 1)[0] == contract.schema_comment("lai-chau.yml")


def test_the_template_follows_the_contract():
    problems = Problems()
    doc = read_yaml(ROOT / "schema" / "template.yml", problems)
    contract.validate_file(doc, "template.yml", problems)
    assert not problems, [str(p) for p in problems]


def test_new_fields_flow_into_the_schema(monkeypatch):
    from schema import yaml_schema

    monkeypatch.setitem(yaml_schema.RECORDS["target"], "confidence", yaml_schema.F("number", minimum=0, maximum=1))
    defs = contract.file_schema("jurisdiction")["$defs"]
    assert defs["target"]["properties"]["confidence"] == {"type": ["number", "null"], "minimum": 0, "maximum": 1}


def _plain(node):
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node.isoformat() if isinstance(node, datetime.date) else node


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_the_reader_reads_the_real_data_as_libyaml_does(path):
    problems = Problems()
    assert _plain(read_yaml(path, problems)) == _plain(yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))
    assert not problems


@pytest.mark.parametrize("text, value", [
    ("a: ~", None), ("a:", None), ("a: null", None), ("a: true", True), ("a: False", False), ("a: 'yes'", "yes"),
    ("a: 12", 12), ("a: -3", -3), ("a: 012", "012"), ("a: 1.5", 1.5), ("a: 1e3", 1000.0), ("a: .5", 0.5),
    ("a: 0x1F", "0x1F"), ("a: 2020-02-30", "2020-02-30"), ("a: 2022-02-25", "2022-02-25"), ('a: "12"', "12"),
    ("a: '~'", "~"), ("a: |\n  x\n", "x\n"), ("a: 12:30", "12:30"),
])
def test_plain_scalars_resolve_as_yaml_1_2_core(text, value):
    problems = Problems()
    assert parse(text, "f", problems) == {"a": value}
    assert not problems


@pytest.mark.parametrize("text", ["a: .nan", "a: -.inf", "a: 1e400", "a: =", "a: *x", "a: yes", "a: off"])
def test_refused_scalars_are_reported_and_marked(text):
    problems = Problems()
    doc = parse(text, "f", problems)
    assert isinstance(doc["a"], Refused) and len(problems) == 1


def test_lines_of_records_keys_and_items():
    problems = Problems()
    doc = parse("# c\nitems:\n- a: 1\n  b: 2\n- x\n- c: 3\n", "f", problems)
    assert doc.where.line_of("items") == 2
    assert doc["items"].item_lines == [3, 5, 6]
    assert doc["items"][0].where.line == 3 and doc["items"][0].where.line_of("b") == 4


def test_the_reader_is_faster_than_libyaml_loading(tmp_path):
    """At scale the build reads each file once: faster than yaml.load with the C loader (issue 10)."""
    text = (ROOT / "data" / "jurisdictions" / "lai-chau.yml").read_text(encoding="utf-8")
    indented = "".join("  " + line if line.strip() else line for line in text.splitlines(True))
    big = tmp_path / "big.yml"
    big.write_text("".join(f"copy{i}:\n{indented}" for i in range(10)), encoding="utf-8")

    def best(function):
        times = []
        for _ in range(3):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
        return min(times)

    ours = best(lambda: read_yaml(big, Problems()))
    libyaml = best(lambda: yaml.load(big.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))
    assert ours < libyaml, (ours, libyaml)


VALUES = [None, "", "=x", "x", "2020-02-30", "2020-02-03", "2020-2-3", "2020-02-03\n", "２０２０-02-03", "2022-02-25T00:00:00", -1, 0, 2025, 2051, 2025.0, 1e16, True, ["=x"],
          {"a": 1}, "province", ">="]


@pytest.mark.parametrize("file_name", ["lai-chau.yml", "sources.yml", "indicators.yml", "sectors.yml", "dataset.yml"])
def test_the_quick_check_never_accepts_what_jsonschema_refuses(file_name):
    """The fast path (contract._quick) may only say yes where jsonschema finds no error."""
    def shrink(node):  # each list down to its first item: the same shapes, a fraction of the time
        if isinstance(node, dict):
            return {k: shrink(v) for k, v in node.items()}
        return [shrink(v) for v in node[:1]] if isinstance(node, list) else node

    folder = ROOT / "data" / ("" if file_name in VOCABULARY_FILES else "jurisdictions")
    doc = shrink(read_yaml(folder / file_name, Problems()))
    validator = contract._validator(contract.schema_name(file_name))
    quick = contract._quick(validator.schema)
    records = [doc] + [v for v in doc.values() if isinstance(v, dict)] + \
        [items[0] for items in doc.values() if isinstance(items, list) and items]
    records += [v[0] for r in list(records) for v in r.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
    for record in records:
        for key in [*record.keys(), "unknown"]:
            saved = record.get(key, KeyError)
            for value in VALUES:
                record[key] = value
                valid = not any(True for _ in validator.iter_errors(doc))
                assert quick(doc) == valid, (file_name, key, value)
            if saved is KeyError:
                del record[key]
            else:
                record[key] = saved
            assert quick(doc)
