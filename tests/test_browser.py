"""The site in a real browser: Debian's chromium driven by Playwright, against `make serve`'s configuration.

Screenshots go to dist/screenshots/ (or $SCREENSHOTS_DIR) for a reviewer to look at. Without chromium
(`apt-get install chromium`; .ci/run installs it) the tests are skipped with the reason in pytest's summary.
"""
import contextlib
import os
import shlex
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR", ROOT / "dist" / "screenshots"))
TILE_HOST = "tile.openstreetmap.org"
# A 1×1 transparent PNG served in place of map tiles, so the tests need no network.
BLANK_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                          "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (make install)")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} not found: the browser tests need Debian's chromium (apt-get install chromium)",
                allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(db_path, release):
    """datasette with the flags `make serve` uses (read from the Makefile), on a free loopback port: its base URL. Its log
    goes to a file: a pipe nobody reads fills after a few hundred requests and stalls the server."""
    flags = subprocess.run(["make", "-s", "--no-print-directory", "serve-flags", f"DB={db_path}",
                            f"RELEASE={release}"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    port = free_port()
    datasette = Path(sys.executable).parent / "datasette"
    log = tempfile.TemporaryFile()  # not a pipe: nobody reads it while pages load, and a full pipe blocks the server
    process = subprocess.Popen([str(datasette), "serve", *shlex.split(flags), "--host", "127.0.0.1", "--port", str(port)],
                               cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    log.seek(0)
                    pytest.fail("datasette did not start: " + log.read().decode("utf-8", "replace"))
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def server(db_path, fake_release):
    with serve(db_path, fake_release) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """A page opened at a width, recording console errors and any request that leaves the site."""

    def __init__(self, browser, base, width=1400, height=900):
        self.base = base
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.errors, self.outside = [], []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"{m.text} {m.location}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.context.route(f"https://{TILE_HOST}/**",
                           lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_PNG))
        self.page.on("request", self._request)

    def _request(self, request):
        if not request.url.startswith((self.base, "data:", "blob:", f"https://{TILE_HOST}/")):
            self.outside.append(request.url)

    def open(self, path):
        response = self.page.goto(self.base + path, wait_until="networkidle")
        assert response.status == 200, (path, response.status)
        return self.page

    def check(self):
        assert not self.errors, self.errors
        assert not self.outside, f"requests to other sites: {self.outside}"

    def screenshot(self, name, full_page=False):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
        if full_page:
            self.page.screenshot(path=str(SCREENSHOTS / f"{name}-full.png"), full_page=True)

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, server):
    opened = []

    def make(width=1400, height=900):
        v = Visit(browser, server, width, height)
        opened.append(v)
        return v
    yield make
    for v in opened:
        v.close()


def chart_bars(page, selector):
    page.wait_for_selector(f"{selector}[data-rendered=true] svg")
    return page.locator(f"{selector} g.mark-rect.role-mark path").count()


def test_home_page_map_chart_and_links(visit, db_path):
    v = visit()
    page = v.open("/")
    assert "Kế hoạch chuyển đổi số" in page.inner_text("h1")
    conn = sqlite3.connect(db_path)
    provinces = conn.execute("select count(*) from jurisdictions where in_63 = 1 and lat is not null").fetchone()[0]
    with_2025 = conn.execute("select count(distinct jurisdiction_id) from targets where target_year = 2025 "
                             "and indicator_id = 'digital-economy-share-of-grdp' and value is not null").fetchone()[0]
    page.wait_for_selector("#province-map[data-markers]")
    assert page.locator("#province-map path.province-marker").count() == provinces == 63
    page.locator("#province-map path.province-lai-chau").hover()  # 63 labels are shown on hover, one at a time
    assert page.locator(".leaflet-tooltip.province-label").inner_text() == "Lai Châu (70 · DTI 2022: 53/63)"
    assert chart_bars(page, "#chart-de-2025") == with_2025
    for path in ["/province/lai-chau", "/indicator/digital-economy-share-of-grdp", "/downloads"]:
        assert page.locator(f'a[href="{path}"]').count() >= 1, path
    assert page.locator('a[href^="/vn_dx_plans/coverage_gaps"]').count() == 1  # canned queries
    v.screenshot("home-1400", full_page=True)
    page.locator("#province-map path.province-lai-chau").click()  # opens its popup, which links to its page
    page.locator(".leaflet-popup-content a").click()
    page.wait_for_url("**/province/lai-chau")
    v.check()


def test_province_page_cites_a_number(visit, db_path):
    v = visit()
    page = v.open("/province/lai-chau")
    conn = sqlite3.connect(db_path)
    ranks = conn.execute("select (select count(*) from observations where jurisdiction_id = 'lai-chau' and indicator_id = 'dti-rank' "
                         "and year is not null and value is not null) + (select count(*) from targets where jurisdiction_id = "
                         "'lai-chau' and indicator_id = 'dti-rank' and target_year is not null and value is not null)").fetchone()[0]
    page.wait_for_selector("#chart-dti[data-rendered=true] svg")
    assert page.locator("#chart-dti g.mark-symbol.role-mark path").count() == ranks >= 3
    row = page.locator('tr[id="lai-chau-09-nq-tu/digital-economy-share-of-grdp/2030"]')
    text = row.inner_text()
    assert "20%" in text and "2030" in text and "II.2.2.2.b" in text
    assert "Kinh tế số chiếm 20% GRDP (tổng sản phẩm trên địa bàn)" in text
    assert "09-NQ/TU" in page.inner_text("table.documents")
    assert page.locator("ol.sectors li").count() == 9
    v.screenshot("province-lai-chau-1400", full_page=True)
    v.check()


def test_indicator_page_chart_has_one_bar_per_jurisdiction(visit, db_path):
    v = visit()
    page = v.open("/indicator/digital-economy-share-of-grdp")
    conn = sqlite3.connect(db_path)
    for year in (2025, 2030):
        expected = conn.execute("select count(distinct jurisdiction_id) from targets where target_year = ? "
                                "and indicator_id = 'digital-economy-share-of-grdp' and value is not null", [year]).fetchone()[0]
        assert chart_bars(page, f"#chart-{year}") == expected, year
    assert page.locator("#chart-2025 g.mark-rule.role-mark line").count() == 1  # the national line
    v.screenshot("indicator-digital-economy-1400", full_page=True)
    v.check()


@pytest.mark.parametrize("path, name", [("/", "home"), ("/province/lai-chau", "province-lai-chau"),
                                        ("/indicator/digital-economy-share-of-grdp", "indicator-digital-economy")])
def test_phone_width_has_no_horizontal_scroll(visit, path, name):
    v = visit(390, 844)
    page = v.open(path)
    if path == "/":
        page.wait_for_selector("#chart-de-2025[data-rendered=true]")
    width = page.evaluate("document.documentElement.scrollWidth")
    v.screenshot(f"{name}-390", full_page=True)
    assert width <= 392, f"{path} is {width}px wide at 390px"
    v.check()


def test_downloads_page_links_answer(visit, server):
    v = visit()
    page = v.open("/downloads")
    assert "2026.1" in page.inner_text(".release-version")
    assert "vn-dx-plans 2026.1 [Data set]" in page.inner_text("blockquote.citation")
    links = page.eval_on_selector_all("a.download", "els => els.map(e => e.getAttribute('href'))")
    assert "/vn_dx_plans.db" in links and len(links) == 4
    for href in links:
        response = v.context.request.get(server + href)
        assert response.status == 200, href
    v.screenshot("downloads-1400")
    v.check()


def test_search_without_diacritics(visit):
    v = visit()
    page = v.open("/vn_dx_plans/targets?_search=kinh+te+so")
    assert "digital-economy-share-of-grdp" in page.inner_text("table.rows-and-columns")
    v.check()


def test_table_page_reads_at_1400px(visit):
    v = visit()
    page = v.open("/vn_dx_plans/targets")
    # Column descriptions are collapsed: the first row is on the first screen.
    assert page.locator("details.column-descriptions-box").get_attribute("open") is None
    assert page.locator("table.rows-and-columns tbody tr").first.bounding_box()["y"] < 900
    for column in ("statement_vi", "statement_en", "quote", "locator"):
        box = page.locator(f"th.col-{column}").bounding_box()
        assert box["x"] + box["width"] <= 1400, (column, box)
    v.screenshot("table-targets-1400")
    v.check()


def test_jurisdictions_table_has_a_cluster_map(visit):
    v = visit()
    page = v.open("/vn_dx_plans/jurisdictions")
    page.wait_for_selector(".leaflet-marker-icon")
    # the 63 provinces and the 23 units formed in 2025 (lat/lon); the country has no point
    counts = page.eval_on_selector_all(".leaflet-marker-icon", "els => els.map(e => e.classList.contains('marker-cluster')"
                                       " ? parseInt(e.innerText, 10) : 1)")
    assert sum(counts) == 86
    v.check()


def test_row_page_links_and_whole_quote(visit):
    v = visit()
    page = v.open("/vn_dx_plans/targets/lai-chau-09-nq-tu~2Fdigital-economy-share-of-grdp~2F2030")
    for table in ("jurisdictions", "documents", "indicators", "sources"):
        assert page.locator(f'table.row-fields a[href^="/vn_dx_plans/{table}/"]').count() == 1, table
    quote = page.locator("td.col-quote")
    assert quote.inner_text().strip() == "Kinh tế số chiếm 20% GRDP (tổng sản phẩm trên địa bàn)"
    box = quote.bounding_box()
    assert box["x"] + box["width"] <= 1400
    v.screenshot("row-target-1400")
    v.check()


# ---------------------------------------------------------------- issue 17: nothing misleads, evidence one click away

ORIGINAL_FIVE = ("lai-chau", "ha-tinh", "quang-ninh", "quang-ngai", "quang-binh")


def sample_jurisdictions(db_path):
    """The jurisdictions whose pages the sweeps load (all 86 at two widths is too slow; one template draws them
    all): the nation, the five provinces of the first release, two of the others (the one with the most targets
    and one with the fewest) and two units formed in 2025 (the one with the most predecessors and the one with the
    most targets)."""
    conn = sqlite3.connect(db_path)
    others = [j for (j,) in conn.execute(
        "select id from jurisdictions j where in_63 = 1 and id not in (%s) order by "
        "(select count(*) from targets t where t.jurisdiction_id = j.id) desc, id" % ",".join("?" * 5), ORIGINAL_FIVE)]
    units = [j for (j,) in conn.execute(
        "select id from jurisdictions j where in_34 = 1 and in_63 = 0 order by "
        "(select count(*) from jurisdiction_changes c where c.successor_id = j.id) desc, id")]
    busiest_unit = conn.execute("select id from jurisdictions j where in_34 = 1 and in_63 = 0 and id <> ? order by "
                                "(select count(*) from targets t where t.jurisdiction_id = j.id) desc, id",
                                [units[0]]).fetchone()[0]
    conn.close()
    return ["viet-nam", *ORIGINAL_FIVE, others[0], others[-1], units[0], busiest_unit]


def site_pages(db_path):
    """The pages of the site a reader reaches from its navigation: the home page, the downloads page, the
    provinces page and the matrix, a sample of the jurisdictions' pages (sample_jurisdictions), the indicators
    targeted by two or more jurisdictions and the ranks, every source text, every canned query, and the table
    pages the navigation and the comparisons lead to."""
    import yaml
    conn = sqlite3.connect(db_path)
    paths = ["/", "/downloads", "/provinces", "/matrix"]
    paths += [f"/province/{j}" for j in sample_jurisdictions(db_path)]
    paths += [f"/indicator/{i}" for (i,) in conn.execute(
        "select indicator_id from targets group by indicator_id having count(distinct jurisdiction_id) >= 2 "
        "union select id from indicators where direction = 'lower' and id in (select indicator_id from targets)")]
    paths += [f"/source/{s}" for (s,) in conn.execute("select id from sources where file_name is not null")]
    queries = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))["databases"]["vn_dx_plans"]["queries"]
    paths += [f"/vn_dx_plans/{q}" for q in queries]
    paths += ["/vn_dx_plans", "/vn_dx_plans/targets", "/vn_dx_plans/target_comparison", "/vn_dx_plans/discrepancies",
              "/vn_dx_plans/target_outcomes", "/vn_dx_plans/sources/seed-004",
              "/vn_dx_plans/targets/lai-chau-09-nq-tu~2Fdigital-economy-share-of-grdp~2F2030"]
    return paths


@pytest.mark.parametrize("width", [390, 1400])
def test_no_page_scrolls_sideways(visit, db_path, width):
    v = visit(width, 900)
    wide = {}
    for path in site_pages(db_path):
        page = v.open(path)
        for chart in page.locator(".vn-chart, .vn-rank-chart").all():
            chart.locator("svg").first.wait_for()
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width + 2:
            culprits = page.evaluate("""(w) => Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > w + 2 && !e.closest('.table-wrapper'))
                .slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""", width)
            wide[path] = (scroll, culprits)
    assert not wide, f"pages wider than {width}px: {wide}"
    v.check()


def test_clicking_a_quotes_locator_lands_on_the_highlighted_passage(visit, db_path):
    conn = sqlite3.connect(db_path)
    target = "lai-chau-09-nq-tu/digital-economy-share-of-grdp/2030"
    quote, locator = conn.execute("select quote, locator from targets where id = ?", [target]).fetchone()
    v = visit()
    page = v.open("/province/lai-chau")
    link = page.locator(f'tr[id="{target}"] a.locator')
    assert link.inner_text() == locator == "II.2.2.2.b"
    link.click()
    page.wait_for_url("**/source/seed-004?q=*#quote")
    page.wait_for_load_state("networkidle")
    mark = page.locator("mark#quote")
    assert mark.inner_text() == quote
    assert page.evaluate("location.hash") == "#quote"
    box = mark.bounding_box()
    assert 0 <= box["y"] < 900, box  # scrolled to the passage
    line = page.locator("li.marked").first
    assert line.get_attribute("id") == "L60" and "II.2.2.2.b" in page.locator('li:has(span[id="II.2.2.2.b"])').inner_text()
    assert page.evaluate("getComputedStyle(document.querySelector('mark#quote')).backgroundColor") != "rgba(0, 0, 0, 0)"
    v.screenshot("source-quote-1400")
    v.check()


def test_rank_chart_draws_no_line_across_totals(visit, db_path):
    conn = sqlite3.connect(db_path)
    totals = conn.execute("select count(distinct denominator) from observations where jurisdiction_id = 'ha-tinh' "
                          "and indicator_id = 'dti-rank' and value is not null").fetchone()[0]
    assert totals == 2
    v = visit()
    page = v.open("/province/ha-tinh")
    page.wait_for_selector("#chart-dti[data-rendered=true] svg")
    assert page.locator("#chart-dti g.mark-line.role-mark path").count() == totals  # one line per total
    axis = page.locator("#chart-dti").inner_text()
    assert "1–63" not in axis and "of 34" in axis and "of 63" in axis
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("figure.rank-box").screenshot(path=str(SCREENSHOTS / "province-ha-tinh-ranks.png"))
    v.check()


def test_rank_targets_are_points_with_the_best_rank_on_the_right(visit):
    v = visit()
    page = v.open("/indicator/national-egov-rank")
    for year in (2025, 2030):
        page.wait_for_selector(f"#chart-{year}[data-rendered=true] svg")
        assert page.locator(f"#chart-{year} g.mark-rect.role-mark path").count() == 0, year  # no bars
        assert page.locator(f"#chart-{year} g.mark-symbol.role-mark path").count() == 1, year
    v.check()


def test_charts_write_hostile_data_as_text(visit):
    v = visit()
    page = v.open("/indicator/digital-economy-share-of-grdp")
    page.wait_for_selector("#chart-2025[data-rendered=true] svg")
    page.evaluate("""() => {
        window.__xss = 0;
        const el = document.createElement('div'); el.id = 'hostile'; el.style.width = '600px';
        document.body.prepend(el);
        const evil = '<img src=x onerror="window.__xss=1">';
        return window.vnTargetsChart(el, [
          {label: evil, value: 20, text: evil, quote: evil, national: false, href: 'javascript:window.__xss=2'},
          {label: 'b' + evil, value: 10, text: '10%', quote: evil, national: true, href: '//evil.example/'}], {unit: '%'})
          .then(() => true);
    }""")
    page.wait_for_selector("#hostile[data-rendered=true] svg")
    bar = page.locator("#hostile g.mark-rect.role-mark path").first
    bar.hover()
    tip = page.locator(".vn-tooltip")
    tip.wait_for()
    assert '<img src=x onerror="window.__xss=1">' in tip.inner_text()
    assert page.locator(".vn-tooltip img, #hostile img").count() == 0
    bar.click()
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xss") == 0 and page.url.endswith("/indicator/digital-economy-share-of-grdp")
    v.check()


def test_key_columns_of_the_comparison_views_fit_1400px(visit):
    v = visit()
    for table, columns in {
            "target_comparison": ("indicator_name", "jurisdiction_name", "target_year", "comparator", "value",
                                  "national_comparator", "national_value", "versus_national"),
            "discrepancies": ("kind", "jurisdiction_id", "indicator_id", "year", "used_source_id", "used_value",
                              "other_source_id", "other_value")}.items():
        page = v.open(f"/vn_dx_plans/{table}")
        for column in columns:
            box = page.locator(f"th.col-{column}").bounding_box()
            assert box and box["x"] + box["width"] <= 1400, (table, column, box)
        # column labels break only after an underscore, never inside a word: each word on one line
        broken = page.evaluate("""() => {
            const out = [];
            document.querySelectorAll('table.rows-and-columns th').forEach(th => {
              const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                for (const m of node.textContent.matchAll(/[^_\\s]+/g)) {
                  const r = document.createRange(); r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
                  const tops = new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top)));
                  if (tops.size > 1) out.push(m[0]);
                }
              }
            });
            return out; }""")
        assert not broken, (table, broken)
        v.screenshot(f"table-{table}-1400")
    v.check()


def test_a_bar_still_opens_its_province(visit):
    v = visit()
    page = v.open("/indicator/digital-economy-share-of-grdp")
    page.wait_for_selector("#chart-2025[data-rendered=true] svg")
    page.locator("#chart-2025 g.mark-rect.role-mark path").first.click()
    page.wait_for_url("**/province/*")
    v.check()
