"""Evidence beyond the news reports: claims and authority, the national programme as a baseline, the
provinces' own documents, honest coverage, and targets beside outcomes (issue 6)."""
import pytest

from conftest import one


def target(db, jurisdiction, indicator, year, scope=None):
    return one(db, "SELECT * FROM targets WHERE jurisdiction_id = ? AND indicator_id = ? AND target_year IS ? AND scope IS ?",
               jurisdiction, indicator, year, scope)


# ---------------------------------------------------------------- claims, not copies

def test_the_nations_2025_egdi_aim_is_top_70_from_the_reference_and_003s_top_50_is_a_discrepancy(db):
    aim = target(db, "viet-nam", "national-egov-rank", 2025)
    assert (aim["comparator"], aim["value"], aim["source_id"], aim["authority"], aim["evidence"], aim["claim_count"]) == \
        ("<=", 70, "ref-749", "reference", "citation", 2)
    assert aim["quote"] is None and aim["locator"] == "line 34" and "thanhnien" in aim["citation"]
    claims = {r["source_id"]: (r["value"], r["authority_rank"]) for r in db.execute(
        "SELECT * FROM claims WHERE target_id = ?", (aim["id"],))}
    assert claims == {"ref-749": (70, 1), "seed-003": (50, 2)}
    row = one(db, "SELECT * FROM discrepancies WHERE figure_id = ?", aim["id"])
    assert (row["used_source_id"], row["used_value"], row["other_source_id"], row["other_value"]) == \
        ("ref-749", 70, "seed-003", 50)
    assert "nhóm 50 nước dẫn đầu về chính phủ điện tử" in row["other_evidence"]
    assert target(db, "viet-nam", "national-egov-rank", 2030)["value"] == 50


def test_sources_that_agree_are_no_discrepancy_and_a_revised_release_is(db):
    share = target(db, "viet-nam", "digital-economy-share-of-grdp", 2025)
    assert (share["value"], share["source_id"], share["claim_count"]) == (20, "ref-749", 2)
    assert one(db, "SELECT count(*) FROM discrepancies WHERE figure_id = ?", share["id"])[0] == 0
    revised = one(db, "SELECT * FROM discrepancies WHERE figure_id = 'viet-nam/digital-economy-share-of-grdp/2022'")
    assert (revised["used_source_id"], revised["used_value"], revised["other_source_id"], revised["other_value"]) == \
        ("ref-gso-digital-economy-2025-01", 12.83, "ref-gso-digital-economy-2023-12", 12.67)
    assert one(db, "SELECT count(*) FROM discrepancies")[0] == 2


def test_every_target_and_observation_has_its_claims_and_uses_the_first(db):
    for table, key in (("targets", "target_id"), ("observations", "observation_id")):
        bad = db.execute(f"""SELECT x.id FROM {table} x
            WHERE x.claim_count <> (SELECT count(*) FROM claims c WHERE c.{key} = x.id)
               OR NOT EXISTS (SELECT 1 FROM claims c WHERE c.{key} = x.id AND c.authority_rank = 1
                              AND c.source_id = x.source_id AND c.value IS x.value AND c.comparator IS x.comparator
                              AND c.quote IS x.quote AND c.citation IS x.citation)""").fetchall()
        assert bad == [], table


# ---------------------------------------------------------------- the national programme as a baseline

@pytest.mark.parametrize("indicator, year, scope, comparator, value", [
    ("online-public-services-level4", 2025, None, "=", 80),
    ("work-files-processed-online", 2025, "cấp tỉnh", "=", 90),
    ("work-files-processed-online", 2025, "cấp huyện", "=", 80),
    ("work-files-processed-online", 2025, "cấp xã", "=", 60),
    ("work-files-processed-online", 2030, "cấp xã", "=", 70),
    ("households-fibre-coverage", 2025, None, ">", 80),
    ("communes-fibre-coverage", 2025, None, "=", 100),
    ("labour-productivity-growth", 2025, None, ">=", 7),
    ("digital-economy-share-in-sectors", 2025, "từng ngành, lĩnh vực", ">=", 10),
    ("population-with-e-payment-account", 2025, None, ">", 50),
    ("population-with-e-payment-account", 2030, None, ">", 80),
    ("idi-rank", 2025, None, "<=", 50),
    ("gci-rank", 2025, None, "<=", 50),
    ("gii-rank", 2025, None, "<=", 35),
    ("global-cybersecurity-index-rank", 2025, None, "<=", 40),
    ("global-cybersecurity-index-rank", 2030, None, "<=", 30),
])
def test_749s_documented_targets_are_rows_on_the_shared_indicators(db, indicator, year, scope, comparator, value):
    row = target(db, "viet-nam", indicator, year, scope)
    assert (row["comparator"], row["value"], row["document_id"]) == (comparator, value, "viet-nam-749-qd-ttg")


def test_single_source_facts_say_so(db):
    for indicator, year, scope in (("population-with-e-payment-account", 2025, None), ("work-files-processed-online", 2030, "cấp xã")):
        assert "Single source" in target(db, "viet-nam", indicator, year, scope)["note"]
    assert "single source" in one(db, "SELECT note FROM observations WHERE id = 'lai-chau/dti-rank/2022'")[0]
    assert "Single source" in one(db, "SELECT note FROM documents WHERE id = 'quang-ninh-1488-qd-ubnd'")[0]


def test_a_national_figure_sits_beside_provincial_2025_targets(db):
    counts = one(db, "SELECT count(*), count(national_target_id), count(national_value) FROM target_comparison WHERE target_year = 2025")
    assert counts[1] >= 35 and counts[2] >= 28  # was 7 before the national programme's own targets
    ha_tinh = {r["scope"]: (r["value"], r["national_value"], r["versus_national"]) for r in db.execute(
        "SELECT * FROM target_comparison WHERE jurisdiction_id = 'ha-tinh' AND indicator_id = 'work-files-processed-online'")}
    assert ha_tinh == {"cấp tỉnh": (90, 90, "same as national"), "cấp huyện": (80, 80, "same as national"),
                       "cấp xã": (60, 60, "same as national")}
    lai_chau = one(db, "SELECT * FROM target_comparison WHERE jurisdiction_id = 'lai-chau' AND indicator_id = 'online-public-services-level4' AND target_year = 2025")
    assert (lai_chau["national_value"], lai_chau["versus_national"], lai_chau["national_source_id"]) == \
        (80, "more ambitious than national", "ref-749")
    # 5G 'đến cấp xã' falls back to the national target for the whole measure, which has no number
    five_g = one(db, "SELECT * FROM target_comparison WHERE jurisdiction_id = 'quang-binh' AND indicator_id = 'mobile-5g-coverage'")
    assert (five_g["national_scope"], five_g["versus_national"]) == (None, "no number to compare")


# ---------------------------------------------------------------- the provinces' own documents

def test_provinces_own_documents_with_links_only_where_the_facts_support_them(db):
    docs = {r["id"]: r for r in db.execute("SELECT * FROM documents")}
    assert (docs["ha-tinh-05-nq-tu"]["issue_date"], docs["ha-tinh-424-qd-ubnd"]["number"]) == ("2021-10-22", "424/QĐ-UBND")
    assert (docs["quang-binh-07-nq"]["number"], docs["quang-binh-07-nq"]["issue_date"]) == ("07", "2022-03-31")
    assert docs["lai-chau-983-qd-ubnd"]["issue_date"] == "2022-08-04"
    assert docs["viet-nam-749-qd-ttg"]["signer"].startswith("Nguyễn Xuân Phúc")
    links = {(r["document_id"], r["relation"], r["target_document_id"]) for r in db.execute("SELECT * FROM document_links")}
    assert {("quang-ninh-1488-qd-ubnd", "approves", "quang-ninh-de-an-cds-2021-2025"),
            ("quang-ninh-59-kh-ubnd", "implements", "quang-ninh-09-nq-tu"),
            ("ha-tinh-424-qd-ubnd", "may_be_same_as", "ha-tinh-kh-cds-2021-2025"),
            ("quang-binh-07-nq", "may_be_same_as", "quang-binh-nq-cds"),
            ("viet-nam-749-qd-ttg", "based_on", "viet-nam-52-nq-tw")} <= links
    # Quảng Ninh's links are consistent: line 18 ties both documents to the national programme alike
    assert {("quang-ninh-01-ctr-tu", "implements", "viet-nam-749-qd-ttg"),
            ("quang-ninh-de-an-cds-2021-2025", "implements", "viet-nam-749-qd-ttg")} <= links
    assert not any(l[0] == "lai-chau-983-qd-ubnd" for l in links)  # nothing says what it implements


def test_how_completely_each_document_is_held(db):
    held = dict(db.execute("SELECT id, completeness FROM documents"))
    assert held["lai-chau-09-nq-tu"] == "full_text"
    assert held["ha-tinh-kh-cds-2021-2025"] == held["quang-binh-nq-cds"] == held["quang-ngai-13-nq-tu"] == "excerpts"
    assert held["quang-ninh-09-nq-tu"] == held["viet-nam-749-qd-ttg"] == "reference_facts"
    assert held["viet-nam-52-nq-tw"] == "cited"


# ---------------------------------------------------------------- coverage that is honest

def test_coverage_says_no_only_where_we_hold_the_plan_in_full(db):
    states = {(r["jurisdiction_id"], r["indicator_id"]): r["has_target"] for r in db.execute("SELECT * FROM target_coverage")}
    assert states[("lai-chau", "households-fibre-coverage")] == "no"  # 09-NQ/TU, full text, sets none
    assert states[("ha-tinh", "dti-rank")] == "not stated"  # a report's silence is not a plan's
    assert states[("quang-ninh", "digital-economy-share-of-grdp")] == "yes"
    assert {s for (j, _), s in states.items() if j != "lai-chau"} == {"yes", "not stated"}
    row = one(db, "SELECT * FROM target_coverage WHERE jurisdiction_id = 'lai-chau' AND indicator_id = 'households-fibre-coverage'")
    assert "Lai Châu 09-NQ/TU" in row["coverage"] and row["full_text_documents"].startswith("Lai Châu 09-NQ/TU")


# ---------------------------------------------------------------- targets beside outcomes

def test_lai_chaus_dti_aim_beside_50_in_2020_and_53_in_2022(db):
    rows = {r["outcome_year"]: r for r in db.execute(
        "SELECT * FROM target_outcomes WHERE jurisdiction_id = 'lai-chau' AND indicator_id = 'dti-rank' AND target_year = 2025")}
    assert {y: (r["target_value"], r["outcome_value"], r["gap_to_target"], r["status"]) for y, r in rows.items()} == \
        {2020: (45, 50, 5, "short of target"), 2022: (45, 53, 8, "short of target")}


def test_the_nations_aims_beside_what_was_measured(db):
    egdi = one(db, "SELECT * FROM target_outcomes WHERE jurisdiction_id = 'viet-nam' AND indicator_id = 'national-egov-rank' "
                   "AND target_year = 2025 AND outcome_year = 2024")
    assert (egdi["target_value"], egdi["outcome_value"], egdi["outcome_denominator"], egdi["gap_to_target"]) == (70, 71, 193, 1)
    share = one(db, "SELECT * FROM target_outcomes WHERE jurisdiction_id = 'viet-nam' AND indicator_id = 'digital-economy-share-of-grdp' "
                    "AND target_year = 2025 AND outcome_year = 2024")
    assert (share["target_value"], share["outcome_value"], share["gap_to_target"], share["outcome_source_id"]) == \
        (20, 13.17, 6.83, "ref-gso-digital-economy-2025-01")


def test_dti_ranks_keep_their_denominator(db):
    ranks = {(r["jurisdiction_id"], r["year"]): (r["value"], r["denominator"]) for r in db.execute(
        "SELECT * FROM observations WHERE indicator_id = 'dti-rank'")}
    assert ranks[("ha-tinh", 2024)] == (7, 34) and ranks[("quang-ninh", 2020)] == (4, 63)
    assert ranks[("quang-ngai", 2023)] == (21, 63) and ranks[("lai-chau", 2020)] == (50, 63)
    # units formed on 1 July 2025 carry their 2024 rank among the 34
    assert ranks[("ho-chi-minh-2025", 2024)] == (4, 34) and ranks[("da-nang-2025", 2024)] == (17, 34)
    assert ranks[("da-nang", 2022)] == (1, 63) and ranks[("ho-chi-minh", 2020)] == (10, 63)  # "in the top ten": at most 10
    assert one(db, "SELECT comparator FROM observations WHERE id = 'ho-chi-minh/dti-rank/2020'")[0] == "<="
    scores = dict(db.execute("SELECT jurisdiction_id || '/' || year, value FROM observations WHERE indicator_id IN ('dti-score', 'national-dti-score')"))
    original = ("lai-chau", "quang-binh", "ha-tinh", "quang-ngai", "quang-ninh", "viet-nam")
    assert {k: v for k, v in scores.items() if k.split("/")[0] in original} == \
        {"quang-ninh/2020": 0.3897, "quang-ninh/2022": 0.7024, "quang-binh/2022": 0.54146,
         "viet-nam/2023": 0.7326, "viet-nam/2024": 0.7955}
    assert (scores["da-nang/2023"], scores["ha-noi/2024"], scores["hai-phong-2025/2024"], scores["kon-tum/2022"]) == \
        (0.834, 0.8241, 0.7857, 0.54)
    # a score is a share of 1, never a rank or a percentage
    assert all(0 < v < 1 for v in scores.values())


def test_ha_tinh_met_24_of_its_26_indicators(db):
    row = one(db, "SELECT * FROM observations WHERE indicator_id = 'plan-indicators-met' AND jurisdiction_id = 'ha-tinh'")
    assert (row["jurisdiction_id"], row["document_id"], row["value"], row["denominator"], row["year"]) == \
        ("ha-tinh", "ha-tinh-05-nq-tu", 24, 26, 2025)
    # other provinces' reviews of their own plans, each with the number of indicators it counted
    others = {r["jurisdiction_id"]: (r["document_id"], r["value"], r["denominator"], r["year"]) for r in db.execute(
        "SELECT * FROM observations WHERE indicator_id = 'plan-indicators-met' AND jurisdiction_id <> 'ha-tinh'")}
    assert others["binh-thuan"] == ("binh-thuan-10-nq-tu", 7, 14, 2024)
    assert others["lang-son"] == ("lang-son-246-kh-ubnd-2024", 23, 34, 2025)
    assert others["dak-nong"] == ("dak-nong-09-nq-tu", 2, 11, 2023) and others["dong-thap"] == ("dong-thap-04-nq-tu", 8, 17, 2023)
    assert others["thai-binh"] == (None, 15, 16, 2024)


# ---------------------------------------------------------------- second-reader findings

def test_telemedicine_targets_are_two_indicators_kept_apart(db):
    assert target(db, "quang-binh", "health-facilities-telemedicine", 2025, "cơ sở khám chữa bệnh, bao gồm trạm y tế xã, phường, thị trấn")["value"] == 60
    assert target(db, "ha-tinh", "health-facilities-with-telemedicine-unit", None, "cơ sở y tế")["value"] == 100
    assert one(db, "SELECT relation FROM indicator_relations WHERE indicator_id = 'health-facilities-telemedicine' "
                   "AND related_indicator_id = 'health-facilities-with-telemedicine-unit'")[0] == "differs_from"


def test_quang_ninh_line_26_is_not_a_task_of_the_de_an(db):
    assert [r[0] for r in db.execute("SELECT locator FROM tasks WHERE jurisdiction_id = 'quang-ninh' ORDER BY position")] == \
        ["line 24", "line 28"]


def test_comparisons_that_would_mislead_are_kept_apart_or_flagged(db):
    five_g = target(db, "lai-chau", "mobile-5g-development", 2030)
    assert five_g["value"] is None and "not a coverage target" in five_g["note"]
    assert one(db, "SELECT count(*) FROM target_comparison WHERE jurisdiction_id = 'lai-chau' AND indicator_id = 'mobile-5g-coverage'")[0] == 0
    level4 = one(db, "SELECT * FROM target_comparison WHERE jurisdiction_id = 'ha-tinh' AND indicator_id = 'online-public-services-level4'")
    assert "'eligible' denominator" in level4["note"] and level4["national_value"] == 80


def test_national_indicator_id_marks_exactly_the_indicators_the_national_programme_targets(db):
    marked = {r[0] for r in db.execute("SELECT id FROM indicators WHERE national_indicator_id IS NOT NULL")}
    targeted = {r[0] for r in db.execute("SELECT DISTINCT indicator_id FROM targets WHERE jurisdiction_id = 'viet-nam'")}
    assert marked == targeted and len(marked) == 19
