"""The committed jurisdiction facts agree with the maintained source (the vietnamadminunits package), and
tools/jurisdictions.py refreshes them without touching the rest of a file."""
import shutil

import pytest
import yaml

from conftest import ROOT
from tools import jurisdictions as tool


@pytest.fixture(scope="module")
def reorg():
    return tool.load()


def blocks(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data.get("jurisdiction") or {}, data.get("reorganisation") or {}


def test_the_package_gives_63_provinces_and_34_units_with_a_crosswalk(reorg):
    assert len(reorg.legacy) == 63 and len(reorg.new) == 34
    merged = [u for u in reorg.new.values() if len(u.predecessors) > 1]
    assert len(merged) == 23 and all(u.id.endswith("-2025") for u in merged)
    assert reorg.successor["binh-duong"].id == "ho-chi-minh-2025"
    assert reorg.successor["quang-binh"].id == "quang-tri-2025" and reorg.successor["quang-binh"].code == "44"
    assert reorg.successor["kon-tum"].id == "quang-ngai-2025"
    assert reorg.successor["ha-tinh"].id == "ha-tinh"


def test_committed_files_agree_with_the_package(reorg):
    folder = ROOT / "data" / "jurisdictions"
    for p in reorg.legacy.values():
        j, r = blocks(folder / f"{p.id}.yml")
        new = reorg.successor[p.id]
        assert (j["name_vi"], j["gso_code"], j["lat"], j["lon"]) == (p.name, p.code, p.lat, p.lon), p.id
        assert (j["region_vi"], j["region_en"]) == tool.REGION_OF[p.id]
        assert (r["successor"], r["successor_name_vi"], r["successor_gso_code"]) == (new.id, new.name, new.code), p.id
        unchanged = len(new.predecessors) == 1
        assert r["change"] == tool.change_of(p, new) and (r["change"] == "unchanged") == unchanged
        assert j["valid_from"] is None and (j["valid_to"] is None) == unchanged, p.id
        if not unchanged:
            assert str(j["valid_to"]) == "2025-06-30"
    for u in reorg.new.values():
        if len(u.predecessors) == 1:
            continue
        j, r = blocks(folder / f"{u.id}.yml")
        assert (j["name_vi"], j["gso_code"], j["lat"], j["lon"]) == (u.name, u.code, u.lat, u.lon), u.id
        assert str(j["valid_from"]) == "2025-07-01" and j["valid_to"] is None and not r
    ids = {p.stem for p in folder.glob("*.yml")}
    assert ids == set(reorg.legacy) | set(reorg.new) | {"viet-nam"}


def test_the_tool_has_nothing_to_change_in_the_committed_files():
    assert tool.main(["--check"]) == 0


def test_the_tool_refreshes_the_blocks_and_leaves_the_rest(tmp_path, reorg):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    path = data / "jurisdictions" / "quang-binh.yml"
    text = path.read_text(encoding="utf-8")
    rest = text[text.index("\ndocuments:"):]
    # a stale code, a lost successor and point, and a researcher's comment that must survive
    stale = text.replace('  gso_code: "44"\n', '  gso_code: "99"\n', 1).replace("  successor: quang-tri-2025\n", "")
    stale = stale.replace("  lat: 17.4628\n", "").replace("\ndocuments:", "\n# a researcher's comment\ndocuments:")
    path.write_text(stale, encoding="utf-8")
    (data / "jurisdictions" / "quang-tri-2025.yml").unlink()
    assert tool.main(["--data", str(data), "--check"]) == 1
    assert tool.main(["--data", str(data)]) == 0
    refreshed = path.read_text(encoding="utf-8")
    assert refreshed == text.replace("\ndocuments:", "\n# a researcher's comment\ndocuments:")
    assert rest in refreshed
    assert (data / "jurisdictions" / "quang-tri-2025.yml").read_text(encoding="utf-8") == \
        (ROOT / "data" / "jurisdictions" / "quang-tri-2025.yml").read_text(encoding="utf-8")
    assert tool.main(["--data", str(data), "--check"]) == 0


def test_the_reference_sources_cover_every_jurisdiction_citing_them():
    sources = {s["id"]: s for s in yaml.safe_load((ROOT / "data" / "sources.yml").read_text(encoding="utf-8"))["sources"]}
    for path in (ROOT / "data" / "jurisdictions").glob("*.yml"):
        j, r = blocks(path)
        if j.get("reference_source"):
            assert j["id"] in sources[j["reference_source"]]["covers"], path.name
        if r.get("source"):
            assert j["id"] in sources[r["source"]]["covers"], path.name


def test_crosswalk_and_the_63_34_in_the_database(db):
    assert tuple(db.execute("SELECT count(*), sum(in_63), sum(in_34) FROM jurisdictions WHERE level = 'province'").fetchone()) == (86, 63, 34)
    both = {r[0] for r in db.execute("SELECT id FROM jurisdictions WHERE in_63 = 1 AND in_34 = 1")}
    assert len(both) == 11 and {"ha-tinh", "quang-ninh", "lai-chau", "ha-noi", "hue"} <= both
    walk = {r["predecessor_id"]: r for r in db.execute("SELECT * FROM jurisdiction_crosswalk")}
    assert len(walk) == 63
    assert (walk["binh-duong"]["successor_id"], walk["binh-duong"]["successor_name"], walk["binh-duong"]["change"]) == \
        ("ho-chi-minh-2025", "Thành phố Hồ Chí Minh", "merged")
    assert walk["ho-chi-minh"]["change"] == "absorbed_other" and walk["ho-chi-minh"]["successor_id"] == "ho-chi-minh-2025"
    assert walk["lai-chau"]["successor_id"] == "lai-chau"
    assert {r[0] for r in db.execute("SELECT DISTINCT successor_id FROM jurisdiction_crosswalk")} == \
        {r[0] for r in db.execute("SELECT id FROM jurisdictions WHERE in_34 = 1")}
    # a reused code is told apart by the validity dates
    assert [tuple(r) for r in db.execute("SELECT id, valid_from, valid_to FROM jurisdictions WHERE gso_code = '44' ORDER BY id")] == \
        [("quang-binh", None, "2025-06-30"), ("quang-tri-2025", "2025-07-01", None)]


def test_every_document_says_its_programme(db):
    original = ("lai-chau", "quang-binh", "ha-tinh", "quang-ngai", "quang-ninh", "viet-nam")
    assert dict(db.execute("SELECT id, programme FROM documents WHERE programme <> 'cds-2021-2025' "
                           f"AND jurisdiction_id IN {original}")) == \
        {"quang-ninh-01-ctr-tu": "other", "viet-nam-52-nq-tw": "other"}
    programmes = dict(db.execute("SELECT id, programme FROM documents"))
    assert {programmes[d] for d in ("ha-noi-18-nq-tu", "da-nang-05-nq-tu", "bac-kan-676-qd-ubnd")} == {"cds-2021-2025"}
    assert (programmes["bac-kan-35-ctr-tu"], programmes["da-nang-kh411"], programmes["bac-kan-1847-qd-ubnd"],
            programmes["son-la-2665-qd-ubnd"]) == ("nq57", "de-411", "other", "cds-2026-2030")
    assert set(programmes.values()) == {"cds-2021-2025", "cds-2026-2030", "nq57", "de-411", "other"}
    # a document that names the Politburo's 57-NQ/TW or the strategy 411/QĐ-TTg in its title belongs to it
    assert db.execute("SELECT id FROM documents WHERE (title_vi LIKE '%57-NQ/TW%' AND programme <> 'nq57') "
                      "OR (title_vi LIKE '%411/QĐ-TTg%' AND programme <> 'de-411')").fetchall() == []
    assert db.execute("SELECT programme FROM documents WHERE id = 'viet-nam-749-qd-ttg'").fetchone()[0] == "cds-2021-2025"
