"""SQLAlchemy models: the one place where each table and column is described.

Every column's ``comment`` is its documentation: metadata.yml (Datasette) and the
data dictionary are generated from these comments, and tests fail if they drift.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Alembic's recommended naming convention, so constraints have stable names
# that migrations can refer to (SQLite batch mode needs them).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Closed vocabularies live in schema/vocab.py (no SQLAlchemy there, so the build can use them
# without importing it); they are re-exported here for the models' check constraints.
from schema.vocab import (  # noqa: E402
    AUTHORITY,
    COMPARATORS,
    COMPLETENESS,
    DIRECTIONS,
    DOCUMENT_RELATIONS,
    DOCUMENT_TYPES,
    EVIDENCE,
    FREQUENCIES,
    INDICATOR_LEVELS,
    INDICATOR_RELATIONS,
    JURISDICTION_LEVELS,
    PERCENT,
    PILLAR_KINDS,
    ROW_CHANGES,
    PROGRAMMES,
    REORGANISATION_CHANGES,
    SECTOR_RELATIONS,
    SOURCE_KINDS,
    YEAR_MAX,
    YEAR_MIN,
)


def _in(column: str, values) -> str:
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"{column} IN ({quoted})"


def _year_check(column: str) -> str:
    return f"{column} IS NULL OR {column} BETWEEN {YEAR_MIN} AND {YEAR_MAX}"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Source(Base):
    __tablename__ = "sources"
    __table_args__ = (
        CheckConstraint(_in("kind", SOURCE_KINDS), name="kind"),
        {"comment": "Each text the data comes from: the five source texts and the reference datasets for facts from outside them."},
    )
    id: Mapped[str] = mapped_column(String, primary_key=True, comment="Stable identifier, e.g. 'seed-004' for source text 004.")
    kind: Mapped[str] = mapped_column(String, comment="official_text (a legal document's own text), news_report, or reference (an outside dataset for jurisdiction facts).")
    title: Mapped[str] = mapped_column(Text, comment="Title as the source gives it, in its own language.")
    title_en: Mapped[str | None] = mapped_column(Text, comment="English translation of the title.")
    publisher: Mapped[str | None] = mapped_column(Text, comment="Who published it, where the text says so; null when unknown.")
    author: Mapped[str | None] = mapped_column(Text, comment="Author or byline where stated; null when not stated.")
    published: Mapped[date | None] = mapped_column(Date, comment="Publication date where stated (ISO 8601); null when not stated.")
    file_name: Mapped[str | None] = mapped_column(String, comment="Path of the text we hold, relative to data/sources/ in the repository (and sources/ in a release), e.g. 'seeds/004_d77e8e98e996866d.txt'.")
    sha256: Mapped[str | None] = mapped_column(String(64), comment="SHA-256 of the text file we hold, so a citation can be checked against the exact text.")
    citation: Mapped[str | None] = mapped_column(Text, comment="For reference sources: where the facts were checked (dataset, file, date).")
    note: Mapped[str | None] = mapped_column(Text, comment="What else a reader should know about this source.")
    url: Mapped[str | None] = mapped_column(Text, comment="Where a reader can find the original, where known; null when not known.")


class DatasetInfo(Base):
    __tablename__ = "dataset_info"
    __table_args__ = {"comment": "Facts about this release of the dataset: version, licence, how to cite (from data/dataset.yml)."}
    key: Mapped[str] = mapped_column(String, primary_key=True, comment="What the fact is: name, title, version, released, license, license_url, code_license, homepage, repository, doi, citation, …")
    value: Mapped[str | None] = mapped_column(Text, comment="The fact, as text.")


class SourceCoverage(Base):
    __tablename__ = "source_coverage"
    __table_args__ = (
        UniqueConstraint("source_id", "jurisdiction_id"),
        {"comment": "Which jurisdictions each source reports on; a quote must come from a source that covers its row's jurisdiction."},
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Row number.")
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True, comment="The source.")
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"), index=True, comment="A jurisdiction it reports on.")


class Jurisdiction(Base):
    __tablename__ = "jurisdictions"
    __table_args__ = (
        CheckConstraint(_in("level", JURISDICTION_LEVELS), name="level"),
        CheckConstraint("capital_lat IS NULL OR capital_lat BETWEEN 8 AND 24", name="capital_lat"),
        CheckConstraint("capital_lon IS NULL OR capital_lon BETWEEN 102 AND 110", name="capital_lon"),
        CheckConstraint("lat IS NULL OR lat BETWEEN 8 AND 24", name="lat"),
        CheckConstraint("lon IS NULL OR lon BETWEEN 102 AND 110", name="lon"),
        CheckConstraint("valid_from IS NULL OR valid_to IS NULL OR valid_to >= valid_from", name="validity"),
        CheckConstraint("in_63 IN (0, 1) AND in_34 IN (0, 1)", name="in_63_in_34"),
        {"comment": "Vietnam and its provinces: the 63 provinces and centrally-run cities as they were before 1 July 2025 (in_63 = 1) and the 34 from that date (in_34 = 1); a province the 2025 reorganisation left unchanged is one row in both."},
    )
    id: Mapped[str] = mapped_column(String, primary_key=True, comment="Stable identifier: viet-nam; a pre-2025 province's name as a slug, e.g. 'lai-chau', 'binh-duong'; a unit formed by the 2025 mergers '<name>-2025', e.g. 'quang-tri-2025' (the new Quảng Trị, not the old one).")
    level: Mapped[str] = mapped_column(String, comment="country or province (a province or a centrally-run city, before or after 2025: see in_63 and in_34).")
    name_vi: Mapped[str] = mapped_column(Text, comment="Official Vietnamese name, e.g. 'Tỉnh Lai Châu'.")
    name_en: Mapped[str] = mapped_column(Text, comment="English name, e.g. 'Lai Châu Province'.")
    gso_code: Mapped[str | None] = mapped_column(String, comment="Province code in the General Statistics Office list of administrative units, of the list in force while the unit existed (a merged unit may reuse a predecessor's code: use it with valid_from/valid_to); null for the country.")
    region_vi: Mapped[str | None] = mapped_column(Text, comment="Socio-economic region (Nghị quyết 81/2023/QH15, national master plan 2021–2030), in Vietnamese; for a unit formed in 2025, its predecessors' region when they share one, else null.")
    region_en: Mapped[str | None] = mapped_column(Text, comment="Socio-economic region, in English.")
    capital_vi: Mapped[str | None] = mapped_column(Text, comment="Provincial capital before 2025, in Vietnamese, where recorded.")
    capital_lat: Mapped[float | None] = mapped_column(Float, comment="Approximate latitude of the capital (±0.05°), where recorded; lat is the province's point.")
    capital_lon: Mapped[float | None] = mapped_column(Float, comment="Approximate longitude of the capital (±0.05°), where recorded; lon is the province's point.")
    reference_source_id: Mapped[str | None] = mapped_column(ForeignKey("sources.id"), comment="Source of the code, name, region, point and validity dates.")
    lat: Mapped[float | None] = mapped_column(Float, comment="Latitude of a representative point of the province (the vietnamadminunits package's provinceLat), for maps; not the capital.")
    lon: Mapped[float | None] = mapped_column(Float, comment="Longitude of that point (provinceLon).")
    valid_from: Mapped[date | None] = mapped_column(Date, comment="First day the unit existed, where it began within the dataset's period: 2025-07-01 for a unit formed by the 2025 mergers; null for the country and the provinces that existed before.")
    valid_to: Mapped[date | None] = mapped_column(Date, comment="Last day the unit existed: 2025-06-30 for a province merged on 2025-07-01; null while it exists (the country, the 34).")
    in_63: Mapped[int] = mapped_column(Integer, comment="1 for the 63 provinces and centrally-run cities before 1 July 2025, else 0 (set by the build from level and validity dates): WHERE in_63 = 1.")
    in_34: Mapped[int] = mapped_column(Integer, comment="1 for the 34 provinces and centrally-run cities from 1 July 2025 (the 23 formed by merging and the 11 left unchanged), else 0: WHERE in_34 = 1.")


class JurisdictionChange(Base):
    __tablename__ = "jurisdiction_changes"
    __table_args__ = (
        CheckConstraint(_year_check("CAST(strftime('%Y', effective_date) AS INTEGER)"), name="effective_year"),
        CheckConstraint(_in("change", REORGANISATION_CHANGES), name="change"),
        {"comment": "What became of each province in the 2025 reorganisation (63 to 34 provinces), for joining with post-2025 data."},
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Row number.")
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"), index=True, comment="The province as it was before the change.")
    change: Mapped[str] = mapped_column(String, comment="merged (into a new province with another's name), absorbed_other (another province merged into it), or unchanged.")
    successor_name_vi: Mapped[str] = mapped_column(Text, comment="Name of the province that continues it after the change.")
    successor_gso_code: Mapped[str | None] = mapped_column(String, comment="GSO code of the successor; a reused code alone does not say which province is meant.")
    other_party_vi: Mapped[str | None] = mapped_column(Text, comment="The other province in the merger, with its former code where known.")
    administrative_centre_vi: Mapped[str | None] = mapped_column(Text, comment="Where the successor's political and administrative centre is.")
    legal_basis: Mapped[str] = mapped_column(Text, comment="The resolution that decided it.")
    decided_date: Mapped[date | None] = mapped_column(Date, comment="Date the resolution was passed and came into force.")
    effective_date: Mapped[date | None] = mapped_column(Date, comment="Date the new provincial governments began work.")
    note: Mapped[str | None] = mapped_column(Text, comment="Further facts, e.g. the abolition of district-level units on the same date.")
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), comment="Where these facts were checked.")
    successor_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"), index=True, comment="The jurisdiction that continues it from the change: a unit formed by the merger (e.g. 'quang-tri-2025'), or the province itself when unchanged. The jurisdiction_crosswalk view lists these pairs.")


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(_in("type", DOCUMENT_TYPES), name="type"),
        CheckConstraint(_year_check("period_start"), name="period_start"),
        CheckConstraint(_year_check("period_end"), name="period_end"),
        CheckConstraint(_year_check("vision_year"), name="vision_year"),
        CheckConstraint(_in("completeness", COMPLETENESS), name="completeness"),
        CheckConstraint(_in("programme", PROGRAMMES), name="programme"),
        {"comment": "Each plan or legal document: the provincial plans, the national programme (749/QĐ-TTg) and what they cite."},
    )
    id: Mapped[str] = mapped_column(String, primary_key=True, comment="Stable identifier, e.g. 'lai-chau-09-nq-tu'.")
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"), index=True, comment="Jurisdiction the document governs.")
    number: Mapped[str | None] = mapped_column(String, comment="Document number as issued, e.g. '09-NQ/TU'; null when the sources do not give it.")
    type: Mapped[str] = mapped_column(String, comment="nghị quyết, quyết định, kế hoạch, chỉ thị, đề án or chương trình hành động.")
    title_vi: Mapped[str] = mapped_column(Text, comment="Title or subject in Vietnamese, as the sources give it.")
    title_en: Mapped[str] = mapped_column(Text, comment="English title.")
    label: Mapped[str] = mapped_column(Text, comment="Short label for links, e.g. 'Lai Châu 09-NQ/TU (2022)'.")
    issuing_body_vi: Mapped[str | None] = mapped_column(Text, comment="Issuing body in Vietnamese; null when not stated.")
    issuing_body_en: Mapped[str | None] = mapped_column(Text, comment="Issuing body in English.")
    issue_date: Mapped[date | None] = mapped_column(Date, comment="Date of issue where stated; null otherwise.")
    period_start: Mapped[int | None] = mapped_column(Integer, comment="First year of the plan period, where stated.")
    period_end: Mapped[int | None] = mapped_column(Integer, comment="Last year of the plan period (the 'đến năm' year).")
    vision_year: Mapped[int | None] = mapped_column(Integer, comment="Year of the orientation or vision ('định hướng/tầm nhìn đến năm').")
    signer: Mapped[str | None] = mapped_column(Text, comment="Who signed it, with their office, where stated; null otherwise.")
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), comment="Source text that states these facts.")
    quote: Mapped[str | None] = mapped_column(Text, comment="Verbatim passage of the source that states the document's number, date or issuer.")
    locator: Mapped[str | None] = mapped_column(String, comment="Where the quote is: section path or 'line N' of the source text.")
    note: Mapped[str | None] = mapped_column(Text, comment="What the sources leave unsaid, or other context.")
    completeness: Mapped[str] = mapped_column(String, comment="How completely we hold it: full_text (its own full text), excerpts (passages quoted or restated in a report), reference_facts (only facts checked in reference summaries), cited (another text only cites it). Only a full text lets the dataset say the plan sets no target.")
    reference_source_id: Mapped[str | None] = mapped_column(ForeignKey("sources.id"), comment="Reference source of facts added from outside the text we hold (e.g. the signer), where there are any; the note says which.")
    citation: Mapped[str | None] = mapped_column(Text, comment="For facts from a reference source: the pages where they were checked.")
    programme: Mapped[str] = mapped_column(String, comment="Which generation or programme it belongs to, so that generations are never mixed: " + "; ".join(f"{k}: {v}" for k, v in PROGRAMMES.items()) + ".")


class DocumentLink(Base):
    __tablename__ = "document_links"
    __table_args__ = (
        CheckConstraint(_in("relation", DOCUMENT_RELATIONS), name="relation"),
        UniqueConstraint("document_id", "relation", "target_document_id"),
        {"comment": "How documents relate: a provincial resolution implements the national programme, a directive is part of a province's framework, etc."},
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Row number.")
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True, comment="The document that refers to another.")
    relation: Mapped[str] = mapped_column(String, comment="implements (carries out the target document), part_of (is one element of it), approves (a decision approving it), based_on (cites it as a legal basis), or may_be_same_as (the facts fit both, but nothing says they are one document: kept apart, never merged).")
    target_document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True, comment="The document referred to.")
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), comment="Source that states the link.")
    quote: Mapped[str | None] = mapped_column(Text, comment="Verbatim passage that states the link; null when a reference source states it (see citation) or for may_be_same_as.")
    locator: Mapped[str | None] = mapped_column(String, comment="Where the quote is: section path or 'line N' of the source text.")
    citation: Mapped[str | None] = mapped_column(Text, comment="For a link from a reference source: the pages where it was checked.")
    note: Mapped[str | None] = mapped_column(Text, comment="Why the link is recorded, and how sure it is.")


class Pillar(Base):
    __tablename__ = "pillars"
    __table_args__ = (
        CheckConstraint(_in("kind", PILLAR_KINDS), name="kind"),
        {"comment": "The three pillars of digital transformation and the foundations the plans set targets for."},
    )
    id: Mapped[str] = mapped_column(String, primary_key=True, comment="Identifier, e.g. 'digital-economy'.")
    kind: Mapped[str] = mapped_column(String, comment="pillar (chính quyền số, kinh tế số, xã hội số) or foundation (hạ tầng số, an toàn thông tin, nguồn lực, overall ranking).")
    name_vi: Mapped[str] = mapped_column(Text, comment="Vietnamese name, e.g. 'kinh tế số'.")
    name_en: Mapped[str] = mapped_column(Text, comment="English name.")
    description: Mapped[str] = mapped_column(Text, comment="What the pillar covers.")
    sort_order: Mapped[int] = mapped_column(Integer, comment="Display order.")


class Indicator(Base):
    __tablename__ = "indicators"
    __table_args__ = (
        CheckConstraint(_in("direction", DIRECTIONS), name="direction"),
        CheckConstraint("level IS NULL OR " + _in("level", INDICATOR_LEVELS), name="level"),
        {"comment": "The shared indicator catalogue: one indicator_id per measure, used by every jurisdiction and the national programme."},
    )
    id: Mapped[str] = mapped_column(String, primary_key=True, comment="Stable identifier, e.g. 'digital-economy-share-of-grdp'.")
    name_vi: Mapped[str] = mapped_column(Text, comment="Vietnamese name.")
    name_en: Mapped[str] = mapped_column(Text, comment="English name.")
    unit: Mapped[str] = mapped_column(String, comment="Unit every value of this indicator is in: '%', 'rank', 'count', etc.")
    pillar_id: Mapped[str] = mapped_column(ForeignKey("pillars.id"), index=True, comment="Pillar or foundation the measure belongs to.")
    definition: Mapped[str] = mapped_column(Text, comment="What exactly is measured, and what the denominator is.")
    direction: Mapped[str] = mapped_column(String, comment="higher: a higher value is more ambitious; lower: a lower value is (ranks).")
    national_indicator_id: Mapped[str | None] = mapped_column(ForeignKey("indicators.id"), comment="The national programme's indicator this one answers to, where the national programme sets a target for it in our sources; itself when the measure is the same.")
    scopes: Mapped[str | None] = mapped_column(Text, comment="The scope values targets of this indicator use (e.g. 'cấp tỉnh; cấp huyện; cấp xã'), where the measure is split by scope.")
    note: Mapped[str | None] = mapped_column(Text, comment="How the plans word it differently, and what was merged or kept apart.")
    level: Mapped[str | None] = mapped_column(String, comment="Which jurisdictions the measure applies to: province, country, or null for both. target_coverage pairs an indicator only with jurisdictions it applies to.")


class IndicatorRelation(Base):
    __tablename__ = "indicator_relations"
    __table_args__ = (
        CheckConstraint(_in("relation", INDICATOR_RELATIONS), name="relation"),
        UniqueConstraint("indicator_id", "related_indicator_id"),
        {"comment": "Pairs of indicators that look alike but are kept apart, and how they differ."},
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Row number.")
    indicator_id: Mapped[str] = mapped_column(ForeignKey("indicators.id"), index=True, comment="One indicator.")
    relation: Mapped[str] = mapped_column(String, comment="differs_from (not comparable) or related (comparable with care).")
    related_indicator_id: Mapped[str] = mapped_column(ForeignKey("indicators.id"), index=True, comment="The other indicator.")
    note: Mapped[str] = mapped_column(Text, comment="How they differ.")


class Sector(Base):
    __tablename__ = "sectors"
    __table_args__ = {"comment": "The sectors (lĩnh vực) plans prioritise for digital transformation, on one vocabulary across all plans."}
    id: Mapped[str] = mapped_column(String, primary_key=True, comment="Identifier, e.g. 'du-lich'.")
    name_vi: Mapped[str] = mapped_column(Text, comment="Vietnamese name.")
    name_en: Mapped[str] = mapped_column(Text, comment="English name.")
    note: Mapped[str | None] = mapped_column(Text, comment="What the sector covers.")


class SectorRelation(Base):
    __tablename__ = "sector_relations"
    __table_args__ = (
        CheckConstraint(_in("relation", SECTOR_RELATIONS), name="relation"),
        UniqueConstraint("sector_id", "related_sector_id"),
        {"comment": "How combined or neighbouring sectors relate, e.g. 'văn hóa - du lịch' includes 'du lịch'; never silently merged."},
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Row number.")
    sector_id: Mapped[str] = mapped_column(ForeignKey("sectors.id"), index=True, comment="The broader or combined sector.")
    relation: Mapped[str] = mapped_column(String, comment="includes (the first covers the second) or related (overlapping, not the same).")
    related_sector_id: Mapped[str] = mapped_column(ForeignKey("sectors.id"), index=True, comment="The other sector.")
    note: Mapped[str] = mapped_column(Text, comment="How they relate.")


class PrioritySector(Base):
    __tablename__ = "priority_sectors"
    __table_args__ = (
        UniqueConstraint("jurisdiction_id", "document_id", "sector_id"),
        {"comment": "Each jurisdiction's priority sectors for digital transformation, in the order the text lists them."},
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Row number.")
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"), index=True, comment="Jurisdiction of the document.")
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), index=True, comment="The document that sets the priority; null when the source does not say which document (Quảng Ninh).")
    sector_id: Mapped[str] = mapped_column(ForeignKey("sectors.id"), index=True, comment="The sector, on the shared vocabulary.")
    position: Mapped[int] = mapped_column(Integer, comment="Place in the text's list (1 = first named).")
    name_as_written: Mapped[str] = mapped_column(Text, comment="The sector as the text names it, e.g. 'văn hóa - du lịch'.")
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), comment="Source text.")
    quote: Mapped[str] = mapped_column(Text, comment="Verbatim passage that names the sector.")
    locator: Mapped[str] = mapped_column(String, comment="Where in the source: a section path (e.g. 'III.5.8') or 'line N' of a news text.")


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = {"comment": "Tasks and solutions (nhiệm vụ, giải pháp) of a plan, as a hierarchy: groups, sub-groups and individual tasks."}
    id: Mapped[str] = mapped_column(String, primary_key=True, comment="Stable identifier: the document id and the locator.")
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"), index=True, comment="Jurisdiction of the document.")
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True, comment="The plan the task belongs to.")
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("tasks.id"), index=True, comment="The group this task belongs to; null for a top-level group.")
    depth: Mapped[int] = mapped_column(Integer, comment="1 for a top-level group, 2 for its sub-groups or tasks, and so on.")
    position: Mapped[int] = mapped_column(Integer, comment="Order within its parent.")
    locator: Mapped[str] = mapped_column(String, comment="Section path, e.g. 'III.1.3' or 'III.1.3-2' for the second bullet of III.1.3.")
    title_vi: Mapped[str] = mapped_column(Text, comment="Heading or short statement of the task in Vietnamese (typos fixed).")
    title_en: Mapped[str] = mapped_column(Text, comment="English translation of the heading or short statement.")
    sector_id: Mapped[str | None] = mapped_column(ForeignKey("sectors.id"), comment="Sector the task is about, for the priority-sector sections.")
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), comment="Source text.")
    quote: Mapped[str] = mapped_column(Text, comment="Verbatim text of the heading or bullet, typos included.")


def _value_checks() -> tuple:
    return (
        CheckConstraint("comparator IS NULL OR " + _in("comparator", COMPARATORS), name="comparator"),
        CheckConstraint("(value IS NULL) = (comparator IS NULL)", name="comparator_with_value"),
        CheckConstraint("value_max IS NULL OR (value IS NOT NULL AND value_max > value)", name="value_max"),
        CheckConstraint(
            f"unit <> '{PERCENT}' OR ((value IS NULL OR value BETWEEN 0 AND 100) AND (value_max IS NULL OR value_max BETWEEN 0 AND 100))",
            name="percent_range",
        ),
        CheckConstraint("denominator IS NULL OR denominator > 0", name="denominator"),
    )


class _Figure:
    """Columns shared by targets and observations."""

    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"), sort_order=1, index=True, comment="Jurisdiction the figure is about.")
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), sort_order=2, index=True, comment="Document that sets or reports it; null when only a news report states it.")
    indicator_id: Mapped[str] = mapped_column(ForeignKey("indicators.id"), sort_order=3, index=True, comment="Indicator in the shared catalogue.")
    comparator: Mapped[str | None] = mapped_column(String, sort_order=6, comment="'>=' tối thiểu/ít nhất, '>' trên, '=' exact or range, '~' khoảng, '<=' at most (ranks); null when there is no number.")
    value: Mapped[float | None] = mapped_column(Numeric(asdecimal=False), sort_order=7, comment="The number, in the indicator's unit; null for a commitment with no number (e.g. 'phổ cập 4G').")
    value_max: Mapped[float | None] = mapped_column(Numeric(asdecimal=False), sort_order=8, comment="Upper end of a range such as 5–10%; null otherwise.")
    denominator: Mapped[float | None] = mapped_column(Numeric(asdecimal=False), sort_order=9, comment="What the value is out of, where the text says so: 63 in 'rank 45/63', 1.573 in '32/1.573 enterprises'.")
    unit: Mapped[str] = mapped_column(String, sort_order=10, comment="Unit of value and value_max; always the indicator's unit.")
    scope: Mapped[str | None] = mapped_column(Text, sort_order=11, comment="What the figure covers, where the measure is split: an administrative level (cấp tỉnh/huyện/xã), a school level, the population counted.")
    statement_vi: Mapped[str] = mapped_column(Text, sort_order=12, comment="The commitment or figure in clean Vietnamese: OCR typos fixed, compound sentences split.")
    statement_en: Mapped[str] = mapped_column(Text, sort_order=13, comment="English translation of statement_vi.")
    quote: Mapped[str | None] = mapped_column(Text, sort_order=14, comment="Verbatim passage of the source, typos included; ' … ' marks skipped text. Null only for figures from reference sources.")
    locator: Mapped[str | None] = mapped_column(String, sort_order=15, comment="Where in the source: section path (e.g. 'II.2.2.1.a') or 'line N' of a news text.")
    note: Mapped[str | None] = mapped_column(Text, sort_order=17, comment="Caveats: ambiguity in the source, what was not inferred.")
    citation: Mapped[str | None] = mapped_column(Text, sort_order=18, comment="For a figure from a reference source: the pages where it was checked (the source's citation says more).")
    evidence: Mapped[str] = mapped_column(String, sort_order=19, comment="How the statement used is evidenced: quote (verbatim from a text we hold) or citation (a reference source's checked pages).")
    authority: Mapped[str] = mapped_column(String, sort_order=20, comment="Kind of the source whose statement this row uses: official_text, reference (a summary of the official text or an outside dataset) or news_report. See claims for every source's statement.")
    claim_count: Mapped[int] = mapped_column(Integer, sort_order=21, comment="How many sources state this figure (rows in claims); the discrepancies view shows where they disagree.")


def _evidence_checks() -> tuple:
    return (
        CheckConstraint(_in("evidence", EVIDENCE), name="evidence"),
        CheckConstraint(_in("authority", AUTHORITY), name="authority"),
        CheckConstraint("claim_count >= 1", name="claim_count"),
    )


class Target(_Figure, Base):
    __tablename__ = "targets"
    __table_args__ = (
        *_value_checks(),
        *_evidence_checks(),
        CheckConstraint(_year_check("target_year"), name="target_year"),
        CheckConstraint("frequency IS NULL OR " + _in("frequency", FREQUENCIES), name="frequency"),
        {"comment": "One row per commitment a plan makes: a compound sentence is several rows; a commitment with no number has value null."},
    )
    id: Mapped[str] = mapped_column(String, primary_key=True, sort_order=-1, comment="Stable identifier: document, indicator, year and scope, e.g. 'lai-chau-09-nq-tu/work-files-processed-online/2025/cap-xa'.")
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True, sort_order=16, comment="Source text of the quote.")
    target_year: Mapped[int | None] = mapped_column(Integer, sort_order=4, comment="Year by which the target is to be met; null when the text gives none (e.g. a standing commitment).")
    frequency: Mapped[str | None] = mapped_column(String, sort_order=5, comment="annual: the value applies every year (up to target_year, or throughout the plan when it is null).")


class Observation(_Figure, Base):
    __tablename__ = "observations"
    __table_args__ = (
        *_value_checks(),
        *_evidence_checks(),
        CheckConstraint(_year_check("year"), name="year"),
        {"comment": "Figures a text reports as the situation (not commitments), and reference figures such as DTI ranks."},
    )
    id: Mapped[str] = mapped_column(String, primary_key=True, sort_order=-1, comment="Stable identifier: jurisdiction or document, indicator, year and scope.")
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True, sort_order=16, comment="Source of the figure.")
    year: Mapped[int | None] = mapped_column(Integer, sort_order=4, comment="Year the figure refers to, where stated; null when the text says only 'đến nay' (see the source's date).")


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (
        *_value_checks(),
        CheckConstraint("(target_id IS NULL) <> (observation_id IS NULL)", name="one_figure"),
        CheckConstraint(_in("evidence", EVIDENCE), name="evidence"),
        CheckConstraint("authority_rank >= 1", name="authority_rank"),
        UniqueConstraint("target_id", "source_id"),
        UniqueConstraint("observation_id", "source_id"),
        {"comment": "Every source's statement of each target and observation: the same commitment may be stated by several sources, which may disagree. The row with authority_rank 1 is the one targets and observations use."},
    )
    id: Mapped[str] = mapped_column(String, primary_key=True, comment="The figure's id, '@', and the source id, e.g. 'viet-nam-749-qd-ttg/national-egov-rank/2025@seed-003'.")
    target_id: Mapped[str | None] = mapped_column(ForeignKey("targets.id"), index=True, comment="The target this statement is about (or null for an observation).")
    observation_id: Mapped[str | None] = mapped_column(ForeignKey("observations.id"), index=True, comment="The observation this statement is about (or null for a target).")
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdictions.id"), index=True, comment="Jurisdiction of the figure.")
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True, comment="The source that makes this statement.")
    evidence: Mapped[str] = mapped_column(String, comment="quote (verbatim from a text we hold) or citation (a reference source's checked pages).")
    comparator: Mapped[str | None] = mapped_column(String, comment="The comparator as this source states it.")
    value: Mapped[float | None] = mapped_column(Numeric(asdecimal=False), comment="The value as this source states it.")
    value_max: Mapped[float | None] = mapped_column(Numeric(asdecimal=False), comment="Upper end of a range, as this source states it.")
    denominator: Mapped[float | None] = mapped_column(Numeric(asdecimal=False), comment="What the value is out of, as this source states it.")
    unit: Mapped[str] = mapped_column(String, comment="The indicator's unit.")
    statement_vi: Mapped[str] = mapped_column(Text, comment="What this source says, in clean Vietnamese.")
    statement_en: Mapped[str] = mapped_column(Text, comment="English translation of statement_vi.")
    quote: Mapped[str | None] = mapped_column(Text, comment="Verbatim passage of the source; null for a reference source.")
    locator: Mapped[str | None] = mapped_column(String, comment="Where in the source: section path or 'line N' (for a reference source, the line of its file in data/sources/reference/).")
    citation: Mapped[str | None] = mapped_column(Text, comment="For a reference source: the pages where the fact was checked.")
    note: Mapped[str | None] = mapped_column(Text, comment="Caveats about this statement (e.g. 'single source').")
    authority_rank: Mapped[int] = mapped_column(Integer, comment="1 for the statement the dataset uses (official text, then reference, then news report; then the latest published), 2, 3, … for the others.")


Index("ix_targets_indicator_year", Target.indicator_id, Target.target_year)
# The comparison, coverage and outcome views look figures up by jurisdiction, indicator, year and scope.
Index("ix_targets_jurisdiction_indicator", Target.jurisdiction_id, Target.indicator_id, Target.target_year, Target.scope)
Index("ix_observations_jurisdiction_indicator", Observation.jurisdiction_id, Observation.indicator_id, Observation.scope, Observation.year)


class RowHistory(Base):
    __tablename__ = "row_history"
    __table_args__ = (
        CheckConstraint(_in("change", ROW_CHANGES), name="change"),
        CheckConstraint("(change = 'changed') = (column_name IS NOT NULL)", name="column_with_change"),
        {"comment": "What changed in each row from one release to the next: one row per row added or removed and per column changed, from each release's diff against the one before it (data/history/, written by `make history`). A row cited in one release is found here by its table and key in every later release."},
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Row number, in the order of the releases and of their diffs.")
    version: Mapped[str] = mapped_column(String, comment="The release in which the change appeared.")
    previous_version: Mapped[str] = mapped_column(String, comment="The release it is compared with (the one before it).")
    table_name: Mapped[str] = mapped_column(String, comment="The table of the row.")
    key_columns: Mapped[str] = mapped_column(String, comment="The columns that identify the row from one release to the next, joined by ', ': its primary key, or its natural key (UNIQUE constraint) where the primary key is only a row number.")
    row_key: Mapped[str] = mapped_column(Text, comment="The row's values of key_columns, joined by ', ' (a target's id, for a target).")
    change: Mapped[str] = mapped_column(String, comment="added, removed or changed.")
    column_name: Mapped[str | None] = mapped_column(String, comment="The column whose value changed; null for a row added or removed.")
    old_value: Mapped[str | None] = mapped_column(Text, comment="The value before, as text; for a row removed, the whole row as JSON.")
    new_value: Mapped[str | None] = mapped_column(Text, comment="The value after, as text; for a row added, the whole row as JSON.")


# A row page looks up its history by table and key.
Index("ix_row_history_table_name_row_key", RowHistory.table_name, RowHistory.row_key)
