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
    """datasette with the flags `make serve` uses (read from the Makefile), on a free loopback port: its base URL."""
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
    provinces = conn.execute("select count(*) from jurisdictions where capital_lat is not null").fetchone()[0]
    with_2025 = conn.execute("select count(distinct jurisdiction_id) from targets where target_year = 2025 "
                             "and indicator_id = 'digital-economy-share-of-grdp' and value is not null").fetchone()[0]
    page.wait_for_selector("#province-map[data-markers]")
    assert page.locator("#province-map path.province-marker").count() == provinces == 5
    assert page.locator(".leaflet-tooltip.province-label").count() == provinces
    assert chart_bars(page, "#chart-de-2025") == with_2025
    for path in ["/province/lai-chau", "/indicator/digital-economy-share-of-grdp", "/downloads"]:
        assert page.locator(f'a[href="{path}"]').count() >= 1, path
    assert page.locator('a[href^="/vn_dx_plans/coverage_gaps"]').count() == 1  # canned queries
    v.screenshot("home-1400", full_page=True)
    page.locator("#province-map path.province-lai-chau").click()
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
    assert page.locator(".leaflet-marker-icon").count() == 5  # the provinces; the country has no coordinates
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
