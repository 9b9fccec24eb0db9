"""The site at 63 provinces, through Datasette's test client with `make serve`'s templates and plugins: the
provinces page (rows, filters, map, charts), the indicator × province matrix and the province pages of the 63
and of the units formed in 2025, against the committed data."""
import re
import shutil
import sqlite3

import pytest

from test_site import make_client, page, text

NOT_STATED = "not stated in the sources we hold"


@pytest.fixture(scope="module")
def get(db_path, fake_release):
    return make_client(db_path, fake_release)


def row(html, jid, table_id):
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)[0]
    return re.search(rf'<tr data-id="{jid}"[^>]*>(.*?)</tr>', table, re.S)[1]


def cells(row_html):
    return [text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.S)]


def table_ids(html, table_id):
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)[0]
    return re.findall(r'<tr data-id="([^"]+)"', table)


def empty_province(db):
    """(id, name) of a province before 2025 of which the data holds nothing (the research files fill them in)."""
    found = db.execute("SELECT jurisdiction_id, name_vi FROM province_overview WHERE in_63 = 1 AND documents = 0 "
                       "AND targets = 0 AND dti_rank IS NULL AND de_share_2025 IS NULL ORDER BY gso_code LIMIT 1").fetchone()
    if found is None:
        pytest.skip("every province has data")
    return tuple(found)


def test_provinces_page_has_one_row_per_pre_2025_province(get, db):
    html = page(get, "/provinces")
    expected = {r["id"]: r for r in db.execute("SELECT * FROM jurisdictions WHERE in_63 = 1")}
    assert len(expected) == 63 and set(table_ids(html, "provinces-table")) == set(expected)
    for jid, j in expected.items():
        first = cells(row(html, jid, "provinces-table"))
        assert first[0] == f"{j['name_vi']} {j['gso_code']}" and first[1] == f"{j['region_vi']} {j['region_en']}", jid
    # the five provinces' real figures, with comparators and the rank's denominator
    assert cells(row(html, "lai-chau", "provinces-table"))[3:] == ["2", "70", "10%", "20%", "≤ 45/63 (2025)", "53/63 (2022)"]
    assert cells(row(html, "ha-tinh", "provinces-table"))[5:] == ["≥ 10%", "—", "—", "7/34 (2024)"]
    assert cells(row(html, "quang-ninh", "provinces-table"))[3:6] == ["5", "3", "20%"]
    binh_duong = cells(row(html, "binh-duong", "provinces-table"))
    assert binh_duong[2] == "Thành phố Hồ Chí Minh"
    assert 'href="/province/ho-chi-minh-2025"' in row(html, "binh-duong", "provinces-table")
    # a province we hold nothing of (skipped once every province has data): dashes that say "not stated", never
    # a zero or a "no"
    empty = row(html, empty_province(db)[0], "provinces-table")
    assert cells(empty)[3:] == ["0", "0", "—", "—", "—", "—"] and empty.count(NOT_STATED) == 4


def test_provinces_page_filters_by_2025_unit_and_by_region(get, db):
    html = page(get, "/provinces?unit=ho-chi-minh-2025")
    assert sorted(table_ids(html, "provinces-table")) == ["ba-ria-vung-tau", "binh-duong", "ho-chi-minh"]
    html = page(get, "/provinces?unit=quang-tri-2025")
    assert sorted(table_ids(html, "provinces-table")) == ["quang-binh", "quang-tri"]
    html = page(get, "/provinces?region=Tây Nguyên")
    assert sorted(table_ids(html, "provinces-table")) == \
        sorted(r[0] for r in db.execute("SELECT id FROM jurisdictions WHERE in_63 = 1 AND region_vi = 'Tây Nguyên'")) == \
        ["dak-lak", "dak-nong", "gia-lai", "kon-tum", "lam-dong"]
    # the filter selects list the six regions and the 34 units
    assert len(re.findall(r'<option value="[^"]+"', re.search(r'<select name="region">.*?</select>', html, re.S)[0])) == 6
    assert len(re.findall(r'<option value="[^"]+"', re.search(r'<select name="unit">.*?</select>', html, re.S)[0])) == 34


def test_provinces_page_lists_the_34_with_their_predecessors(get, db):
    html = page(get, "/provinces")
    assert set(table_ids(html, "units-table")) == {r[0] for r in db.execute("SELECT id FROM jurisdictions WHERE in_34 = 1")}
    hcm = cells(row(html, "ho-chi-minh-2025", "units-table"))
    assert hcm[:3] == ["Thành phố Hồ Chí Minh", "Hồ Chí Minh , Bà Rịa - Vũng Tàu , Bình Dương", "79"]
    assert cells(row(html, "ha-tinh", "units-table")) == ["Tỉnh Hà Tĩnh", "giữ nguyên / unchanged", "42", "7/34 (2024)"]


def points(html):
    """{province id: (drawn hollow, its tooltip text)} of the SVG map."""
    svg = re.search(r'<figure class="province-svg-map".*?</figure>', html, re.S)[0]
    return {m[1]: (bool(m[0]), m[2])
            for m in re.findall(r'class="map-point( no-data)?" data-id="([^"]+)"[^>]*>\s*<title>([^<]*)</title>', svg)}


def test_map_shows_every_province_and_says_not_stated(get, db):
    html = page(get, "/provinces?measure=de-2025")
    shown = points(html)
    assert set(shown) == {r[0] for r in db.execute("SELECT id FROM jurisdictions WHERE in_63 = 1")}
    # the map is of the 63 provinces: a unit formed in 2025 with a target (e.g. dong-thap-2025) is not on it
    with_target = {r[0] for r in db.execute("SELECT DISTINCT t.jurisdiction_id FROM targets t JOIN jurisdictions j "
                                            "ON j.id = t.jurisdiction_id WHERE t.indicator_id = "
                                            "'digital-economy-share-of-grdp' AND t.target_year = 2025 AND t.value IS NOT NULL "
                                            "AND j.in_63 = 1")}
    assert {jid for jid, (hollow, _) in shown.items() if not hollow} == with_target
    assert shown["lai-chau"] == (False, "Tỉnh Lai Châu: 10%")
    assert shown["bac-kan"] == (True, f"Tỉnh Bắc Kạn: không nêu trong nguồn chúng tôi có / {NOT_STATED}")
    legend = re.search(r'<ul class="map-legend">.*?</ul>', html, re.S)[0]
    assert f"{NOT_STATED} ({63 - len(with_target)})" in legend
    # points come from jurisdictions.lat/lon (the package's provinceLat/provinceLon): Hà Nội north of Cà Mau
    svg = re.search(r'<figure class="province-svg-map".*?</figure>', html, re.S)[0]
    y = {jid: float(cy) for jid, cy in re.findall(r'data-id="([^"]+)"[^>]*>\s*<title>[^<]*</title>\s*<circle cx="[^"]+" cy="([^"]+)"', svg)}
    assert y["ha-noi"] < y["da-nang"] < y["ca-mau"]
    jid, name = empty_province(db)
    assert shown[jid] == (True, f"{name}: không nêu trong nguồn chúng tôi có / {NOT_STATED}")


def test_map_of_dti_ranks_reads_lower_as_better(get, db):
    html = page(get, "/provinces?measure=dti-2022")
    shown = points(html)
    ranks = dict(db.execute("SELECT jurisdiction_id, value FROM observations WHERE indicator_id = 'dti-rank' AND year = 2022"))
    assert {jid for jid, (hollow, _) in shown.items() if not hollow} == set(ranks)
    assert shown["quang-ninh"] == (False, "Tỉnh Quảng Ninh: 3/63")
    assert "a lower rank is better (darker)" in html


def test_charts_compare_provinces_sorted_and_ranks_as_positions(get, db):
    html = page(get, "/provinces")
    bars = re.search(r'<figure class="compare-chart bar-chart" data-bars="(\d+)">(.*?)</figure>', html, re.S)
    # one bar per province with a 2025 target (a province with two, e.g. Hải Phòng's 35% and 25%, has one bar)
    shares = db.execute("SELECT DISTINCT t.jurisdiction_id FROM targets t JOIN jurisdictions j ON j.id = t.jurisdiction_id "
                        "WHERE t.indicator_id = 'digital-economy-share-of-grdp' AND t.target_year = 2025 "
                        "AND t.value IS NOT NULL AND j.in_63 = 1").fetchall()
    assert int(bars[1]) == len(shares) >= 31
    widths = [float(w) for w in re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)"', bars[2])]
    assert widths == sorted(widths, reverse=True) and len(widths) == len(shares)
    assert "<title>Hải Phòng: 35%</title>" in bars[2]  # province_overview's target: the document's, not the reference's 25%
    # the provinces without one are named below the chart, each once
    short = lambda n: n.replace("Tỉnh ", "").replace("Thành phố ", "")  # noqa: E731
    missing = sorted(short(n) for (n,) in db.execute("SELECT name_vi FROM province_overview WHERE in_63 = 1 AND de_share_2025 IS NULL"))
    note = re.search(r'class="muted not-stated">([^<]*)</p>', bars[2])[1]
    assert f"({len(missing)}): " in note and sorted(note.split(": ", 1)[1].split(", ")) == missing and len(missing) + len(shares) == 63
    dots = re.search(r'<figure class="compare-chart rank-chart" data-dots="(\d+)">(.*?)</figure>', html, re.S)
    ranks = dict(db.execute("SELECT jurisdiction_id, value FROM observations WHERE indicator_id = 'dti-rank' AND year = 2022"))
    assert int(dots[1]) == len(ranks) == 63 and "<rect" not in dots[2]  # positions on an axis, never bars
    xs = [float(x) for x in re.findall(r'<circle cx="([^"]+)"', dots[2])]
    assert xs == sorted(xs) and xs[-1] - xs[0] > 250  # best (1) first, at the left
    titles = re.findall(r'<title>([^<]*)</title>', dots[2])
    assert titles[:3] == ["Đà Nẵng: 1/63", "Hồ Chí Minh: 2/63", "Quảng Ninh: 3/63"] and titles[-1].endswith(": 63/63")


def test_matrix_of_headline_indicators(get, db):
    html = page(get, "/matrix")
    ids = table_ids(html, "matrix")
    assert ids[0] == "viet-nam" and set(ids[1:]) == {r[0] for r in db.execute("SELECT id FROM jurisdictions WHERE in_63 = 1")}
    lai_chau = cells(row(html, "lai-chau", "matrix"))
    assert lai_chau[:4] == ["Tỉnh Lai Châu", "10%", "20%", "≤ 45/63 (2025)"]
    assert cells(row(html, "viet-nam", "matrix"))[1:3] == ["20%", "30%"]
    assert cells(row(html, "ha-tinh", "matrix"))[7:10] == ["90%", "80%", "60%"]
    # "no target" only where target_coverage says so (a full text we hold); otherwise "not stated"
    no = {r[0] for r in db.execute("SELECT jurisdiction_id FROM target_coverage WHERE has_target = 'no'")}
    for jid in ids:
        assert ("no target" in row(html, jid, "matrix")) <= (jid in no), jid
    assert sorted(table_ids(page(get, "/matrix?region=Tây Nguyên"), "matrix")) == \
        ["dak-lak", "dak-nong", "gia-lai", "kon-tum", "lam-dong", "viet-nam"]
    assert cells(row(html, empty_province(db)[0], "matrix"))[1:] == ["—"] * 13


def test_province_pages_of_a_new_unit_and_its_predecessors(get, db):
    html = page(get, "/province/ho-chi-minh-2025")
    box = re.search(r'<div class="reorganisation-2025".*?</div>', html, re.S)[0]
    assert re.findall(r'class="predecessor" href="/province/([^"]+)"', box) == ["binh-duong", "ba-ria-vung-tau", "ho-chi-minh"]
    assert "Thành phố Hồ Chí Minh" in text(html) and "Mã GSO" in html and "79" in text(html)
    # a unit formed in 2025 of which we hold no document says so (its predecessors' plans are linked above)
    assert not db.execute("SELECT 1 FROM documents WHERE jurisdiction_id = 'ho-chi-minh-2025'").fetchone()
    assert "We hold no document of this jurisdiction yet" in html
    html = page(get, "/province/binh-duong")
    assert re.search(r'class="successor" href="/province/ho-chi-minh-2025">Thành phố Hồ Chí Minh<', html)
    assert "Bình Dương 05-NQ/TU (2022)" in html and "We hold no document" not in html
    html = page(get, "/province/quang-ngai-2025")  # predecessors in two regions
    assert "its predecessors were in more than one region" in html
    assert re.findall(r'class="predecessor" href="/province/([^"]+)"', html) == ["quang-ngai", "kon-tum"]
    html = page(get, "/province/lai-chau")  # unchanged: its own successor, no link to itself
    assert 'class="successor"' not in html and 'class="predecessor"' not in html


@pytest.mark.parametrize("jid", ["an-giang", "ha-noi", "hue", "quang-tri", "kon-tum", "ca-mau-2025", "quang-tri-2025"])
def test_province_pages_work_for_the_new_jurisdictions(get, db, jid):
    html = page(get, f"/province/{jid}")
    name = db.execute("SELECT name_vi FROM jurisdictions WHERE id = ?", (jid,)).fetchone()[0]
    assert name in html and "None" not in text(html)


def test_province_page_with_one_document_and_two_facts(db_path, fake_release, tmp_path):
    """A province known from one document and two reference figures (as most research files will be): the page
    shows them, with the rank's denominator, and says 'not stated' for the rest (rows added to a copy)."""
    copy = tmp_path / "vn_dx_plans.db"
    shutil.copy(db_path, copy)
    conn = sqlite3.connect(copy)
    for table in ("claims", "targets", "observations", "priority_sectors", "tasks", "documents"):  # start from nothing
        conn.execute(f"DELETE FROM {table} WHERE jurisdiction_id = 'bac-kan'")
    conn.execute("INSERT INTO documents (id, jurisdiction_id, number, type, programme, title_vi, title_en, label, "
                 "source_id, completeness) VALUES ('bac-kan-x', 'bac-kan', '01-NQ/TU', 'nghị quyết', 'cds-2021-2025', "
                 "'Về chuyển đổi số', 'On digital transformation', 'Bắc Kạn 01-NQ/TU', 'ref-jurisdictions', 'reference_facts')")
    for year, value in ((2022, 60), (2023, 55)):
        conn.execute("INSERT INTO observations (id, jurisdiction_id, indicator_id, year, comparator, value, denominator, "
                     "unit, statement_vi, statement_en, source_id, evidence, authority, claim_count) VALUES "
                     "(?, 'bac-kan', 'dti-rank', ?, '=', ?, 63, 'rank', 'S', 'S', 'ref-jurisdictions', 'citation', "
                     "'reference', 1)", (f"bac-kan/dti-rank/{year}", year, value))
    conn.commit()
    conn.close()
    get = make_client(copy, fake_release)
    html = page(get, "/province/bac-kan")
    assert "Bắc Kạn 01-NQ/TU" in html and "2022: 60/63" in text(html) and "2023: 55/63" in text(html)
    assert "We hold no document" not in html
    provinces = page(get, "/provinces")
    assert cells(row(provinces, "bac-kan", "provinces-table"))[3:] == ["1", "0", "—", "—", "—", "55/63 (2023)"]


def test_target_coverage_never_says_no_without_a_full_text(db):
    """For a province known only from reference facts (or excerpts, or nothing), an indicator without a target
    is 'not stated', never 'no': only a full text lets the dataset say the plan sets none."""
    without_full_text = {r[0] for r in db.execute(
        "SELECT id FROM jurisdictions WHERE id NOT IN (SELECT jurisdiction_id FROM documents WHERE completeness = 'full_text')")}
    assert len(without_full_text) >= 80 and {"quang-binh", "ho-chi-minh-2025"} <= without_full_text
    said = dict(db.execute("SELECT has_target, count(*) FROM target_coverage WHERE jurisdiction_id IN (%s) GROUP BY has_target"
                           % ",".join("?" * len(without_full_text)), sorted(without_full_text)))
    assert "no" not in said and said["not stated"] > 0
    assert {r[0] for r in db.execute("SELECT DISTINCT jurisdiction_id FROM target_coverage WHERE has_target = 'no'")} <= \
        {r[0] for r in db.execute("SELECT jurisdiction_id FROM documents WHERE completeness = 'full_text'")}


def query(get, name, **params):
    response = get(f"/vn_dx_plans/{name}.json?_shape=objects&" + "&".join(f"{k}={v}" for k, v in params.items()))
    assert response.status_code == 200, response.text[:500]
    return response.json()["rows"]


def test_canned_query_provinces_63(get, db):
    found = {r["jurisdiction_id"]: r for r in query(get, "provinces_63")}
    assert set(found) == {r[0] for r in db.execute("SELECT id FROM jurisdictions WHERE in_63 = 1")}
    lai_chau = found["lai-chau"]
    assert (lai_chau["de_share_2025"], lai_chau["de_share_2030"], lai_chau["dti_aim"], lai_chau["dti_rank_of"]) == (10, 20, 45, "53/63")
    assert found["ha-tinh"]["dti_rank_of"] == "7/34" and found["binh-duong"]["successor_id"] == "ho-chi-minh-2025"
    assert {r["jurisdiction_id"] for r in query(get, "provinces_63", region="Tây Nguyên")} == \
        {"dak-lak", "dak-nong", "gia-lai", "kon-tum", "lam-dong"}


def test_canned_query_crosswalk(get):
    rows = query(get, "crosswalk_2025")
    assert len(rows) == 63
    assert [(r["predecessor_id"], r["change"]) for r in query(get, "crosswalk_2025", successor="ho-chi-minh-2025")] == \
        [("binh-duong", "merged"), ("ba-ria-vung-tau", "merged"), ("ho-chi-minh", "absorbed_other")]
    assert [r["predecessor_id"] for r in query(get, "crosswalk_2025", successor="lai-chau")] == ["lai-chau"]


def test_canned_query_documents_by_programme(get, db):
    rows = query(get, "documents_by_programme", programme="other")
    expected = {r[0] for r in db.execute("SELECT id FROM documents WHERE programme = 'other'")}
    assert {r["document_id"] for r in rows} == expected and len(expected) >= 50
    assert {"quang-ninh-01-ctr-tu", "viet-nam-52-nq-tw", "hai-phong-106-kh-ubnd-2025"} <= expected
    assert {r["document_id"] for r in query(get, "documents_by_programme", programme="nq57")} >= \
        {"ba-ria-vung-tau-435-kh-tu"}
    assert len(query(get, "documents_by_programme")) == db.execute("SELECT count(*) FROM documents").fetchone()[0]


def test_canned_query_dti_ranks_carries_the_denominator(get):
    rows = query(get, "dti_ranks", year=2022)
    found = {r["jurisdiction_id"]: r["rank_of"] for r in rows}
    # 2022 ranked all 63 provinces: every one is here, out of 63 (one tie: Thanh Hóa and Yên Bái both 15th, no 16th)
    assert len(found) == 63 and all(v.endswith("/63") for v in found.values())
    assert sorted(int(v.split("/")[0]) for v in found.values()) == sorted([15] + [n for n in range(1, 64) if n != 16])
    assert {k: found[k] for k in ("da-nang", "quang-ninh", "quang-ngai", "ha-tinh", "quang-binh", "lai-chau", "thanh-hoa", "yen-bai")} == \
        {"da-nang": "1/63", "quang-ninh": "3/63", "quang-ngai": "26/63", "ha-tinh": "37/63", "quang-binh": "46/63",
         "lai-chau": "53/63", "thanh-hoa": "15/63", "yen-bai": "15/63"}
    ranks_2024 = {(r["jurisdiction_id"], r["rank_of"]) for r in query(get, "dti_ranks", year=2024)}
    assert ranks_2024 >= {("ha-tinh", "7/34")} and all(rank_of.endswith("/34") for _, rank_of in ranks_2024)
    assert all(r["ranked"] for r in query(get, "dti_ranks"))


def test_charts_stay_readable_with_63_provinces(db_path, fake_release, tmp_path):
    """At full coverage (here: a 2025 digital-economy target and a DTI 2022 rank for every province, added to a
    copy), one bar and one dot per province, each a row of its own with its name, sorted; nothing overlaps."""
    copy = tmp_path / "vn_dx_plans.db"
    shutil.copy(db_path, copy)
    conn = sqlite3.connect(copy)
    ids = [r[0] for r in conn.execute("SELECT id FROM jurisdictions WHERE in_63 = 1 ORDER BY gso_code")]
    conn.execute("DELETE FROM observations WHERE indicator_id = 'dti-rank' AND year = 2022")
    conn.execute("DELETE FROM targets WHERE indicator_id = 'digital-economy-share-of-grdp' AND target_year = 2025 "
                 "AND jurisdiction_id <> 'viet-nam'")
    for n, jid in enumerate(ids, 1):
        common = (jid, "S", "S", "ref-jurisdictions", "citation", "reference", 1)
        conn.execute("INSERT INTO targets (id, jurisdiction_id, statement_vi, statement_en, source_id, evidence, authority, "
                     "claim_count, indicator_id, target_year, comparator, value, unit) VALUES "
                     "(?, ?, ?, ?, ?, ?, ?, ?, 'digital-economy-share-of-grdp', 2025, '>=', ?, '%')",
                     (f"{jid}/de/2025", *common, 5 + n % 20))
        conn.execute("INSERT INTO observations (id, jurisdiction_id, statement_vi, statement_en, source_id, evidence, "
                     "authority, claim_count, indicator_id, year, comparator, value, denominator, unit) VALUES "
                     "(?, ?, ?, ?, ?, ?, ?, ?, 'dti-rank', 2022, '=', ?, 63, 'rank')", (f"{jid}/dti/2022", *common, n))
    conn.commit()
    conn.close()
    html = page(make_client(copy, fake_release), "/provinces")
    bars = re.search(r'<figure class="compare-chart bar-chart" data-bars="63">(.*?)</figure>', html, re.S)[1]
    ys = [float(y) for y in re.findall(r'<rect x="[^"]+" y="([^"]+)"', bars)]
    widths = [float(w) for w in re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)"', bars)]
    assert len(ys) == 63 and all(b - a >= 18 for a, b in zip(ys, ys[1:]))  # a row each, none overlapping
    assert widths == sorted(widths, reverse=True) and "not-stated" not in bars
    height = float(re.search(r'<svg viewBox="0 0 [\d.]+ ([\d.]+)"', bars)[1])
    assert height >= 63 * 18
    dots = re.search(r'<figure class="compare-chart rank-chart" data-dots="63">(.*?)</figure>', html, re.S)[1]
    titles = re.findall(r"<title>([^<]*)</title>", dots)
    assert titles[0].endswith(": 1/63") and titles[-1].endswith(": 63/63") and "<rect" not in dots
    xs = [float(x) for x in re.findall(r'<circle cx="([^"]+)"', dots)]
    assert xs == sorted(xs) and xs[-1] - xs[0] > 250  # rank 1 at the left, 63 at the right
