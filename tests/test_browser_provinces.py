"""The pages at 63 provinces in a real browser (Debian's chromium via Playwright, `make serve`'s configuration):
the provinces page (sorting, filters, the map of one measure without tiles, the charts), the matrix, a province
page of a unit formed in 2025, and the home page map with a hostile name (names are text, never HTML)."""
import re
import shutil
import sqlite3

import pytest

from test_browser import TILE_HOST, Visit, browser, serve, server, visit  # noqa: F401  (fixtures)


def column(page, table, index):
    return page.eval_on_selector_all(f"#{table} tbody tr", f"rows => rows.map(r => r.cells[{index}].innerText.trim())")


def number(cell):
    """The (lower) number of a cell as the page writes it: '≥ 10%', '> 20%', '~ 20%', '≤ 45/63 (2025)', '5–10%'."""
    return float(re.search(r"\d+(?:\.\d+)?", cell)[0])


def test_provinces_page_sorts_filters_and_maps(visit, db_path):
    v = visit()
    tiles = []
    v.page.on("request", lambda r: TILE_HOST in r.url and tiles.append(r.url))
    page = v.open("/provinces")
    conn = sqlite3.connect(db_path)
    names = [r[0] for r in conn.execute("SELECT name_vi FROM jurisdictions WHERE in_63 = 1")]
    assert sorted(column(page, "provinces-table", 0)) == sorted(f"{n} {c}" for n, c in
                                                               conn.execute("SELECT name_vi, gso_code FROM jurisdictions WHERE in_63 = 1"))
    assert len(names) == 63
    page.wait_for_selector("#provinces-table[data-sortable=ready]")
    # latest DTI rank, ascending: by its share of the number ranked (1/34 after 1/63, before 2/63), never by the bare
    # number; every province has one (DTI 2022 ranked all 63)
    page.locator("#provinces-table th:nth-child(9) button").click()
    ranks = column(page, "provinces-table", 8)
    assert ranks[:5] == ["1/63 (2023)", "1/34 (2024)", "2/63 (2023)", "3/63 (2022)", "2/34 (2024)"]
    share = lambda text: int(text.split("/")[0]) / int(text.split("/")[1].split()[0])  # noqa: E731
    assert len(ranks) == 63 and "—" not in ranks and [share(r) for r in ranks] == sorted(share(r) for r in ranks)
    assert sorted(ranks) == sorted(f"{r:g}/{d:g} ({y})" for r, d, y in conn.execute(
        "SELECT dti_rank, dti_rank_denominator, dti_rank_year FROM province_overview WHERE in_63 = 1"))
    page.locator("#provinces-table th:nth-child(9) button").click()
    descending = column(page, "provinces-table", 8)
    assert [share(r) for r in descending] == sorted((share(r) for r in ranks), reverse=True)
    assert descending[-2:] == ["1/34 (2024)", "1/63 (2023)"]
    # the 2025 digital-economy share, descending: "> 20%" sorts as 20, "not stated" last
    page.locator("#provinces-table th:nth-child(6) button").click()
    page.locator("#provinces-table th:nth-child(6) button").click()
    shares = column(page, "provinces-table", 5)
    stated = [s for s in shares if s != "—"]
    assert shares[len(stated):] == ["—"] * (63 - len(stated)) and "> 20%" in stated
    assert [number(s) for s in stated] == sorted((number(s) for s in stated), reverse=True) and stated[0] == "35%"
    # targets, descending, then the 2025 digital-economy share
    page.locator("#provinces-table th:nth-child(5) button").click()
    page.locator("#provinces-table th:nth-child(5) button").click()
    assert column(page, "provinces-table", 4)[:3] == ["70", "22", "19"]
    # the map: one point per province, drawn on the server, no tiles; a province without a value is hollow
    assert page.locator(".province-svg-map a.map-point").count() == 63
    ranked = conn.execute("SELECT count(*) FROM observations WHERE indicator_id = 'dti-rank' AND year = 2022").fetchone()[0]
    assert page.locator(".province-svg-map a.map-point.no-data").count() == 63 - ranked
    assert page.locator('.province-svg-map a.map-point[data-id="quang-ninh"] text').text_content() == "Quảng Ninh 3"
    box = page.locator(".province-svg-map svg").bounding_box()
    assert box["height"] > 600 and box["width"] > 300
    assert page.locator(".rank-chart circle").count() == ranked and page.locator(".rank-chart rect").count() == 0
    v.screenshot("provinces-1400", full_page=True)
    # filter by the 2025 unit with the form (no JavaScript needed)
    page.select_option("select[name=unit]", "ho-chi-minh-2025")
    page.locator("form.province-filters button[type=submit]").first.click()
    page.wait_for_url("**/provinces?*unit=ho-chi-minh-2025*")
    assert sorted(column(page, "provinces-table", 0)) == ["Thành phố Hồ Chí Minh 79", "Tỉnh Bà Rịa - Vũng Tàu 77", "Tỉnh Bình Dương 74"]
    # another measure on the map
    page.goto(v.base + "/provinces?measure=de-2025", wait_until="networkidle")
    assert page.locator('.province-svg-map a.map-point[data-id="lai-chau"] text').text_content() == "Lai Châu 10%"
    assert "not stated in the sources we hold" in page.locator('.province-svg-map a.map-point[data-id="bac-kan"] title').text_content()
    assert not tiles
    v.check()


def test_provinces_page_at_phone_width(visit):
    v = visit(390, 844)
    page = v.open("/provinces")
    v.screenshot("provinces-390", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    v.check()


def test_matrix_page(visit, db_path):
    v = visit()
    page = v.open("/matrix")
    assert page.locator("#matrix tbody tr").count() == 64
    lai_chau = page.locator('#matrix tr[data-id="lai-chau"] td')
    assert [lai_chau.nth(i).inner_text().strip() for i in range(4)] == ["Tỉnh Lai Châu", "10%", "20%", "≤ 45/63 (2025)"]
    page.wait_for_selector("#matrix[data-sortable=ready]")
    page.locator("#matrix th:nth-child(2) button").click()
    page.locator("#matrix th:nth-child(2) button").click()  # the 2025 digital-economy share, highest first
    values = column(page, "matrix", 1)
    conn = sqlite3.connect(db_path)
    with_2025 = conn.execute("SELECT count(DISTINCT t.jurisdiction_id) FROM targets t JOIN jurisdictions j ON j.id = "
                             "t.jurisdiction_id WHERE t.indicator_id = 'digital-economy-share-of-grdp' AND t.target_year = 2025 "
                             "AND t.value IS NOT NULL AND (j.in_63 = 1 OR j.level = 'country')").fetchone()[0]
    stated = [x for x in values if x != "—"]
    assert len(stated) == with_2025 >= 32  # the provinces with a 2025 target and the nation
    assert "> 20%" in stated and "~ 20%" in stated and "≥ 10%" in stated  # comparators sort by their number
    assert [number(x) for x in stated] == sorted((number(x) for x in stated), reverse=True) and stated[0] == "35%"
    assert values[len(stated):] == ["—"] * (64 - len(stated))
    v.screenshot("matrix-1400", full_page=True)
    v.check()


def test_province_page_of_a_2025_unit_links_its_predecessors(visit):
    v = visit()
    page = v.open("/province/ho-chi-minh-2025")
    assert page.inner_text("h1").startswith("Thành phố Hồ Chí Minh")
    links = page.eval_on_selector_all("a.predecessor", "els => els.map(e => e.textContent)")
    assert links == ["Tỉnh Bình Dương", "Tỉnh Bà Rịa - Vũng Tàu", "Thành phố Hồ Chí Minh"]
    page.locator("a.predecessor", has_text="Bình Dương").click()
    page.wait_for_url("**/province/binh-duong")
    assert page.locator("a.successor").inner_text() == "Thành phố Hồ Chí Minh"
    v.screenshot("province-binh-duong-1400")
    v.check()


@pytest.fixture(scope="module")
def hostile_server(db_path, fake_release, tmp_path_factory):
    """The real database with one province's name turned into markup, served as `make serve` serves it."""
    folder = tmp_path_factory.mktemp("hostile")
    copy = folder / "vn_dx_plans.db"
    shutil.copy(db_path, copy)
    conn = sqlite3.connect(copy)
    conn.execute("""UPDATE jurisdictions SET name_vi = '<img src=x onerror="window.__xss = 1">Tỉnh Lai Châu',
                    name_en = '<b id="bold">Lai Châu</b>' WHERE id = 'lai-chau'""")
    conn.commit()
    conn.close()
    with serve(copy, fake_release) as base:
        yield base


def test_map_names_are_text_never_html(browser, hostile_server):  # noqa: F811
    v = Visit(browser, hostile_server)
    try:
        page = v.open("/")
        page.wait_for_selector("#province-map[data-markers]")
        marker = page.locator("#province-map path.province-lai-chau")
        marker.hover()
        tooltip = page.locator(".leaflet-tooltip.province-label")
        assert tooltip.inner_text().startswith('<img src=x onerror="window.__xss = 1">Tỉnh Lai Châu')
        marker.click()  # opens the popup
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert '<b id="bold">Lai Châu</b>' in popup.inner_text()
        assert page.locator("#province-map img[src=x], #bold").count() == 0
        assert page.evaluate("window.__xss") is None
        # the provinces page's SVG map and table escape it too
        page = v.open("/provinces")
        assert page.locator("img[src=x]").count() == 0 and page.evaluate("window.__xss") is None
        assert "<img" in page.locator('.province-svg-map a.map-point[data-id="lai-chau"] title').text_content()
    finally:
        v.close()
