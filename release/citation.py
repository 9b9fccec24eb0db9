"""CITATION.cff (Citation File Format 1.2.0), from the dataset's facts.

    python -m release.citation     # rewrite the repository's CITATION.cff from data/dataset.yml

The repository's CITATION.cff (which code hosts and archives read) is generated from
data/dataset.yml, and a test fails if it drifts; a release's copy is generated from
the database's `dataset_info` (the same facts) and adds the release date.

Validated against the CFF 1.2.0 JSON schema in release/schemas/ (the one the
cffconvert 2.0.0 wheel ships; cffconvert itself needs jsonschema<4, which the locked
jsonschema 4.26 excludes), with the jsonschema package.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CITATION = ROOT / "CITATION.cff"
SCHEMA = Path(__file__).resolve().parent / "schemas" / "cff-1.2.0.schema.json"
KEYWORDS = ["Vietnam", "digital transformation", "chuyển đổi số", "provincial plans", "open data"]


def facts_from_yaml(data_dir: Path = ROOT / "data") -> dict:
    """data/dataset.yml's facts as the build stores them in dataset_info (lists joined by '; ')."""
    facts = yaml.safe_load((data_dir / "dataset.yml").read_text(encoding="utf-8"))["dataset"]
    return {k: "; ".join(v) if isinstance(v, list) else v for k, v in facts.items()}


def render(facts: dict, date_released: str | None = None) -> str:
    cff = {
        "cff-version": "1.2.0",
        "message": f"If you use this dataset, please cite it as: {facts['citation']}",
        "type": "dataset",
        "title": facts["title"],
        "version": str(facts["version"]),
    }
    if date_released:
        cff["date-released"] = date_released
    cff["abstract"] = facts["description"]
    cff["authors"] = [{"name": name.strip()} for name in facts["contributors"].split(";") if name.strip()]
    cff["license"] = facts["license"]
    if facts.get("homepage"):
        cff["url"] = facts["homepage"]
    cff["keywords"] = KEYWORDS
    header = ("# Generated from data/dataset.yml by `python -m release.citation` (make citation);\n"
              "# edit data/dataset.yml, not this file.\n")
    return header + yaml.dump(cff, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


class _Dumper(yaml.SafeDumper):
    pass


# dates and versions stay quoted strings, as the CFF schema wants them
_Dumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style='"' if text[:1].isdigit() else None))


def problems(text: str) -> list[str]:
    """Where the text breaks the CFF 1.2.0 schema; empty when it is valid."""
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    document = yaml.safe_load(text)
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(document)]


def main() -> int:
    CITATION.write_text(render(facts_from_yaml()), encoding="utf-8")
    print(f"wrote {CITATION.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
