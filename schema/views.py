"""Derived views, the rows some of them read, and search indexes, created by build.py after the data is loaded.

They are derived from the tables, so they are rebuilt with the data rather than migrated:
`create_derived(conn)` makes (or remakes, on a built database whose tables changed) every view and
derived table. Their column descriptions live in VIEW_DOCS, next to their SQL.

The views that are slow to compute at scale (target_comparison, target_coverage, discrepancies: every
page of theirs counts and facets them) read rows computed once by `create_derived`, kept in the derived tables
DERIVED_TABLES (hidden on the site; the views are the public names). Their defining SQL stays here
(TARGET_COMPARISON, TARGET_COVERAGE, DISCREPANCIES) and the tests check that the views give exactly its rows.
"""
from __future__ import annotations

import sqlite3

NATIONAL = "viet-nam"


def _whole(expr: str) -> str:
    """A computed number as people write it: 8, not 8.0 (round() always gives a REAL)."""
    return f"CASE WHEN round({expr}, 6) = CAST(round({expr}, 6) AS INTEGER) THEN CAST(round({expr}, 6) AS INTEGER) ELSE round({expr}, 6) END"

# Tables with full-text search: the columns indexed (a folded copy of the
# Vietnamese columns is added so that searches without diacritics work).
SEARCH_COLUMNS = {
    "targets": ["statement_vi", "statement_en", "quote"],
    "observations": ["statement_vi", "statement_en", "quote"],
    "tasks": ["title_vi", "title_en", "quote"],
}

# The national target set beside a provincial one: same indicator (or the national indicator it answers to),
# same year, and the same scope; failing that, the national target for the whole measure (no scope).
# targets rows already hold each commitment's authoritative statement (see build.settle_claims).
#
# The comparison reads the comparators, not only the values: '> 90' against '= 90' is above it, '~ 20' against
# '= 20' about the same, and '>= 10' against '= 20' is written out as 'at least 10%, national 20%' (a floor, not
# a figure 10 points lower). A comparator's strength, in the direction the indicator counts as better: reaching
# a value ('=') and reaching at least it ('>=') commit to the same; passing it ('>') to more; a ceiling in the
# better direction ('<=' for a higher-is-better indicator) to less.


def _strength(comparator: str) -> str:
    return (f"CASE WHEN i.direction = 'lower' THEN CASE {comparator} WHEN '<' THEN 2 WHEN '>=' THEN 0 WHEN '>' THEN -1 ELSE 1 END"
            f" ELSE CASE {comparator} WHEN '>' THEN 2 WHEN '<=' THEN 0 WHEN '<' THEN -1 ELSE 1 END END")


def _phrase(side: str) -> str:
    """A target as words: 'at least 10%', 'above 90%', 'about 20%', '5–10 %', '20%' (side: t or n)."""
    unit = (f"CASE WHEN {side}.unit IS NULL OR {side}.unit IN ('rank', 'count') THEN '' WHEN {side}.unit = '%' "
            f"THEN '%' ELSE ' ' || {side}.unit END")
    words = (f"CASE {side}.comparator WHEN '>=' THEN 'at least ' WHEN '>' THEN 'above ' WHEN '<=' THEN 'at most ' "
             f"WHEN '<' THEN 'below ' WHEN '~' THEN 'about ' ELSE '' END")
    number = f"{_whole(side + '.value')} || coalesce('–' || {_whole(side + '.value_max')}, '')"
    return f"{words} || {number} || {unit}"


# The caveat every comparison against a national figure that rests on a news report carries.
NEWS_CAVEAT = ("'national figure from a news report only (' || n.source_id || ')' || coalesce(': ' || nullif(n.note, ''), "
               "', not from the decision''s own text or a reference summary of it')")

_VERSUS = f"""CASE
    WHEN n.id IS NULL THEN NULL
    WHEN t.value IS NULL OR n.value IS NULL THEN 'no number to compare'
    WHEN t.value_max IS NOT NULL OR n.value_max IS NOT NULL THEN 'range: compare by hand'
    WHEN t.value = n.value AND t.comparator IS NOT n.comparator AND '~' IN (t.comparator, n.comparator)
      THEN 'about the same as national'
    WHEN t.value = n.value AND ({_strength('t.comparator')}) = ({_strength('n.comparator')}) THEN 'same as national'
    WHEN t.value = n.value THEN CASE WHEN ({_strength('t.comparator')}) > ({_strength('n.comparator')})
      THEN 'more ambitious than national' ELSE 'less ambitious than national' END
    WHEN (t.value > n.value) = (i.direction = 'higher') THEN 'more ambitious than national'
    ELSE 'less ambitious than national'
  END"""

_COMPARISON_SELECT = f"""
SELECT
  t.indicator_id,
  i.name_en AS indicator_name,
  i.name_vi AS indicator_name_vi,
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
  n.value_max AS national_value_max,
  n.scope AS national_scope,
  CASE WHEN t.value_max IS NULL AND n.value_max IS NULL
       THEN {_whole("t.value - n.value")} END AS difference,
  {_VERSUS} AS versus_national,
  t.source_id,
  t.authority,
  t.evidence,
  n.source_id AS national_source_id,
  n.authority AS national_authority,
  n.evidence AS national_evidence,
  t.note,
  n.note AS national_note,
  t.id AS target_id,
  n.id AS national_target_id,
  CASE
    WHEN n.id IS NULL THEN NULL
    WHEN t.value IS NULL OR n.value IS NULL THEN 'no number to compare'
    ELSE CASE {_VERSUS} WHEN 'more ambitious than national' THEN 'more ambitious' WHEN 'less ambitious than national'
      THEN 'less ambitious' WHEN 'same as national' THEN 'the same' WHEN 'about the same as national' THEN 'about the same'
      ELSE 'compare by hand' END || ': ' || {_phrase('t')} || ', national ' || {_phrase('n')}
  END || CASE WHEN n.authority = 'news_report' THEN ' (' || {NEWS_CAVEAT} || ')' ELSE '' END AS comparison,
  CASE WHEN n.authority = 'news_report' THEN {NEWS_CAVEAT} END AS national_caveat
"""
_COMPARISON_WHERE = f"WHERE t.jurisdiction_id <> '{NATIONAL}'\n"
TARGET_COMPARISON = _COMPARISON_SELECT + f"""FROM targets t
JOIN indicators i ON i.id = t.indicator_id
JOIN jurisdictions j ON j.id = t.jurisdiction_id
LEFT JOIN targets n
  ON n.id = coalesce(
    (SELECT x.id FROM targets x
      WHERE x.jurisdiction_id = '{NATIONAL}' AND x.indicator_id = coalesce(i.national_indicator_id, t.indicator_id)
        AND x.target_year = t.target_year AND x.scope = t.scope),
    (SELECT x.id FROM targets x
      WHERE x.jurisdiction_id = '{NATIONAL}' AND x.indicator_id = coalesce(i.national_indicator_id, t.indicator_id)
        AND x.target_year = t.target_year AND x.scope IS NULL))
""" + _COMPARISON_WHERE

# Per jurisdiction and indicator: a target is recorded; or the plan sets none (only where we hold a plan's full
# text); or the sources we hold do not say. Indicators pair only with the level of jurisdiction they apply to.
TARGET_COVERAGE = """
WITH counts AS (
  SELECT jurisdiction_id, indicator_id, count(*) AS target_count,
         sum(value IS NULL) AS targets_without_number,
         replace(group_concat(DISTINCT coalesce(CAST(target_year AS TEXT), 'no year')), ',', ', ') AS years
  FROM targets GROUP BY jurisdiction_id, indicator_id
),
observed AS (
  SELECT jurisdiction_id, indicator_id,
         replace(group_concat(DISTINCT coalesce(CAST(year AS TEXT), 'undated')), ',', ', ') AS years
  FROM observations GROUP BY jurisdiction_id, indicator_id
),
complete AS (
  SELECT jurisdiction_id, group_concat(label, '; ') AS labels
  FROM documents WHERE completeness = 'full_text' GROUP BY jurisdiction_id
)
SELECT
  j.id AS jurisdiction_id,
  j.name_vi AS jurisdiction_name,
  i.id AS indicator_id,
  i.name_en AS indicator_name,
  i.pillar_id,
  coalesce(c.target_count, 0) AS target_count,
  CASE WHEN c.target_count IS NOT NULL THEN 'yes'
       WHEN f.labels IS NOT NULL THEN 'no'
       ELSE 'not stated' END AS has_target,
  CASE WHEN c.target_count IS NOT NULL THEN 'target recorded'
       WHEN f.labels IS NOT NULL THEN 'the plan sets no target: none in ' || f.labels || ', whose full text we hold'
       ELSE 'not stated in the sources we hold (we hold no plan of this jurisdiction in full)' END AS coverage,
  f.labels AS full_text_documents,
  c.years AS target_years,
  coalesce(c.targets_without_number, 0) AS targets_without_number,
  o.years AS observation_years
FROM jurisdictions j
CROSS JOIN indicators i
LEFT JOIN counts c ON c.jurisdiction_id = j.id AND c.indicator_id = i.id
LEFT JOIN observed o ON o.jurisdiction_id = j.id AND o.indicator_id = i.id
LEFT JOIN complete f ON f.jurisdiction_id = j.id
WHERE i.id IN (SELECT indicator_id FROM targets)
  AND (i.level IS NULL OR i.level = j.level)
"""

# The same figure stated differently by two sources: the statement used beside each other one.
DISCREPANCIES = " UNION ALL ".join(f"""
SELECT
  '{kind}' AS kind,
  f.id AS figure_id,
  f.jurisdiction_id,
  f.document_id,
  f.indicator_id,
  f.{year} AS year,
  f.scope,
  a.source_id AS used_source_id,
  sa.kind AS used_source_kind,
  a.comparator AS used_comparator,
  a.value AS used_value,
  a.value_max AS used_value_max,
  a.statement_en AS used_statement_en,
  coalesce(a.quote, a.citation) AS used_evidence,
  a.locator AS used_locator,
  b.source_id AS other_source_id,
  sb.kind AS other_source_kind,
  b.comparator AS other_comparator,
  b.value AS other_value,
  b.value_max AS other_value_max,
  b.statement_en AS other_statement_en,
  coalesce(b.quote, b.citation) AS other_evidence,
  b.locator AS other_locator,
  b.note AS other_note,
  a.id AS used_claim_id,
  b.id AS other_claim_id
FROM {table} f
JOIN claims a ON a.{key} = f.id AND a.authority_rank = 1
JOIN claims b ON b.{key} = f.id AND b.authority_rank > 1
JOIN sources sa ON sa.id = a.source_id
JOIN sources sb ON sb.id = b.source_id
WHERE f.claim_count > 1
  AND (a.comparator IS NOT b.comparator OR a.value IS NOT b.value OR a.value_max IS NOT b.value_max
       OR a.denominator IS NOT b.denominator)""" for kind, table, key, year in (
    ("target", "targets", "target_id", "target_year"), ("observation", "observations", "observation_id", "year")))
DISCREPANCIES = DISCREPANCIES.lstrip("\n") + "\n"
# The same rows, computed faster for the derived table: from the figures stated by more than one source
# (few), rather than from every claim.
DISCREPANCIES_FILL = DISCREPANCIES.replace("JOIN claims a ON", "CROSS JOIN claims a ON")
assert DISCREPANCIES_FILL.count("CROSS JOIN claims a") == 2, "DISCREPANCIES changed: update DISCREPANCIES_FILL"

# Each target beside every outcome measured on the same indicator for the same jurisdiction and scope.
# gap_to_target: how far the outcome is from the target, in the indicator's unit, positive when short of it.
TARGET_OUTCOMES = f"""
CREATE VIEW target_outcomes AS
SELECT
  t.jurisdiction_id,
  j.name_vi AS jurisdiction_name,
  t.indicator_id,
  i.name_en AS indicator_name,
  i.direction,
  t.scope,
  t.target_year,
  t.comparator AS target_comparator,
  t.value AS target_value,
  t.value_max AS target_value_max,
  t.denominator AS target_denominator,
  t.unit,
  o.year AS outcome_year,
  o.value AS outcome_value,
  o.denominator AS outcome_denominator,
  o.source_id AS outcome_source_id,
  o.authority AS outcome_authority,
  CASE WHEN t.value IS NULL OR o.value IS NULL OR t.value_max IS NOT NULL
         OR (t.denominator IS NOT NULL AND o.denominator IS NOT NULL AND t.denominator <> o.denominator) THEN NULL
       WHEN i.direction = 'higher' THEN {_whole("t.value - o.value")}
       ELSE {_whole("o.value - t.value")} END AS gap_to_target,
  CASE WHEN t.value IS NULL OR o.value IS NULL THEN 'no number to compare'
       WHEN t.denominator IS NOT NULL AND o.denominator IS NOT NULL AND t.denominator <> o.denominator
         THEN 'not comparable: ranked out of ' || o.denominator || ', target out of ' || t.denominator
       WHEN t.value_max IS NOT NULL
         THEN CASE WHEN o.value BETWEEN t.value AND t.value_max THEN 'within the target range' ELSE 'outside the target range' END
       WHEN (i.direction = 'higher' AND (o.value > t.value OR (o.value = t.value AND t.comparator <> '>')))
         OR (i.direction = 'lower' AND (o.value < t.value OR (o.value = t.value AND t.comparator <> '<')))
         THEN 'met'
       ELSE 'short of target' END AS status,
  CASE WHEN o.year IS NULL THEN NULL WHEN o.year <= t.target_year OR t.target_year IS NULL THEN 'before or in the target year'
       ELSE 'after the target year' END AS timing,
  t.id AS target_id,
  o.id AS observation_id
FROM targets t
JOIN observations o ON o.jurisdiction_id = t.jurisdiction_id AND o.indicator_id = t.indicator_id AND o.scope IS t.scope
JOIN indicators i ON i.id = t.indicator_id
JOIN jurisdictions j ON j.id = t.jurisdiction_id
"""

# The 2025 reorganisation as a relation: every one of the 63 provinces beside the jurisdiction that continues
# it from 1 July 2025 (a unit formed by the merger, or itself when unchanged).
JURISDICTION_CROSSWALK = """
CREATE VIEW jurisdiction_crosswalk AS
SELECT
  c.jurisdiction_id AS predecessor_id,
  p.name_vi AS predecessor_name,
  p.gso_code AS predecessor_gso_code,
  c.successor_id,
  s.name_vi AS successor_name,
  s.gso_code AS successor_gso_code,
  c.change,
  c.effective_date,
  c.legal_basis,
  c.source_id
FROM jurisdiction_changes c
JOIN jurisdictions p ON p.id = c.jurisdiction_id
JOIN jurisdictions s ON s.id = c.successor_id
"""


def _figure(table: str, indicator: str, column: str, year_column: str, condition: str = "1") -> str:
    """A column of the figure of one indicator for the province j: the one with a number, of the latest year
    (ties: the whole measure before a scope, then the lowest id)."""
    return (f"(SELECT f.{column} FROM {table} f WHERE f.jurisdiction_id = j.id AND f.indicator_id = '{indicator}' "
            f"AND f.value IS NOT NULL AND {condition} ORDER BY f.{year_column} DESC, f.scope IS NOT NULL, f.id LIMIT 1)")


def _share(year: int, column: str) -> str:
    return _figure("targets", "digital-economy-share-of-grdp", column, "target_year", f"f.target_year = {year}")


# One row per province (the 63 before 1 July 2025 and the 23 units formed then): what the dataset holds of it,
# its headline targets and its latest DTI rank with the number of provinces ranked. Read by /provinces and
# the map.
PROVINCE_OVERVIEW = f"""
CREATE VIEW province_overview AS
SELECT
  j.id AS jurisdiction_id,
  j.name_vi,
  j.name_en,
  j.gso_code,
  j.region_vi,
  j.region_en,
  j.in_63,
  j.in_34,
  j.valid_from,
  j.valid_to,
  j.lat,
  j.lon,
  c.successor_id,
  s.name_vi AS successor_name,
  (SELECT group_concat(x.jurisdiction_id, ', ') FROM jurisdiction_changes x
    WHERE x.successor_id = j.id AND x.jurisdiction_id <> j.id) AS predecessor_ids,
  (SELECT count(*) FROM documents d WHERE d.jurisdiction_id = j.id) AS documents,
  (SELECT group_concat(DISTINCT d.programme) FROM documents d WHERE d.jurisdiction_id = j.id) AS programmes,
  (SELECT count(*) FROM targets t WHERE t.jurisdiction_id = j.id) AS targets,
  (SELECT count(DISTINCT t.indicator_id) FROM targets t WHERE t.jurisdiction_id = j.id) AS indicators_targeted,
  {_share(2025, "comparator")} AS de_share_2025_comparator,
  {_share(2025, "value")} AS de_share_2025,
  {_share(2025, "value_max")} AS de_share_2025_max,
  {_share(2030, "comparator")} AS de_share_2030_comparator,
  {_share(2030, "value")} AS de_share_2030,
  {_share(2030, "value_max")} AS de_share_2030_max,
  {_figure("targets", "dti-rank", "comparator", "target_year")} AS dti_aim_comparator,
  {_figure("targets", "dti-rank", "value", "target_year")} AS dti_aim,
  {_figure("targets", "dti-rank", "denominator", "target_year")} AS dti_aim_denominator,
  {_figure("targets", "dti-rank", "target_year", "target_year")} AS dti_aim_year,
  {_figure("observations", "dti-rank", "value", "year")} AS dti_rank,
  {_figure("observations", "dti-rank", "denominator", "year")} AS dti_rank_denominator,
  {_figure("observations", "dti-rank", "year", "year")} AS dti_rank_year
FROM jurisdictions j
LEFT JOIN jurisdiction_changes c ON c.jurisdiction_id = j.id
LEFT JOIN jurisdictions s ON s.id = c.successor_id
WHERE j.level = 'province'
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
    """One row per sector, one column per jurisdiction (generated from the data). Each cell is computed once, in
    `cell`, and the columns pick it out, so the view's text grows by one short line per province (86 today)."""
    columns = "".join(f",\n  max(CASE WHEN c.jurisdiction_id = '{j}' THEN c.text END) AS [{j.replace('-', '_')}]"
                      for j in jurisdiction_ids)
    return f"""
CREATE VIEW priority_sector_matrix AS
WITH cell AS (
  SELECT e.sector_id, e.jurisdiction_id,
         group_concat(CASE WHEN e.how = 'direct' THEN e.name_as_written
                           ELSE e.name_as_written || ' (' || e.how || ')' END, '; ') AS text
  FROM priority_sectors_expanded e GROUP BY e.sector_id, e.jurisdiction_id
)
SELECT
  s.id AS sector_id,
  s.name_vi AS sector_name_vi,
  s.name_en AS sector_name_en,
  (SELECT count(DISTINCT p.jurisdiction_id) FROM priority_sectors p WHERE p.sector_id = s.id) AS prioritised_by{columns}
FROM sectors s
LEFT JOIN cell c ON c.sector_id = s.id
GROUP BY s.rowid
ORDER BY s.rowid
"""


# target_comparison's rows as TARGET_COMPARISON defines them (the same columns and condition), computed faster
# for the derived table: the national targets are looked up in a small table of the first (lowest rowid)
# national target per indicator, year and scope, which is the row the scalar subqueries pick, and targets are
# read in table order.
TARGET_COMPARISON_FILL = f"""
WITH national AS MATERIALIZED (
  SELECT indicator_id, target_year, scope, min(rowid) AS rid FROM targets
  WHERE jurisdiction_id = '{NATIONAL}' AND target_year IS NOT NULL
  GROUP BY indicator_id, target_year, scope
)""" + _COMPARISON_SELECT + """FROM targets t
CROSS JOIN jurisdictions j ON j.id = t.jurisdiction_id
CROSS JOIN indicators i ON i.id = t.indicator_id
LEFT JOIN national n1
  ON n1.indicator_id = coalesce(i.national_indicator_id, t.indicator_id) AND n1.target_year = t.target_year
     AND n1.scope = t.scope
LEFT JOIN national n2
  ON n2.indicator_id = coalesce(i.national_indicator_id, t.indicator_id) AND n2.target_year = t.target_year
     AND n2.scope IS NULL
LEFT JOIN targets n ON n.rowid = coalesce(n1.rid, n2.rid)
""" + _COMPARISON_WHERE


# target_coverage's rows as TARGET_COVERAGE defines them, computed faster for the derived table: counts and
# years from the covering index ix_targets_jurisdiction_indicator (so the years come in its order, as in
# the view: 'no year' first, then ascending), and the targets without a number from one scan of the table.
TARGET_COVERAGE_FILL = TARGET_COVERAGE.replace("""  SELECT jurisdiction_id, indicator_id, count(*) AS target_count,
         sum(value IS NULL) AS targets_without_number,
         replace(group_concat(DISTINCT coalesce(CAST(target_year AS TEXT), 'no year')), ',', ', ') AS years
  FROM targets GROUP BY jurisdiction_id, indicator_id
),""", """  SELECT jurisdiction_id, indicator_id, count(*) AS target_count,
         replace(group_concat(DISTINCT coalesce(CAST(target_year AS TEXT), 'no year')), ',', ', ') AS years
  FROM targets INDEXED BY ix_targets_jurisdiction_indicator GROUP BY jurisdiction_id, indicator_id
),
without_number AS (
  SELECT jurisdiction_id, indicator_id, count(*) AS targets
  FROM targets NOT INDEXED WHERE value IS NULL GROUP BY jurisdiction_id, indicator_id
),""").replace("coalesce(c.targets_without_number, 0) AS targets_without_number",
               "coalesce(w.targets, 0) AS targets_without_number").replace(
    "LEFT JOIN observed o", "LEFT JOIN without_number w ON w.jurisdiction_id = j.id AND w.indicator_id = i.id\n"
                            "LEFT JOIN observed o").replace(
    "WHERE i.id IN (SELECT indicator_id FROM targets)", "WHERE i.id IN (SELECT indicator_id FROM counts)")
assert TARGET_COVERAGE_FILL.count("without_number w") == 1 and "FROM counts)" in TARGET_COVERAGE_FILL, \
    "TARGET_COVERAGE changed: update TARGET_COVERAGE_FILL"

class Derived:
    """A view whose rows are computed by create_derived into a hidden table; the view reads that table."""

    def __init__(self, view: str, sql: str, fill: str | None = None, indexes: tuple = (),
                 per_jurisdiction: bool = False):
        self.view = view
        self.table = f"derived_{view}"
        self.sql = sql  # the view's definition: the rows it must give
        self.fill = fill or sql  # the same rows, as computed to fill the table
        self.indexes = indexes  # column lists: the facets, sorts and canned queries that read the table
        # Whether each row (by its jurisdiction_id) depends only on its own jurisdiction's rows (and, for
        # target_comparison, the national targets): then one jurisdiction's rows can be refreshed alone.
        self.per_jurisdiction = per_jurisdiction


DERIVED = (
    Derived("target_comparison", TARGET_COMPARISON, TARGET_COMPARISON_FILL,
            indexes=(("indicator_id",), ("jurisdiction_id",), ("versus_national",)),
            per_jurisdiction=True),
    Derived("target_coverage", TARGET_COVERAGE, TARGET_COVERAGE_FILL,
            indexes=(("jurisdiction_id",), ("indicator_id",), ("has_target",), ("pillar_id",))),
    Derived("discrepancies", DISCREPANCIES, DISCREPANCIES_FILL,
            indexes=(("kind",), ("jurisdiction_id",), ("other_source_id",)), per_jurisdiction=True),
)
DERIVED_TABLES = {d.table: d.view for d in DERIVED}
CACHE_KIB = 256 * 1024


def view_statements(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(name, CREATE VIEW statement) of every view: the derived ones read their tables."""
    provinces = [r[0] for r in conn.execute("SELECT id FROM jurisdictions WHERE level = 'province' ORDER BY id")]
    statements = []
    for derived in DERIVED:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info([{derived.table}])")]
        statements.append((derived.view, f"CREATE VIEW [{derived.view}] AS\nSELECT "
                           + ", ".join(f"[{c}]" for c in columns) + f"\nFROM [{derived.table}]\n"))
    statements += [("target_outcomes", TARGET_OUTCOMES), ("jurisdiction_crosswalk", JURISDICTION_CROSSWALK),
                   ("province_overview", PROVINCE_OVERVIEW), ("priority_sectors_expanded", PRIORITY_SECTORS_EXPANDED),
                   ("priority_sector_matrix", priority_sector_matrix(provinces))]
    return statements


def _fill_table(conn: sqlite3.Connection, derived: Derived) -> None:
    """Create derived.table with the columns, and declared types, of the view's SQL, and fill it."""
    conn.execute("DROP VIEW IF EXISTS temp.derived_source")
    conn.execute(f"CREATE TEMP VIEW derived_source AS {derived.fill}")
    try:
        columns = conn.execute("PRAGMA temp.table_info(derived_source)").fetchall()
        # Declared types as the view had them (a computed column has none, so 8 stays 8, never 8.0).
        conn.execute(f"CREATE TABLE [{derived.table}] ("
                     + ", ".join(f"[{c[1]}] {c[2]}".rstrip() for c in columns) + ")")
        conn.execute(f"INSERT INTO [{derived.table}] SELECT * FROM temp.derived_source")
    finally:
        conn.execute("DROP VIEW temp.derived_source")
    for columns in derived.indexes:
        conn.execute(f"CREATE INDEX [ix_{derived.table}_{'_'.join(columns)}] ON [{derived.table}] ("
                     + ", ".join(f"[{c}]" for c in columns) + ")")


def _refill_jurisdictions(conn: sqlite3.Connection, derived: Derived, jurisdictions: list[str]) -> None:
    """Replace the rows of these jurisdictions only (the table and its indexes stay)."""
    marks = ", ".join("?" * len(jurisdictions))
    conn.execute(f"DELETE FROM [{derived.table}] WHERE jurisdiction_id IN ({marks})", jurisdictions)
    columns = ", ".join(f"[{r[1]}]" for r in conn.execute(f"PRAGMA table_info([{derived.table}])"))
    # SQLite pushes the condition down into the fill query (into each part of a UNION ALL).
    conn.execute(f"INSERT INTO [{derived.table}] ({columns}) SELECT * FROM ({derived.fill}) "
                 f"WHERE jurisdiction_id IN ({marks})", jurisdictions)


def create_derived(conn: sqlite3.Connection, jurisdictions: list[str] | None = None) -> None:
    """Create every view and derived table from the tables' current rows; on a database that has them,
    drop and remake them (e.g. after one jurisdiction's rows were replaced).

    jurisdictions: refresh only these jurisdictions' rows of the derived tables whose rows depend only on
    their own jurisdiction (and the national targets), and remake the rest whole. Pass None (everything)
    when the national programme's targets, the indicators, the jurisdictions or the documents changed, or
    when the database has no derived tables yet. Runs in the caller's transaction; the caller runs ANALYZE
    afterwards (a remade table has no statistics until then)."""
    existing = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    partial = jurisdictions is not None and NATIONAL not in jurisdictions \
        and all(d.table in existing for d in DERIVED)
    # On a built database (a refresh): a page cache that holds the derived tables (~40 MB at 126k targets); with
    # SQLite's default 2 MB, dropping a table rereads it and the refill's dirty pages spill to the file. A fresh
    # build keeps the default: there is nothing to drop, and the larger cache would add to the build's peak memory.
    cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
    if any(d.table in existing for d in DERIVED):
        conn.execute(f"PRAGMA cache_size = {min(cache_size, -CACHE_KIB)}")
    try:
        for name in VIEW_DOCS:  # the views first: some read the derived tables
            conn.execute(f"DROP VIEW IF EXISTS [{name}]")
        for derived in DERIVED:
            if partial and derived.per_jurisdiction:
                _refill_jurisdictions(conn, derived, list(jurisdictions))
            else:
                conn.execute(f"DROP TABLE IF EXISTS [{derived.table}]")
                _fill_table(conn, derived)
        for _, sql in view_statements(conn):
            conn.execute(sql)
    finally:
        conn.execute(f"PRAGMA cache_size = {cache_size}")


VIEW_DOCS = {
    "target_comparison": {
        "description": "Each provincial target beside the national programme's target for the same indicator and year, with the difference. Both sides are the authoritative statement of their commitment (official text, then a reference summary of it, then a news report; see claims), and the view says which source each uses. The national target of the same scope is used, or failing that the national target for the whole measure (national_scope null).",
        "columns": {
            "indicator_id": "Indicator in the shared catalogue.",
            "indicator_name": "Indicator name in English.",
            "indicator_name_vi": "Indicator name in Vietnamese.",
            "pillar_id": "Pillar or foundation of the indicator.",
            "jurisdiction_id": "The province.",
            "jurisdiction_name": "The province's Vietnamese name.",
            "target_year": "Year of the provincial target.",
            "scope": "Scope of the provincial target (e.g. cấp xã).",
            "comparator": "Comparator of the provincial target.",
            "value": "Provincial target value.",
            "value_max": "Upper end of the provincial range, if any.",
            "unit": "Unit of both values.",
            "national_comparator": "Comparator of the national target, if the national programme sets one for this indicator and year.",
            "national_value": "National target value.",
            "national_value_max": "Upper end of the national range, if any.",
            "national_scope": "Scope of the national target used: the provincial target's own scope, or null when the national target covers the whole measure.",
            "difference": "Provincial value minus national value, where both are single numbers: the values alone, whatever the comparators ('>= 10' against '= 20' gives -10); read comparison for what the comparators allow.",
            "versus_national": "Whether the provincial target is more or less ambitious than the national one, given the indicator's direction and both comparators ('> 90' is more ambitious than '= 90'; '~ 20' against '= 20' is 'about the same as national'); 'no number to compare' when either has no number, 'range: compare by hand' for ranges.",
            "source_id": "Source of the provincial statement used.",
            "authority": "Kind of that source: official_text, reference or news_report.",
            "evidence": "How the provincial statement is evidenced: quote or citation.",
            "national_source_id": "Source of the national statement used (a reference summary of 749/QĐ-TTg over 003's restatement).",
            "national_authority": "Kind of that source.",
            "national_evidence": "How the national statement is evidenced: quote or citation.",
            "note": "Caveats on the provincial target, e.g. a denominator the text does not give; read before comparing.",
            "national_note": "Caveats on the national target.",
            "target_id": "The provincial target row.",
            "national_target_id": "The national target row.",
            "comparison": "The comparison in words, reading both comparators: 'more ambitious: above 90%, national 90%', 'less ambitious: at least 10%, national 20%' (a floor of 10, not a figure 10 points lower), 'about the same: about 20%, national 20%'; with the caveat when the national figure rests only on a news report.",
            "national_caveat": "Set when the national figure rests only on a news report (e.g. the 2030 digital-economy aims, stated by 003; the decision's own 2030 figures were not found): read every comparison against it with that in mind.",
        },
    },
    "target_coverage": {
        "description": "For every jurisdiction and every indicator some plan targets (that applies to the jurisdiction's level): whether a target is recorded ('yes'), whether the plan sets none ('no': only where we hold a plan's full text, today Lai Châu's 09-NQ/TU), or whether the sources we hold do not say ('not stated': a report's silence is not a plan's).",
        "columns": {
            "jurisdiction_id": "The jurisdiction.",
            "jurisdiction_name": "Its Vietnamese name.",
            "indicator_id": "Indicator in the shared catalogue.",
            "indicator_name": "Indicator name in English.",
            "pillar_id": "Pillar or foundation of the indicator.",
            "target_count": "Number of target rows (years and scopes) this jurisdiction has for the indicator.",
            "has_target": "yes (a target is recorded), no (the plan sets none: we hold its full text) or not stated (the sources we hold do not say).",
            "coverage": "The same in words, naming the full-text documents behind a 'no'.",
            "full_text_documents": "The jurisdiction's documents whose full text we hold, if any.",
            "target_years": "Target years, comma-separated ('no year' for a target without one).",
            "targets_without_number": "How many of the targets are commitments with no number.",
            "observation_years": "Years of the situation figures and outcomes recorded for the indicator ('undated' when the text gives none).",
        },
    },
    "discrepancies": {
        "description": "Figures that two sources state differently: the same jurisdiction, document, indicator, year and scope with a different value, range, denominator or comparator. The statement the dataset uses (authority_rank 1) beside each other source's, both with their evidence. E.g. 003 restates the national e-government aim for 2025 as top 50, where 749/QĐ-TTg sets top 70; a later statistics release revises an earlier figure.",
        "columns": {
            "kind": "target or observation.",
            "figure_id": "The target or observation row.",
            "jurisdiction_id": "Jurisdiction of the figure.",
            "document_id": "Document of the figure, if any.",
            "indicator_id": "Indicator in the shared catalogue.",
            "year": "Target year or observation year.",
            "scope": "Scope of the figure.",
            "used_source_id": "Source of the statement the dataset uses.",
            "used_source_kind": "Its kind: official_text, reference or news_report.",
            "used_comparator": "Comparator it states.",
            "used_value": "Value it states.",
            "used_value_max": "Upper end of a range it states.",
            "used_statement_en": "Its statement in English.",
            "used_evidence": "Its verbatim quote, or for a reference source the pages where it was checked.",
            "used_locator": "Where in that source.",
            "other_source_id": "The other source.",
            "other_source_kind": "Its kind.",
            "other_comparator": "Comparator the other source states.",
            "other_value": "Value the other source states.",
            "other_value_max": "Upper end of a range the other source states.",
            "other_statement_en": "The other statement in English.",
            "other_evidence": "The other source's verbatim quote, or the pages where it was checked.",
            "other_locator": "Where in the other source.",
            "other_note": "Note on the other statement.",
            "used_claim_id": "The claims row used.",
            "other_claim_id": "The other claims row.",
        },
    },
    "target_outcomes": {
        "description": "Each target beside the outcomes measured on the same indicator for the same jurisdiction and scope (DTI ranks, the digital-economy share, the e-government rank; and situation figures the plans report), with the gap in the direction the indicator counts as better. Ranks out of different totals (63 provinces before 2025, 34 after) are not compared.",
        "columns": {
            "jurisdiction_id": "The jurisdiction.",
            "jurisdiction_name": "Its Vietnamese name.",
            "indicator_id": "Indicator in the shared catalogue.",
            "indicator_name": "Indicator name in English.",
            "direction": "higher or lower: which way the indicator counts as better.",
            "scope": "Scope of the target and outcome.",
            "target_year": "Year of the target.",
            "target_comparator": "Comparator of the target.",
            "target_value": "Target value.",
            "target_value_max": "Upper end of a target range.",
            "target_denominator": "What the target is out of (e.g. 63 provinces).",
            "unit": "Unit of both values.",
            "outcome_year": "Year the outcome refers to.",
            "outcome_value": "The measured value.",
            "outcome_denominator": "What the outcome is out of (e.g. 63 or 34 provinces, 193 countries).",
            "outcome_source_id": "Source of the outcome.",
            "outcome_authority": "Kind of that source.",
            "gap_to_target": "How far the outcome is from the target, in the indicator's unit: positive when short of it, zero or negative when it meets or passes it (ranks: places to climb). Null when not comparable.",
            "status": "met, short of target, within/outside the target range, not comparable (different totals), or no number to compare.",
            "timing": "Whether the outcome year is before or in the target year, or after it.",
            "target_id": "The target row.",
            "observation_id": "The observation row.",
        },
    },
    "jurisdiction_crosswalk": {
        "description": "The 2025 reorganisation (Nghị quyết 202/2025/QH15) as a relation: each of the 63 provinces before 1 July 2025 beside the jurisdiction that continues it (one of the 34). Join a pre-2025 province's rows on predecessor_id, a post-2025 unit's on successor_id; data is never moved from one to the other.",
        "columns": {
            "predecessor_id": "The province as it was before 1 July 2025.",
            "predecessor_name": "Its Vietnamese name.",
            "predecessor_gso_code": "Its GSO code before 2025.",
            "successor_id": "The jurisdiction that continues it: a unit formed by the merger ('…-2025'), or the province itself when unchanged.",
            "successor_name": "The successor's Vietnamese name.",
            "successor_gso_code": "The successor's GSO code (a merged unit may reuse a predecessor's code).",
            "change": "merged, absorbed_other (another province merged into it, the name kept) or unchanged.",
            "effective_date": "Date the new provincial governments began work (2025-07-01).",
            "legal_basis": "The resolution that decided it.",
            "source_id": "Where these facts were checked.",
        },
    },
    "province_overview": {
        "description": "One row per province (the 63 before 1 July 2025 and the 23 units formed then; in_63 and in_34 tell them apart): what the dataset holds of it, its digital-economy share targets for 2025 and 2030, its DTI rank aim and its latest DTI rank with the number of provinces ranked (63 up to 2023, 34 for 2024). Null where the sources we hold state nothing: not stated, never 'no'. Where a province has several such figures, the one with a number of the latest year is shown (the whole measure before a scope); target_comparison and observations have them all.",
        "columns": {
            "jurisdiction_id": "The province.",
            "name_vi": "Its Vietnamese name.",
            "name_en": "Its English name.",
            "gso_code": "Its GSO code (of the list in force while it existed).",
            "region_vi": "Socio-economic region, in Vietnamese.",
            "region_en": "Socio-economic region, in English.",
            "in_63": "1 for the 63 provinces before 1 July 2025.",
            "in_34": "1 for the 34 provinces from 1 July 2025.",
            "valid_from": "First day it existed, for a unit formed in 2025.",
            "valid_to": "Last day it existed, for a province merged in 2025.",
            "lat": "Latitude of a representative point (for maps).",
            "lon": "Longitude of that point.",
            "successor_id": "For one of the 63: the jurisdiction that continues it from 1 July 2025.",
            "successor_name": "The successor's Vietnamese name.",
            "predecessor_ids": "For a unit formed in 2025: the provinces it was formed from.",
            "documents": "Number of its documents in the dataset.",
            "programmes": "The programmes (generations) of those documents.",
            "targets": "Number of its targets.",
            "indicators_targeted": "Number of indicators it has a target on.",
            "de_share_2025_comparator": "Comparator of its 2025 target for the digital economy's share of GRDP.",
            "de_share_2025": "That target's value (%).",
            "de_share_2025_max": "Upper end of that target's range, if a range.",
            "de_share_2030_comparator": "Comparator of its 2030 target for the digital economy's share of GRDP.",
            "de_share_2030": "That target's value (%).",
            "de_share_2030_max": "Upper end of that target's range, if a range.",
            "dti_aim_comparator": "Comparator of its DTI rank aim ('<=' for 'top N').",
            "dti_aim": "The rank it aims for (lower is better).",
            "dti_aim_denominator": "Out of how many provinces, where stated.",
            "dti_aim_year": "Year of that aim.",
            "dti_rank": "Its latest overall DTI rank (lower is better).",
            "dti_rank_denominator": "Out of how many provinces that rank is (63 up to DTI 2023, 34 for DTI 2024).",
            "dti_rank_year": "The year that rank measures.",
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
