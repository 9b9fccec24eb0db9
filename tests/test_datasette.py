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


def test_every_canned_query_answers(get):
    for name in QUERIES:
        assert query(get, name), name


def test_targets_2025_vs_2030_for_lai_chau(get):
    by_indicator = {(r["indicator_id"], r["scope"]): r for r in query(get, "targets_2025_vs_2030", jurisdiction="lai-chau")}
    row = by_indicator[("digital-economy-share-of-grdp", None)]
    assert (row["target_2025"], row["target_2030"]) == ("= 10 %", "= 20 %")
    assert by_indicator[("work-files-processed-online", "cấp xã")]["target_2030"] == "= 70 %"


def test_digital_economy_query_compares_with_the_nation(get):
    found = {(r["jurisdiction"], r["target_year"]): r for r in query(get, "digital_economy_targets")}
    assert found[("Tỉnh Lai Châu", 2030)]["difference"] == -10
    assert found[("Tỉnh Quảng Ngãi", 2025)]["comparator"] == "~"
    assert not any(j == "Tỉnh Quảng Ninh" for j, _ in found)


def test_versus_national_query(get):
    found = query(get, "versus_national")
    assert {"same as national", "less ambitious than national"} <= {r["versus_national"] for r in found}


def test_province_plan_on_one_page(get):
    found = query(get, "province_plan", jurisdiction="ha-tinh")
    assert {r["kind"] for r in found} == {"document", "target", "observation", "priority sector", "task"}


def test_coverage_gaps_query_names_quang_ninh_for_the_digital_economy(get):
    found = {r["indicator_name"]: r for r in query(get, "coverage_gaps")}
    assert "quang-ninh" in found["Digital economy share of GRDP (of GDP for the nation)"]["no_target_in"]


def test_datasette_get_from_the_command_line(db_path):
    """The same thing `make serve` runs, through `datasette --get`."""
    datasette = Path(sys.executable).parent / "datasette"
    result = subprocess.run([str(datasette), str(db_path), "--metadata", str(ROOT / "metadata.yml"),
                             "--get", "/vn_dx_plans/target_coverage.json?has_target=no&jurisdiction_id=quang-ninh&_shape=objects&_size=max"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    indicators = {r["indicator_id"] for r in json.loads(result.stdout)["rows"]}
    assert "digital-economy-share-of-grdp" in indicators
