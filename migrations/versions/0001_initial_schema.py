"""initial schema

Revision ID: 0001
Revises: 

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""

    op.create_table('pillars',
    sa.Column('id', sa.String(), nullable=False, comment="Identifier, e.g. 'digital-economy'."),
    sa.Column('kind', sa.String(), nullable=False, comment='pillar (chính quyền số, kinh tế số, xã hội số) or foundation (hạ tầng số, an toàn thông tin, nguồn lực, overall ranking).'),
    sa.Column('name_vi', sa.Text(), nullable=False, comment="Vietnamese name, e.g. 'kinh tế số'."),
    sa.Column('name_en', sa.Text(), nullable=False, comment='English name.'),
    sa.Column('description', sa.Text(), nullable=False, comment='What the pillar covers.'),
    sa.Column('sort_order', sa.Integer(), nullable=False, comment='Display order.'),
    sa.CheckConstraint("kind IN ('pillar', 'foundation')", name=op.f('ck_pillars_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pillars')),
    comment='The three pillars of digital transformation and the foundations the plans set targets for.'
    )
    op.create_table('sectors',
    sa.Column('id', sa.String(), nullable=False, comment="Identifier, e.g. 'du-lich'."),
    sa.Column('name_vi', sa.Text(), nullable=False, comment='Vietnamese name.'),
    sa.Column('name_en', sa.Text(), nullable=False, comment='English name.'),
    sa.Column('note', sa.Text(), nullable=True, comment='What the sector covers.'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sectors')),
    comment='The sectors (lĩnh vực) plans prioritise for digital transformation, on one vocabulary across all plans.'
    )
    op.create_table('sources',
    sa.Column('id', sa.String(), nullable=False, comment="Stable identifier, e.g. 'seed-004' for source text 004."),
    sa.Column('kind', sa.String(), nullable=False, comment="official_text (a legal document's own text), news_report, or reference (an outside dataset for jurisdiction facts)."),
    sa.Column('title', sa.Text(), nullable=False, comment='Title as the source gives it, in its own language.'),
    sa.Column('title_en', sa.Text(), nullable=True, comment='English translation of the title.'),
    sa.Column('publisher', sa.Text(), nullable=True, comment='Who published it, where the text says so; null when unknown.'),
    sa.Column('author', sa.Text(), nullable=True, comment='Author or byline where stated; null when not stated.'),
    sa.Column('published', sa.Date(), nullable=True, comment='Publication date where stated (ISO 8601); null when not stated.'),
    sa.Column('file_name', sa.String(), nullable=True, comment="File name of the text in the project's shared seeds folder, where we hold it."),
    sa.Column('sha256', sa.String(length=64), nullable=True, comment='SHA-256 of the text file we hold, so a citation can be checked against the exact text.'),
    sa.Column('citation', sa.Text(), nullable=True, comment='For reference sources: where the facts were checked (dataset, file, date).'),
    sa.Column('note', sa.Text(), nullable=True, comment='What else a reader should know about this source.'),
    sa.CheckConstraint("kind IN ('official_text', 'news_report', 'reference')", name=op.f('ck_sources_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sources')),
    comment='Each text the data comes from: the five source texts and the reference datasets for facts from outside them.'
    )
    op.create_table('indicators',
    sa.Column('id', sa.String(), nullable=False, comment="Stable identifier, e.g. 'digital-economy-share-of-grdp'."),
    sa.Column('name_vi', sa.Text(), nullable=False, comment='Vietnamese name.'),
    sa.Column('name_en', sa.Text(), nullable=False, comment='English name.'),
    sa.Column('unit', sa.String(), nullable=False, comment="Unit every value of this indicator is in: '%', 'rank', 'count', etc."),
    sa.Column('pillar_id', sa.String(), nullable=False, comment='Pillar or foundation the measure belongs to.'),
    sa.Column('definition', sa.Text(), nullable=False, comment='What exactly is measured, and what the denominator is.'),
    sa.Column('direction', sa.String(), nullable=False, comment='higher: a higher value is more ambitious; lower: a lower value is (ranks).'),
    sa.Column('national_indicator_id', sa.String(), nullable=True, comment="The national programme's indicator this one answers to, where the national programme sets a target for it in our sources; itself when the measure is the same."),
    sa.Column('scopes', sa.Text(), nullable=True, comment="The scope values targets of this indicator use (e.g. 'cấp tỉnh; cấp huyện; cấp xã'), where the measure is split by scope."),
    sa.Column('note', sa.Text(), nullable=True, comment='How the plans word it differently, and what was merged or kept apart.'),
    sa.CheckConstraint("direction IN ('higher', 'lower')", name=op.f('ck_indicators_direction')),
    sa.ForeignKeyConstraint(['national_indicator_id'], ['indicators.id'], name=op.f('fk_indicators_national_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['pillar_id'], ['pillars.id'], name=op.f('fk_indicators_pillar_id_pillars')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators')),
    comment='The shared indicator catalogue: one indicator_id per measure, used by every jurisdiction and the national programme.'
    )
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicators_pillar_id'), ['pillar_id'], unique=False)

    op.create_table('jurisdictions',
    sa.Column('id', sa.String(), nullable=False, comment='Stable identifier: viet-nam, lai-chau, quang-binh, ha-tinh, quang-ngai, quang-ninh.'),
    sa.Column('level', sa.String(), nullable=False, comment='country or province.'),
    sa.Column('name_vi', sa.Text(), nullable=False, comment="Official Vietnamese name, e.g. 'Tỉnh Lai Châu'."),
    sa.Column('name_en', sa.Text(), nullable=False, comment="English name, e.g. 'Lai Châu Province'."),
    sa.Column('gso_code', sa.String(), nullable=True, comment='Province code in the General Statistics Office list of administrative units (before 1 July 2025); null for the country.'),
    sa.Column('region_vi', sa.Text(), nullable=True, comment='Socio-economic region (national master plan 2021–2030), in Vietnamese.'),
    sa.Column('region_en', sa.Text(), nullable=True, comment='Socio-economic region, in English.'),
    sa.Column('capital_vi', sa.Text(), nullable=True, comment='Provincial capital before 2025, in Vietnamese.'),
    sa.Column('capital_lat', sa.Float(), nullable=True, comment='Approximate latitude of the capital (±0.05°).'),
    sa.Column('capital_lon', sa.Float(), nullable=True, comment='Approximate longitude of the capital (±0.05°).'),
    sa.Column('reference_source_id', sa.String(), nullable=True, comment='Source of the code, region, capital and coordinates.'),
    sa.CheckConstraint("level IN ('country', 'province')", name=op.f('ck_jurisdictions_level')),
    sa.CheckConstraint('capital_lat IS NULL OR capital_lat BETWEEN 8 AND 24', name=op.f('ck_jurisdictions_capital_lat')),
    sa.CheckConstraint('capital_lon IS NULL OR capital_lon BETWEEN 102 AND 110', name=op.f('ck_jurisdictions_capital_lon')),
    sa.ForeignKeyConstraint(['reference_source_id'], ['sources.id'], name=op.f('fk_jurisdictions_reference_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jurisdictions')),
    comment='Vietnam and the provinces whose plans are transcribed, as they were before the 2025 reorganisation.'
    )
    op.create_table('sector_relations',
    sa.Column('id', sa.Integer(), nullable=False, comment='Row number.'),
    sa.Column('sector_id', sa.String(), nullable=False, comment='The broader or combined sector.'),
    sa.Column('relation', sa.String(), nullable=False, comment='includes (the first covers the second) or related (overlapping, not the same).'),
    sa.Column('related_sector_id', sa.String(), nullable=False, comment='The other sector.'),
    sa.Column('note', sa.Text(), nullable=False, comment='How they relate.'),
    sa.CheckConstraint("relation IN ('includes', 'related')", name=op.f('ck_sector_relations_relation')),
    sa.ForeignKeyConstraint(['related_sector_id'], ['sectors.id'], name=op.f('fk_sector_relations_related_sector_id_sectors')),
    sa.ForeignKeyConstraint(['sector_id'], ['sectors.id'], name=op.f('fk_sector_relations_sector_id_sectors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sector_relations')),
    sa.UniqueConstraint('sector_id', 'related_sector_id', name=op.f('uq_sector_relations_sector_id')),
    comment="How combined or neighbouring sectors relate, e.g. 'văn hóa - du lịch' includes 'du lịch'; never silently merged."
    )
    with op.batch_alter_table('sector_relations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sector_relations_related_sector_id'), ['related_sector_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sector_relations_sector_id'), ['sector_id'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.String(), nullable=False, comment="Stable identifier, e.g. 'lai-chau-09-nq-tu'."),
    sa.Column('jurisdiction_id', sa.String(), nullable=False, comment='Jurisdiction the document governs.'),
    sa.Column('number', sa.String(), nullable=True, comment="Document number as issued, e.g. '09-NQ/TU'; null when the sources do not give it."),
    sa.Column('type', sa.String(), nullable=False, comment='nghị quyết, quyết định, kế hoạch, chỉ thị, đề án or chương trình hành động.'),
    sa.Column('title_vi', sa.Text(), nullable=False, comment='Title or subject in Vietnamese, as the sources give it.'),
    sa.Column('title_en', sa.Text(), nullable=False, comment='English title.'),
    sa.Column('label', sa.Text(), nullable=False, comment="Short label for links, e.g. 'Lai Châu 09-NQ/TU (2022)'."),
    sa.Column('issuing_body_vi', sa.Text(), nullable=True, comment='Issuing body in Vietnamese; null when not stated.'),
    sa.Column('issuing_body_en', sa.Text(), nullable=True, comment='Issuing body in English.'),
    sa.Column('issue_date', sa.Date(), nullable=True, comment='Date of issue where stated; null otherwise.'),
    sa.Column('period_start', sa.Integer(), nullable=True, comment='First year of the plan period, where stated.'),
    sa.Column('period_end', sa.Integer(), nullable=True, comment="Last year of the plan period (the 'đến năm' year)."),
    sa.Column('vision_year', sa.Integer(), nullable=True, comment="Year of the orientation or vision ('định hướng/tầm nhìn đến năm')."),
    sa.Column('signer', sa.Text(), nullable=True, comment='Who signed it, with their office, where stated; null otherwise.'),
    sa.Column('source_id', sa.String(), nullable=False, comment='Source text that states these facts.'),
    sa.Column('quote', sa.Text(), nullable=True, comment="Verbatim passage of the source that states the document's number, date or issuer."),
    sa.Column('locator', sa.String(), nullable=True, comment="Where the quote is: section path or 'line N' of the source text."),
    sa.Column('note', sa.Text(), nullable=True, comment='What the sources leave unsaid, or other context.'),
    sa.CheckConstraint("type IN ('nghị quyết', 'quyết định', 'kế hoạch', 'chỉ thị', 'đề án', 'chương trình hành động')", name=op.f('ck_documents_type')),
    sa.CheckConstraint('period_end IS NULL OR period_end BETWEEN 2000 AND 2050', name=op.f('ck_documents_period_end')),
    sa.CheckConstraint('period_start IS NULL OR period_start BETWEEN 2000 AND 2050', name=op.f('ck_documents_period_start')),
    sa.CheckConstraint('vision_year IS NULL OR vision_year BETWEEN 2000 AND 2050', name=op.f('ck_documents_vision_year')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_documents_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_documents_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    comment='Each plan or legal document: the provincial plans, the national programme (749/QĐ-TTg) and what they cite.'
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_jurisdiction_id'), ['jurisdiction_id'], unique=False)

    op.create_table('indicator_relations',
    sa.Column('id', sa.Integer(), nullable=False, comment='Row number.'),
    sa.Column('indicator_id', sa.String(), nullable=False, comment='One indicator.'),
    sa.Column('relation', sa.String(), nullable=False, comment='differs_from (not comparable) or related (comparable with care).'),
    sa.Column('related_indicator_id', sa.String(), nullable=False, comment='The other indicator.'),
    sa.Column('note', sa.Text(), nullable=False, comment='How they differ.'),
    sa.CheckConstraint("relation IN ('differs_from', 'related')", name=op.f('ck_indicator_relations_relation')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_indicator_relations_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['related_indicator_id'], ['indicators.id'], name=op.f('fk_indicator_relations_related_indicator_id_indicators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_relations')),
    sa.UniqueConstraint('indicator_id', 'related_indicator_id', name=op.f('uq_indicator_relations_indicator_id')),
    comment='Pairs of indicators that look alike but are kept apart, and how they differ.'
    )
    with op.batch_alter_table('indicator_relations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_relations_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_relations_related_indicator_id'), ['related_indicator_id'], unique=False)

    op.create_table('jurisdiction_changes',
    sa.Column('id', sa.Integer(), nullable=False, comment='Row number.'),
    sa.Column('jurisdiction_id', sa.String(), nullable=False, comment='The province as it was before the change.'),
    sa.Column('change', sa.String(), nullable=False, comment="merged (into a new province with another's name), absorbed_other (another province merged into it), or unchanged."),
    sa.Column('successor_name_vi', sa.Text(), nullable=False, comment='Name of the province that continues it after the change.'),
    sa.Column('successor_gso_code', sa.String(), nullable=True, comment='GSO code of the successor; a reused code alone does not say which province is meant.'),
    sa.Column('other_party_vi', sa.Text(), nullable=True, comment='The other province in the merger, with its former code where known.'),
    sa.Column('administrative_centre_vi', sa.Text(), nullable=True, comment="Where the successor's political and administrative centre is."),
    sa.Column('legal_basis', sa.Text(), nullable=False, comment='The resolution that decided it.'),
    sa.Column('decided_date', sa.Date(), nullable=True, comment='Date the resolution was passed and came into force.'),
    sa.Column('effective_date', sa.Date(), nullable=True, comment='Date the new provincial governments began work.'),
    sa.Column('note', sa.Text(), nullable=True, comment='Further facts, e.g. the abolition of district-level units on the same date.'),
    sa.Column('source_id', sa.String(), nullable=False, comment='Where these facts were checked.'),
    sa.CheckConstraint("CAST(strftime('%Y', effective_date) AS INTEGER) IS NULL OR CAST(strftime('%Y', effective_date) AS INTEGER) BETWEEN 2000 AND 2050", name=op.f('ck_jurisdiction_changes_effective_year')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_jurisdiction_changes_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_jurisdiction_changes_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jurisdiction_changes')),
    comment='What became of each province in the 2025 reorganisation (63 to 34 provinces), for joining with post-2025 data.'
    )
    with op.batch_alter_table('jurisdiction_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jurisdiction_changes_jurisdiction_id'), ['jurisdiction_id'], unique=False)

    op.create_table('source_coverage',
    sa.Column('id', sa.Integer(), nullable=False, comment='Row number.'),
    sa.Column('source_id', sa.String(), nullable=False, comment='The source.'),
    sa.Column('jurisdiction_id', sa.String(), nullable=False, comment='A jurisdiction it reports on.'),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_source_coverage_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_source_coverage_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_coverage')),
    sa.UniqueConstraint('source_id', 'jurisdiction_id', name=op.f('uq_source_coverage_source_id')),
    comment="Which jurisdictions each source reports on; a quote must come from a source that covers its row's jurisdiction."
    )
    with op.batch_alter_table('source_coverage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_coverage_jurisdiction_id'), ['jurisdiction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_source_coverage_source_id'), ['source_id'], unique=False)

    op.create_table('document_links',
    sa.Column('id', sa.Integer(), nullable=False, comment='Row number.'),
    sa.Column('document_id', sa.String(), nullable=False, comment='The document that refers to another.'),
    sa.Column('relation', sa.String(), nullable=False, comment='implements (carries out the target document) or part_of (is one element of it).'),
    sa.Column('target_document_id', sa.String(), nullable=False, comment='The document referred to.'),
    sa.Column('source_id', sa.String(), nullable=False, comment='Source text that states the link.'),
    sa.Column('quote', sa.Text(), nullable=False, comment='Verbatim passage that states the link.'),
    sa.Column('locator', sa.String(), nullable=True, comment="Where the quote is: section path or 'line N' of the source text."),
    sa.CheckConstraint("relation IN ('implements', 'part_of')", name=op.f('ck_document_links_relation')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_links_document_id_documents')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_document_links_source_id_sources')),
    sa.ForeignKeyConstraint(['target_document_id'], ['documents.id'], name=op.f('fk_document_links_target_document_id_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_links')),
    sa.UniqueConstraint('document_id', 'relation', 'target_document_id', name=op.f('uq_document_links_document_id')),
    comment="How documents relate: a provincial resolution implements the national programme, a directive is part of a province's framework, etc."
    )
    with op.batch_alter_table('document_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_links_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_links_target_document_id'), ['target_document_id'], unique=False)

    op.create_table('observations',
    sa.Column('id', sa.String(), nullable=False, comment='Stable identifier: jurisdiction or document, indicator, year and scope.'),
    sa.Column('jurisdiction_id', sa.String(), nullable=False, comment='Jurisdiction the figure is about.'),
    sa.Column('document_id', sa.String(), nullable=True, comment='Document that sets or reports it; null when only a news report states it.'),
    sa.Column('indicator_id', sa.String(), nullable=False, comment='Indicator in the shared catalogue.'),
    sa.Column('year', sa.Integer(), nullable=True, comment="Year the figure refers to, where stated; null when the text says only 'đến nay' (see the source's date)."),
    sa.Column('comparator', sa.String(), nullable=True, comment="'>=' tối thiểu/ít nhất, '>' trên, '=' exact or range, '~' khoảng, '<=' at most (ranks); null when there is no number."),
    sa.Column('value', sa.Float(), nullable=True, comment="The number, in the indicator's unit; null for a commitment with no number (e.g. 'phổ cập 4G')."),
    sa.Column('value_max', sa.Float(), nullable=True, comment='Upper end of a range such as 5–10%; null otherwise.'),
    sa.Column('denominator', sa.Float(), nullable=True, comment="What the value is out of, where the text says so: 63 in 'rank 45/63', 1.573 in '32/1.573 enterprises'."),
    sa.Column('unit', sa.String(), nullable=False, comment="Unit of value and value_max; always the indicator's unit."),
    sa.Column('scope', sa.Text(), nullable=True, comment='What the figure covers, where the measure is split: an administrative level (cấp tỉnh/huyện/xã), a school level, the population counted.'),
    sa.Column('statement_vi', sa.Text(), nullable=False, comment='The commitment or figure in clean Vietnamese: OCR typos fixed, compound sentences split.'),
    sa.Column('statement_en', sa.Text(), nullable=False, comment='English translation of statement_vi.'),
    sa.Column('quote', sa.Text(), nullable=True, comment="Verbatim passage of the source, typos included; ' … ' marks skipped text. Null only for figures from reference sources."),
    sa.Column('locator', sa.String(), nullable=True, comment="Where in the source: section path (e.g. 'II.2.2.1.a') or 'line N' of a news text."),
    sa.Column('source_id', sa.String(), nullable=False, comment='Source of the figure.'),
    sa.Column('note', sa.Text(), nullable=True, comment='Caveats: ambiguity in the source, what was not inferred.'),
    sa.CheckConstraint("comparator IS NULL OR comparator IN ('>=', '>', '=', '~', '<=')", name=op.f('ck_observations_comparator')),
    sa.CheckConstraint("unit <> '%' OR ((value IS NULL OR value BETWEEN 0 AND 100) AND (value_max IS NULL OR value_max BETWEEN 0 AND 100))", name=op.f('ck_observations_percent_range')),
    sa.CheckConstraint('(value IS NULL) = (comparator IS NULL)', name=op.f('ck_observations_comparator_with_value')),
    sa.CheckConstraint('denominator IS NULL OR denominator > 0', name=op.f('ck_observations_denominator')),
    sa.CheckConstraint('value_max IS NULL OR (value IS NOT NULL AND value_max > value)', name=op.f('ck_observations_value_max')),
    sa.CheckConstraint('year IS NULL OR year BETWEEN 2000 AND 2050', name=op.f('ck_observations_year')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_observations_document_id_documents')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_observations_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_observations_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_observations_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observations')),
    comment='Figures a text reports as the situation (not commitments), and reference figures such as DTI ranks.'
    )
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observations_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observations_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observations_jurisdiction_id'), ['jurisdiction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observations_source_id'), ['source_id'], unique=False)

    op.create_table('priority_sectors',
    sa.Column('id', sa.Integer(), nullable=False, comment='Row number.'),
    sa.Column('jurisdiction_id', sa.String(), nullable=False, comment='Jurisdiction of the document.'),
    sa.Column('document_id', sa.String(), nullable=True, comment='The document that sets the priority; null when the source does not say which document (Quảng Ninh).'),
    sa.Column('sector_id', sa.String(), nullable=False, comment='The sector, on the shared vocabulary.'),
    sa.Column('position', sa.Integer(), nullable=False, comment="Place in the text's list (1 = first named)."),
    sa.Column('name_as_written', sa.Text(), nullable=False, comment="The sector as the text names it, e.g. 'văn hóa - du lịch'."),
    sa.Column('source_id', sa.String(), nullable=False, comment='Source text.'),
    sa.Column('quote', sa.Text(), nullable=False, comment='Verbatim passage that names the sector.'),
    sa.Column('locator', sa.String(), nullable=False, comment="Where in the source: a section path (e.g. 'III.5.8') or 'line N' of a news text."),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_priority_sectors_document_id_documents')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_priority_sectors_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['sector_id'], ['sectors.id'], name=op.f('fk_priority_sectors_sector_id_sectors')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_priority_sectors_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_priority_sectors')),
    sa.UniqueConstraint('jurisdiction_id', 'document_id', 'sector_id', name=op.f('uq_priority_sectors_jurisdiction_id')),
    comment="Each jurisdiction's priority sectors for digital transformation, in the order the text lists them."
    )
    with op.batch_alter_table('priority_sectors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_priority_sectors_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_priority_sectors_jurisdiction_id'), ['jurisdiction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_priority_sectors_sector_id'), ['sector_id'], unique=False)

    op.create_table('targets',
    sa.Column('id', sa.String(), nullable=False, comment="Stable identifier: document, indicator, year and scope, e.g. 'lai-chau-09-nq-tu/work-files-processed-online/2025/cap-xa'."),
    sa.Column('jurisdiction_id', sa.String(), nullable=False, comment='Jurisdiction the figure is about.'),
    sa.Column('document_id', sa.String(), nullable=True, comment='Document that sets or reports it; null when only a news report states it.'),
    sa.Column('indicator_id', sa.String(), nullable=False, comment='Indicator in the shared catalogue.'),
    sa.Column('target_year', sa.Integer(), nullable=True, comment='Year by which the target is to be met; null when the text gives none (e.g. a standing commitment).'),
    sa.Column('frequency', sa.String(), nullable=True, comment='annual: the value applies every year (up to target_year, or throughout the plan when it is null).'),
    sa.Column('comparator', sa.String(), nullable=True, comment="'>=' tối thiểu/ít nhất, '>' trên, '=' exact or range, '~' khoảng, '<=' at most (ranks); null when there is no number."),
    sa.Column('value', sa.Float(), nullable=True, comment="The number, in the indicator's unit; null for a commitment with no number (e.g. 'phổ cập 4G')."),
    sa.Column('value_max', sa.Float(), nullable=True, comment='Upper end of a range such as 5–10%; null otherwise.'),
    sa.Column('denominator', sa.Float(), nullable=True, comment="What the value is out of, where the text says so: 63 in 'rank 45/63', 1.573 in '32/1.573 enterprises'."),
    sa.Column('unit', sa.String(), nullable=False, comment="Unit of value and value_max; always the indicator's unit."),
    sa.Column('scope', sa.Text(), nullable=True, comment='What the figure covers, where the measure is split: an administrative level (cấp tỉnh/huyện/xã), a school level, the population counted.'),
    sa.Column('statement_vi', sa.Text(), nullable=False, comment='The commitment or figure in clean Vietnamese: OCR typos fixed, compound sentences split.'),
    sa.Column('statement_en', sa.Text(), nullable=False, comment='English translation of statement_vi.'),
    sa.Column('quote', sa.Text(), nullable=True, comment="Verbatim passage of the source, typos included; ' … ' marks skipped text. Null only for figures from reference sources."),
    sa.Column('locator', sa.String(), nullable=True, comment="Where in the source: section path (e.g. 'II.2.2.1.a') or 'line N' of a news text."),
    sa.Column('source_id', sa.String(), nullable=False, comment='Source text of the quote.'),
    sa.Column('note', sa.Text(), nullable=True, comment='Caveats: ambiguity in the source, what was not inferred.'),
    sa.CheckConstraint("comparator IS NULL OR comparator IN ('>=', '>', '=', '~', '<=')", name=op.f('ck_targets_comparator')),
    sa.CheckConstraint("frequency IS NULL OR frequency IN ('annual')", name=op.f('ck_targets_frequency')),
    sa.CheckConstraint("unit <> '%' OR ((value IS NULL OR value BETWEEN 0 AND 100) AND (value_max IS NULL OR value_max BETWEEN 0 AND 100))", name=op.f('ck_targets_percent_range')),
    sa.CheckConstraint('(value IS NULL) = (comparator IS NULL)', name=op.f('ck_targets_comparator_with_value')),
    sa.CheckConstraint('denominator IS NULL OR denominator > 0', name=op.f('ck_targets_denominator')),
    sa.CheckConstraint('target_year IS NULL OR target_year BETWEEN 2000 AND 2050', name=op.f('ck_targets_target_year')),
    sa.CheckConstraint('value_max IS NULL OR (value IS NOT NULL AND value_max > value)', name=op.f('ck_targets_value_max')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_targets_document_id_documents')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_targets_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_targets_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_targets_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_targets')),
    comment='One row per commitment a plan makes: a compound sentence is several rows; a commitment with no number has value null.'
    )
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_targets_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_targets_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index('ix_targets_indicator_year', ['indicator_id', 'target_year'], unique=False)
        batch_op.create_index(batch_op.f('ix_targets_jurisdiction_id'), ['jurisdiction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_targets_source_id'), ['source_id'], unique=False)

    op.create_table('tasks',
    sa.Column('id', sa.String(), nullable=False, comment='Stable identifier: the document id and the locator.'),
    sa.Column('jurisdiction_id', sa.String(), nullable=False, comment='Jurisdiction of the document.'),
    sa.Column('document_id', sa.String(), nullable=False, comment='The plan the task belongs to.'),
    sa.Column('parent_id', sa.String(), nullable=True, comment='The group this task belongs to; null for a top-level group.'),
    sa.Column('depth', sa.Integer(), nullable=False, comment='1 for a top-level group, 2 for its sub-groups or tasks, and so on.'),
    sa.Column('position', sa.Integer(), nullable=False, comment='Order within its parent.'),
    sa.Column('locator', sa.String(), nullable=False, comment="Section path, e.g. 'III.1.3' or 'III.1.3-2' for the second bullet of III.1.3."),
    sa.Column('title_vi', sa.Text(), nullable=False, comment='Heading or short statement of the task in Vietnamese (typos fixed).'),
    sa.Column('title_en', sa.Text(), nullable=False, comment='English translation of the heading or short statement.'),
    sa.Column('sector_id', sa.String(), nullable=True, comment='Sector the task is about, for the priority-sector sections.'),
    sa.Column('source_id', sa.String(), nullable=False, comment='Source text.'),
    sa.Column('quote', sa.Text(), nullable=False, comment='Verbatim text of the heading or bullet, typos included.'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_tasks_document_id_documents')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_tasks_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['parent_id'], ['tasks.id'], name=op.f('fk_tasks_parent_id_tasks')),
    sa.ForeignKeyConstraint(['sector_id'], ['sectors.id'], name=op.f('fk_tasks_sector_id_sectors')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_tasks_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks')),
    comment='Tasks and solutions (nhiệm vụ, giải pháp) of a plan, as a hierarchy: groups, sub-groups and individual tasks.'
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_jurisdiction_id'), ['jurisdiction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_parent_id'), ['parent_id'], unique=False)




def downgrade() -> None:
    """Downgrade schema."""

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tasks_parent_id'))
        batch_op.drop_index(batch_op.f('ix_tasks_jurisdiction_id'))
        batch_op.drop_index(batch_op.f('ix_tasks_document_id'))

    op.drop_table('tasks')
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_targets_source_id'))
        batch_op.drop_index(batch_op.f('ix_targets_jurisdiction_id'))
        batch_op.drop_index('ix_targets_indicator_year')
        batch_op.drop_index(batch_op.f('ix_targets_indicator_id'))
        batch_op.drop_index(batch_op.f('ix_targets_document_id'))

    op.drop_table('targets')
    with op.batch_alter_table('priority_sectors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_priority_sectors_sector_id'))
        batch_op.drop_index(batch_op.f('ix_priority_sectors_jurisdiction_id'))
        batch_op.drop_index(batch_op.f('ix_priority_sectors_document_id'))

    op.drop_table('priority_sectors')
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_observations_source_id'))
        batch_op.drop_index(batch_op.f('ix_observations_jurisdiction_id'))
        batch_op.drop_index(batch_op.f('ix_observations_indicator_id'))
        batch_op.drop_index(batch_op.f('ix_observations_document_id'))

    op.drop_table('observations')
    with op.batch_alter_table('document_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_links_target_document_id'))
        batch_op.drop_index(batch_op.f('ix_document_links_document_id'))

    op.drop_table('document_links')
    with op.batch_alter_table('source_coverage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_coverage_source_id'))
        batch_op.drop_index(batch_op.f('ix_source_coverage_jurisdiction_id'))

    op.drop_table('source_coverage')
    with op.batch_alter_table('jurisdiction_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jurisdiction_changes_jurisdiction_id'))

    op.drop_table('jurisdiction_changes')
    with op.batch_alter_table('indicator_relations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_relations_related_indicator_id'))
        batch_op.drop_index(batch_op.f('ix_indicator_relations_indicator_id'))

    op.drop_table('indicator_relations')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_jurisdiction_id'))

    op.drop_table('documents')
    with op.batch_alter_table('sector_relations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sector_relations_sector_id'))
        batch_op.drop_index(batch_op.f('ix_sector_relations_related_sector_id'))

    op.drop_table('sector_relations')
    op.drop_table('jurisdictions')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicators_pillar_id'))

    op.drop_table('indicators')
    op.drop_table('sources')
    op.drop_table('sectors')
    op.drop_table('pillars')

