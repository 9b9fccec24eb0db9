"""Datasette serves the database with metadata.yml: pages, canned queries and diacritic-free search."""
import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from datasette.app import Datasette

from conftest import ROOT

METADATA = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
QUERIES = METADATA["databases"]["vn_dx_plans"]["queries"]


@pytest.fixture(scope="module")
def get(db_path):
    datasette = Datasette([str(db_path)], metadata=METADATA)

    def fetch(path):
        async def go():
            return await datasette.client.get(path)
        return asyncio.run(go())

    return fetch


def rows(response):
    assert response.status_code == 200, response.text[:500]
    return response.json()["rows"]


def test_home_page(get):
    response = get("/")
    assert response.status_code == 200
    assert "vn-dx-plans" in response.text and "CC BY 4.0" in response.text


def test_table_page_shows_labels_for_foreign_keys(get):
    response = get("/vn_dx_plans/targets?jurisdiction_id=quang-ngai&indicator_id=digital-economy-share-of-grdp")
    assert response.status_code == 200
    assert "Tỉnh Quảng Ngãi" in response.text  # label column of jurisdictions
    assert "Digital economy share of GRDP" in response.text  # label column of indicators


def test_row_page(get):
    response = get("/vn_dx_plans/targets/lai-chau-09-nq-tu~2Fdigital-economy-share-of-grdp~2F2030.json?_shape=objects")
    [row] = rows(response)
    assert row["value"] == 20 and row["locator"] == "II.2.2.2.b"


@pytest.mark.parametrize("search, expected_indicator", [
    ("kinh te so", "digital-economy-share-of-grdp"),
    ("kinh tế số", "digital-economy-share-of-grdp"),
    ("do thi thong minh", "districts-with-smart-urban-services"),
    ("đô thị thông minh", "districts-with-smart-urban-services"),
    ("smart-city", "districts-with-smart-urban-services"),
])
def test_search_with_and_without_diacritics(get, search, expected_indicator):
    found = rows(get(f"/vn_dx_plans/targets.json?_search={search}&_shape=objects&_size=max"))
    assert expected_indicator in {r["indicator_id"] for r in found}


def test_search_without_diacritics_finds_the_same_rows_as_with(get):
    plain = rows(get("/vn_dx_plans/targets.json?_search=do+thi+thong+minh&_shape=objects&_size=max"))
    marked = rows(get("/vn_dx_plans/targets.json?_search=đô+thị+thông+minh&_shape=objects&_size=max"))
    assert {r["id"] for r in plain} == {r["id"] for r in marked} and len(plain) >= 3


def test_task_search(get):
    found = rows(get("/vn_dx_plans/tasks.json?_search=thuong+mai+dien+tu&_shape=objects"))
    assert any(r["jurisdiction_id"] == "lai-chau" for r in found)


def query(get, name, **params):
    args = "&".join(f"{k}={v}" for k, v in params.items())
    return rows(get(f"/vn_dx_plans/{name}.json?_shape=objects&{args}"))


def test_every_canned_query_answers(get):  # each also has a test of its own below
    for name in QUERIES:
        assert query(get, name), name


def test_targets_2025_vs_2030_for_lai_chau(get):
    by_indicator = {(r["indicator_id"], r["scope"]): r for r in query(get, "targets_2025_vs_2030", jurisdiction="lai-chau")}
    row = by_indicator[("digital-economy-share-of-grdp", None)]
    assert (row["target_2025"], row["target_2030"]) == ("= 10 %", "= 20 %")
    assert by_indicator[("work-files-processed-online", "cấp xã")]["target_2030"] == "= 70 %"


def test_digital_economy_query_compares_with_the_nation(get, db):
    rows = query(get, "digital_economy_targets")
    found = {(r["jurisdiction"], r["target_year"]): r for r in rows}
    assert found[("Tỉnh Lai Châu", 2030)]["difference"] == -10
    assert found[("Tỉnh Quảng Ngãi", 2025)]["comparator"] == "~"
    assert (found[("Tỉnh Quảng Ninh", 2030)]["value"], found[("Tỉnh Quảng Ninh", 2030)]["source_id"]) == (30, "ref-official-documents")
    assert found[("Tỉnh Lai Châu", 2025)]["national_source_id"] == "ref-749"
    # every target on the indicator, of every jurisdiction (the 58 provinces from reference facts too)
    assert len(rows) == db.execute("SELECT count(*) FROM targets WHERE indicator_id = 'digital-economy-share-of-grdp'").fetchone()[0]
    assert {j for j, _ in found} == {r[0] for r in db.execute(
        "SELECT DISTINCT j.name_vi FROM targets t JOIN jurisdictions j ON j.id = t.jurisdiction_id "
        "WHERE t.indicator_id = 'digital-economy-share-of-grdp'")}
    assert {"Tỉnh Lai Châu", "Tỉnh Quảng Bình", "Tỉnh Hà Tĩnh", "Tỉnh Quảng Ngãi", "Tỉnh Quảng Ninh", "Việt Nam"} < {j for j, _ in found}
    hanoi = found[("Thành phố Hà Nội", 2030)]  # more than 40%, national 30%: comparators differ, so no difference
    assert (hanoi["comparator"], hanoi["value"], hanoi["national_value"], hanoi["difference"]) == (">", 40, 30, None)
    bac_ninh = found[("Tỉnh Bắc Ninh", 2025)]
    assert (bac_ninh["comparator"], bac_ninh["value"], bac_ninh["difference"], bac_ninh["national_source_id"]) == ("=", 20, 0, "ref-749")


def test_versus_national_query(get):
    found = query(get, "versus_national")
    assert {"same as national", "less ambitious than national"} <= {r["versus_national"] for r in found}


def test_province_plan_on_one_page(get):
    found = query(get, "province_plan", jurisdiction="ha-tinh")
    assert {r["kind"] for r in found} == {"document", "target", "observation", "priority sector", "task"}


def test_coverage_gaps_query_separates_no_target_from_not_stated(get):
    found = {r["indicator_id"]: r for r in query(get, "coverage_gaps")}
    fibre = found["households-fibre-coverage"]
    assert fibre["no_target_in"] == "lai-chau"  # 09-NQ/TU, full text: the plan sets none
    assert fibre["target_in"].split(", ") and "viet-nam" not in (fibre["target_in"] or "")
    assert fibre["national_programme"] == "yes"
    assert "quang-ninh" in found["digital-economy-share-of-grdp"]["target_in"]
    assert "viet-nam" not in (found["work-files-processed-online"]["not_stated_in"] or "")
    for row in found.values():  # only provinces in the province columns
        for column in ("no_target_in", "not_stated_in", "target_in"):
            assert "viet-nam" not in (row[column] or ""), (row["indicator_id"], column)


def test_datasette_get_from_the_command_line(db_path):
    """The same thing `make serve` runs, through `datasette --get`."""
    datasette = Path(sys.executable).parent / "datasette"
    result = subprocess.run([str(datasette), str(db_path), "--metadata", str(ROOT / "metadata.yml"),
                             "--get", "/vn_dx_plans/target_coverage.json?jurisdiction_id=quang-ninh&_shape=objects&_size=max"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    states = {r["indicator_id"]: r["has_target"] for r in json.loads(result.stdout)["rows"]}
    assert states["digital-economy-share-of-grdp"] == "yes"
    assert states["work-files-processed-online"] == "not stated"  # 003's silence is not the plan's
    assert "no" not in states.values()  # we hold no Quảng Ninh plan in full


# ---------------------------------------------------------------- every canned query, on real rows

def test_targets_by_pillar_counts_zero_not_blank(get):
    rows = {(r["pillar"], r["jurisdiction_id"]): r for r in query(get, "targets_by_pillar")}
    resources = rows[("resources", "lai-chau")]  # both of Lai Châu's resource targets have no year
    assert (resources["targets"], resources["for_2025"], resources["for_2030"], resources["without_year"]) == (2, 0, 0, 2)
    assert all(r[c] is not None for r in rows.values() for c in ("for_2025", "for_2030", "without_year", "without_number"))


def test_priority_sectors_query_drops_no_jurisdiction(get, db):
    found = query(get, "priority_sectors_by_province", _size="max")
    expected = dict(db.execute("SELECT jurisdiction_id, count(*) FROM priority_sectors GROUP BY 1"))
    got: dict = {}
    for r in found:
        got[r["jurisdiction_id"]] = got.get(r["jurisdiction_id"], 0) + 1
    assert got == expected and got["quang-ninh"] == 11
    assert {r["document"] for r in found if r["jurisdiction_id"] == "quang-ninh"} == {None}


@pytest.mark.parametrize("name", ["ha-tinh", "Hà Tĩnh", "Ha Tinh", "Tỉnh Hà Tĩnh", "Hà Tĩnh Province", "ha tinh"])
def test_jurisdiction_parameters_accept_names(get, name):
    rows = query(get, "targets_2025_vs_2030", jurisdiction=name, _size="max")
    assert {r["jurisdiction_id"] for r in rows} == {"ha-tinh"} and len(rows) == 22
    assert len(query(get, "province_plan", jurisdiction=name, _size="max")) == 42


def test_situation_for_targets_sets_lai_chaus_figures_beside_its_targets(get):
    rows = {r["indicator"]: r for r in query(get, "situation_for_targets")}
    dti = [r for r in query(get, "situation_for_targets") if r["indicator"].startswith("Provincial Digital Transformation Index")]
    assert {r["observed_year"] for r in dti} == {2020, 2022} and "2025: <= 45" in dti[0]["targets"]
    assert rows  # every row is one of Lai Châu's


def test_province_plan_for_quang_ninh_lists_its_own_resolution(get):
    rows = query(get, "province_plan", jurisdiction="quang-ninh", _size="max")
    assert {"quang-ninh-09-nq-tu", "quang-ninh-1488-qd-ubnd"} <= {r["id"] for r in rows if r["kind"] == "document"}
    assert {r["kind"] for r in rows} == {"document", "target", "observation", "priority sector", "task"}


def test_dti_query_says_how_far_each_province_is_from_its_aim(get):
    rows = {r["province"]: r for r in query(get, "dti_rank_target_vs_outcome")}
    assert len(rows) == 63  # the provinces before 1 July 2025
    lai_chau = rows["Tỉnh Lai Châu"]
    assert (lai_chau["aim"], lai_chau["compared_rank"], lai_chau["places_to_climb"], lai_chau["status"]) == \
        ("<= 45/63", "53/63", 8, "short of the aim")
    assert rows["Tỉnh Hà Tĩnh"]["latest_rank"] == "7/34" and rows["Tỉnh Hà Tĩnh"]["status"] == "no DTI aim in the sources we hold"


def test_versus_national_has_the_work_file_targets(get):
    rows = [r for r in query(get, "versus_national", _size="max") if r["indicator_name"] == "Work files processed online"]
    assert {(r["jurisdiction_name"], r["target_year"], r["scope"]) for r in rows} >= {
        ("Tỉnh Hà Tĩnh", 2025, "cấp xã"), ("Tỉnh Lai Châu", 2030, "cấp xã"), ("Tỉnh Quảng Ngãi", 2025, "cấp tỉnh")}


def test_sources_disagree_query(get):
    rows = {r["indicator_id"]: r for r in query(get, "sources_disagree")}
    assert (rows["national-egov-rank"]["used_value"], rows["national-egov-rank"]["other_value"]) == (70, 50)
    assert rows["digital-economy-share-of-grdp"]["other_source_id"] == "ref-gso-digital-economy-2023-12"
