"""How to cite the dataset: CITATION.cff (Citation File Format 1.2.0), .zenodo.json and BibTeX, from its facts.

    python -m release.citation     # rewrite the repository's CITATION.cff and .zenodo.json from data/dataset.yml

The repository's CITATION.cff and .zenodo.json (which code hosts and archives read: Zenodo takes a
release's metadata from .zenodo.json, so it can be archived with a DOI without retyping) are generated
from data/dataset.yml, and a test fails if they drift; a release's copies are generated from the
database's `dataset_info` (the same facts). `cite` is the one "how to cite" text: the CFF message, the
BibTeX note, the release README, the workbook's about sheet and the downloads page all carry it, with the
version, and the repository address and DOI once data/dataset.yml names them (until then it says so).

Validated against the CFF 1.2.0 JSON schema in release/schemas/ (the one the
cffconvert 2.0.0 wheel ships; cffconvert itself needs jsonschema<4, which the locked
jsonschema 4.26 excludes), with the jsonschema package.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CITATION = ROOT / "CITATION.cff"
ZENODO = ROOT / ".zenodo.json"
SCHEMA = Path(__file__).resolve().parent / "schemas" / "cff-1.2.0.schema.json"
KEYWORDS = ["Vietnam", "digital transformation", "chuyển đổi số", "provincial plans", "open data"]


def facts_from_yaml(data_dir: Path = ROOT / "data") -> dict:
    """data/dataset.yml's facts as the build stores them in dataset_info (lists joined by '; ')."""
    facts = yaml.safe_load((data_dir / "dataset.yml").read_text(encoding="utf-8"))["dataset"]
    return {k: "; ".join(v) if isinstance(v, list) else v for k, v in facts.items()}


NOT_YET = "Repository address: not yet published; DOI: not yet assigned"  # until data/dataset.yml names them
LICENCE_NAMES = {"CC-BY-4.0": "CC BY 4.0"}


def authors(facts: dict) -> list[str]:
    return [name.strip() for name in (facts.get("contributors") or "").split(";") if name.strip()]


def doi_url(facts: dict) -> str | None:
    return f"https://doi.org/{facts['doi']}" if facts.get("doi") else None


def where(facts: dict, found=True) -> str:
    """Where the release is found: its DOI and repository address, or what is not yet published of them
    (`found=False`: only what is not yet published)."""
    parts = [doi_url(facts) or "DOI: not yet assigned",
             facts.get("repository") or "Repository address: not yet published"]
    return "; ".join(p for p in parts if found or not p.startswith("http"))


def cite(facts: dict) -> str:
    """The one "how to cite" text: data/dataset.yml's `citation` with the version, the licence, the DOI and the
    repository address (or that they are not yet published)."""
    base = facts["citation"].strip().rstrip(".")
    licence = LICENCE_NAMES.get(facts.get("license"), facts.get("license"))
    return f"{base} (version {facts['version']}) [Data set]. {where(facts)}. Licensed {licence}."


def render(facts: dict, date_released: str | None = None) -> str:
    cff = {
        "cff-version": "1.2.0",
        "message": f"If you use this dataset, please cite it as: {cite(facts)}",
        "type": "dataset",
        "title": facts["title"],
        "version": str(facts["version"]),
    }
    date_released = date_released or facts.get("released")
    if date_released:
        cff["date-released"] = date_released
    if facts.get("doi"):
        cff["doi"] = facts["doi"]
    cff["abstract"] = facts["description"]
    cff["authors"] = [{"name": name} for name in authors(facts)]
    cff["license"] = facts["license"]
    if facts.get("repository"):
        cff["repository-code"] = facts["repository"]
    if facts.get("homepage"):
        cff["url"] = facts["homepage"]
    cff["keywords"] = KEYWORDS
    header = ("# Generated from data/dataset.yml by `python -m release.citation` (make citation);\n"
              "# edit data/dataset.yml, not this file.\n")
    return header + yaml.dump(cff, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def zenodo(facts: dict, date_released: str | None = None) -> str:
    """.zenodo.json: the deposit metadata Zenodo reads when it archives a release (the same facts as CITATION.cff)."""
    date_released = date_released or facts.get("released")
    record = {
        "upload_type": "dataset",
        "access_right": "open",
        "title": facts["title"],
        "version": str(facts["version"]),
        "description": facts["description"],
        "creators": [{"name": name} for name in authors(facts)],
        "license": facts["license"].lower(),
        "keywords": KEYWORDS,
        "notes": cite(facts),
    }
    if date_released:
        record["publication_date"] = date_released
    if facts.get("doi"):
        record["doi"] = facts["doi"]
    if facts.get("repository"):
        record["related_identifiers"] = [{"identifier": facts["repository"], "relation": "isSupplementTo",
                                          "scheme": "url"}]
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def bibtex(facts: dict, date_released: str | None = None) -> str:
    """A BibTeX entry for the release (@misc, which every BibTeX style knows)."""
    date_released = date_released or facts.get("released") or ""
    key = re.sub(r"[^A-Za-z0-9]+", "_", f"{facts['name']}_{facts['version']}").strip("_")
    fields = [("author", "{" + " and ".join(authors(facts)) + "}"), ("title", facts["title"]),
              ("year", date_released[:4]), ("version", str(facts["version"])), ("howpublished", "Data set"),
              ("doi", facts.get("doi")), ("url", doi_url(facts) or facts.get("repository")),
              ("note", "; ".join(filter(None, [where(facts, found=False), doi_url(facts) and facts.get("repository") and f"Repository: {facts['repository']}",
                                                f"Licensed {LICENCE_NAMES.get(facts['license'], facts['license'])}"])))]
    lines = [f"  {name} = {{{value}}}," for name, value in fields if value]
    return f"@misc{{{key},\n" + "\n".join(lines) + "\n}\n"


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
    facts = facts_from_yaml()
    CITATION.write_text(render(facts), encoding="utf-8")
    ZENODO.write_text(zenodo(facts), encoding="utf-8")
    print(f"wrote {CITATION.name} and {ZENODO.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
