"""Nothing on the site can mislead (issue 17): comparisons that read comparators, the caveat on national figures
that rest on a news report, ranks out of different totals kept apart, and every quote one click from its passage.
Content through Datasette's test client with `make serve`'s templates, plugins and mounts (tests/test_site.py's
client); layout in tests/test_browser.py."""
import json
import re
import sys
from urllib.parse import urlencode

import pytest
from markupsafe import escape

from conftest import ROOT, one
from test_site import METADATA, make_client, page, text

sys.path.insert(0, str(ROOT / "site" / "plugins"))

QUERIES = METADATA["databases"]["vn_dx_plans"]["queries"]


@pytest.fixture(scope="module")
def get(db_path, fake_release):
    return make_client(db_path, fake_release)


def comparison(db, jurisdiction, indicator, year, scope=None):
    return one(db, "SELECT * FROM target_comparison WHERE jurisdiction_id = ? AND indicator_id = ? AND target_year = ? "
                   "AND scope IS ?", jurisdiction, indicator, year, scope)


# ---------------------------------------------------------------- comparisons read the comparators

def test_above_the_national_value_is_more_ambitious(db):
    row = one(db, "SELECT * FROM target_comparison WHERE jurisdiction_id = 'quang-ngai' AND comparator = '>' "
                  "AND value = 90 AND national_comparator = '='")
    assert (row["national_value"], row["versus_national"]) == (90, "more ambitious than national")
    assert row["comparison"] == "more ambitious: above 90%, national 90%"


def test_about_the_national_value_is_about_the_same(db):
    row = one(db, "SELECT * FROM target_comparison WHERE jurisdiction_id = 'quang-ngai' AND comparator = '~'")
    assert (row["value"], row["national_comparator"], row["national_value"]) == (20, "=", 20)
    assert row["versus_national"] == "about the same as national"
    assert row["comparison"] == "about the same: about 20%, national 20%"


def test_a_floor_is_written_as_a_floor(db):
    row = comparison(db, "ha-tinh", "digital-economy-share-of-grdp", 2025)
    assert (row["comparator"], row["value"], row["national_comparator"], row["national_value"]) == (">=", 10, "=", 20)
    assert "at least 10%, national 20%" in row["comparison"]
    found = {r["jurisdiction"]: r for r in QUERY_ROWS(db, "digital_economy_targets") if r["target_year"] == 2025}
    assert found["Tỉnh Hà Tĩnh"]["difference"] is None  # not -10: the comparators differ
    assert "at least 10%, national 20%" in found["Tỉnh Hà Tĩnh"]["comparison"]
    assert found["Tỉnh Quảng Ninh"]["difference"] == 0  # same comparators: the difference stands


def QUERY_ROWS(db, name):
    sql = QUERIES[name]["sql"]
    return [dict(r) for r in db.execute(sql)]


def test_every_comparison_against_a_news_report_national_figure_carries_the_caveat(db):
    news = db.execute("SELECT * FROM target_comparison WHERE national_authority = 'news_report'").fetchall()
    assert {(r["jurisdiction_id"], r["target_year"]) for r in news} >= {("lai-chau", 2030), ("quang-ninh", 2030)}
    for r in news:
        assert "news report only (seed-003)" in r["national_caveat"]
        assert "52-NQ/TW" in r["national_caveat"] and r["national_caveat"] in r["comparison"]
    assert one(db, "SELECT count(*) FROM target_comparison WHERE national_authority <> 'news_report' "
                   "AND national_caveat IS NOT NULL")[0] == 0
    for name in ("digital_economy_targets", "versus_national"):
        rows = [r for r in QUERY_ROWS(db, name) if r["target_year"] == 2030 and r.get("national_value") == 30]
        assert rows and all("news report only" in r["national_caveat"] for r in rows), name


# ---------------------------------------------------------------- pages that say only what the data says

def dti_latest(db):
    return db.execute("""select j.id, o.value, o.denominator, o.year from jurisdictions j join observations o
        on o.jurisdiction_id = j.id and o.indicator_id = 'dti-rank'
        where o.year = (select max(x.year) from observations x where x.jurisdiction_id = j.id and x.indicator_id = 'dti-rank')""").fetchall()


def test_home_page_gives_each_rank_out_of_its_own_total(get, db):
    html = text(page(get, "/"))
    latest = dti_latest(db)
    assert ("ha-tinh", 7, 34, 2024) in [tuple(r) for r in latest]
    for jurisdiction, value, denominator, year in latest:
        assert f"DTI {year}: {value:g}/{denominator:g}" in html, jurisdiction
    assert "DTI 2024: 7/63" not in html
    assert "latest DTI rank, of 63)" not in html


def test_home_page_names_the_provinces_from_the_data(get, db):
    html = page(get, "/")
    names = [r[0].replace("Tỉnh ", "") for r in db.execute("select name_vi from jurisdictions where level = 'province'")]
    for name in names:
        assert name in html
    template = (ROOT / "site" / "templates" / "index.html").read_text(encoding="utf-8")
    assert "Quảng Bình, Hà Tĩnh" not in template  # no fixed list of five


def test_rank_chart_keeps_totals_apart(get):
    html = page(get, "/province/ha-tinh")
    rows = json.loads(re.search(r'<script type="application/json" id="dti-ranks">(.*?)</script>', html, re.S).group(1))
    assert {(r["year"], r["value"], r["denominator"]) for r in rows} >= {(2022, 37, 63), (2024, 7, 34)}
    assert "Ranks out of 34 and out of 63 provinces are different rankings" in text(html)
    assert "Rank (1–63)" not in (ROOT / "site" / "static" / "charts.js").read_text(encoding="utf-8")


def test_province_pages_say_what_the_comparators_allow(get, db):
    quang_ngai = text(page(get, "/province/quang-ngai"))
    assert "cao hơn quốc gia / more ambitious than national" in quang_ngai
    assert "xấp xỉ quốc gia / about the same as national" in quang_ngai
    lai_chau = page(get, "/province/lai-chau")
    row = re.search(r'<tr id="lai-chau-09-nq-tu/digital-economy-share-of-grdp/2030">(.*?)</tr>', lai_chau, re.S).group(1)
    assert "news report only (seed-003)" in row and "52-NQ/TW" in row


def test_national_figures_from_a_news_report_carry_the_caveat_everywhere(get, db):
    news = db.execute("select id from targets where jurisdiction_id = 'viet-nam' and authority = 'news_report'").fetchall()
    assert len(news) >= 2
    national = page(get, "/province/viet-nam")
    for (target_id,) in news:
        row = re.search(rf'<tr id="{re.escape(target_id)}">(.*?)</tr>', national, re.S).group(1)
        assert "from a news report only (seed-003)" in row, target_id
    indicator = text(page(get, "/indicator/digital-economy-share-of-grdp"))
    assert "The national figure for 2030 rests only on a news report" in indicator
    assert "The national figure for 2025 rests" not in indicator  # 2025 rests on the reference summary


def test_documents_say_where_their_figures_come_from_in_words(get, db):
    html = page(get, "/province/viet-nam")
    table = re.search(r'<table class="site-table cards documents">(.*?)</table>', html, re.S).group(1)
    row = re.search(r'<a href="/vn_dx_plans/documents/viet-nam-749-qd-ttg">.*?</tr>', table, re.S).group(0)
    sources = {r[0] for r in db.execute("select source_id from targets where document_id = 'viet-nam-749-qd-ttg'")}
    assert sources == {"ref-749", "seed-003"}
    figures = re.search(r"figures from</span>:(.*?)</div>", row, re.S).group(1)
    assert all(f">{s}</a>" in figures for s in sources) and "seed-004" not in figures
    assert "named in</span> <a href=\"/vn_dx_plans/sources/seed-004\"" in row
    words = text(table)
    assert "only cited by another text" in words
    for raw in ("official_text", "news_report", "reference_facts"):
        assert raw not in words, raw
    assert not re.search(r">\s*cited\s*<", table)
    targets = text(re.search(r'id="muc-tieu".*?id="ket-qua"', html, re.S).group(0))
    assert "news_report" not in targets and "bài báo / news report" in targets


def test_every_no_target_row_names_the_related_indicators_the_plan_targets(get, db):
    html = page(get, "/province/lai-chau")
    gaps = re.search(r'<details class="gaps">(.*?)</details>', html, re.S).group(1)
    items = dict(re.findall(r'<li><a href="/indicator/([^"]+)">.*?</li>', gaps, re.S) and
                 [(m.group(1), m.group(0)) for m in re.finditer(r'<li><a href="/indicator/([^"]+)">.*?</li>', gaps, re.S)])
    no = {r[0] for r in db.execute("select indicator_id from target_coverage where jurisdiction_id = 'lai-chau' "
                                   "and has_target = 'no'")}
    assert set(items) == no
    targeted = {r[0] for r in db.execute("select distinct indicator_id from targets where jurisdiction_id = 'lai-chau'")}
    pairs = db.execute("select indicator_id, related_indicator_id from indicator_relations").fetchall()
    for gap in no:
        related = {b for a, b in pairs if a == gap} | {a for a, b in pairs if b == gap}
        for other in related & targeted:
            assert f'href="/indicator/{other}"' in items[gap], (gap, other)
    assert 'href="/indicator/fibre-broadband-universal"' in items["households-fibre-coverage"]
    assert 'href="/indicator/communes-fibre-coverage"' in items["households-fibre-coverage"]
    assert 'href="/indicator/districts-with-smart-urban-services"' in items["smart-cities"]


def test_targets_and_outcomes_read_as_a_bilingual_table(get, db):
    html = page(get, "/province/lai-chau")
    table = re.search(r'<table class="site-table cards target-outcomes">(.*?)</table>', html, re.S).group(1)
    heads = text(re.search(r"<thead>(.*?)</thead>", table, re.S).group(1))
    assert heads.split() == "Chỉ số Indicator Mục tiêu Target Kết quả gần nhất Latest outcome Khoảng cách Gap Tình trạng Status".split()
    targets = {r[0] for r in db.execute("select target_id from target_outcomes where jurisdiction_id = 'lai-chau'")}
    assert table.split("<tbody>")[1].count("<tr>") == len(targets)  # one row per target: its latest outcome
    words = text(table)
    assert "outcome_denominator" not in table and "gap_to_target" not in table
    # the 2025 aim of 45/63 beside the latest rank, 53/63 in 2022: 8 places to climb
    assert "≤ 45/63" in words and "53/63 2022 · trên / out of 63" in words and "short by 8 bậc / places" in words
    assert all(f'data-label="{label}"' in table for label in ("Mục tiêu / Target", "Tình trạng / Status"))


# ---------------------------------------------------------------- evidence one click away

def locator_hrefs(html):
    return [m.replace("&amp;", "&") for m in re.findall(r'<a class="locator" href="([^"]+)"', html)]


def test_every_quote_on_a_province_page_links_to_its_highlighted_passage(get, db):
    for jurisdiction in ("lai-chau", "viet-nam", "ha-tinh"):
        html = page(get, f"/province/{jurisdiction}")
        hrefs = locator_hrefs(html)
        quoted = db.execute("select count(*) from targets where jurisdiction_id = ? and quote is not null", [jurisdiction]).fetchone()[0]
        assert len([h for h in hrefs if "?q=" in h]) >= quoted, jurisdiction
        for href in sorted(set(hrefs)):
            assert href.endswith("#quote") or "#" in href, href
            target = page(get, href.split("#")[0])
            assert '<mark id="quote">' in target, href
            assert "This quote is not in the text" not in target, href


def test_source_text_page_numbers_lines_and_sections(get, db):
    path = ROOT / "data" / "sources" / one(db, "select file_name from sources where id = 'seed-004'")[0]
    lines = path.read_text(encoding="utf-8").split("\n")
    html = page(get, "/source/seed-004")
    assert html.count('<li id="L') == len(lines)
    for locator in ("II.2.2.1.a", "II.2.2.2.b", "III.1.1", "III.1.1-2", "III.5.8", "III.6"):
        assert f'id="{locator}"' in html, locator
    # each section anchor sits on the line the section starts
    line = re.search(r'<li id="L(\d+)"[^>]*>(?:(?!</li>).)*id="II.2.2.1.a"', html, re.S).group(1)
    assert lines[int(line) - 1].startswith("a) Phát triển Chính quyền điện tử")
    quote = one(db, "select quote from targets where id = 'lai-chau-09-nq-tu/digital-economy-share-of-grdp/2030'")[0]
    marked = page(get, "/source/seed-004?" + urlencode({"q": quote}))
    assert f'<mark id="quote">{quote}</mark>' in marked
    assert "Nghị quyết số 09-NQ/TU" in marked and "Nghá»" not in marked


def test_a_reference_locator_marks_its_lines(get, db):
    row = one(db, "select * from claims where source_id = 'ref-749' and locator like 'line %' limit 1")
    number = int(row["locator"].split()[1])
    html = page(get, f"/source/ref-749?lines={number}-{number}")
    assert re.search(rf'<li id="L{number}" class="marked">.*?<mark id="quote">', html, re.S)


def test_source_text_is_escaped(get, db, tmp_path):
    from evidence import render_lines
    rendered = render_lines("a <script>alert(1)</script>\nb", [(2, 10)], None)
    html = "".join(str(r["html"]) for r in rendered)
    assert "<script>" not in html and "&lt;script&gt;" in html and '<mark id="quote">' in html


def test_row_pages_link_the_locator_and_the_source_text(get, db):
    html = page(get, "/vn_dx_plans/targets/lai-chau-09-nq-tu~2Fdigital-economy-share-of-grdp~2F2030")
    href = locator_hrefs(html)
    assert len(href) == 1 and href[0].startswith("/source/seed-004?q=") and href[0].endswith("#quote")
    source = page(get, "/vn_dx_plans/sources/seed-004")
    assert 'href="/source/seed-004"' in source
    for sid, url in db.execute("select id, url from sources where url is not null"):
        assert f'href="{url}"' in page(get, f"/vn_dx_plans/sources/{sid}"), sid
    table = page(get, "/vn_dx_plans/discrepancies")
    assert len(locator_hrefs(table)) >= 2 * one(db, "select count(*) from discrepancies")[0] - 2


def test_text_files_are_served_as_utf8(db_path, tmp_path):
    release = tmp_path / "release"
    (release / "vn-dx-plans-2026.1" / "sources").mkdir(parents=True)
    (release / "vn-dx-plans-2026.1" / "sources" / "004.txt").write_text("Nghị quyết số 09-NQ/TU", encoding="utf-8")
    (release / "vn-dx-plans-2026.1" / "README.md").write_text("# Bộ dữ liệu", encoding="utf-8")
    (release / "vn-dx-plans-2026.1" / "targets.csv").write_bytes("\ufeffid\nđ\n".encode())
    get = make_client(db_path, release)
    for path in ("sources/004.txt", "README.md", "targets.csv"):
        response = get(f"/downloads/vn-dx-plans-2026.1/{path}")
        assert response.status_code == 200
        assert "charset=utf-8" in response.headers["content-type"].lower(), path
    csv = get("/downloads/vn-dx-plans-2026.1/targets.csv").content
    assert csv.startswith("\ufeff".encode()) and not csv[3:].startswith("\ufeff".encode())  # no second BOM
    assert get("/static/site.css").headers["content-type"].lower().endswith("charset=utf-8")


def test_live_csv_export_starts_with_a_bom_like_the_release(get):
    for path in ("/vn_dx_plans/targets.csv", "/vn_dx_plans/targets.csv?_dl=1", "/vn_dx_plans/target_comparison.csv",
                 "/vn_dx_plans/digital_economy_targets.csv"):
        response = get(path)
        assert response.status_code == 200, path
        assert response.content.startswith("\ufeff".encode()) and not response.content[3:].startswith("\ufeff".encode()), path
        assert "charset=utf-8" in response.headers["content-type"].lower()
    assert "\ufeff" not in get("/vn_dx_plans/targets.json").text


# ---------------------------------------------------------------- Datasette's pages

def test_canned_query_pages_are_titled_by_name_with_the_sql_behind_a_toggle(get):
    for name, query in QUERIES.items():
        html = page(get, f"/vn_dx_plans/{name}")
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
        assert title == str(escape(query["title"])), name
        assert re.search(r'<details class="canned-sql"><summary>.*?</summary>\s*<pre id="sql-query">', html, re.S), name
        assert 'id="sql-editor"' not in html


def test_table_pages_have_bilingual_titles_and_a_language(get):
    tables = METADATA["databases"]["vn_dx_plans"]["tables"]
    for name in ("targets", "target_comparison", "discrepancies", "documents", "target_outcomes"):
        html = page(get, f"/vn_dx_plans/{name}")
        vi, en = tables[name]["title"].split(" · ")
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert vi in title and en in title and name in title, name
        assert str(escape(tables[name]["description_vi"])) in html
        assert html.lstrip().startswith("<!DOCTYPE html>") and '<html lang="en">' in html
        heads = re.findall(r'<th [^>]*scope="col"[^>]*>(.*?)</th>', html, re.S)
        assert any("_<wbr>" in h for h in heads), name
    for path in ("/", "/province/lai-chau", "/indicator/dti-rank", "/source/seed-004", "/downloads"):
        assert '<html lang="vi">' in page(get, path), path


def test_charts_never_write_data_as_html():
    js = (ROOT / "site" / "static" / "charts.js").read_text(encoding="utf-8")
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js
    assert "textContent" in js and "tooltip: textTooltip" in js
