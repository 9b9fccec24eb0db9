"""The YAML schema: which records the data files hold and what each field may be.

build.py validates every record against these specs; schema/template.yml shows
them to contributors with comments. Closed vocabularies come from schema/vocab.py (as the models' do) so
the YAML, the check constraints and the docs cannot disagree.
"""
from __future__ import annotations

from dataclasses import dataclass

from schema import vocab  # the vocabularies only: no SQLAlchemy at build time


@dataclass(frozen=True)
class Field:
    type: str  # str | int | number | date | str_list | list
    required: bool = False
    choices: tuple | None = None
    ref: str | None = None  # kind of id the value must name: source, document, indicator, ...
    record: str | None = None  # for list: the record spec of the items
    # JSON Schema constraints (pipeline/contract.py); a number without bounds gets NUMBER_BOUND.
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    format: str | None = None  # "date" is implied by type date
    pattern: str | None = None  # on top of the text rules every free-text field has


def F(type_="str", required=False, choices=None, ref=None, record=None, **constraints):
    return Field(type_, required, tuple(choices) if choices else None, ref, record, **constraints)


YEAR = {"minimum": vocab.YEAR_MIN, "maximum": vocab.YEAR_MAX}  # the SQL year checks
WEB_ADDRESS = r"^https?://\S+$"  # a link the site may open: never javascript: or data:
YEAR_DATE = r"^(20[0-4][0-9]|2050)-"  # a date whose year the SQL checks bound to YEAR_MIN..YEAR_MAX
# dataset.yml's name and version name the release's folder and zip (pipeline/release.py): a plain file-name
# component, no '/', never '.' or '..' (it starts with a letter or digit), at most 100 characters.
FILE_NAME_PART = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
GSO_CODE = r"^[0-9]{2}$"  # GSO's province codes are two digits ('01' Hà Nội … '96' Cà Mau)
NUMBER_BOUND = 1e15  # any figure: finite, |x| <= 10^15 (exact in a double, far above any real count)


RECORDS: dict[str, dict[str, Field]] = {
    "source": {
        "id": F(required=True),
        "kind": F(required=True, choices=vocab.SOURCE_KINDS),
        "title": F(required=True),
        "title_en": F(),
        "publisher": F(),
        "author": F(),
        "published": F("date"),
        "file_name": F(),
        "sha256": F(),
        "citation": F(),
        "url": F(pattern=WEB_ADDRESS),
        "covers": F("str_list", required=True, ref="jurisdiction"),
        "note": F(),
    },
    "dataset": {
        "name": F(required=True, pattern=FILE_NAME_PART),
        "title": F(required=True),
        "title_vi": F(required=True),
        "version": F(required=True, pattern=FILE_NAME_PART),
        "license": F(required=True),
        "license_url": F(required=True),
        "code_license": F(required=True),
        "description": F(required=True),
        "homepage": F(),
        # Filled by a maintainer at publishing (null until then; the citations say so, never invent one):
        "repository": F(pattern=r"^https://\S+$"),  # where the code and data are published
        "doi": F(pattern=r"^10\.\d{4,9}/\S+$"),  # the archived release's DOI (e.g. Zenodo's), without https://doi.org/
        # The release's date: every date in the release (CITATION.cff, datapackage.json, the zip's entries) is this one
        "released": F("date"),
        "contributors": F("str_list", required=True),
        "citation": F(required=True),
    },
    "pillar": {
        "id": F(required=True),
        "kind": F(required=True, choices=vocab.PILLAR_KINDS),
        "name_vi": F(required=True),
        "name_en": F(required=True),
        "description": F(required=True),
    },
    "sector": {
        "id": F(required=True),
        "name_vi": F(required=True),
        "name_en": F(required=True),
        "note": F(),
    },
    "sector_relation": {
        "sector": F(required=True, ref="sector"),
        "relation": F(required=True, choices=vocab.SECTOR_RELATIONS),
        "related": F(required=True, ref="sector"),
        "note": F(required=True),
    },
    "indicator": {
        "id": F(required=True),
        "name_vi": F(required=True),
        "name_en": F(required=True),
        "unit": F(required=True),
        "pillar": F(required=True, ref="pillar"),
        "direction": F(required=True, choices=vocab.DIRECTIONS),
        "definition": F(required=True),
        "national": F(ref="indicator"),
        "level": F(choices=vocab.INDICATOR_LEVELS),
        "scopes": F("str_list"),
        "note": F(),
        "relations": F("list", record="indicator_relation"),
    },
    "indicator_relation": {
        "relation": F(required=True, choices=vocab.INDICATOR_RELATIONS),
        "indicator": F(required=True, ref="indicator"),
        "note": F(required=True),
    },
    "jurisdiction": {
        "id": F(required=True),
        "level": F(required=True, choices=vocab.JURISDICTION_LEVELS),
        "name_vi": F(required=True),
        "name_en": F(required=True),
        "gso_code": F(pattern=GSO_CODE),
        "region_vi": F(),
        "region_en": F(),
        "capital_vi": F(),
        "capital_lat": F("number", minimum=8, maximum=24),
        "capital_lon": F("number", minimum=102, maximum=110),
        "lat": F("number", minimum=8, maximum=24),
        "lon": F("number", minimum=102, maximum=110),
        "valid_from": F("date", pattern=YEAR_DATE),
        "valid_to": F("date", pattern=YEAR_DATE),
        "reference_source": F(ref="source"),
    },
    "reorganisation": {
        "change": F(required=True, choices=vocab.REORGANISATION_CHANGES),
        "successor": F(required=True, ref="jurisdiction"),
        "successor_name_vi": F(required=True),
        "successor_gso_code": F(pattern=GSO_CODE),
        "other_party_vi": F(),
        "administrative_centre_vi": F(),
        "legal_basis": F(required=True),
        "decided_date": F("date"),
        "effective_date": F("date", pattern=YEAR_DATE),
        "note": F(),
        "source": F(required=True, ref="source"),
    },
    "document": {
        "id": F(required=True),
        "number": F(),
        "type": F(required=True, choices=vocab.DOCUMENT_TYPES),
        "programme": F(required=True, choices=tuple(vocab.PROGRAMMES)),
        "title_vi": F(required=True),
        "title_en": F(required=True),
        "label": F(required=True),
        "issuing_body_vi": F(),
        "issuing_body_en": F(),
        "issue_date": F("date"),
        "period_start": F("int", **YEAR),
        "period_end": F("int", **YEAR),
        "vision_year": F("int", **YEAR),
        "signer": F(),
        "completeness": F(required=True, choices=tuple(vocab.COMPLETENESS)),
        "source": F(required=True, ref="source"),
        "locator": F(),
        "quote": F(),
        "reference_source": F(ref="source"),
        "citation": F(),
        "note": F(),
        "links": F("list", record="document_link"),
    },
    "document_link": {
        "relation": F(required=True, choices=vocab.DOCUMENT_RELATIONS),
        "document": F(required=True, ref="document"),
        "source": F(required=True, ref="source"),
        "quote": F(),
        "locator": F(),
        "citation": F(),
        "note": F(),
    },
    "priority_sector": {
        "document": F(ref="document"),
        "sector": F(required=True, ref="sector"),
        "name_as_written": F(required=True),
        "source": F(ref="source"),
        "locator": F(required=True),
        "quote": F(required=True),
    },
    "target": {
        "document": F(ref="document"),
        "source": F(ref="source"),
        "indicator": F(required=True, ref="indicator"),
        "scope": F(),
        "target_year": F("int", **YEAR),
        "frequency": F(choices=vocab.FREQUENCIES),
        "comparator": F(choices=tuple(vocab.COMPARATORS)),
        "value": F("number", minimum=0),
        "value_max": F("number", minimum=0),
        "denominator": F("number", exclusive_minimum=0),
        "unit": F(),
        "statement_vi": F(required=True),
        "statement_en": F(required=True),
        "quote": F(),
        "locator": F(),
        "citation": F(),
        "note": F(),
    },
    "task": {
        "document": F(ref="document"),
        "source": F(ref="source"),
        "locator": F(required=True),
        "title_vi": F(required=True),
        "title_en": F(required=True),
        "quote": F(required=True),
        "sector": F(ref="sector"),
        "tasks": F("list", record="task"),
    },
}
# An observation is a target with a reporting year instead of a target year.
RECORDS["observation"] = {
    ("year" if name == "target_year" else name): field
    for name, field in RECORDS["target"].items()
    if name != "frequency"
}

# Top-level keys of each kind of data file, and the record each list holds.
VOCABULARY_FILES: dict[str, dict[str, str]] = {
    "dataset.yml": {"dataset": "dataset"},  # a single mapping
    "sources.yml": {"sources": "source"},
    "pillars.yml": {"pillars": "pillar"},
    "sectors.yml": {"sectors": "sector", "relations": "sector_relation"},
    "indicators.yml": {"indicators": "indicator"},
}
# Where the data files live: the catalogue files above directly in data/, one file per jurisdiction in
# data/jurisdictions/ (named after its id), the source texts and reference files in data/sources/.
JURISDICTIONS_DIR = "jurisdictions"
JURISDICTION_FILE: dict[str, str] = {
    "jurisdiction": "jurisdiction",  # a single mapping
    "reorganisation": "reorganisation",  # a single mapping
    "documents": "document",
    "priority_sectors": "priority_sector",
    "targets": "target",
    "observations": "observation",
    "tasks": "task",
}
SINGLE_RECORD_KEYS = {"jurisdiction", "reorganisation", "dataset"}
REQUIRED_JURISDICTION_KEYS = {"jurisdiction"}
