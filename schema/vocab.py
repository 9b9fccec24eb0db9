"""Closed vocabularies and bounds, shared by the models' check constraints, the YAML contract, the build
and the docs. Plain Python: importing it costs nothing (the build does not import SQLAlchemy)."""

COMPARATORS = {
    ">=": "at least (tối thiểu, ít nhất, trở lên)",
    ">": "more than (trên)",
    "=": "exactly, or within [value, value_max] for a range",
    "~": "about (khoảng)",
    "<=": "at most; used for ranks, e.g. 'top 30' is rank <= 30",
}
JURISDICTION_LEVELS = ("country", "province")
SOURCE_KINDS = ("official_text", "news_report", "reference")  # see AUTHORITY for their order
DOCUMENT_TYPES = (
    "nghị quyết",
    "quyết định",
    "kế hoạch",
    "chỉ thị",
    "đề án",
    "chương trình hành động",
)
DOCUMENT_RELATIONS = ("implements", "part_of", "approves", "based_on", "may_be_same_as")
# How completely the dataset holds a document; only a full text lets us say "the plan sets no target".
COMPLETENESS = {
    "full_text": "we hold the document's own full text",
    "excerpts": "we hold passages of it, quoted or restated in a report",
    "reference_facts": "we hold only facts about it checked in reference summaries",
    "cited": "another text only cites it (number, date or title)",
}
# Which statement of a figure the dataset uses, best first: the document's own text, then a reference
# summary of it, then a news restatement (ties: the latest published, then the source id).
AUTHORITY = ("official_text", "reference", "news_report")
EVIDENCE = ("quote", "citation")
# What happened to a row between two releases (row_history, from release/diff.py).
ROW_CHANGES = ("added", "removed", "changed")
INDICATOR_LEVELS = ("province", "country")
PILLAR_KINDS = ("pillar", "foundation")
DIRECTIONS = ("higher", "lower")
FREQUENCIES = ("annual",)
SECTOR_RELATIONS = ("includes", "related")
INDICATOR_RELATIONS = ("differs_from", "related")
YEAR_MIN, YEAR_MAX = 2000, 2050
PERCENT = "%"
# Which generation or programme a document belongs to, so that plans of different generations are never
# mixed by accident (filter documents.programme, or the programme column of the views that have it).
PROGRAMMES = {
    "cds-2021-2025": "the 2021–2025 (orientation or vision 2030) digital-transformation (CĐS) generation under "
                     "749/QĐ-TTg: the national programme itself and the provinces' resolutions, plans and schemes "
                     "carrying it out",
    "cds-2026-2030": "later digital-transformation schemes or plans reaching 2030 (e.g. 2024–2030, 2026–2030)",
    "nq57": "documents implementing Resolution 57-NQ/TW (science, technology, innovation and digital "
            "transformation), 2025 on",
    "de-411": "plans implementing the national digital economy and society strategy (411/QĐ-TTg)",
    "other": "anything else: a general action programme, a national resolution a plan cites (the note says what)",
}
# The 2025 reorganisation of provinces (Nghị quyết 202/2025/QH15): 63 provinces before, 34 from this date.
REORGANISATION_CHANGES = ("merged", "absorbed_other", "unchanged")
REORGANISED_ON = "2025-07-01"  # the 34 units' valid_from; a merged province's valid_to is the day before
MERGED_UNTIL = "2025-06-30"
