"""The downloadable data package: CSV, JSON and SQLite, valid under `frictionless validate`."""
import csv
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import build


@pytest.fixture(scope="module")
def package(db_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("package")
    build.write_package(db_path, folder)
    return folder


def test_frictionless_validates_the_package(package):
    frictionless = Path(sys.executable).parent / "frictionless"
    result = subprocess.run([str(frictionless), "validate", "--json", str(package / "datapackage.json")],
                            capture_output=True, text=True, timeout=600)
    report = json.loads(result.stdout)
    assert report["valid"], json.dumps(report, ensure_ascii=False)[:3000]
    assert result.returncode == 0


def test_every_table_and_view_is_a_resource_with_described_fields(package, db_path):
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["name"] for r in descriptor["resources"]}
    assert {"targets", "observations", "indicators", "target_comparison", "target_coverage", "priority_sector_matrix"} <= names
    for resource in descriptor["resources"]:
        assert resource["description"] and all(f["description"] for f in resource["schema"]["fields"]), resource["name"]
    targets = next(r for r in descriptor["resources"] if r["name"] == "targets")
    assert targets["schema"]["primaryKey"] == ["id"]
    assert {"fields": ["indicator_id"], "reference": {"resource": "indicators", "fields": ["id"]}} in targets["schema"]["foreignKeys"]


def test_csv_and_json_hold_the_same_rows_as_the_database(package, db_path):
    conn = sqlite3.connect(db_path)
    expected = conn.execute("SELECT count(*) FROM targets").fetchone()[0]
    with open(package / "targets.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == expected
    lai_chau = next(r for r in rows if r["id"] == "lai-chau-09-nq-tu/digital-economy-share-of-grdp/2030")
    assert lai_chau["value"] == "20" and lai_chau["locator"] == "II.2.2.2.b"
    as_json = json.loads((package / "targets.json").read_text(encoding="utf-8"))
    assert len(as_json) == expected and "Kinh tế số chiếm 20% GRDP" in next(
        r["quote"] for r in as_json if r["id"] == lai_chau["id"])
    assert (package / "vn_dx_plans.db").read_bytes() == db_path.read_bytes()
