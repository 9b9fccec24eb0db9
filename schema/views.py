"""Derived views and search indexes, created by build.py after the data is loaded.

They are derived from the tables, so they are rebuilt with the data rather than
migrated. Their column descriptions live in VIEW_DOCS, next to their SQL.
"""
from __future__ import annotations

import sqlite3

NATIONAL = "viet-nam"

# Tables with full-text search: the columns indexed (a folded copy of the
# Vietnamese columns is added so that searches without diacritics work).
SEARCH_COLUMNS = {
    "targets": ["statement_vi", "statement_en", "quote"],
    "observations": ["statement_vi", "statement_en", "quote"],
    "tasks": ["title_vi", "title_en", "quote"],
}

TARGET_COMPARISON = f"""
CREATE VIEW target_comparison AS
SELECT
  t.indicator_id,
  i.name_en AS indicator_name,
  i.pillar_id,
  t.jurisdiction_id,
  j.name_vi AS jurisdiction_name,
  t.target_year,
  t.scope,
  t.comparator,
  t.value,
  t.value_max,
  t.unit,
  n.comparator AS national_comparator,
  n.value AS national_value,
  CASE WHEN t.value_max IS NULL AND n.value_max IS NULL
       THEN round(t.value - n.value, 6) END AS difference,
  CASE
    WHEN t.value IS NULL OR n.value IS NULL OR t.value_max IS NOT NULL OR n.value_max IS NOT NULL THEN NULL
    WHEN t.value = n.value THEN 'same as national'
    WHEN (t.value > n.value) = (i.direction = 'higher') THEN 'more ambitious than national'
    ELSE 'less ambitious than national'
  END AS versus_national,
  t.id AS target_id,
  n.id AS national_target_id
FROM targets t
JOIN indicators i ON i.id = t.indicator_id
JOIN jurisdictions j ON j.id = t.jurisdiction_id
LEFT JOIN targets n
  ON n.jurisdiction_id = '{NATIONAL}'
 AND n.indicator_id = t.indicator_id
 AND n.target_year IS t.target_year
 AND n.scope IS t.scope
WHERE t.jurisdiction_id <> '{NATIONAL}'
"""

TARGET_COVERAGE = """
CREATE VIEW target_coverage AS
SELECT
  j.id AS jurisdiction_id,
  j.name_vi AS jurisdiction_name,
  i.id AS indicator_id,
  i.name_en AS indicator_name,
  i.pillar_id,
  (SELECT count(*) FROM targets t WHERE t.jurisdiction_id = j.id AND t.indicator_id = i.id) AS target_count,
  CASE WHEN EXISTS (SELECT 1 FROM targets t WHERE t.jurisdiction_id = j.id AND t.indicator_id = i.id)
       THEN 'yes' ELSE 'no' END AS has_target,
  (SELECT group_concat(y, ', ') FROM (
     SELECT DISTINCT coalesce(CAST(t.target_year AS TEXT), 'no year') AS y FROM targets t
     WHERE t.jurisdiction_id = j.id AND t.indicator_id = i.id ORDER BY y)) AS target_years,
  (SELECT count(*) FROM targets t WHERE t.jurisdiction_id = j.id AND t.indicator_id = i.id AND t.value IS NULL)
    AS targets_without_number,
  (SELECT group_concat(y, ', ') FROM (
     SELECT DISTINCT coalesce(CAST(o.year AS TEXT), 'undated') AS y FROM observations o
     WHERE o.jurisdiction_id = j.id AND o.indicator_id = i.id ORDER BY y)) AS observation_years
FROM jurisdictions j
CROSS JOIN indicators i
WHERE i.id IN (SELECT indicator_id FROM targets)
"""

PRIORITY_SECTORS_EXPANDED = """
CREATE VIEW priority_sectors_expanded AS
SELECT p.jurisdiction_id, p.document_id, p.sector_id, p.name_as_written, 'direct' AS how, p.id AS priority_sector_id
FROM priority_sectors p
UNION ALL
SELECT p.jurisdiction_id, p.document_id, r.related_sector_id, p.name_as_written,
       'via ' || s.name_vi AS how, p.id
FROM priority_sectors p
JOIN sector_relations r ON r.sector_id = p.sector_id AND r.relation = 'includes'
JOIN sectors s ON s.id = p.sector_id
"""


def priority_sector_matrix(jurisdiction_ids: list[str]) -> str:
    """One row per sector, one column per jurisdiction (generated from the data)."""
    columns = "".join(
        f",\n  (SELECT group_concat(CASE WHEN e.how = 'direct' THEN e.name_as_written "
        f"ELSE e.name_as_written || ' (' || e.how || ')' END, '; ') "
        f"FROM priority_sectors_expanded e WHERE e.sector_id = s.id AND e.jurisdiction_id = '{j}') AS [{j.replace('-', '_')}]"
        for j in jurisdiction_ids
    )
    return f"""
CREATE VIEW priority_sector_matrix AS
SELECT
  s.id AS sector_id,
  s.name_vi AS sector_name_vi,
  s.name_en AS sector_name_en,
  (SELECT count(DISTINCT p.jurisdiction_id) FROM priority_sectors p WHERE p.sector_id = s.id) AS prioritised_by{columns}
FROM sectors s
"""


def view_statements(conn: sqlite3.Connection) -> list[str]:
    provinces = [r[0] for r in conn.execute("SELECT id FROM jurisdictions WHERE level = 'province' ORDER BY id")]
    return [TARGET_COMPARISON, TARGET_COVERAGE, PRIORITY_SECTORS_EXPANDED, priority_sector_matrix(provinces)]


VIEW_DOCS = {
    "target_comparison": {
        "description": "Each provincial target beside the national programme's target for the same indicator, year and scope, with the difference.",
        "columns": {
            "indicator_id": "Indicator in the shared catalogue.",
            "indicator_name": "Indicator name in English.",
            "pillar_id": "Pillar or foundation of the indicator.",
            "jurisdiction_id": "The province.",
            "jurisdiction_name": "The province's Vietnamese name.",
            "target_year": "Year of the provincial target.",
            "scope": "Scope of the provincial target (e.g. cấp xã).",
            "comparator": "Comparator of the provincial target.",
            "value": "Provincial target value.",
            "value_max": "Upper end of the provincial range, if any.",
            "unit": "Unit of both values.",
            "national_comparator": "Comparator of the national target, if the national programme sets one for this indicator, year and scope.",
            "national_value": "National target value.",
            "difference": "Provincial value minus national value, where both are single numbers.",
            "versus_national": "Whether the provincial target is more or less ambitious than the national one, given the indicator's direction.",
            "target_id": "The provincial target row.",
            "national_target_id": "The national target row.",
        },
    },
    "target_coverage": {
        "description": "For every jurisdiction and every indicator some plan targets: whether this jurisdiction's plan sets a target, for which years, and what situation figures exist. A row with has_target = 'no' records that the plan sets no target.",
        "columns": {
            "jurisdiction_id": "The jurisdiction.",
            "jurisdiction_name": "Its Vietnamese name.",
            "indicator_id": "Indicator in the shared catalogue.",
            "indicator_name": "Indicator name in English.",
            "pillar_id": "Pillar or foundation of the indicator.",
            "target_count": "Number of target rows (years and scopes) this jurisdiction has for the indicator.",
            "has_target": "yes if the jurisdiction's plans set any target for the indicator, no if they set none (a fact, not a gap).",
            "target_years": "Target years, comma-separated ('no year' for a target without one).",
            "targets_without_number": "How many of the targets are commitments with no number.",
            "observation_years": "Years of the situation figures reported for the indicator ('undated' when the text gives none).",
        },
    },
    "priority_sectors_expanded": {
        "description": "Priority sectors, with combined sectors also counted under the sectors they include ('via văn hóa - du lịch').",
        "columns": {
            "jurisdiction_id": "The jurisdiction.",
            "document_id": "The document that sets the priority.",
            "sector_id": "The sector.",
            "name_as_written": "The sector as the text names it.",
            "how": "direct, or 'via' the combined sector that includes it.",
            "priority_sector_id": "The priority_sectors row.",
        },
    },
    "priority_sector_matrix": {
        "description": "Province × sector matrix of priority sectors: one column per province; each cell is the sector as the plan names it, or empty when the plan does not prioritise it (Quảng Ngãi's source names no priority sectors).",
        "columns": {
            "sector_id": "The sector.",
            "sector_name_vi": "Sector name in Vietnamese.",
            "sector_name_en": "Sector name in English.",
            "prioritised_by": "Number of jurisdictions that name the sector directly.",
        },
        "jurisdiction_column": "How the jurisdiction's plan names this sector, if it prioritises it; '(via …)' when through a combined sector.",
    },
}
